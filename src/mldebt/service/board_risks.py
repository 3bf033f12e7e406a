"""The board report's top risks: the backlog's first items, each with one plain-words reason.

The reason is read from the item's stored breakdown (`metrics.debt_score`): the observed costs its
interest is shared from (incidents and the hours they were open, support tickets, orders at risk,
dissatisfied shoppers) and the drag of code that changes often. Only evidence that points at the item
counts (a part whose relevance x relation is at least a half: its own component's signals of its kind,
or those of a component that depends on it); the 2% a mismatched signal lends is left out of the words,
as it is of the money that matters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mldebt.metrics.interest import RELATION_WEIGHTS
from mldebt.service.board_model import WEEKS_PER_MONTH, MoneyRange, RiskRow
from mldebt.store.board_queries import component_owners, top_open_items
from mldebt.store.database import Store
from mldebt.store.debt_tables import DebtItemRow

TOP_RISKS = 10
STRONG_LINK = 0.5  # relevance x relation weight of the evidence a reason names
MAX_PIECES = 3
KINDS = ("incidents", "tickets", "revenue_at_risk", "dissatisfied_orders")  # the pools of `metrics.interest`


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _plural(n: float, word: str, plural: str | None = None) -> str:
    count = round(n)
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if hours >= 10 else f"{hours:.2g} h"


def _pieces(parts: Sequence[Mapping[str, Any]], component: str) -> tuple[list[str], list[str], bool]:
    """Words for the evidence of each kind, in the order of the money it accounts for; the other
    components (those that depend on the item's) evidence was seen in; whether any was its own."""
    totals: dict[str, dict[str, float]] = {}
    order: list[str] = []
    elsewhere: list[str] = []
    own = False
    for part in parts:
        relation = str(part.get("relation") or "own")
        link = _number(part.get("relevance")) * RELATION_WEIGHTS.get(relation, 0.0)
        if link < STRONG_LINK or _number(part.get("per_week")) <= 0:
            continue
        kind = str(part.get("kind") or "")
        if kind not in KINDS:
            continue
        observed = _map(part.get("observed"))
        sums = totals.setdefault(kind, {})
        if kind not in order:
            order.append(kind)
        for key in ("intervals", "hours", "tickets", "orders", "dissatisfied"):
            sums[key] = sums.get(key, 0.0) + _number(observed.get(key))
        where = str(part.get("component") or component)
        if where == component:
            own = True
        elif where not in elsewhere:
            elsewhere.append(where)
    words = []
    for kind in order:
        s = totals[kind]
        if kind == "incidents" and s["intervals"] > 0:
            words.append(f"{_plural(s['intervals'], 'incident')} ({_hours(s['hours'])} open)")
        elif kind == "tickets" and s["tickets"] > 0:
            words.append(_plural(s["tickets"], "support ticket"))
        elif kind == "revenue_at_risk" and s["orders"] > 0:
            words.append(f"{_plural(s['orders'], 'order')} at risk")
        elif kind == "dissatisfied_orders" and s["dissatisfied"] > 0:
            words.append(_plural(s["dissatisfied"], "dissatisfied shopper"))
    return words, elsewhere, own


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def risk_reason(breakdown: Mapping[str, Any] | None, component: str) -> str:
    """One line a board member reads: "3 incidents (15 h open) and 10 orders at risk in the last 90 days"."""
    b = _map(breakdown)
    interest = _map(b.get("interest"))
    parts = [p for p in interest.get("parts") or [] if isinstance(p, Mapping)]
    words, elsewhere, own = _pieces(parts, component)
    text = _and(words[:MAX_PIECES]) if words else ""
    if text and elsewhere:
        which = " and ".join(elsewhere[:2])
        verb = "depends" if len(elsewhere[:2]) == 1 else "depend"
        text += f" (partly in {which}, which {verb} on it)" if own else f" in {which} (which {verb} on it)"
    drag = _map(interest.get("drag"))
    changes = _number(drag.get("changes_per_week"))
    if _number(drag.get("per_week")) > 0 and changes > 0:
        churn = f"code that changes {changes:.2g} times a week"
        text = f"{text} and {churn}" if text else churn
    if not text:
        if not b:
            return "Not scored yet: no evidence has been weighed for it"
        return "Nothing observed points at it yet; it ranks on how severe it is and how quick it is to fix"
    days = b.get("window_days")
    if isinstance(days, int | float) and not isinstance(days, bool):
        text += f" in the last {int(days)} days"
    return text[0].upper() + text[1:]


def _row(rank: int, row: DebtItemRow, owners: Mapping[str, str]) -> RiskRow:
    currency = row.currency or "USD"
    return RiskRow(rank=rank, item_id=row.id, title=row.title, component=row.component,
                   owner=row.owner or owners.get(row.component), category=row.category,
                   interest_month=MoneyRange(row.interest_low * WEEKS_PER_MONTH, row.interest_high * WEEKS_PER_MONTH,
                                             currency),
                   effort_low_hours=row.effort_low_hours, effort_high_hours=row.effort_high_hours,
                   evidence_count=row.evidence_count, reason=risk_reason(row.breakdown, row.component))


def top_risks(store: Store, moment: dt.datetime, limit: int = TOP_RISKS) -> list[RiskRow]:
    """The items open at `moment` in backlog order (priority, then risk), at most `limit`, at their
    current scores; the owner is the item's, else its component's in the inventory."""
    with store.session() as session:
        rows = top_open_items(session, moment, limit)
        owners = component_owners(session, sorted({r.component for r in rows if not r.owner}))
        return [_row(rank, row, owners) for rank, row in enumerate(rows, start=1)]
