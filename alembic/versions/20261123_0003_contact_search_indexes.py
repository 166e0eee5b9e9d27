"""contact search indexes: walk one field's terms in order, with and without the owner

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contactsearchterm', schema=None) as batch_op:
        batch_op.drop_index('ix_contactsearchterm_term_owner')
        batch_op.create_index(
            'ix_contactsearchterm_field_term',
            ['field', 'term', 'contact_id', 'owner_id'],
            unique=False,
        )
        batch_op.create_index(
            'ix_contactsearchterm_owner_field_term',
            ['owner_id', 'field', 'term', 'contact_id'],
            unique=False,
        )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_name', ['name', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_name')
    with op.batch_alter_table('contactsearchterm', schema=None) as batch_op:
        batch_op.drop_index('ix_contactsearchterm_owner_field_term')
        batch_op.drop_index('ix_contactsearchterm_field_term')
        batch_op.create_index(
            'ix_contactsearchterm_term_owner', ['term', 'owner_id'], unique=False
        )
