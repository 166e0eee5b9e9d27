"""The sign-in page's form: POST /signin, and the page itself for a page load.

The page (crm_pwa/pages/signin.py) is plain HTML with a classic form, so signing
in is one POST here. It goes through the same service as the JSON API's token
(crm_pwa/services/auth.py): the same brakes by account, device and client
address, the same audit entries, the same wording of refusals; and, as a phone's
first sign-in, the phone's zone is adopted. A refusal answers the page again with
the message and the e-mail kept; a success answers a tiny page that stores the
session where the app reads it and opens the page the rep came for.

A post from another site is refused before anything is checked (login CSRF,
crm_pwa/domain/same_site.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from crm_pwa import clock, routes
from crm_pwa.api.auth import MAX_DEVICE, MAX_EMAIL, MAX_PASSWORD
from crm_pwa.api.deps import request_device
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.deep_link import HOME, NEXT, safe_next, sign_in_url
from crm_pwa.domain.same_site import from_own_page
from crm_pwa.pages.signin import sign_in_page, signed_in_page
from crm_pwa.services import auth
from crm_pwa.services.errors import RetryLater, ServiceError

router = APIRouter(include_in_schema=False)

CROSS_SITE = "Sign in from Rapport's own page."
MAX_ZONE = 64
# The answers name a session or a person's e-mail: no cache keeps them.
PRIVATE = {"Cache-Control": "no-store"}


def sign_in_answer(asked: str, query: str = "") -> HTMLResponse:
    """The sign-in page for a page load of `asked`: its form posts back with the
    page to come back to (`/signin?next=...`)."""
    if asked.rstrip("/") == routes.SIGN_IN:
        back = _query_next(query)
    else:
        back = asked + (f"?{query}" if query else "")
    return HTMLResponse(sign_in_page(sign_in_url(back)), headers={"Cache-Control": "no-cache"})


def _query_next(query: str) -> str | None:
    values = parse_qs(query).get(NEXT)
    return values[0] if values else None


def _sign_in(
    email: str, password: str, client: str, device_token: str, phone_zone: str, device: str
) -> auth.SignedIn:
    with session_scope() as session:
        return auth.sign_in(
            session=session,
            email=email,
            password=password,
            now=clock.now(),
            label="web",
            client=client,
            device_token=device_token,
            device=device,
            phone_zone=phone_zone,
        )


@router.post("/signin", response_class=HTMLResponse)
async def sign_in_with_the_form(request: Request) -> HTMLResponse:
    back = request.query_params.get(NEXT)
    action = sign_in_url(back)
    headers = request.headers
    if not from_own_page(
        headers.get("sec-fetch-site"), headers.get("origin"), headers.get("host", "")
    ):
        return HTMLResponse(sign_in_page(action, error=CROSS_SITE), 403, headers=PRIVATE)
    form = await request.form()
    email = str(form.get("email", ""))[:MAX_EMAIL]
    try:
        # argon2 takes a core for a third of a second: off the event loop.
        signed_in = await run_in_threadpool(
            _sign_in,
            email,
            str(form.get("password", ""))[:MAX_PASSWORD],
            request.client.host if request.client else "",
            str(form.get("device", ""))[:MAX_DEVICE],
            str(form.get("zone", ""))[:MAX_ZONE],
            request_device(request),
        )
    except ServiceError as refused:
        answer = dict(PRIVATE)
        if isinstance(refused, RetryLater):
            answer["Retry-After"] = str(refused.retry_after_seconds)
        page = sign_in_page(action, email=email, error=refused.message)
        return HTMLResponse(page, refused.status_code, headers=answer)
    target = safe_next(back)
    if target == HOME:
        target = routes.home(signed_in.actor.role)
    page = signed_in_page(signed_in.token, signed_in.device_token, target)
    return HTMLResponse(page, headers=PRIVATE)
