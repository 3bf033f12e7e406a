"""raw events: size and SHA-256 of the body as received (a rejected delivery keeps only its first 4 KiB)

Revision ID: 0005_web_raw_event_digest
Revises: 0004_ingest
Create Date: 2026-12-02 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_web_raw_event_digest'
down_revision = '0004_ingest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('raw_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body_sha256', sa.String(length=64), nullable=True))
    # every body stored so far is whole: its size is its length (its digest is left unknown)
    op.execute("UPDATE raw_events SET body_size = length(body)")


def downgrade() -> None:
    with op.batch_alter_table('raw_events', schema=None) as batch_op:
        batch_op.drop_column('body_sha256')
        batch_op.drop_column('body_size')
