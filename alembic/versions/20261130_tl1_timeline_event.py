"""timeline_event: the contact's diary of complaints, stages, follow-ups and edits

Revision ID: tl1
Revises: se1
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = 'tl1'
down_revision: str | None = 'se1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('timeline_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'key', name='uq_timeline_event_contact_key')
    )
    op.create_index('ix_timeline_event_contact_at', 'timeline_event', ['contact_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_timeline_event_contact_at', table_name='timeline_event')
    op.drop_table('timeline_event')
