"""Governance audits end to end: an import records INV006/INV007 findings, the backlog turns them into
`governance` debt items, recording the review fixes them, and the board report lists what is owed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from mldebt.domain.costs import CostRates
from mldebt.service.backlog import rebuild_backlog
from mldebt.service.board_report import build_board_report
from mldebt.service.board_sections import NO_REVIEW_DATES
from mldebt.service.catalog import import_catalog
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.models import FindingRow

AS_OF = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

CATALOG = """\
version: 1
components:
  - name: fraud-model
    kind: model
    owner: risk
    lifecycle: production
    revenue_critical: true
    model_card: card.md
    governance:
      cadence_days: 180
      fairness: {{date: 2026-05-01, reviewer: ana}}
      explainability: {{date: 2026-10-01, reviewer: raj}}
{privacy}
  - name: lab-model
    kind: model
    owner: lab
    lifecycle: experimental
"""


def write(tmp_path: Path, privacy: str = "") -> Path:
    (tmp_path / "card.md").write_text("# card\n")
    path = tmp_path / "mldebt.yaml"
    path.write_text(CATALOG.format(privacy=privacy))
    return path


def test_a_missing_and_an_overdue_review_become_findings_and_governance_debt_items(store, tmp_path):
    imported = import_catalog(store, write(tmp_path), AS_OF, NOW)
    assert [(f.rule_id, f.component, str(f.severity), f.evidence.get("audit")) for f in imported.health] == [
        ("INV006", "fraud-model", "high", "privacy"), ("INV007", "fraud-model", "medium", "fairness")]
    overdue = imported.health[1]
    assert overdue.message == ("the fairness review of fraud-model was due on 2026-10-28 (28 days ago; "
                               "cadence 180 days)")
    assert overdue.evidence == {"audit": "fairness", "last_review": "2026-05-01", "reviewer": "ana",
                                "due": "2026-10-28", "days_overdue": 28, "cadence_days": 180}
    rebuild_backlog(store, NOW)
    with store.session() as session:
        items = session.execute(select(DebtItemRow.title, DebtItemRow.category, DebtItemRow.source,
                                       DebtItemRow.effort_low_hours, DebtItemRow.effort_high_hours,
                                       DebtItemRow.status).order_by(DebtItemRow.title)).all()
    assert [tuple(item) for item in items] == [
        ("Governance reviews missing for fraud-model", "governance", "inventory", 8.0, 24.0, "open"),
        ("Governance reviews overdue for fraud-model", "governance", "inventory", 4.0, 16.0, "open"),
    ]


def test_recording_the_review_fixes_its_finding_and_resolves_the_item(store, tmp_path):
    first = import_catalog(store, write(tmp_path), AS_OF, NOW)
    rebuild_backlog(store, NOW)
    later = NOW + dt.timedelta(hours=1)
    again = import_catalog(store, write(tmp_path, "      privacy: {date: 2026-11-20, reviewer: dpo}"), AS_OF, later)
    assert [f.rule_id for f in again.health] == ["INV007"]
    assert again.findings.fixed == [f.fingerprint for f in first.health if f.rule_id == "INV006"]
    rebuild_backlog(store, later)
    with store.session() as session:
        statuses = {title: status for title, status in session.execute(select(DebtItemRow.title, DebtItemRow.status))}
        open_rules = session.scalars(select(FindingRow.rule_id).where(FindingRow.status == "open")).all()
    assert statuses == {"Governance reviews missing for fraud-model": "resolved",
                        "Governance reviews overdue for fraud-model": "open"}
    assert open_rules == ["INV007"]


def test_the_board_report_lists_the_missing_review_first_then_the_overdue_one(store, tmp_path):
    import_catalog(store, write(tmp_path), AS_OF, NOW)
    report = build_board_report(store, "2026Q4", NOW, rates=CostRates())
    assert report.failures.overdue_reviews == [
        {"component": "fraud-model", "what": "privacy review", "due": "never reviewed"},
        {"component": "fraud-model", "what": "fairness review", "due": "2026-10-28 (28 days overdue)"},
    ]
    assert NO_REVIEW_DATES not in report.notes


def test_the_board_report_notes_an_inventory_without_any_governance(store, tmp_path):
    path = tmp_path / "mldebt.yaml"
    path.write_text("version: 1\ncomponents:\n  - {name: m, kind: model, owner: t, lifecycle: production}\n")
    import_catalog(store, path, AS_OF, NOW)
    report = build_board_report(store, "2026Q4", NOW, rates=CostRates())
    assert [row["what"] for row in report.failures.overdue_reviews] == [
        "explainability review", "fairness review", "privacy review"]
    assert NO_REVIEW_DATES in report.notes
