"""POST /api/v1/sync: the offline outbox flush."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.services.sync import SyncBatch, SyncResult, sync_outbox

router = APIRouter(tags=["sync"])


class SyncResponse(BaseModel):
    results: list[SyncResult]


@router.post(
    "/sync",
    response_model=SyncResponse,
    # 413 also for a batch of more than 1,000 items.
    responses=refusals(400, 401, 413, 422),
)
def flush_outbox(body: SyncBatch, session: DbSession, actor: CurrentActor) -> SyncResponse:
    results = sync_outbox(session=session, actor=actor, batch=body, now=clock.now())
    return SyncResponse(results=results)
