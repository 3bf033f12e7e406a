"""The inventory page's data: every component with its health, riskiest first.

Health joins what `mldebt catalog list` shows (`list_catalog`: kind, owner, lifecycle, staleness,
model card, open findings) with two GROUP BYs: active debt per component (items, interest range per
week, worst risk) and incidents active in the last 90 days. So one page costs four queries whatever
the size of the signal tables; the component rows themselves are the inventory (hundreds at most),
so ordering and filtering them happen here and only the asked page is returned.

Risk level: the highest `risk` (impact x likelihood, what the backlog's last rebuild computed) among
the component's active debt items, in bands: high (>= 5), medium (>= 1), low (> 0), none (no active
item, or none with a risk). Risk, not priority, because priority divides by the effort to fix:
a costly fix ranks lower in the backlog but the component is no healthier for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mldebt.domain.component import Kind
from mldebt.errors import UserInputError
from mldebt.service.catalog_status import ComponentStatus, list_catalog
from mldebt.store import inventory_queries as queries
from mldebt.store.database import Store

INCIDENT_WINDOW_DAYS = 90
KIND_NAMES = tuple(str(k) for k in Kind)
RISK_BANDS = ((5.0, "high"), (1.0, "medium"))  # a risk at or above the bound is in the band; below 1: low
MAX_LIMIT = 200


def risk_level(max_risk: float | None) -> str:
    """"high", "medium", "low" or "none" for a component's highest active debt risk (None: no active item)."""
    if max_risk is None or not max_risk > 0:
        return "none"
    return next((level for bound, level in RISK_BANDS if max_risk >= bound), "low")


@dataclass(frozen=True)
class ComponentHealth:
    status: ComponentStatus
    debt: queries.DebtTotals | None
    incidents_90d: int

    @property
    def risk(self) -> float | None:
        return self.debt.max_risk if self.debt else None

    @property
    def level(self) -> str:
        return risk_level(self.risk)

    @property
    def problems(self) -> list[str]:
        """Why the component is unhealthy (empty: healthy): stale, no owner, no model card, high risk."""
        s = self.status
        found = []
        if s.stale:
            found.append("stale")
        if not s.owner:
            found.append("no owner")
        if s.kind == "model" and not s.model_card:
            found.append("no model card")
        if self.level == "high":
            found.append("high risk")
        return found

    def to_dict(self) -> dict[str, Any]:
        debt = self.debt
        return {**self.status.to_dict(), "open_debt_items": debt.items if debt else 0,
                "interest": {"low": debt.interest_low if debt else 0.0, "high": debt.interest_high if debt else 0.0,
                             "currency": debt.currency if debt else "USD"},
                "max_risk": self.risk, "risk_level": self.level, "incidents_90d": self.incidents_90d,
                "problems": self.problems}


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KIND_NAMES:
        raise UserInputError(f"kind: unknown kind {kind!r}; expected one of {', '.join(KIND_NAMES)}")
    return kind


def inventory_health(store: Store, now: dt.datetime, kind: str | None = None,
                     only_unhealthy: bool = False) -> list[ComponentHealth]:
    """Every component in the inventory (not retired) with its health, riskiest first, then by name."""
    check_kind(kind)
    statuses = list_catalog(store, now.date())
    with store.session() as session:
        debt = queries.open_debt_by_component(session)
        incidents = queries.incidents_since_by_component(session, now - dt.timedelta(days=INCIDENT_WINDOW_DAYS))
    rows = [ComponentHealth(s, debt.get(s.name), incidents.get(s.name, 0)) for s in statuses
            if kind is None or s.kind == kind]
    if only_unhealthy:
        rows = [r for r in rows if r.problems]
    return sorted(rows, key=lambda r: (-(r.risk or 0.0), r.status.name))


def inventory_page(store: Store, now: dt.datetime, kind: str | None = None, only_unhealthy: bool = False,
                   limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of `inventory_health` as plain data, and how many components match."""
    if not 1 <= limit <= MAX_LIMIT:
        raise UserInputError(f"limit: must be between 1 and {MAX_LIMIT}, not {limit}")
    rows = inventory_health(store, now, kind, only_unhealthy)
    return [r.to_dict() for r in rows[max(0, offset):max(0, offset) + limit]], len(rows)
