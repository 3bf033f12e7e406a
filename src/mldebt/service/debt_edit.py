"""Debt items by hand: add one (`mldebt debt add`, `POST /api/v1/debt`) and change one (`debt set`, PATCH).

Every change goes through `store.debt.change_item`, so the history says who changed what from what
to what. Effort set by hand is recorded as its own `estimated` entry: a rebuild keeps a person's
estimate instead of the root cause's default. Input comes from the command line and from API
callers, so every value is checked and bounded here, once, with the field named in the error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from mldebt.domain.debt import MAX_EVIDENCE_KEPT, DebtCategory, DebtSource, DebtStatus, EffortRange, EvidenceKind
from mldebt.domain.debt_groups import item_key
from mldebt.domain.finding import Severity
from mldebt.errors import ConflictError, NotFoundError, UserInputError
from mldebt.service.debt_view import item_dict
from mldebt.store.database import Store
from mldebt.store.debt import add_item, change_item, get_item, items_by_key
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.models import ComponentRow

ESTIMATED = "estimated"
MANUAL_GROUP = "manual"
MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_OWNER = 200
MAX_REASON = 2_000
MAX_REF = 200
MAX_SUMMARY = 300
MAX_ACCEPTANCE = dt.timedelta(days=366)  # at most a year ahead: an acceptance is re-decided, not forgotten
FIELDS = ("status", "owner", "title", "description", "effort", "category", "severity", "accepted_reason",
          "accepted_until")
_EFFORT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?(?:h|hours?)?\s*")
_ACTIVE = {str(s) for s in (DebtStatus.OPEN, DebtStatus.PLANNED, DebtStatus.IN_PROGRESS)}


def _text(field: str, value: Any, limit: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise UserInputError(f"{field}: required")
        return None
    if not isinstance(value, str):
        raise UserInputError(f"{field}: expected text, not {type(value).__name__}")
    text = value.replace("\x00", "").strip()  # PostgreSQL cannot store a NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UserInputError(f"{field}: not valid Unicode (a lone UTF-16 surrogate)") from None
    if len(text) > limit:
        raise UserInputError(f"{field}: at most {limit} characters, not {len(text)}")
    if required and not text:
        raise UserInputError(f"{field}: must not be empty")
    return text or None


def parse_effort(value: Any, field: str = "effort") -> EffortRange:
    """`4-12` (hours), `6`, `{"low_hours": 4, "high_hours": 12}` or an EffortRange."""
    if isinstance(value, EffortRange):
        return value
    try:
        if isinstance(value, str):
            match = _EFFORT.fullmatch(value)
            if match is None:
                raise ValueError(f"bad effort {value!r}, expected hours as LOW-HIGH (e.g. 4-12)")
            low = float(match.group(1))
            return EffortRange(low, float(match.group(2)) if match.group(2) else low)
        if isinstance(value, Mapping):
            return EffortRange(float(value["low_hours"]), float(value["high_hours"]))
    except (KeyError, TypeError) as exc:
        raise UserInputError(f"{field}: expected low_hours and high_hours ({exc})") from None
    except ValueError as exc:
        raise UserInputError(f"{field}: {exc}") from None
    raise UserInputError(f"{field}: expected hours as LOW-HIGH (e.g. 4-12)")


def _choice(field: str, value: Any, names: Sequence[str]) -> str:
    if str(value) not in names:
        raise UserInputError(f"{field}: unknown {field} {value!r}; expected one of {', '.join(names)}")
    return str(value)


def _evidence(entries: Sequence[Mapping[str, Any]] | None, now: dt.datetime) -> list[dict[str, Any]]:
    if not entries:
        return []
    if len(entries) > MAX_EVIDENCE_KEPT:
        raise UserInputError(f"evidence: at most {MAX_EVIDENCE_KEPT} entries, not {len(entries)}")
    kinds = [str(k) for k in EvidenceKind]
    kept = []
    for index, entry in enumerate(entries):
        where = f"evidence[{index}]"
        kind = _choice(f"{where}.kind", entry.get("kind"), kinds)
        ref = _text(f"{where}.ref", entry.get("ref"), MAX_REF, required=True)
        summary = _text(f"{where}.summary", entry.get("summary", ""), MAX_SUMMARY) or ""
        kept.append({"kind": kind, "ref": ref, "summary": summary, "at": now.isoformat()})
    return kept


def normalised_title(title: str) -> str:
    """The title as the key sees it: case and spacing do not make another item."""
    return " ".join(title.casefold().split())


def _require_component(session: Any, name: str) -> None:
    names = list(session.scalars(select(ComponentRow.name)))
    if name in names:
        return
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else (
        "" if names else "; no component imported yet (run `mldebt catalog import`)")
    raise NotFoundError(f"component: unknown component {name!r}{hint}")


def add_debt(store: Store, title: str, component: str, category: str, effort_low: float, effort_high: float,
             actor: str, now: dt.datetime, owner: str | None = None, description: str | None = None,
             evidence: Sequence[Mapping[str, Any]] | None = None, severity: str = "medium") -> dict[str, Any]:
    """A debt item added by hand (source `manual`); a second active item of the same title is a conflict."""
    clean_title = _text("title", title, MAX_TITLE, required=True) or ""
    component_name = _text("component", component, 100, required=True) or ""
    values: dict[str, Any] = {
        "title": clean_title, "component": component_name,
        "category": _choice("category", category, [str(c) for c in DebtCategory]),
        "severity": _choice("severity", severity, [str(s) for s in Severity]),
        "owner": _text("owner", owner, MAX_OWNER), "description": _text("description", description, MAX_DESCRIPTION),
        "source": str(DebtSource.MANUAL), "status": str(DebtStatus.OPEN)}
    effort = parse_effort({"low_hours": effort_low, "high_hours": effort_high})
    values.update(effort_low_hours=effort.low_hours, effort_high_hours=effort.high_hours)
    kept = _evidence(evidence, now)
    values.update(evidence=kept, evidence_count=len(kept), rule_ids=[], first_seen_at=now)
    key = item_key(component_name, MANUAL_GROUP, normalised_title(clean_title))
    with store.session() as session:
        _require_component(session, component_name)
        existing = items_by_key(session, [key]).get(key)
        if existing is not None and existing.status != DebtStatus.RESOLVED:
            raise ConflictError(f"debt item {existing.id} already records {clean_title!r} for {component_name} "
                                f"({existing.status}); change it with `mldebt debt set {existing.id}`")
        if existing is not None:  # added again after it was resolved: the same item reopens
            values.update(resolved_at=None, fixed_by=None, first_seen_at=existing.first_seen_at)
            change_item(session, existing, values, actor, now, "reopened", "added again by hand")
            return item_dict(existing, now=now)
        row = add_item(session, {"key": key, **values}, actor, now, note="added by hand")
        return item_dict(row, now=now)


def _acceptance(row: DebtItemRow, changes: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    reason = _text("accepted_reason", changes.get("accepted_reason", row.accepted_reason), MAX_REASON)
    until = changes.get("accepted_until", row.accepted_until)
    if reason is None:
        raise UserInputError("accepted_reason: accepting debt needs a reason (why it is not paid now)")
    if until is None:
        raise UserInputError("accepted_until: accepting debt needs an expiry date (YYYY-MM-DD)")
    if isinstance(until, str):
        try:
            until = dt.date.fromisoformat(until)
        except ValueError:
            raise UserInputError(f"accepted_until: bad date {until!r}, expected YYYY-MM-DD") from None
    if isinstance(until, dt.datetime) or not isinstance(until, dt.date):
        raise UserInputError("accepted_until: expected a date (YYYY-MM-DD)")
    today = now.date()
    if until <= today:
        raise UserInputError(f"accepted_until: {until.isoformat()} is not in the future")
    if until > today + MAX_ACCEPTANCE:
        raise UserInputError(f"accepted_until: {until.isoformat()} is more than a year ahead "
                             f"(at most {(today + MAX_ACCEPTANCE).isoformat()})")
    return {"accepted_reason": reason, "accepted_until": until}


def _status_values(row: DebtItemRow, changes: Mapping[str, Any], now: dt.datetime) -> tuple[dict[str, Any], str]:
    """The columns a change of status (or of an acceptance) sets, and the history action."""
    status = _choice("status", changes.get("status", row.status), [str(s) for s in DebtStatus])
    if status != DebtStatus.ACCEPTED and ("accepted_reason" in changes or "accepted_until" in changes):
        raise UserInputError("accepted_reason: only an accepted item has a reason and an expiry (set status accepted)")
    values: dict[str, Any] = {"status": status}
    action = "updated"
    if status == DebtStatus.ACCEPTED:
        values.update(_acceptance(row, changes, now))
        action = "accepted" if row.status != DebtStatus.ACCEPTED else action
    elif row.status == DebtStatus.ACCEPTED:
        values.update(accepted_reason=None, accepted_until=None)
    if status == DebtStatus.RESOLVED and row.status != DebtStatus.RESOLVED:
        values.update(resolved_at=now, fixed_by="manual")
        action = "resolved"
    elif status != DebtStatus.RESOLVED and row.status == DebtStatus.RESOLVED:
        values.update(resolved_at=None, fixed_by=None)
        action = "accepted" if status == DebtStatus.ACCEPTED else "reopened"
    return values, action


def update_debt(store: Store, item_id: int, changes: Mapping[str, Any], actor: str, now: dt.datetime
                ) -> dict[str, Any]:
    """Change an item's status, owner, effort, category (and title, description, severity of a manual item)."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise UserInputError(f"{unknown[0]}: not a field that can be changed; expected {', '.join(FIELDS)}")
    if not changes:
        raise UserInputError("nothing to change: give status, owner, effort, category, title or description")
    with store.session() as session:
        row = get_item(session, item_id) if -(2**62) < item_id < 2**62 else None
        if row is None:
            raise NotFoundError(f"no debt item {item_id}")
        manual = row.source == DebtSource.MANUAL
        for name in ("title", "description", "severity"):
            if name in changes and not manual:
                raise UserInputError(f"{name}: only items added by hand can be edited; item {row.id} is rebuilt from "
                                     "its findings")
        values, action = _status_values(row, changes, now)
        if "owner" in changes:
            values["owner"] = _text("owner", changes["owner"], MAX_OWNER)
        if "title" in changes:
            values["title"] = title = _text("title", changes["title"], MAX_TITLE, required=True) or ""
            values["key"] = key = item_key(row.component, MANUAL_GROUP, normalised_title(title))
            other = items_by_key(session, [key]).get(key)
            if other is not None and other.id != row.id:
                raise ConflictError(f"title: debt item {other.id} already records {title!r} for {row.component}")
        if "description" in changes:
            values["description"] = _text("description", changes["description"], MAX_DESCRIPTION)
        if "category" in changes:
            values["category"] = _choice("category", changes["category"], [str(c) for c in DebtCategory])
        if "severity" in changes:
            values["severity"] = _choice("severity", changes["severity"], [str(s) for s in Severity])
        effort = parse_effort(changes["effort"]) if "effort" in changes else None
        change_item(session, row, values, actor, now, action)
        if effort is not None:
            change_item(session, row, {"effort_low_hours": effort.low_hours, "effort_high_hours": effort.high_hours},
                        actor, now, ESTIMATED)
        return item_dict(row, history=True, now=now)
