"""Taking data out: the contact book as vCard or CSV, one person's file, the calendar feed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from crm_pwa import clock
from crm_pwa.api.browser_headers import served_over_https
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.path_ids import ContactId
from crm_pwa.api.refusals import refusals
from crm_pwa.domain.days import local_day
from crm_pwa.services import calendar_feed, contact_export, person_export
from crm_pwa.services.calendar_feed import FeedStatus, NewFeed
from crm_pwa.services.person_export import PersonExport
from crm_pwa.settings import get_settings

router = APIRouter(tags=["export"])

_TYPES = {"vcard": "text/vcard; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def public_base_url(request: Request) -> str:
    """The address the caller reached the app at, https when a trusted proxy says so."""
    base = str(request.base_url).rstrip("/")
    if served_over_https(request.scope, get_settings().trusted_proxies):
        base = "https://" + base.split("://", 1)[-1]
    return base


def _book(session: DbSession, actor: CurrentActor, file_format: str) -> Response:
    now = clock.now()
    lines = contact_export.export_contacts(
        session=session, actor=actor, file_format=file_format, now=now
    )
    name = contact_export.export_file_name(file_format, local_day(now, actor.time_zone))
    return StreamingResponse(lines, media_type=_TYPES[file_format], headers=_attachment(name))


_FILE = {"description": "The file, as an attachment."}


@router.get(
    "/export/contacts.vcf",
    response_class=Response,
    responses={200: {**_FILE, "content": {"text/vcard": {}}}, **refusals(401)},
)
def contacts_vcard(session: DbSession, actor: CurrentActor) -> Response:
    """Every contact the caller sees, as vCard 4.0."""
    return _book(session, actor, "vcard")


@router.get(
    "/export/contacts.csv",
    response_class=Response,
    responses={200: {**_FILE, "content": {"text/csv": {}}}, **refusals(401)},
)
def contacts_csv(session: DbSession, actor: CurrentActor) -> Response:
    """Every contact the caller sees, as CSV; formula-looking cells start with an apostrophe."""
    return _book(session, actor, "csv")


@router.get(
    "/contacts/{contact_id}/export",
    response_model=PersonExport,
    responses=refusals(401, 404, 422),
)
def person(contact_id: ContactId, session: DbSession, actor: CurrentActor) -> JSONResponse:
    """Everything held about one person, as one JSON file."""
    now = clock.now()
    found = person_export.export_person(
        session=session,
        actor=actor,
        contact_id=contact_id,
        now=now,
    )
    name = person_export.person_file_name(found.contact.id, local_day(now, actor.time_zone))
    return JSONResponse(found.as_dict(), headers=_attachment(name))


@router.get("/me/calendar-feed", response_model=FeedStatus, responses=refusals(401))
def feed_status(session: DbSession, actor: CurrentActor) -> FeedStatus:
    """Whether the caller has a calendar address, and since when (the address is not kept)."""
    return calendar_feed.feed_status(session=session, actor=actor)


@router.post("/me/calendar-feed", response_model=NewFeed, status_code=201, responses=refusals(401))
def new_feed(request: Request, session: DbSession, actor: CurrentActor) -> NewFeed:
    """A new secret address for the follow-up calendar; the previous one answers 404."""
    return calendar_feed.new_feed(
        session=session, actor=actor, base_url=public_base_url(request), now=clock.now()
    )


@router.delete("/me/calendar-feed", status_code=204, responses=refusals(401))
def stop_feed(session: DbSession, actor: CurrentActor) -> Response:
    calendar_feed.stop_feed(session=session, actor=actor, now=clock.now())
    return Response(status_code=204)


@router.get(
    "/calendar/{secret}.ics",
    response_class=Response,
    responses={200: {**_FILE, "content": {"text/calendar": {}}}, **refusals(404, 422)},
)
def feed(secret: str, request: Request, session: DbSession) -> Response:
    """The follow-up calendar; the secret in the address is the only key."""
    body = calendar_feed.calendar(
        session=session, secret=secret, base_url=public_base_url(request), now=clock.now()
    )
    return Response(body, media_type="text/calendar; charset=utf-8")
