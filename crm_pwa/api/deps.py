"""What every route needs: a database session and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.devices import device_label
from crm_pwa.services.actor import Actor
from crm_pwa.services.auth import authenticate
from crm_pwa.services.errors import Unauthorized


def db_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


# Commit before the answer is sent: a client told "created" must be able to rely on it.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send 'Authorization: Bearer <token>'.")
    return token.strip()


Token = Annotated[str, Depends(bearer_token)]


def current_actor(session: DbSession, token: Token, request: Request) -> Actor:
    actor = authenticate(session=session, token=token, now=clock.now())
    # For the request log (api/request_log.py): who asked, by id only.
    request.state.user_id = actor.id
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def request_device(request: Request) -> str:
    """The audit log's short name for the caller's browser or app."""
    return device_label(request.headers.get("user-agent", ""))


Device = Annotated[str, Depends(request_device)]
