"""invitation, invitation_guest, contact.invitations_opt_out: invitations with an over-contact guard

Revision ID: iv1
Revises: ho1
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = 'iv1'
down_revision: str | None = 'ho1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: on SQLite a batch rebuilds `contact`, and
    # dropping the old table cascades to every row that points at a contact.
    op.add_column(
        'contact',
        sa.Column('invitations_opt_out', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table('invitation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('send_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_invitation_owner_created', 'invitation', ['owner_id', 'created_at'], unique=False)
    op.create_index('ix_invitation_team_created', 'invitation', ['team_id', 'created_at'], unique=False)
    op.create_index('ix_invitation_state', 'invitation', ['state'], unique=False)
    op.create_table('invitation_guest',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('invitation_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('excluded_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('reason_words', sa.Text(), nullable=False),
    sa.Column('included_by_hand', sa.Boolean(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('unsubscribe_token', sa.String(length=64), nullable=False),
    sa.Column('send_claim', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('send_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interaction_id', sa.Uuid(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invitation_id', 'contact_id', name='uq_invitation_guest_contact'),
    sa.UniqueConstraint('unsubscribe_token')
    )
    op.create_index('ix_invitation_guest_contact_sent', 'invitation_guest', ['contact_id', 'sent_at'], unique=False)
    op.create_index('ix_invitation_guest_claim', 'invitation_guest', ['invitation_id', 'send_claim'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_invitation_guest_claim', table_name='invitation_guest')
    op.drop_index('ix_invitation_guest_contact_sent', table_name='invitation_guest')
    op.drop_table('invitation_guest')
    op.drop_index('ix_invitation_state', table_name='invitation')
    op.drop_index('ix_invitation_team_created', table_name='invitation')
    op.drop_index('ix_invitation_owner_created', table_name='invitation')
    op.drop_table('invitation')
    op.drop_column('contact', 'invitations_opt_out')
