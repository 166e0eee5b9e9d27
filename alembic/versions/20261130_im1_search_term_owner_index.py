"""contactsearchterm: drop the single-column owner_id index

ix_contactsearchterm_owner_field_term starts with owner_id and serves every
query by owner alone (a handover's move of a book's terms); the second index
only cost a B-tree insert per term row, a tenth of a 10,000-contact import.

Revision ID: im1
Revises: sp1
Create Date: 2026-11-30 20:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'im1'
down_revision: str | None = 'sp1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contactsearchterm', schema=None) as batch_op:
        batch_op.drop_index('ix_contactsearchterm_owner_id')


def downgrade() -> None:
    with op.batch_alter_table('contactsearchterm', schema=None) as batch_op:
        batch_op.create_index('ix_contactsearchterm_owner_id', ['owner_id'], unique=False)
