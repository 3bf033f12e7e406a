"""The backlog: debt items rebuilt from the open findings, their lifecycle, and their scores.

`rebuild_backlog` runs in one transaction: it groups the open findings by root cause
(`domain.debt_groups`), creates an item for a new root cause, updates the items whose evidence
changed, resolves the items whose evidence is gone and reopens the ones whose evidence is back,
then scores every active item (`service.scoring`). Repeated rebuilds find the same items by key, so
they never multiply items.

Lifecycle rules (docs/backlog.md):
- an active item (open, planned, in progress) built from findings resolves itself when no finding
  of its root cause is open any more; `fixed_by` says whether an automatic action closed it
  (`debt_fixes`) or a person did;
- an item resolved by the rebuild reopens as soon as a finding of its root cause is open again; an
  item a person resolved reopens only when a finding of its root cause appears after the resolution,
  or comes back after a rebuild saw the evidence gone (`evidence-gone` in its history);
- an `accepted` item stays accepted, whatever its evidence does, until `accepted_until` has passed;
  it then reopens ("acceptance expired");
- items added by hand (source `manual`) never resolve themselves.

Bulk reads (findings as plain rows, every item at once, history only of the resolved items); new items are
scored first (as stand-ins) and inserted with their scores by one Core INSERT, not inserted then updated.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mldebt.domain.costs import CostRates
from mldebt.domain.debt import ACTIVE_STATUSES, DebtDraft, DebtSource, DebtStatus
from mldebt.domain.debt_groups import group_findings, root_cause
from mldebt.service import debt_fixes
from mldebt.service.debt_edit import ESTIMATED, add_debt, update_debt
from mldebt.service.debt_findings import latest_seen, open_findings
from mldebt.service.debt_view import backlog_page, item_dict, show_item
from mldebt.store.base import as_aware
from mldebt.store.database import Store
from mldebt.store.debt import change_item
from mldebt.store.debt_tables import DebtItemChangeRow, DebtItemRow

if TYPE_CHECKING:
    from mldebt.service.evidence import EvidencedItem
    from mldebt.service.scoring import ItemScore

__all__ = ["RebuildResult", "add_debt", "backlog_page", "item_dict", "load_rates", "rebuild_backlog", "show_item",
           "update_debt"]

AUTO_RESOLVED = "auto-resolved"
EVIDENCE_GONE = "evidence-gone"
REOPENED = "reopened"
_ACTIVE = {str(s) for s in ACTIVE_STATUSES}
_CHUNK = 500


SCORED_AT_BATCH = 5_000  # ids per UPDATE of `scored_at` (SQLite binds at most 32,766 parameters)


@dataclass
class RebuildResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)  # acceptances that ran out (the item reopened)
    findings: int = 0
    scored: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        counts = {name: len(getattr(self, name)) for name in ("created", "updated", "resolved", "reopened",
                                                              "expired")}
        return {**counts, "findings": self.findings, "scored": self.scored, "seconds": round(self.seconds, 3),
                "items": {name: list(getattr(self, name)) for name in counts}}


def load_rates(catalog_path: Path | None) -> CostRates:
    """The inventory's `costs:` rates; the defaults when there is no inventory file."""
    if catalog_path is None or not catalog_path.is_file():
        return CostRates()
    from mldebt.service.catalog import require_catalog

    return require_catalog(catalog_path).costs


def _same_evidence(stored: list[Any] | None, draft: DebtDraft) -> bool:
    """Whether the stored evidence lists the draft's (kind, ref, summary) in order, without building dicts.

    `at` is the finding's `first_seen_at`, which never changes for the same finding id."""
    entries = stored or []
    return len(entries) == len(draft.evidence) and all(
        s["ref"] == e.ref and s["summary"] == e.summary and s["kind"] == e.kind
        for s, e in zip(entries, draft.evidence, strict=True))


