"""sign-in brakes: guessing streaks per key, known devices, idle tokens

Revision ID: hsi1
Revises: 0003
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = 'hsi1'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('signinstreak',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('knowndevice',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('device_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_hash')
    )
    with op.batch_alter_table('knowndevice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowndevice_user_id'), ['user_id'], unique=False)

    # Failures were counted per address only; the streaks start afresh.
    with op.batch_alter_table('signinfailure', schema=None) as batch_op:
        batch_op.drop_index('ix_signinfailure_email_at')
    op.drop_table('signinfailure')

    with op.batch_alter_table('authtoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
    # A token issued before this release counts as used when it was issued.
    op.execute('UPDATE authtoken SET last_used_at = created_at')
    with op.batch_alter_table('authtoken', schema=None) as batch_op:
        batch_op.alter_column('last_used_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('authtoken', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')

    op.create_table('signinfailure',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signinfailure', schema=None) as batch_op:
        batch_op.create_index('ix_signinfailure_email_at', ['email', 'at'], unique=False)

    with op.batch_alter_table('knowndevice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowndevice_user_id'))
    op.drop_table('knowndevice')
    op.drop_table('signinstreak')
