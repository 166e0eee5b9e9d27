"""Opportunities: POST /contacts/{id}/opportunities and PATCH /opportunities/{id}."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.path_ids import ContactId, OpportunityId
from crm_pwa.api.refusals import refusals
from crm_pwa.db.interaction import Opportunity
from crm_pwa.services import opportunities
from crm_pwa.services.opportunities import OpportunityCreate, OpportunityUpdate

router = APIRouter(tags=["opportunities"])


class OpportunityPublic(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    title: str
    stage: str
    amount: Decimal | None
    expected_close: date | None
    created_at: datetime
    updated_at: datetime


def _public(opportunity: Opportunity) -> OpportunityPublic:
    return OpportunityPublic.model_validate(opportunity, from_attributes=True)


@router.post(
    "/contacts/{contact_id}/opportunities",
    response_model=OpportunityPublic,
    status_code=201,
    responses=refusals(400, 401, 404, 409, 413, 422),
)
def create(
    contact_id: ContactId, body: OpportunityCreate, session: DbSession, actor: CurrentActor
) -> OpportunityPublic:
    opportunity = opportunities.create_opportunity(
        session=session,
        actor=actor,
        contact_id=contact_id,
        opportunity_in=body,
        now=clock.now(),
    )
    return _public(opportunity)


@router.patch(
    "/opportunities/{opportunity_id}",
    response_model=OpportunityPublic,
    responses=refusals(400, 401, 404, 413, 422),
)
def update(
    opportunity_id: OpportunityId, body: OpportunityUpdate, session: DbSession, actor: CurrentActor
) -> OpportunityPublic:
    opportunity = opportunities.update_opportunity(
        session=session,
        actor=actor,
        opportunity_id=opportunity_id,
        opportunity_in=body,
        now=clock.now(),
    )
    return _public(opportunity)
