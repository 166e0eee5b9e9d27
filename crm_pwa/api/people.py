"""/api/v1/users, /users/{id}/reset-link and /me/password: people administration.

Admins manage everyone; a manager may read their own team; anyone may change
their own password. The rules are in domain/people.py (docs/people.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession, Device, Token
from crm_pwa.api.refusals import refusals
from crm_pwa.services import people
from crm_pwa.services.fields import Text
from crm_pwa.services.own_password import change_own_password
from crm_pwa.services.sign_in_links import IssuedLink

router = APIRouter(tags=["people"])


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    role: str
    team_id: uuid.UUID | None
    team_name: str
    active: bool
    last_active_at: datetime | None
    sessions: int = Field(description="Signed-in browsers and apps whose token still works.")
    push_devices: int = Field(description="Devices that get reminders.")


class PeopleOut(BaseModel):
    items: list[PersonOut]


class LinkOut(BaseModel):
    path: str = Field(description="Put the server's origin in front and pass it on; it works once.")
    expires_at: datetime
    purpose: str


class AddedOut(BaseModel):
    person: PersonOut
    link: LinkOut


class NewPerson(BaseModel):
    name: Text = Field(max_length=200)
    email: Text = Field(max_length=320)
    role: Text = Field(max_length=20)
    team_id: uuid.UUID | None = None


class PersonChange(BaseModel):
    """Only the fields sent change; `"team_id": null` takes the person out of any team."""

    role: Text | None = Field(default=None, max_length=20)
    team_id: uuid.UUID | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    old_password: Text = Field(max_length=1000)
    new_password: Text = Field(max_length=1000)


def _out(person: people.Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        email=person.email,
        role=person.role,
        team_id=person.team_id,
        team_name=person.team_name,
        active=person.active,
        last_active_at=person.last_active_at,
        sessions=person.sessions,
        push_devices=person.push_devices,
    )


def _link(link: IssuedLink) -> LinkOut:
    return LinkOut(path=link.path, expires_at=link.expires_at, purpose=link.purpose)


@router.get("/users", response_model=PeopleOut, responses=refusals(401, 403))
def list_users(session: DbSession, actor: CurrentActor) -> PeopleOut:
    found = people.list_people(session=session, actor=actor, now=clock.now())
    return PeopleOut(items=[_out(person) for person in found])


@router.post(
    "/users",
    status_code=201,
    response_model=AddedOut,
    responses=refusals(400, 401, 403, 413, 422, 503),
)
def add_user(body: NewPerson, session: DbSession, actor: CurrentActor, device: Device) -> AddedOut:
    added = people.add_person(
        session=session,
        actor=actor,
        name=body.name,
        email=body.email,
        role=body.role,
        team_id=body.team_id,
        now=clock.now(),
        device=device,
    )
    return AddedOut(person=_out(added.person), link=_link(added.link))


@router.get("/users/{person_id}", response_model=PersonOut, responses=refusals(401, 403, 404, 422))
def get_user(person_id: uuid.UUID, session: DbSession, actor: CurrentActor) -> PersonOut:
    return _out(
        people.get_person(session=session, actor=actor, person_id=person_id, now=clock.now())
    )


@router.patch(
    "/users/{person_id}",
    response_model=PersonOut,
    responses=refusals(400, 401, 403, 404, 413, 422),
)
def change_user(
    person_id: uuid.UUID,
    body: PersonChange,
    session: DbSession,
    actor: CurrentActor,
    device: Device,
) -> PersonOut:
    sent = body.model_fields_set
    changed = people.change_person(
        session=session,
        actor=actor,
        person_id=person_id,
        now=clock.now(),
        role=body.role,
        team_id=body.team_id,
        clear_team="team_id" in sent and body.team_id is None,
        active=body.active,
        device=device,
    )
    return _out(changed)


@router.post(
    "/users/{person_id}/reset-link",
    status_code=201,
    response_model=LinkOut,
    responses=refusals(401, 403, 404, 422),
)
def reset_link(
    person_id: uuid.UUID, session: DbSession, actor: CurrentActor, device: Device
) -> LinkOut:
    return _link(
        people.issue_reset_link(
            session=session, actor=actor, person_id=person_id, now=clock.now(), device=device
        )
    )


@router.post("/me/password", status_code=204, responses=refusals(400, 401, 413, 422, 503))
def change_password(
    body: PasswordChange, session: DbSession, actor: CurrentActor, token: Token, device: Device
) -> Response:
    """Every other session of the caller ends; this one goes on."""
    change_own_password(
        session=session,
        actor=actor,
        old=body.old_password,
        new=body.new_password,
        now=clock.now(),
        token=token,
        device=device,
    )
    return Response(status_code=204)
