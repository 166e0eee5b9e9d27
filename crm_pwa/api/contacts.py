"""/api/v1/contacts: search, read, add, change, erase, and the timeline of one contact."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.path_ids import ContactId
from crm_pwa.api.refusals import refusals
from crm_pwa.domain.days import local_day
from crm_pwa.services import contact_card, contact_editing, contact_list, contact_merge, contacts
from crm_pwa.services.contact_card import ContactCard
from crm_pwa.services.contact_editing import ContactCreate, ContactUpdate
from crm_pwa.services.contact_list import MAX_PAGE, ContactPage
from crm_pwa.services.contacts import ContactPublic
from crm_pwa.services.fields import Moment, Text

router = APIRouter(tags=["contacts"])


class ContactIds(BaseModel):
    ids: list[uuid.UUID]


class MergeRequest(BaseModel):
    other_id: uuid.UUID


@router.get("/contacts", response_model=ContactPage, responses=refusals(401, 403, 422))
def search(
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[Text, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[Text | None, Query(max_length=1000)] = None,
    kind: Text | None = None,
    tier: Text | None = None,
    band: Text | None = None,
    updated_since: Moment | None = None,
    owner: Annotated[
        uuid.UUID | None, Query(description="one owner's contacts: a manager's own team only")
    ] = None,
) -> ContactPage:
    return contact_list.search_contacts(
        session=session,
        actor=actor,
        q=q,
        kind=kind,
        tier=tier,
        band=band,
        limit=limit,
        cursor=cursor,
        updated_since=updated_since,
        owner=owner,
    )


@router.get("/contacts/ids", response_model=ContactIds, responses=refusals(401))
def visible_ids(session: DbSession, actor: CurrentActor) -> ContactIds:
    return ContactIds(ids=contact_list.visible_contact_ids(session=session, actor=actor))


@router.post(
    "/contacts",
    response_model=ContactPublic,
    status_code=201,
    responses=refusals(400, 401, 409, 413, 422),
)
def create(
    body: ContactCreate,
    session: DbSession,
    actor: CurrentActor,
    allow_duplicate: bool = False,
) -> ContactPublic:
    """409 with `existing_id` when the caller already has this e-mail or phone."""
    contact = contact_editing.create_contact(
        session=session,
        actor=actor,
        contact_in=body,
        now=clock.now(),
        allow_duplicate=allow_duplicate,
    )
    return contacts.to_public(session, contact)


@router.get(
    "/contacts/{contact_id}", response_model=ContactPublic, responses=refusals(401, 404, 422)
)
def read(contact_id: ContactId, session: DbSession, actor: CurrentActor) -> ContactPublic:
    contact = contacts.get_contact(session=session, actor=actor, contact_id=contact_id)
    return contacts.to_public(session, contact)


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactPublic,
    responses=refusals(400, 401, 404, 413, 422),
)
def update(
    contact_id: ContactId, body: ContactUpdate, session: DbSession, actor: CurrentActor
) -> ContactPublic:
    contact = contact_editing.update_contact(
        session=session,
        actor=actor,
        contact_id=contact_id,
        contact_in=body,
        now=clock.now(),
    )
    return contacts.to_public(session, contact)


@router.delete("/contacts/{contact_id}", status_code=204, responses=refusals(401, 404, 422))
def erase(contact_id: ContactId, session: DbSession, actor: CurrentActor) -> Response:
    contact_editing.delete_contact(
        session=session,
        actor=actor,
        contact_id=contact_id,
        now=clock.now(),
    )
    return Response(status_code=204)


@router.get(
    "/contacts/{contact_id}/timeline",
    response_model=ContactCard,
    responses=refusals(401, 404, 422),
)
def timeline(contact_id: ContactId, session: DbSession, actor: CurrentActor) -> ContactCard:
    return contact_card.contact_card(
        session=session,
        actor=actor,
        contact_id=contact_id,
        today=local_day(clock.now(), actor.time_zone),
    )


@router.post(
    "/contacts/{contact_id}/merge",
    response_model=ContactPublic,
    responses=refusals(400, 401, 404, 413, 422),
)
def merge(
    contact_id: ContactId, body: MergeRequest, session: DbSession, actor: CurrentActor
) -> ContactPublic:
    """The other contact's history moves onto this one; the other is gone."""
    contact = contact_merge.merge_contacts(
        session=session,
        actor=actor,
        contact_id=contact_id,
        other_id=body.other_id,
        now=clock.now(),
    )
    return contacts.to_public(session, contact)