def _draft_values(draft: DebtDraft, keep_effort: bool, stored: list[Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"title": draft.title, "severity": str(draft.severity),
                              "evidence_count": draft.evidence_count, "rule_ids": list(draft.rule_ids)}
    if not _same_evidence(stored, draft):
        values["evidence"] = [e.to_dict() for e in draft.evidence]
    if not keep_effort:
        values["effort_low_hours"] = draft.effort.low_hours
        values["effort_high_hours"] = draft.effort.high_hours
    return values


def _new_item(draft: DebtDraft, actor: str, now: dt.datetime) -> dict[str, Any]:
    return {"key": draft.key, "title": draft.title, "category": str(draft.category), "component": draft.component,
            "source": str(draft.source), "severity": str(draft.severity), "status": str(DebtStatus.OPEN),
            "effort_low_hours": draft.effort.low_hours, "effort_high_hours": draft.effort.high_hours,
            "evidence": [e.to_dict() for e in draft.evidence], "evidence_count": draft.evidence_count,
            "rule_ids": list(draft.rule_ids), "first_seen_at": draft.first_seen_at or now, "created_by": actor,
            "created_at": now, "updated_at": now}


_CREATED_FIELDS = ("title", "category", "component", "source", "severity", "status", "effort_low_hours",
                   "effort_high_hours", "evidence_count", "rule_ids", "first_seen_at")


def _created_entry(item_id: int, item: dict[str, Any], actor: str, now: dt.datetime) -> dict[str, Any]:
    shown = {name: [None, item[name]] for name in _CREATED_FIELDS}
    shown["first_seen_at"] = [None, as_aware(item["first_seen_at"]).isoformat()]
    return {"item_id": item_id, "at": now, "actor": actor, "action": "created", "changes": shown,
            "note": f"{item['evidence_count']} open finding(s) of one root cause"}


def _latest_action(session: Session, actions: Sequence[str], item_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """Per item, when its history last recorded one of `actions`."""
    found: dict[int, dt.datetime] = {}
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), _CHUNK):
        query = (select(DebtItemChangeRow.item_id, func.max(DebtItemChangeRow.at))
                 .where(DebtItemChangeRow.item_id.in_(ids[start:start + _CHUNK]),
                        DebtItemChangeRow.action.in_(list(actions)))
                 .group_by(DebtItemChangeRow.item_id))
        found.update({item_id: at for item_id, at in session.execute(query)})
    return found


def _estimated_by_hand(session: Session) -> set[int]:
    query = select(DebtItemChangeRow.item_id).where(DebtItemChangeRow.action == ESTIMATED).distinct()
    return set(session.scalars(query))


def _expired(row: DebtItemRow, now: dt.datetime) -> bool:
    return row.status == DebtStatus.ACCEPTED and (row.accepted_until is None or row.accepted_until < now.date())


class _Pending:
    """A new item before its INSERT, as scoring reads it (an ORM object costs more to build than to score)."""

    __slots__ = (
        "category",
        "component",
        "effort_high_hours",
        "effort_low_hours",
        "evidence",
        "id",
        "rule_ids",
        "severity",
    )

    def __init__(self, stand_in_id: int, values: dict[str, Any]) -> None:
        self.id = stand_in_id
        self.component, self.category, self.severity = values["component"], values["category"], values["severity"]
        self.effort_low_hours, self.effort_high_hours = values["effort_low_hours"], values["effort_high_hours"]
        self.rule_ids, self.evidence = values["rule_ids"], values["evidence"]


