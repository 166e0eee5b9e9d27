"""contactsearchterm: no foreign key to contact

Checking the key cost PostgreSQL about 3 s of the 8 s of server CPU an import of
10,000 contacts (225,720 term rows) took (docs/benchmarks.md, Import). Every
path that deletes a contact deletes its terms explicitly, after locking the
contact row, and terms are written only under that row's lock or for a contact
created in the same transaction (docs/import.md, Speed).

On SQLite the table is rebuilt (it holds only derived data; nothing refers to it):
SQLite cannot drop a constraint in place, and its key was unnamed.

Revision ID: imp1
Revises: iv1
Create Date: 2026-11-30 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'imp1'
down_revision: str | None = 'iv1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_NAME = 'contactsearchterm_contact_id_fkey'
# The name SQLite's reflected, unnamed key is given for the rebuild.
_SQLITE_NAMING = {'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s'}
_SQLITE_NAME = 'fk_contactsearchterm_contact_id_contact'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table(
            'contactsearchterm', recreate='always', naming_convention=_SQLITE_NAMING
        ) as batch_op:
            batch_op.drop_constraint(_SQLITE_NAME, type_='foreignkey')
        return
    op.drop_constraint(_POSTGRES_NAME, 'contactsearchterm', type_='foreignkey')


def downgrade() -> None:
    # Terms whose contact is gone would stop the key from being created.
    op.execute(
        sa.text(
            'DELETE FROM contactsearchterm WHERE NOT EXISTS'
            ' (SELECT 1 FROM contact WHERE contact.id = contactsearchterm.contact_id)'
        )
    )
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('contactsearchterm', recreate='always') as batch_op:
            batch_op.create_foreign_key(
                _SQLITE_NAME, 'contact', ['contact_id'], ['id'], ondelete='CASCADE'
            )
        return
    op.create_foreign_key(
        _POSTGRES_NAME, 'contactsearchterm', 'contact', ['contact_id'], ['id'], ondelete='CASCADE'
    )
