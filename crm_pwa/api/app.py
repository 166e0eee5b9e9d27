"""The FastAPI application mounted on the Reflex backend under /api/v1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_pwa import clock
from crm_pwa.api import (
    audit,
    auth,
    book,
    complaints,
    contact_import,
    contacts,
    exports,
    follow_ups,
    handover,
    health,
    invitations,
    opportunities,
    people,
    probes,
    push,
    service_worker,
    signin_form,
    sync,
    teams,
)
from crm_pwa.api.admission import RETRY_AFTER_SECONDS, Admission
from crm_pwa.api.refusals import document_busy
from crm_pwa.api.request_log import RequestLog, configure
from crm_pwa.domain.import_file import MAX_IMPORT_BYTES
from crm_pwa.domain.import_file import TOO_LARGE as IMPORT_TOO_LARGE
from crm_pwa.domain.input_rules import broken_character_message
from crm_pwa.services.errors import Duplicate, RetryLater, ServiceError, Unauthorized
from crm_pwa.services.passwords import BUSY_MESSAGE
from crm_pwa.settings import get_settings

API_PREFIX = "/api/v1"
SIGN_IN_PATH = f"{API_PREFIX}/auth/token"
# Large enough for a full outbox flush of 1,000 notes of 10,000 characters.
MAX_BODY_BYTES = 12 * 1024 * 1024
TOO_LARGE = "Request body too large: send at most 12 MiB at once."
# An import file may be larger than any other body: 20 MB plus its multipart wrapping,
# sent to the API or, from the Import page, to Reflex's upload route.
IMPORT_PATHS = (f"{API_PREFIX}/import", "/_upload")
MAX_IMPORT_BODY_BYTES = MAX_IMPORT_BYTES + 64 * 1024


def body_limit(path: str) -> tuple[int, str]:
    """The most bytes a request to `path` may send, and the words of the refusal."""
    if path in IMPORT_PATHS:
        return MAX_IMPORT_BODY_BYTES, IMPORT_TOO_LARGE
    return MAX_BODY_BYTES, TOO_LARGE


class BodyTooLarge(HTTPException):
    """Raised by the byte-counting receive; an HTTPException so FastAPI passes it on."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


class BodyLimit:
    """Refuses bodies over the path's limit (body_limit) with 413.

    A declared Content-Length is refused before anything is read; a chunked body
    declares none, so the bytes are also counted as they arrive and reading stops
    at the limit, whatever the sender claims.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = body_limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(scope, receive, send, refusal)
            return
        read = 0
        started = False

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLarge(refusal)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(scope, receive, send, refusal)


async def _too_large(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    await JSONResponse({"detail": message}, status_code=413)(scope, receive, send)


class ServerTime:
    """Tells API clients the server's time, so offline changes are stamped on its clock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Server-Time"] = clock.now().isoformat()
            await send(message)

        await self.app(scope, receive, stamped)


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers: dict[str, str] = {}
    if isinstance(exc, RetryLater):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    body: dict[str, str] = {"detail": exc.message}
    if isinstance(exc, Duplicate):
        body["existing_id"] = str(exc.existing_id)
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _in_words(error: Mapping[str, Any]) -> str:
    """The rule's words; a broken character that pydantic refused while parsing says the same."""
    if error.get("type") == "string_unicode":
        return broken_character_message("")
    return str(error.get("msg", ""))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err.get("loc", ())), "msg": _in_words(err), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


def _busy() -> JSONResponse:
    return JSONResponse(
        {"detail": "The server is busy. Try again in a moment."},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _pool_timeout(_request: Request, _exc: Exception) -> JSONResponse:
    # No pooled connection within the pool timeout: the app is saturated (the UI
    # and the scheduler share the pool with the API), nothing was written.
    return _busy()


async def _operational_error(_request: Request, exc: Exception) -> JSONResponse:
    # SQLite's write lock not granted within the busy timeout: the transaction was
    # rolled back, so retrying is safe. Any other database failure stays a 500.
    if "database is locked" in str(exc):
        return _busy()
    raise exc


def create_api() -> FastAPI:
    docs = get_settings().api_docs
    api = FastAPI(
        title="Rapport API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json" if docs else None,
        docs_url=f"{API_PREFIX}/docs" if docs else None,
        redoc_url=None,
    )
    api.add_exception_handler(ServiceError, _service_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_exception_handler(PoolTimeout, _pool_timeout)
    api.add_exception_handler(OperationalError, _operational_error)
    settings = get_settings()
    # Two lanes: a flood of sign-ins waits for hashing in its own (docs/sign-in.md),
    # never in front of a rep's reads and writes. The sign-in lane is as wide as the
    # hashing threads: the line waits in the lane, where its measured pace turns away
    # at once whoever would be served too late, not inside the hashing pool.
    api.add_middleware(
        Admission,
        prefix=API_PREFIX,
        limit=settings.api_concurrency,
        queue=settings.api_queue,
        max_wait=settings.api_wait_seconds,
        exclude=SIGN_IN_PATH,
    )
    api.add_middleware(
        Admission,
        prefix=SIGN_IN_PATH,
        limit=settings.password_hash_slots,
        queue=settings.api_queue,
        max_wait=settings.api_wait_seconds,
        busy=BUSY_MESSAGE,
    )
    api.add_middleware(BodyLimit)
    api.add_middleware(ServerTime)
    # Outermost: the log sees what the client saw, 503s of the admission limit included.
    configure()
    api.add_middleware(RequestLog, prefix=API_PREFIX)
    api.include_router(auth.router, prefix=API_PREFIX)
    api.include_router(contacts.router, prefix=API_PREFIX)
    api.include_router(exports.router, prefix=API_PREFIX)
    api.include_router(book.router, prefix=API_PREFIX)
    api.include_router(contact_import.router, prefix=API_PREFIX)
    api.include_router(complaints.router, prefix=API_PREFIX)
    api.include_router(opportunities.router, prefix=API_PREFIX)
    api.include_router(sync.router, prefix=API_PREFIX)
    api.include_router(follow_ups.router, prefix=API_PREFIX)
    api.include_router(push.router, prefix=API_PREFIX)
    api.include_router(health.router, prefix=API_PREFIX)
    api.include_router(people.router, prefix=API_PREFIX)
    api.include_router(teams.router, prefix=API_PREFIX)
    api.include_router(audit.router, prefix=API_PREFIX)
    api.include_router(handover.router, prefix=API_PREFIX)
    api.include_router(invitations.router, prefix=API_PREFIX)
    api.include_router(invitations.unsubscribe_router, prefix=API_PREFIX)
    api.include_router(service_worker.router)
    api.include_router(signin_form.router)
    api.include_router(probes.router)
    build_document = api.openapi

    def document() -> dict[str, Any]:
        first = api.openapi_schema is None
        schema = build_document()
        return document_busy(schema, API_PREFIX) if first else schema

    api.openapi = document  # type: ignore[method-assign]
    return api
