"""What a manager reads about one rep: the owner filter, the owner on a card, the rep's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa import routes
from crm_pwa.db.interaction import Complaint, FollowUp
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Forbidden, NotFound
from crm_pwa.services.rep_page import people_in_view, rep_page
from tests.utils.factories import NOW, bearer, make_contact, make_team, make_user


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    west, east = make_team(session, "West"), make_team(session, "East")
    people = {
        "admin": make_user(session, "ada@example.com", "admin", name="Ada Admin"),
        "morgan": make_user(session, "morgan@example.com", "manager", west, "Morgan Lee"),
        "sam": make_user(session, "sam@example.com", "rep", west, "Sam Okafor"),
        "riley": make_user(session, "riley@example.com", "rep", west, "Riley Chen"),
        "eve": make_user(session, "eve@example.com", "manager", east, "Eve Stone"),
        "erin": make_user(session, "erin@example.com", "rep", east, "Erin Park"),
    }
    for owner in ("sam", "riley", "erin"):
        for number in range(3):
            make_contact(session, people[owner], f"{people[owner].name} client {number}")
    return people


# Caller → what `?owner=<Sam>` answers: the status and, when 200, whose contacts.
OWNER_FILTER = {
    "morgan@example.com": 200,  # Sam's manager
    "ada@example.com": 200,  # an admin
    "riley@example.com": 403,  # another rep
    "eve@example.com": 403,  # the manager of another team
    "sam@example.com": 200,  # Sam, about Sam's own book
}


@pytest.mark.parametrize("caller", list(OWNER_FILTER))
def test_owner_filter_lists_one_persons_contacts_only_when_the_caller_may_see_them(
    client: TestClient, people: dict[str, User], caller: str
) -> None:
    answer = client.get(
        "/api/v1/contacts",
        params={"owner": str(people["sam"].id)},
        headers=bearer(client, caller),
    )

    assert answer.status_code == OWNER_FILTER[caller], answer.text
    if answer.status_code == 200:
        items = answer.json()["items"]
        assert [item["name"] for item in items] == [f"Sam Okafor client {n}" for n in range(3)]
        assert {item["owner_id"] for item in items} == {str(people["sam"].id)}
    else:
        assert "own team" in answer.json()["detail"]


def test_owner_filter_narrows_a_search_too_when_words_are_typed(
    client: TestClient, people: dict[str, User]
) -> None:
    headers = bearer(client, "morgan@example.com")
    everyone = client.get("/api/v1/contacts", params={"q": "client"}, headers=headers).json()
    rileys = client.get(
        "/api/v1/contacts",
        params={"q": "client", "owner": str(people["riley"].id)},
        headers=headers,
    ).json()

    assert len(everyone["items"]) == 6
    # Equally good matches come in id order: compare the sets.
    assert sorted(item["name"] for item in rileys["items"]) == [
        f"Riley Chen client {n}" for n in range(3)
    ]


def test_card_names_the_owner_when_a_manager_reads_a_reps_contact(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    contact = make_contact(session, people["sam"], "Dana Reyes")

    card = client.get(
        f"/api/v1/contacts/{contact.id}/timeline", headers=bearer(client, "morgan@example.com")
    )

    assert card.status_code == 200
    assert card.json()["owner_name"] == "Sam Okafor"


def test_reps_page_lists_overdue_promises_and_open_complaints_when_the_manager_opens_it(
    session: Session, people: dict[str, User]
) -> None:
    sam = people["sam"]
    contact = make_contact(session, sam, "Dana Reyes")
    for days, status, title in (
        (-3, "open", "Send the quote"),
        (-5, "done", "Old"),
        (2, "open", "Later"),
    ):
        session.add(
            FollowUp(
                contact_id=contact.id,
                owner_id=sam.id,
                title=title,
                due_on=NOW.date() + timedelta(days=days),
                status=status,
                changed_at=NOW,
                created_at=NOW,
            )
        )
    session.add(Complaint(contact_id=contact.id, owner_id=sam.id, summary="Late", opened_at=NOW))
    session.commit()

    page = rep_page(session=session, actor=Actor.of(people["morgan"]), rep_id=sam.id, now=NOW)

    assert page.rep.name == "Sam Okafor"
    assert [(line.contact_name, line.title) for line in page.overdue] == [
        ("Dana Reyes", "Send the quote")
    ]
    assert [(line.contact_name, line.summary) for line in page.complaints] == [
        ("Dana Reyes", "Late")
    ]
    assert len(page.history) == 12
    assert page.rep.overdue_follow_ups == len(page.overdue)


@pytest.mark.parametrize(
    ("caller", "refusal"),
    [("riley", Forbidden), ("eve", NotFound), ("sam", Forbidden)],
)
def test_reps_page_is_refused_when_the_caller_is_not_the_reps_manager(
    session: Session, people: dict[str, User], caller: str, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        rep_page(session=session, actor=Actor.of(people[caller]), rep_id=people["sam"].id, now=NOW)


def test_owner_choices_are_the_managers_team_and_everyone_for_an_admin(
    session: Session, people: dict[str, User]
) -> None:
    people["riley"].is_active = False
    session.add(people["riley"])
    session.commit()

    west = people_in_view(session, Actor.of(people["morgan"]))
    everyone = people_in_view(session, Actor.of(people["admin"]))

    assert [person.name for person in west] == ["Morgan Lee", "Sam Okafor"]
    assert [person.name for person in everyone] == ["Erin Park", "Sam Okafor"]


def test_managers_and_admins_land_on_team_and_reps_on_today_when_signing_in() -> None:
    assert routes.home("manager") == routes.home("admin") == routes.TEAM
    assert routes.home("rep") == routes.TODAY
