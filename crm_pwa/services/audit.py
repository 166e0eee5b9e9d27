"""Writing to the audit trail: one call used by every service that records an action."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crm_pwa.db.audit import AuditEvent


def record_audit(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    device: str = "",
) -> None:
    """Adds one entry in the caller's transaction, so it lands only if the action does."""
    session.add(
        AuditEvent(
            user_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            at=at,
            detail=detail or {},
            device=device[:200],
        )
    )
