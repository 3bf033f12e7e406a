"""An item's score breakdown (docs/prioritization.md) as tables a person can read on its page.

The stored breakdown is nested JSON: impact x likelihood = risk, interest (money per week) shared
out of observed pools (incidents, tickets, orders at risk, dissatisfied orders) plus the drag of
changes, and priority = interest / effort (CD3). Each part becomes a table of text cells (links for
the incident ids it cites); a key this module does not know is still shown, as compact text, so
nothing the breakdown holds is hidden. Numbers are rounded (no false precision), money as ranges.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mldebt.metrics.money import format_hours_range, format_money, format_money_range, round_significant
from mldebt.service.evidence_links import Link, component_path, incident_path

KNOWN = {"as_of", "version", "model", "window_days", "recent_days", "currency", "summary", "reasons", "impact",
         "likelihood", "risk", "interest", "priority", "rates", "defaults_used"}
MAX_TEXT = 300


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, then the links it cites (incident ids, dependants)."""

    text: str
    links: tuple[dict[str, Any], ...] = ()


def when(iso: Any) -> str:
    """An ISO timestamp as people read it, to the minute in UTC ("2026-12-02 05:28 UTC")."""
    if not iso or not isinstance(iso, str):
        return "—"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso[:40]
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def cell(text: Any, links: Sequence[Link] = ()) -> Cell:
    return Cell(_text(text), tuple(link.to_dict() for link in links))


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{round_significant(value, 3):g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(_text(v) for v in value) or "none"
    return json.dumps(value, sort_keys=True, default=str)[:MAX_TEXT]


def pairs(table_id: str, caption: str, rows: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """A two-column table: a row header (what) and its value."""
    return {"id": table_id, "caption": caption, "columns": [],
            "rows": [[cell(label), value if isinstance(value, Cell) else cell(value)] for label, value in rows]}


def grid(table_id: str, caption: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {"id": table_id, "caption": caption, "columns": list(columns),
            "rows": [[value if isinstance(value, Cell) else cell(value) for value in row] for row in rows]}


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, Mapping) else None


def _risk_tables(b: Mapping[str, Any]) -> list[dict[str, Any]]:
    impact, likelihood = _get(b, "impact") or {}, _get(b, "likelihood") or {}
    tables = [pairs("risk", "Risk = impact x likelihood", [
        ("Risk", _get(b, "risk")), ("Impact", _get(impact, "value")), ("Likelihood", _get(likelihood, "value"))])]
    if impact:
        names = _get(impact, "dependant_names") or []
        tables.append(pairs("impact", "Impact", [
            ("Severity", f"{_text(_get(impact, 'severity'))} (weight {_text(_get(impact, 'severity_weight'))})"),
            ("Exposure", _get(impact, "exposure")),
            ("Customer facing", _get(impact, "customer_facing")),
            ("Revenue critical", _get(impact, "revenue_critical")),
            ("Lifecycle", f"{_text(_get(impact, 'lifecycle'))} (weight {_text(_get(impact, 'lifecycle_weight'))})"),
            ("Retired", _get(impact, "retired")), ("In the inventory", _get(impact, "in_inventory")),
            ("Dependants", cell(_get(impact, "dependants"),
                                [Link(str(n), component_path(str(n))) for n in names if isinstance(n, str)][:20])),
            ("Dependants factor", _get(impact, "dependants_factor"))]))
    if likelihood:
        signals = [s for s in _get(likelihood, "signals") or [] if isinstance(s, Mapping)]
        tables.append(grid("likelihood", f"Likelihood: base {_text(_get(likelihood, 'base'))}, signals seen",
                           ["Signal", "Value", "Half-point", "Probability", "Sources"],
                           [[_get(s, "name"), f"{_text(_get(s, 'value'))} {_text(_get(s, 'unit'))}", _get(s, "half"),
                             _get(s, "p"), _get(s, "sources") or []] for s in signals]))
        tables.append(pairs("no-evidence", "Signals without evidence",
                            [("Signals", _get(likelihood, "without_evidence") or [])]))
    return tables


def _observed(part: Mapping[str, Any]) -> Cell:
    observed = _get(part, "observed") or {}
    ids = {"incident_ids", "ticket_ids", "order_ids"}
    counts = ", ".join(f"{k.replace('_', ' ')} {_text(v)}" for k, v in observed.items() if k not in ids)
    links = [Link(f"incident {i}", incident_path(i)) for i in observed.get("incident_ids") or []]
    component = str(_get(part, "component") or "")
    links += [Link(f"ticket {i}", component_path(component)) for i in observed.get("ticket_ids") or []]
    links += [Link(f"order {i}", None) for i in observed.get("order_ids") or []]
    return cell(counts, links[:20])


def _interest_tables(b: Mapping[str, Any], currency: str) -> list[dict[str, Any]]:
    interest = _get(b, "interest") or {}
    if not interest:
        return []
    drag = _get(interest, "drag") or {}
    low, high = _get(interest, "low") or 0.0, _get(interest, "high") or 0.0
    tables = [pairs("interest", "Interest (what the debt costs per week)", [
        ("Range", format_money_range(float(low), float(high), currency)),
        ("Engineering hours per week", _get(interest, "hours_per_week")),
        ("Shared from observed costs", _money(_get(interest, "shared_per_week"), currency)),
        ("Shared, recent window", _money(_get(interest, "shared_recent_per_week"), currency)),
        ("Drag of changes", f"{_text(_get(drag, 'changes_per_week'))} changes/week x "
                            f"{_text(_get(drag, 'share_per_change'))} of a change → "
                            f"{_money(_get(drag, 'per_week'), currency)}"),
        ("Parts left out", f"{_text(_get(interest, 'parts_omitted'))} "
                           f"({_money(_get(interest, 'omitted_per_week'), currency)})")])]
    parts = [p for p in _get(interest, "parts") or [] if isinstance(p, Mapping)]
    rows = []
    for part in parts:
        source = " ".join(_text(_get(part, k)) for k in ("component", "kind")) + (
            f" ({_text(_get(part, 'category'))})" if _get(part, "category") else "")
        rows.append([source, _get(part, "relation"), _money(_get(part, "pool_per_week"), currency), _get(part, "share"),
                     _money(_get(part, "per_week"), currency), _money(_get(part, "recent_per_week"), currency),
                     _observed(part)])
    tables.append(grid("interest-parts", "Parts of the interest",
                       ["Observed cost", "Relation", "Pool per week", "Share", "Per week", "Recent per week",
                        "Observed"], rows))
    return tables


def _money(value: Any, currency: str) -> str:
    return format_money(float(value), currency, "week") if isinstance(value, int | float) else "—"


def _priority_table(b: Mapping[str, Any], currency: str) -> list[dict[str, Any]]:
    priority = _get(b, "priority") or {}
    if not priority:
        return []
    low, high = _get(priority, "low") or 0.0, _get(priority, "high") or 0.0
    return [pairs("priority", "Priority = interest / effort (CD3)", [
        ("Priority", _get(priority, "value")),
        ("Range", format_money_range(float(low), float(high), currency, per="week per hour")),
        ("Effort", f"{_hours(priority)} (midpoint {_text(_get(priority, 'effort_mid_hours'))} h)")])]


def _hours(priority: Mapping[str, Any]) -> str:
    low, high = _get(priority, "effort_low_hours"), _get(priority, "effort_high_hours")
    if isinstance(low, int | float) and isinstance(high, int | float):
        return format_hours_range(float(low), float(high))
    return "—"


def _method_tables(b: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = [pairs("method", "How it was computed", [
        ("Model", _get(b, "model")), ("Version", _get(b, "version")), ("Scored at", when(_get(b, "as_of"))),
        ("Evidence window", f"{_text(_get(b, 'window_days'))} days (recent: {_text(_get(b, 'recent_days'))} days)"),
        ("Currency", _get(b, "currency")), ("Defaults used", _get(b, "defaults_used") or []),
        *[(key.replace("_", " ").capitalize(), value) for key, value in b.items() if key not in KNOWN]])]
    rates = _get(b, "rates") or {}
    if rates:
        tables.append(pairs("rates", "Rates", [(str(k).replace("_", " "), v) for k, v in rates.items()]))
    return tables


def breakdown_view(breakdown: Mapping[str, Any] | None) -> dict[str, Any]:
    """{summary, reasons, tables}; empty tables when the item has not been scored yet."""
    b = breakdown or {}
    if not b:
        return {"summary": None, "reasons": [], "tables": []}
    currency = str(_get(b, "currency") or "USD")
    reasons = [_text(r) for r in _get(b, "reasons") or []]
    tables = [*_risk_tables(b), *_interest_tables(b, currency), *_priority_table(b, currency), *_method_tables(b)]
    return {"summary": _get(b, "summary"), "reasons": reasons, "tables": tables}
