"""team.currency: the currency a team's amounts are shown in

Revision ID: cu1
Revises: pe1
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = 'cu1'
down_revision: str | None = 'pe1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('team') as batch:
        batch.add_column(
            sa.Column(
                'currency',
                sqlmodel.sql.sqltypes.AutoString(length=3),
                nullable=False,
                server_default='USD',
            )
        )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop and re-create
    # `team`, which its members' foreign keys refuse.
    op.drop_column('team', 'currency')
