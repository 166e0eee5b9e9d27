"""POST and DELETE /api/v1/auth/token."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession, Device, Token
from crm_pwa.api.refusals import refusals
from crm_pwa.services import auth
from crm_pwa.services.fields import Text

router = APIRouter(tags=["auth"])


# The longest a sign-in's fields may be, here and in the sign-in page's form.
MAX_EMAIL = 320
MAX_PASSWORD = 1000
MAX_DEVICE = 100


class TokenRequest(BaseModel):
    email: Text = Field(max_length=MAX_EMAIL)
    password: Text = Field(max_length=MAX_PASSWORD)
    # The device_token a previous sign-in on this device answered (docs/sign-in.md).
    device_token: Text = Field(default="", max_length=MAX_DEVICE)


class UserPublic(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    role: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserPublic
    device_token: str


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=refusals(400, 401, 403, 413, 422, 429, 503),
)
def issue_token(
    body: TokenRequest, session: DbSession, request: Request, device: Device
) -> TokenResponse:
    signed_in = auth.sign_in(
        session=session,
        email=body.email,
        password=body.password,
        now=clock.now(),
        label=request.headers.get("user-agent", ""),
        client=request.client.host if request.client else "",
        device_token=body.device_token,
        device=device,
    )
    actor = signed_in.actor
    request.state.user_id = actor.id
    return TokenResponse(
        access_token=signed_in.token,
        expires_at=signed_in.expires_at,
        user=UserPublic(id=actor.id, name=actor.name, email=actor.email, role=actor.role),
        device_token=signed_in.device_token,
    )


@router.delete("/auth/token", status_code=204, responses=refusals(401))
def revoke_token(session: DbSession, token: Token, actor: CurrentActor) -> Response:
    auth.sign_out(session=session, token=token, now=clock.now())
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic, responses=refusals(401))
def who_am_i(actor: CurrentActor) -> UserPublic:
    return UserPublic(id=actor.id, name=actor.name, email=actor.email, role=actor.role)
