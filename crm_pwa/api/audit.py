"""GET /api/v1/audit: who did what, when, from which device (admins only)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.services.audit_log import MAX_ENTRIES, read_audit

router = APIRouter(tags=["audit"])


class EntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_name: str
    device: str
    detail: dict[str, Any]


class AuditOut(BaseModel):
    items: list[EntryOut]


@router.get("/audit", response_model=AuditOut, responses=refusals(401, 403, 422))
def audit(
    session: DbSession,
    actor: CurrentActor,
    person: uuid.UUID | None = None,
    action: str = Query(default="", max_length=50),
    limit: int = Query(default=200, ge=1, le=MAX_ENTRIES),
) -> AuditOut:
    """Newest first; `person` finds what they did and what was done to them."""
    entries = read_audit(session=session, actor=actor, person_id=person, action=action, limit=limit)
    return AuditOut(items=[EntryOut(**asdict(entry)) for entry in entries])
