"""monitoring: schedules, runs, scheduler lease, alerts, alert deliveries

Revision ID: 0008_monitoring
Revises: 0007_dashboard_indexes
Create Date: 2026-12-02 10:45:36.140902
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_monitoring'
down_revision = '0007_dashboard_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('alert_key', sa.String(length=210), nullable=True),
    sa.Column('channel', sa.String(length=100), nullable=False),
    sa.Column('channel_kind', sa.String(length=30), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('alert_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_alert_deliveries_alert', ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_deliveries_channel_component_created', ['channel', 'component', 'created_at'],
                              unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=210), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('monitor', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('annotations', sa.JSON(), nullable=False),
    sa.Column('generator_url', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fire_count', sa.Integer(), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('notified', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_component_status', ['component', 'status'], unique=False)

    op.create_table('monitor_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitor_key', sa.String(length=210), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('evidence_url', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('monitor_key', 'due_at', name='uq_monitor_runs_slot')
    )
    with op.batch_alter_table('monitor_runs', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_runs_key_started', ['monitor_key', 'started_at'], unique=False)
        batch_op.create_index('ix_monitor_runs_status', ['status'], unique=False)

    op.create_table('monitor_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=210), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('monitor', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('every_seconds', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('last_status', sa.String(length=20), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('monitor_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitor_schedules_component'), ['component'], unique=False)

    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )



def downgrade() -> None:

    op.drop_table('scheduler_leases')
    with op.batch_alter_table('monitor_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitor_schedules_component'))

    op.drop_table('monitor_schedules')
    with op.batch_alter_table('monitor_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_runs_status')
        batch_op.drop_index('ix_monitor_runs_key_started')

    op.drop_table('monitor_runs')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_component_status')

    op.drop_table('alerts')
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_deliveries_channel_component_created')
        batch_op.drop_index('ix_alert_deliveries_alert')

    op.drop_table('alert_deliveries')

