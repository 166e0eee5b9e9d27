"""followup.reminder_claim: which job run holds today's reminder until it is sent

Revision ID: jq1
Revises: cu1
Create Date: 2026-11-30 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'jq1'
down_revision: str | None = 'cu1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_claim', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_followup_reminder_claim', ['reminder_claim'])


def downgrade() -> None:
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_reminder_claim')
        batch_op.drop_column('reminder_claim')
