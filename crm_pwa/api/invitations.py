"""Invitations under /api/v1/invitations, and the one-click unsubscribe link."""

from __future__ import annotations

import uuid
from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession, Device
from crm_pwa.api.path_ids import ContactId, InvitationId
from crm_pwa.api.refusals import refusals
from crm_pwa.services import invitation_guests, invitation_results, invitations, unsubscribe
from crm_pwa.services.errors import NotFound
from crm_pwa.services.fields import Text
from crm_pwa.services.invitation_models import (
    Attendance,
    GuestLine,
    InvitationIn,
    InvitationPreview,
    InvitationPublic,
    RepResults,
    Results,
    SendProgress,
)
from crm_pwa.services.invitation_sending import sending_progress

router = APIRouter(prefix="/invitations", tags=["invitations"])
unsubscribe_router = APIRouter(tags=["invitations"])


class IncludeIn(BaseModel):
    confirm: bool = False


class GuestStatusIn(BaseModel):
    status: Text


class AttendedIn(BaseModel):
    contact_ids: list[uuid.UUID] = Field(min_length=1, max_length=2000)
    sentiment: Text = "positive"


@router.post(
    "",
    response_model=InvitationPreview,
    status_code=201,
    responses=refusals(400, 401, 403, 413, 422),
)
def create(body: InvitationIn, session: DbSession, actor: CurrentActor) -> InvitationPreview:
    """A draft invitation and its guest list, judged by the guard: the preview."""
    return invitations.create_invitation(
        session=session, actor=actor, invitation_in=body, now=clock.now()
    )


@router.get("", response_model=list[InvitationPublic], responses=refusals(401, 422))
def list_all(session: DbSession, actor: CurrentActor) -> list[InvitationPublic]:
    return invitations.list_invitations(session=session, actor=actor)


@router.get("/results", response_model=list[RepResults], responses=refusals(401, 403, 422))
def per_rep(
    session: DbSession,
    actor: CurrentActor,
    owner_id: Annotated[uuid.UUID | None, Query(description="one person of the team")] = None,
) -> list[RepResults]:
    """Each rep's invitations summed: a rep's own, a manager's team."""
    return invitation_results.rep_results(session=session, actor=actor, owner_id=owner_id)


@router.get("/{invitation_id}", response_model=InvitationPublic, responses=refusals(401, 404, 422))
def get_one(
    invitation_id: InvitationId, session: DbSession, actor: CurrentActor
) -> InvitationPublic:
    return invitations.get_invitation(session=session, actor=actor, invitation_id=invitation_id)


@router.get(
    "/{invitation_id}/preview", response_model=InvitationPreview, responses=refusals(401, 404, 422)
)
def preview(
    invitation_id: InvitationId, session: DbSession, actor: CurrentActor
) -> InvitationPreview:
    """Who will be invited, and who will not with the reason in words."""
    return invitations.preview_invitation(
        session=session, actor=actor, invitation_id=invitation_id, now=clock.now()
    )


@router.post(
    "/{invitation_id}/guests/{contact_id}/include",
    response_model=GuestLine,
    responses=refusals(400, 401, 404, 409, 413, 422),
)
def include(
    invitation_id: InvitationId,
    contact_id: ContactId,
    body: IncludeIn,
    session: DbSession,
    actor: CurrentActor,
) -> GuestLine:
    """Invite one excluded person by hand; `confirm` must be true."""
    return invitations.include_guest(
        session=session,
        actor=actor,
        invitation_id=invitation_id,
        contact_id=contact_id,
        confirm=body.confirm,
        now=clock.now(),
    )


@router.post(
    "/{invitation_id}/send",
    response_model=SendProgress,
    status_code=202,
    responses=refusals(401, 404, 409, 422),
)
def send(invitation_id: InvitationId, session: DbSession, actor: CurrentActor) -> SendProgress:
    """Fix the guest list and start sending (SMTP), or open it for sending by hand (mailto)."""
    return invitations.send_invitation(
        session=session, actor=actor, invitation_id=invitation_id, now=clock.now()
    )


@router.get(
    "/{invitation_id}/progress", response_model=SendProgress, responses=refusals(401, 404, 422)
)
def progress(invitation_id: InvitationId, session: DbSession, actor: CurrentActor) -> SendProgress:
    return sending_progress(session=session, actor=actor, invitation_id=invitation_id)


