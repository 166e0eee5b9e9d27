"""search every script: re-index every contact with connection notes and unspaced scripts

Revision ID: se1
Revises: tr1
Create Date: 2026-11-30 14:00:00

The terms used to be only [a-z0-9] words of name, company, title, email and
tags; now they cover every script (Chinese, Japanese and Korean runs by every
suffix) and the connection notes (crm_pwa/domain/search.py). The schema is
unchanged: every contact's terms are rebuilt, a batch at a time. The rules
are the code's, not a copy: a later change of them comes with its own re-index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_pwa.domain.search import FIELDS, contact_terms

revision: str = 'se1'
down_revision: str | None = 'tr1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000
_KEYS = [field.key for field in FIELDS]


def _reindex() -> None:
    connection = op.get_bind()
    metadata = sa.MetaData()
    contact = sa.Table('contact', metadata, autoload_with=connection)
    terms = sa.Table('contactsearchterm', metadata, autoload_with=connection)
    after = None
    while True:
        page = sa.select(contact.c.id, contact.c.owner_id, *(contact.c[key] for key in _KEYS))
        if after is not None:
            page = page.where(contact.c.id > after)
        rows = connection.execute(page.order_by(contact.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return
        ids = [row['id'] for row in rows]
        connection.execute(terms.delete().where(terms.c.contact_id.in_(ids)))
        new_terms = [
            {'contact_id': row['id'], 'field': field, 'term': term, 'owner_id': row['owner_id']}
            for row in rows
            for field, term in contact_terms(row)
        ]
        if new_terms:
            connection.execute(terms.insert(), new_terms)
        after = ids[-1]


def upgrade() -> None:
    _reindex()


def downgrade() -> None:
    # The old terms were a subset of the new ones; the new ones still find what
    # the old ones found, so there is nothing to undo.
    pass
