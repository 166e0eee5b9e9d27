"""Ids in paths, read once for every route: one that is not a UUID names nothing,
so it is answered 404 like an unknown id (not 422, which would tell a prober
the shape of the ids)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from crm_pwa.services import complaints, contacts, invitation_lines, opportunities
from crm_pwa.services.errors import NotFound


def path_id(raw: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise NotFound(message) from error


def _contact_id(contact_id: str) -> uuid.UUID:
    return path_id(contact_id, contacts.NOT_FOUND)


def _complaint_id(complaint_id: str) -> uuid.UUID:
    return path_id(complaint_id, complaints.NOT_FOUND)


def _opportunity_id(opportunity_id: str) -> uuid.UUID:
    return path_id(opportunity_id, opportunities.NOT_FOUND)


def _invitation_id(invitation_id: str) -> uuid.UUID:
    return path_id(invitation_id, invitation_lines.NOT_FOUND)


ContactId = Annotated[uuid.UUID, Depends(_contact_id)]
ComplaintId = Annotated[uuid.UUID, Depends(_complaint_id)]
OpportunityId = Annotated[uuid.UUID, Depends(_opportunity_id)]
InvitationId = Annotated[uuid.UUID, Depends(_invitation_id)]