@router.post(
    "/{invitation_id}/guests/{contact_id}/sent",
    response_model=GuestLine,
    responses=refusals(401, 404, 409, 422),
)
def mark_sent(
    invitation_id: InvitationId, contact_id: ContactId, session: DbSession, actor: CurrentActor
) -> GuestLine:
    """The rep sent this copy from their own mail app (mailto)."""
    return invitation_guests.mark_sent(
        session=session,
        actor=actor,
        invitation_id=invitation_id,
        contact_id=contact_id,
        now=clock.now(),
    )


@router.patch(
    "/{invitation_id}/guests/{contact_id}",
    response_model=GuestLine,
    responses=refusals(400, 401, 404, 409, 413, 422),
)
def set_status(
    invitation_id: InvitationId,
    contact_id: ContactId,
    body: GuestStatusIn,
    session: DbSession,
    actor: CurrentActor,
) -> GuestLine:
    """A guest's answer: invited, accepted, declined or attended (logs the meeting)."""
    return invitation_guests.set_guest_status(
        session=session,
        actor=actor,
        invitation_id=invitation_id,
        contact_id=contact_id,
        status=body.status,
        now=clock.now(),
    )


@router.post(
    "/{invitation_id}/attended",
    response_model=Attendance,
    responses=refusals(400, 401, 404, 409, 413, 422),
)
def attended(
    invitation_id: InvitationId, body: AttendedIn, session: DbSession, actor: CurrentActor
) -> Attendance:
    """Mark guests attended in one step: a meeting on each timeline, a follow-up offered."""
    return invitation_guests.mark_attended(
        session=session,
        actor=actor,
        invitation_id=invitation_id,
        contact_ids=body.contact_ids,
        now=clock.now(),
        sentiment=body.sentiment,
    )


@router.get("/{invitation_id}/results", response_model=Results, responses=refusals(401, 404, 422))
def results(invitation_id: InvitationId, session: DbSession, actor: CurrentActor) -> Results:
    return invitation_results.invitation_results(
        session=session, actor=actor, invitation_id=invitation_id
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto;
 padding: 0 1rem">
<main><h1>{title}</h1>{body}</main></body></html>"""

_HTML = {"text/html": {"schema": {"type": "string"}}}
# Only a request FastAPI cannot read at all answers JSON here.
_UNREADABLE = {
    "description": "The request could not be read.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Unreadable"}}},
}


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=escape(title), body=body), status_code=status_code)


def _unknown(error: NotFound) -> HTMLResponse:
    return _page("Link not known", f"<p>{escape(error.message)}</p>", 404)


@unsubscribe_router.get(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    responses={
        200: {"content": _HTML},
        404: {"content": _HTML, "description": "Unknown link."},
        422: _UNREADABLE,
    },
)
def unsubscribe_page(token: str, session: DbSession) -> HTMLResponse:
    """A small page that asks to confirm; no sign-in, the link's token is the key."""
    try:
        view = unsubscribe.unsubscribe_view(session=session, token=token)
    except NotFound as error:
        return _unknown(error)
    if view.unsubscribed:
        return _page("You are unsubscribed", "<p>You will not receive any more invitations.</p>")
    body = (
        f"<p>Stop receiving invitations like &ldquo;{escape(view.invitation_title)}&rdquo; "
        f"from {escape(view.sender_name)} and colleagues?</p>"
        '<form method="post"><button type="submit" name="List-Unsubscribe" '
        'value="One-Click">Unsubscribe</button></form>'
    )
    return _page("Unsubscribe from invitations", body)


@unsubscribe_router.post(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    responses={
        200: {"content": _HTML},
        404: {"content": _HTML, "description": "Unknown link."},
        422: _UNREADABLE,
    },
)
def unsubscribe_now(token: str, session: DbSession, device: Device) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): a mail program POSTs `List-Unsubscribe=One-Click`;
    the body is not needed and not read."""
    try:
        unsubscribe.unsubscribe(session=session, token=token, now=clock.now(), device=device)
    except NotFound as error:
        return _unknown(error)
    return _page("You are unsubscribed", "<p>You will not receive any more invitations.</p>")
