"""contactsearchterm: drop the single-column owner index

The (owner_id, field, term, contact_id) index answers every lookup by owner
that this one did, so it only cost a B-tree change per term row written: a
handover of 5,000 contacts moves about 120,000 of them (docs/benchmarks.md).

Revision ID: ho1
Revises: sp1
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'ho1'
down_revision: str | None = 'sp1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_contactsearchterm_owner_id', table_name='contactsearchterm')


def downgrade() -> None:
    op.create_index(
        'ix_contactsearchterm_owner_id', 'contactsearchterm', ['owner_id'], unique=False
    )
