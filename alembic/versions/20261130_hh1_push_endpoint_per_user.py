"""push subscriptions: one endpoint may belong to several users (a shared device)

Revision ID: hh1
Revises: hsi1
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'hh1'
down_revision: str | None = 'hsi1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's copy of the table has no name for the old constraint: batch mode
# names it by this convention so that it can be dropped.
_SQLITE_NAMES = {'uq': 'uq_%(table_name)s_%(column_0_name)s'}


def _endpoint_constraint() -> tuple[str, dict[str, dict[str, str]]]:
    if op.get_bind().dialect.name == 'sqlite':
        return 'uq_pushsubscription_endpoint', {'naming_convention': _SQLITE_NAMES}
    return 'pushsubscription_endpoint_key', {}


def upgrade() -> None:
    name, options = _endpoint_constraint()
    with op.batch_alter_table('pushsubscription', schema=None, **options) as batch_op:
        batch_op.drop_constraint(name, type_='unique')
        batch_op.create_unique_constraint(
            'uq_pushsubscription_user_endpoint', ['user_id', 'endpoint']
        )


def downgrade() -> None:
    # One user per endpoint again: the newest subscription of each endpoint stays.
    op.execute(
        sa.text(
            'DELETE FROM pushsubscription WHERE EXISTS ('
            ' SELECT 1 FROM pushsubscription AS newer'
            ' WHERE newer.endpoint = pushsubscription.endpoint'
            ' AND (newer.created_at > pushsubscription.created_at'
            ' OR (newer.created_at = pushsubscription.created_at'
            ' AND newer.id > pushsubscription.id)))'
        )
    )
    name, options = _endpoint_constraint()
    with op.batch_alter_table('pushsubscription', schema=None, **options) as batch_op:
        batch_op.drop_constraint('uq_pushsubscription_user_endpoint', type_='unique')
        batch_op.create_unique_constraint(name, ['endpoint'])