class _Rebuild:
    """One rebuild's state: the items by key, what changed, the result."""

    def __init__(self, session: Session, now: dt.datetime, actor: str) -> None:
        self.session, self.now, self.actor = session, now, actor
        self.result = RebuildResult()

    def run(self, rates: CostRates) -> RebuildResult:
        findings = open_findings(self.session)
        self.result.findings = len(findings)
        drafts = {draft.key: draft for draft in group_findings(findings)}
        latest = latest_seen(findings)
        # the old breakdowns are read (decoding is cheaper than rewriting): an unchanged score is not written again
        items = {row.key: row for row in self.session.scalars(select(DebtItemRow))}
        resolved_ids = [row.id for row in items.values() if row.status == DebtStatus.RESOLVED]
        gone = _latest_action(self.session, (AUTO_RESOLVED, EVIDENCE_GONE), resolved_ids)
        estimated = _estimated_by_hand(self.session)
        new_values = []
        for key, draft in drafts.items():
            row = items.get(key)
            if row is None:
                new_values.append(_new_item(draft, self.actor, self.now))
            elif row.source != DebtSource.MANUAL:
                seen = draft.first_seen_at if root_cause(draft.rule_ids[0]).per_finding else \
                    latest.get((draft.component, str(draft.details.get("group"))), draft.first_seen_at)
                self._with_evidence(row, draft, row.id in estimated, gone.get(row.id), seen)
        without = [row for key, row in items.items() if key not in drafts and row.source != DebtSource.MANUAL]
        self._without_evidence(without, gone)
        for row in items.values():
            if row.source == DebtSource.MANUAL and _expired(row, self.now):
                self._expire(row, {})
        # the new items are scored before they exist (stand-ins with ids below 0) and inserted with their scores
        pending = [_Pending(-number, values) for number, values in enumerate(new_values, start=1)]
        active = [row for row in items.values() if row.status in _ACTIVE]
        scores = self._scores([*active, *pending], rates)
        self._insert(new_values, [scores.get(row.id) for row in pending])
        self._write_scores(active, scores)
        self.result.scored = len(scores)
        return self.result

    def _with_evidence(self, row: DebtItemRow, draft: DebtDraft, keep_effort: bool, gone_at: dt.datetime | None,
                       newest: dt.datetime | None) -> None:
        values = _draft_values(draft, keep_effort, row.evidence)
        if _expired(row, self.now):
            self._expire(row, values)
            return
        if row.status == DebtStatus.RESOLVED and row.resolved_at is not None:
            back = gone_at is not None and gone_at >= row.resolved_at
            appeared = newest is not None and newest > row.resolved_at
            if back or appeared:
                values.update(status=str(DebtStatus.OPEN), resolved_at=None, fixed_by=None)
                note = (f"the evidence is back: {draft.evidence_count} open finding(s)" if back else
                        f"a finding of its root cause appeared after the resolution ({draft.evidence_count} open)")
                change_item(self.session, row, values, self.actor, self.now, REOPENED, note)
                self.result.reopened.append(row.id)
                return
        if change_item(self.session, row, values, self.actor, self.now):
            self.result.updated.append(row.id)

    def _expire(self, row: DebtItemRow, values: dict[str, Any]) -> None:
        values = {**values, "status": str(DebtStatus.OPEN), "accepted_reason": None, "accepted_until": None}
        change_item(self.session, row, values, self.actor, self.now, REOPENED, "acceptance expired")
        self.result.expired.append(row.id)

    def _insert(self, values: list[dict[str, Any]], scores: list[ItemScore | None]) -> None:
        """New items (with their scores) and their `created` entries as two bulk INSERTs, not a flush per row."""
        if not values:
            return
        rows = [{**item, **_score_columns(score, self.now)} for item, score in zip(values, scores, strict=True)]
        table = cast(Table, DebtItemRow.__table__)  # Core: no ORM bulk bookkeeping for rows never loaded
        query = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(self.session.scalars(query, rows))
        self.session.execute(insert(DebtItemChangeRow),
                             [_created_entry(item_id, item, self.actor, self.now) for item_id, item in zip(ids, values,
                                                                                                        strict=True)])
        self.result.created.extend(ids)

    def _without_evidence(self, rows: list[DebtItemRow], gone: dict[int, dt.datetime]) -> None:
        """No open finding of these items' root causes: resolve the active ones, note it on the resolved ones."""
        for row in rows:
            if _expired(row, self.now):
                self._expire(row, {})
        closing = [row for row in rows if row.status in _ACTIVE]
        for row in rows:
            if row.status == DebtStatus.RESOLVED and row.resolved_at is not None and not (
                    row.id in gone and gone[row.id] >= row.resolved_at):
                self.session.add(DebtItemChangeRow(
                    item_id=row.id, at=self.now, actor=self.actor, action=EVIDENCE_GONE, changes={},
                    note="no open finding of its root cause any more: the fix is confirmed"))
        if not closing:
            return
        reopened = _latest_action(self.session, (REOPENED,), [row.id for row in closing])
        opened = {row.id: max(row.created_at, reopened.get(row.id, row.created_at)) for row in closing}
        actions = debt_fixes.automatic_actions(self.session, [row.component for row in closing],
                                               min(opened.values()), self.now)
        for row in closing:
            action = debt_fixes.closing_action(row, opened[row.id], actions.get(row.component, ()))
            values: dict[str, Any] = {"status": str(DebtStatus.RESOLVED), "resolved_at": self.now,
                                      "fixed_by": str(debt_fixes.fixed_by(action))}
            note = "no open finding of its root cause any more"
            if action is not None:
                values["evidence"] = [action.evidence().to_dict(), *list(row.evidence or [])[:49]]
                values["evidence_count"] = row.evidence_count + 1
                note += f"; closed by an automatic action: {action.summary}"
            change_item(self.session, row, values, self.actor, self.now, AUTO_RESOLVED, note)
            self.result.resolved.append(row.id)

    def _scores(self, rows: list[EvidencedItem], rates: CostRates) -> dict[int, ItemScore]:
        from mldebt.service.scoring import score_items

        self.session.flush()
        return score_items(self.session, rows, rates, self.now)

    def _write_scores(self, rows: list[DebtItemRow], scores: dict[int, ItemScore]) -> None:
        updates, unchanged = [], []
        now = as_aware(self.now)
        for row in rows:
            score = scores.get(row.id)
            if score is None:
                continue
            columns = _score_columns(score, self.now)
            if all(getattr(row, name) == value for name, value in columns.items() if name != "scored_at"):
                # the same numbers (the same evidence in the window): only the moment they hold for moves
                if row.scored_at != now:
                    set_committed_value(row, "scored_at", now)
                    unchanged.append(row.id)
                continue
            for name, value in columns.items():  # the loaded rows show the scores, without a flush of their own
                set_committed_value(row, name, value)
            updates.append({"id": row.id, **columns})
        if updates:  # one executemany by primary key instead of a unit-of-work UPDATE per row
            self.session.execute(update(DebtItemRow), updates)
        table = cast(Table, DebtItemRow.__table__)
        for start in range(0, len(unchanged), SCORED_AT_BATCH):
            ids = unchanged[start:start + SCORED_AT_BATCH]
            self.session.execute(update(table).where(table.c.id.in_(ids)).values(scored_at=now))


def _score_columns(score: ItemScore | None, now: dt.datetime) -> dict[str, Any]:
    return {} if score is None else {**score.columns(), "scored_at": as_aware(now)}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a rebuild: it allocates a few hundred thousand small objects
    (findings, evidence, shares, breakdowns) that live until it ends, and the collector's full passes
    over them cost a fifth of the rebuild. Reference counting still frees everything else at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rebuild_backlog(store: Store, now: dt.datetime, rates: CostRates | None = None,
                    actor: str = "mldebt") -> RebuildResult:
    """Group the open findings into items, run the lifecycle rules, score the active items: one transaction."""
    started = time.perf_counter()
    with _collector_paused(), store.session() as session:
        result = _Rebuild(session, now, actor).run(rates or CostRates())
    result.seconds = time.perf_counter() - started
    return result
