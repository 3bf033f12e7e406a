"""The KPI registry: the one table of KPI ids, names, units, definitions and directions.

Adding a KPI is a module with a `SPEC` and one line here; the service, the CLI, the JSON, the review
snapshot and docs/kpis.md (checked by a test) all read this table.
"""

from __future__ import annotations

from mldebt.metrics.kpis import (
    ai_linked_tickets,
    automated_fix_rate,
    drift_alerts,
    models_retrained_share,
    mttr_ai_incidents,
    open_debt,
    pipeline_test_pass_rate,
    retraining_coverage,
    satisfaction_by_feature,
)
from mldebt.metrics.kpis.base import KpiSpec

KPIS: tuple[KpiSpec, ...] = (
    mttr_ai_incidents.SPEC,
    models_retrained_share.SPEC,
    ai_linked_tickets.SPEC,
    pipeline_test_pass_rate.SPEC,
    retraining_coverage.SPEC,
    automated_fix_rate.SPEC,
    satisfaction_by_feature.SPEC,
    open_debt.SPEC,
    drift_alerts.SPEC,
)
KPI_IDS = tuple(spec.id for spec in KPIS)

TABLE_HEADER = ("| id | name | unit | better when |", "|---|---|---|---|")


def markdown_table() -> str:
    """The KPI table of docs/kpis.md, generated from this registry (tests/metrics/test_kpis_registry.py
    checks that the doc holds exactly this)."""
    rows = [f"| `{s.id}` | {s.name} | {s.unit} | {s.direction} |" for s in KPIS]
    return "\n".join([*TABLE_HEADER, *rows])
