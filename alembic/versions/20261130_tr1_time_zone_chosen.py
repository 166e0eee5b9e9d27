"""user.time_zone_chosen: whether the rep's zone was picked, or is still the default

Revision ID: tr1
Revises: hh1
Create Date: 2026-11-30 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'tr1'
down_revision: str | None = 'hh1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('time_zone_chosen', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Someone who already set a zone other than the default chose it.
    op.execute("UPDATE \"user\" SET time_zone_chosen = (time_zone <> 'UTC')")


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('time_zone_chosen')
