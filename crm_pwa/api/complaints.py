"""Complaints: POST /contacts/{id}/complaints and POST /complaints/{id}/resolve."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.path_ids import ComplaintId, ContactId
from crm_pwa.api.refusals import refusals
from crm_pwa.db.interaction import Complaint
from crm_pwa.services import complaints
from crm_pwa.services.fields import Text

router = APIRouter(tags=["complaints"])


class ComplaintIn(BaseModel):
    summary: Text


class ResolutionIn(BaseModel):
    resolution: Text


class ComplaintPublic(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    summary: str
    opened_at: datetime
    resolved_at: datetime | None
    resolution: str


def _public(complaint: Complaint) -> ComplaintPublic:
    return ComplaintPublic.model_validate(complaint, from_attributes=True)


@router.post(
    "/contacts/{contact_id}/complaints",
    response_model=ComplaintPublic,
    status_code=201,
    responses=refusals(400, 401, 404, 413, 422),
)
def log(
    contact_id: ContactId, body: ComplaintIn, session: DbSession, actor: CurrentActor
) -> ComplaintPublic:
    complaint = complaints.log_complaint(
        session=session,
        actor=actor,
        contact_id=contact_id,
        summary=body.summary,
        now=clock.now(),
    )
    return _public(complaint)


@router.post(
    "/complaints/{complaint_id}/resolve",
    response_model=ComplaintPublic,
    responses=refusals(400, 401, 404, 409, 413, 422),
)
def resolve(
    complaint_id: ComplaintId, body: ResolutionIn, session: DbSession, actor: CurrentActor
) -> ComplaintPublic:
    complaint = complaints.resolve_complaint(
        session=session,
        actor=actor,
        complaint_id=complaint_id,
        resolution=body.resolution,
        now=clock.now(),
    )
    return _public(complaint)
