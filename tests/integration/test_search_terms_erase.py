"""An erase and an edit of the same contact at once leave no search term behind.

The terms have no foreign key to their contact (docs/import.md, Speed): the code,
not the database, must keep a term written by a running edit from outliving a
contact erased meanwhile. PostgreSQL only: SQLite lets one writer at a time in.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from crm_pwa.db.contact import ContactSearchTerm
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_editing import ContactUpdate, delete_contact, update_contact
from tests.conftest import Database
from tests.utils.blocking import waits_for_commit
from tests.utils.factories import NOW, make_contact, make_user


@pytest.mark.postgres
def test_an_erase_that_waits_for_an_edit_leaves_none_of_the_edits_search_terms(
    pg: Database,
) -> None:
    with pg.session() as session:
        owner = make_user(session, "riley@example.com")
        contact = make_contact(session, owner, name="Zebulon Quist")
    actor = Actor.of(owner)
    editing = pg.session()
    update_contact(
        session=editing,
        actor=actor,
        contact_id=contact.id,
        contact_in=ContactUpdate(name="Zebulon Marrow"),
        now=NOW,
    )

    def erase() -> None:
        with pg.session() as session:
            delete_contact(session=session, actor=actor, contact_id=contact.id, now=NOW)
            session.commit()

    # The erase waits while the edit, its new terms written, is not committed.
    waits_for_commit(editing, erase)
    with pg.session() as session:
        left = select(func.count()).where(col(ContactSearchTerm.contact_id) == contact.id)
        assert session.exec(left).one() == 0
