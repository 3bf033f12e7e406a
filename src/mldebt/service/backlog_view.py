"""What the backlog pages show: a filtered page of the ranked backlog, and one item with its evidence.

`backlog_list` checks the filters (a bad value is a `UserInputError` naming it), reads one page with
`debt_view.backlog_page` (one COUNT, one LIMIT query) and the filter choices (two bounded DISTINCTs).
`item_view` adds to `debt_view.show_item` what its page needs: a link per piece of evidence, the
breakdown as tables and each history entry as `field: old → new` lines. `form_changes` turns the
page's edit form into the changes `debt_edit.update_debt` takes, keeping only what differs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mldebt.domain.debt import ACTIVE_STATUSES, DebtStatus
from mldebt.errors import UserInputError
from mldebt.metrics.money import format_hours_range, format_money_range
from mldebt.service.breakdown_view import breakdown_view, when
from mldebt.service.debt_view import (
    CATEGORY_NAMES,
    STATUS_NAMES,
    backlog_page,
    check_category,
    check_owner,
    check_statuses,
    show_item,
)
from mldebt.service.evidence_links import component_path, evidence_rows, finding_ids
from mldebt.store.backlog_queries import cited_findings, item_components, item_owners
from mldebt.store.database import Store

MAX_COMPONENT_FILTER = 100
ACTIVE_NAMES = tuple(str(s) for s in ACTIVE_STATUSES)


@dataclass(frozen=True)
class BacklogFilters:
    """The list's filters as the query string gave them (blank values mean "any")."""

    component: str | None = None
    category: str | None = None
    statuses: tuple[str, ...] = ()
    owner: str | None = None

    @classmethod
    def of(cls, component: str | None, category: str | None, statuses: Sequence[str] | None,
           owner: str | None) -> BacklogFilters:
        def blank(value: str | None) -> str | None:
            return value.strip() or None if value is not None else None

        wanted = tuple(dict.fromkeys(s for s in statuses or () if s.strip()))
        return cls(blank(component), blank(category), wanted, blank(owner))

    def check(self) -> None:
        if self.component is not None and len(self.component) > MAX_COMPONENT_FILTER:
            raise UserInputError(f"component: at most {MAX_COMPONENT_FILTER} characters, not {len(self.component)}")
        check_category(self.category)
        check_statuses(self.statuses)
        check_owner(self.owner)

    @property
    def shown_statuses(self) -> tuple[str, ...]:
        """The statuses listed: the chosen ones, else the active ones (the backlog's default)."""
        return self.statuses or ACTIVE_NAMES

    def params(self) -> dict[str, str | list[str] | None]:
        return {"component": self.component, "category": self.category, "status": list(self.statuses),
                "owner": self.owner}


@dataclass
class BacklogList:
    rows: list[dict[str, Any]]
    total: int
    components: list[str]
    owners: list[str]
    categories: tuple[str, ...] = CATEGORY_NAMES
    statuses: tuple[str, ...] = STATUS_NAMES


def list_row(item: Mapping[str, Any], rank: int) -> dict[str, Any]:
    interest, effort, currency = item["interest"], item["effort"], item["interest"]["currency"]
    return {"rank": rank, "id": item["id"], "title": item["title"], "component": item["component"],
            "category": item["category"], "status": item["status"], "owner": item["owner"],
            "effort": format_hours_range(effort["low_hours"], effort["high_hours"]),
            "interest": format_money_range(interest["low"], interest["high"], currency),
            "priority": _rounded(item["priority"]["value"])}


def _rounded(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "not scored"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def filter_choices(store: Store) -> tuple[list[str], list[str]]:
    with store.session() as session:
        return item_components(session), item_owners(session)


def backlog_list(store: Store, filters: BacklogFilters, limit: int, offset: int,
                 now: dt.datetime | None = None) -> BacklogList:
    """One page of the ranked backlog under `filters` (checked first), ranks counted from `offset`."""
    filters.check()
    items, total = backlog_page(store, filters.component, filters.category, list(filters.statuses) or None,
                                limit, offset, now, filters.owner)
    components, owners = filter_choices(store)
    rows = [list_row(item, offset + number) for number, item in enumerate(items, start=1)]
    return BacklogList(rows, total, components, owners)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "none"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)[:300]


