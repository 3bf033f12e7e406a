"""inventory: index components by the inventory file they came from

An import retires only the components of the file being imported (issue 9, item 14), so it
selects them by `catalog_file`. The column exists since 0001; rows already carry the resolved
path of the file that last imported them, so no data changes.

Revision ID: 0005_inventory_file_index
Revises: 0001_inventory
Create Date: 2026-12-02 00:50:00
"""

from __future__ import annotations

from alembic import op

revision = '0005_inventory_file_index'
down_revision = '0001_inventory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_components_catalog_file'), ['catalog_file'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_components_catalog_file'))
