"""retrain requests: attempts, start time and a context kept across attempts

Revision ID: 0005_retrain_attempts
Revises: 0002_drift
Create Date: 2026-12-02 00:50:00

`context` takes over the folder that pending requests kept in `outcome` (`{"cwd": ...}`), since
every attempt now replaces `outcome`; requests that already ran count as one attempt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_retrain_attempts'
down_revision = '0002_drift'
branch_labels = None
depends_on = None

_requests = sa.table(
    'retrain_requests',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('outcome', sa.JSON()),
    sa.column('context', sa.JSON()),
    sa.column('attempts', sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table('retrain_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(_requests.c.id, _requests.c.status, _requests.c.outcome)).all():
        outcome = dict(row.outcome or {})
        context = {'cwd': outcome.pop('cwd')} if 'cwd' in outcome else {}
        conn.execute(_requests.update().where(_requests.c.id == row.id).values(
            context=context, outcome=outcome, attempts=0 if row.status == 'pending' else 1))
    with op.batch_alter_table('retrain_requests', schema=None) as batch_op:
        batch_op.alter_column('context', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('retrain_requests', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('context')
