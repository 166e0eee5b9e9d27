"""contactsearchterm: terms filed on shelves instead of owners

A handover of a whole book of 5,000 contacts rewrote the owner of about
120,000 search terms and both their indexes (docs/benchmarks.md). Terms now
name a shelf, and a shelf its owner: the whole book moves with one row per
shelf. Every person gets a shelf with their own id, so the terms' owner column
becomes their shelf column as it is, renamed: no term is rewritten.

Revision ID: sh1
Revises: imp1
Create Date: 2026-12-01 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'sh1'
down_revision: str | None = 'imp1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWNER_INDEX = 'ix_contactsearchterm_owner_field_term'
_SHELF_INDEX = 'ix_contactsearchterm_shelf_field_term'


def upgrade() -> None:
    op.create_table('shelf',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_shelf_owner_id'), 'shelf', ['owner_id'], unique=False)
    op.execute('INSERT INTO shelf (id, owner_id) SELECT id, id FROM "user"')
    # A plain RENAME COLUMN on both databases (SQLite 3.25 and later): no table is
    # rebuilt, and the indexes follow the column.
    op.execute('ALTER TABLE contactsearchterm RENAME COLUMN owner_id TO shelf_id')
    _rename_index(_OWNER_INDEX, _SHELF_INDEX, 'shelf_id')


def downgrade() -> None:
    # Whole books handed over since left terms on shelves with someone else's id.
    op.execute(
        'UPDATE contactsearchterm SET shelf_id ='
        ' (SELECT owner_id FROM shelf WHERE shelf.id = contactsearchterm.shelf_id)'
        ' WHERE EXISTS (SELECT 1 FROM shelf WHERE shelf.id = contactsearchterm.shelf_id'
        ' AND shelf.owner_id <> shelf.id)'
    )
    op.execute('ALTER TABLE contactsearchterm RENAME COLUMN shelf_id TO owner_id')
    _rename_index(_SHELF_INDEX, _OWNER_INDEX, 'owner_id')
    op.drop_index(op.f('ix_shelf_owner_id'), table_name='shelf')
    op.drop_table('shelf')


def _rename_index(old: str, new: str, lead: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER INDEX {old} RENAME TO {new}')
        return
    # SQLite cannot rename an index: it is built again under its new name.
    op.drop_index(old, table_name='contactsearchterm')
    op.create_index(new, 'contactsearchterm', [lead, 'field', 'term', 'contact_id'], unique=False)
