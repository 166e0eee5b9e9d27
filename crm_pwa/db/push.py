"""Devices that receive reminders."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id


class PushSubscription(SQLModel, table=True):
    # One browser shared by several reps holds one endpoint for each of them:
    # a rep who turns reminders on never takes them away from another.
    __table_args__ = (
        UniqueConstraint("user_id", "endpoint", name="uq_pushsubscription_user_endpoint"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    endpoint: str = Field(sa_column=Column(String(2048), nullable=False))
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The push service said 429 with Retry-After: nothing goes to it before then.
    retry_not_before: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


def upsert_subscription(
    session: Session,
    *,
    user_id: uuid.UUID,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str,
    now: datetime,
) -> None:
    """Stores the user's subscription for `endpoint`, or renews its keys if stored.

    One statement, so two taps at once cannot both insert the endpoint.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PushSubscription).values(
        id=new_id(),
        user_id=user_id,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        user_agent=user_agent,
        created_at=now,
        last_success_at=None,
        retry_not_before=None,
    )
    table = PushSubscription.__table__.c  # type: ignore[attr-defined]
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.user_id, table.endpoint],
            set_={
                "p256dh": statement.excluded.p256dh,
                "auth": statement.excluded.auth,
                "user_agent": statement.excluded.user_agent,
                "retry_not_before": None,
            },
        )
    )
