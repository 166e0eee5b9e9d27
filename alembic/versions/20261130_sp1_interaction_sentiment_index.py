"""ix_interaction_contact_occurred also holds the sentiment, so scoring reads only the index

Scoring a contact needs each interaction's time and sentiment; with the
sentiment in the index, a full rescore walks the index alone instead of
fetching a million table rows (docs/benchmarks.md, health).

Revision ID: sp1
Revises: jq1
Create Date: 2026-11-30 20:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'sp1'
down_revision: str | None = 'jq1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_contact_occurred')
        batch_op.create_index(
            'ix_interaction_contact_occurred', ['contact_id', 'occurred_at', 'sentiment']
        )


def downgrade() -> None:
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_contact_occurred')
        batch_op.create_index('ix_interaction_contact_occurred', ['contact_id', 'occurred_at'])
