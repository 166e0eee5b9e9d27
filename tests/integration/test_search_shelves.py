"""Search finds a contact for whoever owns it now, and for no one else, after every path
that writes its terms: create, edit, import, merge, erase and handover, whole or in part.

Terms are filed on shelves, and a whole book's shelves change hands in a handover
(db/contact.py): these are the cases where a term could end up on the wrong shelf.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact, Shelf
from crm_pwa.db.user import Team, User
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_editing import (
    ContactCreate,
    ContactUpdate,
    create_contact,
    delete_contact,
    update_contact,
)
from crm_pwa.services.contact_import import import_contacts
from crm_pwa.services.contact_list import search_contacts
from crm_pwa.services.contact_merge import merge_contacts
from crm_pwa.services.handover import HandoverFilter, HandoverRequest, hand_over
from tests.conftest import Database
from tests.utils.blocking import waits_for_commit
from tests.utils.factories import NOW, make_team, make_user


@dataclass
class People:
    manager: Actor
    sam: Actor
    riley: Actor
    erin: Actor  # another team's rep


def _actor(session: Session, email: str, role: str, team: Team) -> Actor:
    return Actor.of(make_user(session, email, role, team))


@pytest.fixture
def people(session: Session) -> People:
    west, east = make_team(session, "West"), make_team(session, "East")
    return People(
        manager=_actor(session, "morgan@example.com", "manager", west),
        sam=_actor(session, "sam@example.com", "rep", west),
        riley=_actor(session, "riley@example.com", "rep", west),
        erin=_actor(session, "erin@example.com", "rep", east),
    )


def found(session: Session, actor: Actor, q: str) -> list[str]:
    session.expire_all()
    page = search_contacts(session=session, actor=actor, q=q, limit=100)
    return sorted(item.name for item in page.items)


def new(session: Session, actor: Actor, name: str, owner: Actor | None = None) -> uuid.UUID:
    contact_in = ContactCreate(name=name, owner_id=owner.id if owner else None)
    contact = create_contact(session=session, actor=actor, contact_in=contact_in, now=NOW)
    session.commit()
    return contact.id


def hand(session: Session, people: People, giver: Actor, receiver: Actor, **only: str) -> None:
    request = HandoverRequest(to=receiver.id, filter=HandoverFilter(**only))
    hand_over(session=session, actor=people.manager, giver_id=giver.id, request=request, now=NOW)
    session.commit()


def test_created_and_edited_contacts_are_found_by_their_owner_and_team_only(
    session: Session, people: People
) -> None:
    own = new(session, people.sam, "Zebulon Quist")
    new(session, people.manager, "Xavier Blom", owner=people.riley)

    assert found(session, people.sam, "zeb") == ["Zebulon Quist"]
    assert found(session, people.riley, "zeb") == []
    assert found(session, people.riley, "xav") == ["Xavier Blom"]
    assert found(session, people.sam, "xav") == []
    assert found(session, people.manager, "zeb") == ["Zebulon Quist"]
    assert found(session, people.erin, "zeb") == []

    update_contact(
        session=session,
        actor=people.sam,
        contact_id=own,
        contact_in=ContactUpdate(name="Zebulon Marrow"),
        now=NOW,
    )
    session.commit()

    assert found(session, people.sam, "marrow") == ["Zebulon Marrow"]
    assert found(session, people.sam, "quist") == []
    assert found(session, people.riley, "marrow") == []


def test_imported_contacts_are_found_by_the_importer_only(session: Session, people: People) -> None:
    data = b"name,email\nYolanda Fenn,yolanda@fenn.example\nYusuf Okoro,yusuf@okoro.example\n"

    import_contacts(session=session, actor=people.riley, data=data, now=NOW)
    session.commit()

    assert found(session, people.riley, "yo") == ["Yolanda Fenn"]
    assert found(session, people.riley, "okoro") == ["Yusuf Okoro"]
    assert found(session, people.sam, "yo") == []
    assert found(session, people.erin, "okoro") == []


def test_merged_and_erased_contacts_leave_nothing_to_find(session: Session, people: People) -> None:
    keep = new(session, people.sam, "Wanda Pike")
    other = new(session, people.sam, "Wendell Pike")
    gone = new(session, people.sam, "Vesna Lund")

    merge_contacts(session=session, actor=people.sam, contact_id=keep, other_id=other, now=NOW)
    delete_contact(session=session, actor=people.sam, contact_id=gone, now=NOW)
    session.commit()

    assert found(session, people.sam, "pike") == ["Wanda Pike"]
    assert found(session, people.sam, "wendell") == []
    assert found(session, people.sam, "vesna") == []
    assert found(session, people.manager, "vesna") == []


def test_a_whole_book_handed_over_is_found_by_the_receiver_and_the_giver_starts_afresh(
    session: Session, people: People
) -> None:
    new(session, people.sam, "Ursula Vane")
    new(session, people.riley, "Umar Vance")

    hand(session, people, people.sam, people.riley)

    assert found(session, people.riley, "va") == ["Umar Vance", "Ursula Vane"]
    assert found(session, people.sam, "va") == []
    # The giver's next contact goes on a new shelf of his, not on the one given away.
    new(session, people.sam, "Uri Valdez")
    assert found(session, people.sam, "va") == ["Uri Valdez"]
    assert found(session, people.riley, "va") == ["Umar Vance", "Ursula Vane"]
    assert found(session, people.manager, "va") == ["Umar Vance", "Uri Valdez", "Ursula Vane"]

    # Riley now holds two shelves; both go back with Riley's whole book.
    hand(session, people, people.riley, people.sam)

    assert found(session, people.sam, "va") == ["Umar Vance", "Uri Valdez", "Ursula Vane"]
    assert found(session, people.riley, "va") == []
    shelves = select(Shelf.owner_id).where(col(Shelf.owner_id).in_([people.sam.id]))
    assert len(session.exec(shelves).all()) == 3


def test_part_of_a_book_handed_over_is_found_by_the_receiver_and_the_rest_by_the_giver(
    session: Session, people: People
) -> None:
    moved = new(session, people.sam, "Tamsin Hale")
    new(session, people.sam, "Tobias Hale")
    session.get_one(Contact, moved).tier = "high"
    session.commit()

    hand(session, people, people.sam, people.riley, tier="high")

    assert found(session, people.riley, "hale") == ["Tamsin Hale"]
    assert found(session, people.sam, "hale") == ["Tobias Hale"]
    # Edited after the move, the contact stays on the receiver's side.
    update_contact(
        session=session,
        actor=people.riley,
        contact_id=moved,
        contact_in=ContactUpdate(company="Hale & Sons"),
        now=NOW,
    )
    session.commit()
    assert found(session, people.riley, "sons") == ["Tamsin Hale"]
    assert found(session, people.sam, "sons") == []


@pytest.fixture
def west(pg: Database) -> Iterator[tuple[User, User, User]]:
    with pg.session() as session:
        team = make_team(session, "West")
        yield (
            make_user(session, "morgan@example.com", "manager", team),
            make_user(session, "sam@example.com", "rep", team),
            make_user(session, "riley@example.com", "rep", team),
        )


@pytest.mark.postgres
def test_a_contact_created_while_its_owners_book_is_handed_over_moves_with_it(
    pg: Database, west: tuple[User, User, User]
) -> None:
    manager, sam, riley = (Actor.of(user) for user in west)
    with pg.session() as session:
        new(session, sam, "Saoirse Black")
    creating = pg.session()
    create_contact(
        session=creating, actor=sam, contact_in=ContactCreate(name="Sven Black"), now=NOW
    )

    def hand_whole_book() -> None:
        with pg.session() as session:
            request = HandoverRequest(to=riley.id)
            hand_over(session=session, actor=manager, giver_id=sam.id, request=request, now=NOW)
            session.commit()

    # The handover waits for the shelf the new contact's terms are being filed on.
    waits_for_commit(creating, hand_whole_book)
    with pg.session() as session:
        assert found(session, riley, "black") == ["Saoirse Black", "Sven Black"]
        assert found(session, sam, "black") == []
