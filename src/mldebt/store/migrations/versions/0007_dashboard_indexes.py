"""dashboard indexes: every list page pages and filters by index at 100,000 incidents and 50,000 findings

Revision ID: 0007_dashboard_indexes
Revises: 0005_retrain_attempts, 0005_web_raw_event_digest, 0006_debt
Create Date: 2026-12-02 06:10:00

The pages' queries and why each index exists are in docs/dashboard.md ("Speed"); the measured
times are in benchmarks/web_bench.py's table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_dashboard_indexes'
down_revision = ('0005_retrain_attempts', '0005_web_raw_event_digest', '0006_debt')
branch_labels = None
depends_on = None

# (name, table, columns): a column named "-x" is descending
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ('ix_debt_items_rank', 'debt_items', ('status', '-priority', '-risk', 'id')),
    ('ix_debt_items_owner', 'debt_items', ('owner',)),
    ('ix_findings_open_rule', 'findings', ('status', 'rule_id', 'severity', 'effort_minutes')),
    ('ix_findings_open_component', 'findings', ('status', 'component', 'severity', 'effort_minutes')),
    ('ix_findings_open_file', 'findings', ('status', 'file', 'severity', 'effort_minutes')),
    ('ix_findings_open_severity', 'findings', ('status', 'severity', 'id')),
    ('ix_drift_runs_created', 'drift_runs', ('created_at',)),
    ('ix_incidents_opened_category', 'incidents', ('opened_at', 'category')),
    ('ix_incidents_component_opened', 'incidents', ('component', 'opened_at')),
    ('ix_incidents_component_last_event', 'incidents', ('component', 'last_event_at')),
    ('ix_incidents_category_opened', 'incidents', ('category', 'opened_at')),
    ('ix_incidents_source_opened', 'incidents', ('source', 'opened_at')),
    ('ix_incident_intervals_opened_span', 'incident_intervals', ('opened_at', 'incident_id', 'resolved_at')),
    ('ix_tickets_component_created', 'tickets', ('component', 'created_at')),
    ('ix_feedback_responses_created_component_score', 'feedback_responses', ('created_at', 'component', 'score')),
    ('ix_feedback_responses_component_created', 'feedback_responses', ('component', 'created_at')),
)
REPLACED: tuple[tuple[str, str, tuple[str, ...]], ...] = (  # each a prefix of a new index above
    ('ix_debt_items_status_priority', 'debt_items', ('status', 'priority')),
    ('ix_incidents_component', 'incidents', ('component',)),
    ('ix_incident_intervals_opened_at', 'incident_intervals', ('opened_at',)),
)


def _columns(columns: tuple[str, ...]) -> list[sa.ColumnElement[object] | str]:
    return [sa.desc(sa.column(c[1:])) if c.startswith('-') else c for c in columns]


def upgrade() -> None:
    for name, table, _ in REPLACED:
        op.drop_index(name, table_name=table)
    for name, table, columns in INDEXES:
        op.create_index(name, table, _columns(columns))


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for name, table, columns in REPLACED:
        op.create_index(name, table, list(columns))