def history_rows(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Newest first, each change as `field: old → new`."""
    rows = []
    for entry in reversed(history):
        changes = entry.get("changes") or {}
        lines = [f"{name}: {_shown(pair[0])} → {_shown(pair[1])}" for name, pair in changes.items()
                 if isinstance(pair, list | tuple) and len(pair) == 2]
        rows.append({"at": entry["at"], "at_text": when(entry["at"]), "actor": entry["actor"],
                     "action": entry["action"], "changes": lines,
                     "note": entry.get("note")})
    return rows


def item_view(store: Store, item_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """The item page's data; `NotFoundError` when there is no such item."""
    item = show_item(store, item_id, now)
    evidence = [e for e in item["evidence"] if isinstance(e, Mapping)]
    with store.session() as session:
        findings = cited_findings(session, finding_ids(evidence))
    interest, effort = item["interest"], item["effort"]
    return {
        "item": item, "component_href": component_path(item["component"]),
        "effort_text": format_hours_range(effort["low_hours"], effort["high_hours"]),
        "interest_text": format_money_range(interest["low"], interest["high"], interest["currency"]),
        "priority_text": _rounded(item["priority"]["value"]),
        "priority_range": format_money_range(item["priority"]["low"], item["priority"]["high"], interest["currency"],
                                             per="week per hour"),
        "evidence": [{**row, "at_text": when(row["at"])}
                     for row in evidence_rows(evidence, item["component"], findings)],
        "breakdown": breakdown_view(item["breakdown"]), "history": history_rows(item["history"]),
        "statuses": STATUS_NAMES,
        "times": {name: when(item[name]) for name in ("first_seen_at", "created_at", "updated_at", "resolved_at")},
    }


def edit_values(item: Mapping[str, Any], form: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the edit form shows: the item's values, or what was sent when the form comes back with an error."""
    if form is not None:
        return {name: form.get(name, "") for name in ("status", "owner", "effort_low_hours", "effort_high_hours",
                                                      "accepted_reason", "accepted_until")}
    accepted = item["accepted"]
    return {"status": item["status"], "owner": item["owner"] or "",
            "effort_low_hours": f"{item['effort']['low_hours']:g}",
            "effort_high_hours": f"{item['effort']['high_hours']:g}",
            "accepted_reason": accepted["reason"] or "", "accepted_until": accepted["until"] or ""}


def _hours(form: Mapping[str, str], name: str, current: float) -> float:
    text = form.get(name, "").strip()
    if not text:
        return current
    try:
        value = float(text)
    except ValueError:
        raise UserInputError(f"{name}: expected a number of hours, not {text[:40]!r}") from None
    if not math.isfinite(value):
        raise UserInputError(f"{name}: expected a number of hours, not {text[:40]!r}")
    return value


def form_changes(item: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The fields of the edit form that differ from `item`, as `update_debt` changes; nothing: an error."""
    changes: dict[str, Any] = {}
    status = form.get("status", item["status"]).strip()
    if status not in STATUS_NAMES:
        check_statuses([status])
    if status != item["status"]:
        changes["status"] = status
    if "owner" in form and (form["owner"].strip() or None) != item["owner"]:
        changes["owner"] = form["owner"]
    effort = item["effort"]
    low = _hours(form, "effort_low_hours", effort["low_hours"])
    high = _hours(form, "effort_high_hours", effort["high_hours"])
    if (low, high) != (effort["low_hours"], effort["high_hours"]):
        changes["effort"] = {"low_hours": low, "high_hours": high}
    if status == DebtStatus.ACCEPTED:
        reason = form.get("accepted_reason", "").strip()
        until = form.get("accepted_until", "").strip()
        if reason and reason != (item["accepted"]["reason"] or ""):
            changes["accepted_reason"] = reason
        if until and until != (item["accepted"]["until"] or ""):
            changes["accepted_until"] = until
    if not changes:
        raise UserInputError("nothing changed: the form holds the item's current status, owner and effort")
    return changes
