"""The API's admission limit: requests beyond the work slots and the queue are told to retry."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from crm_pwa.api.admission import Admission
from tests.utils.run_async import run_async


def _held_app(release: asyncio.Event) -> Admission:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return Admission(app, prefix="/api/v1", limit=1, queue=1)


async def _statuses_while_one_is_held() -> tuple[int, int, str, int, int]:
    release = asyncio.Event()
    transport = httpx.ASGITransport(app=_held_app(release))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        working = asyncio.create_task(client.get("/api/v1/contacts"))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(client.get("/api/v1/contacts"))
        await asyncio.sleep(0.05)
        turned_away = await client.get("/api/v1/contacts")
        outside = asyncio.create_task(client.get("/healthz"))
        release.set()
        served = await working
        queued_served = await queued
        after = await client.get("/api/v1/contacts")
        await outside
    assert turned_away.headers["retry-after"] == "1"
    return (
        served.status_code,
        turned_away.status_code,
        turned_away.json()["detail"],
        queued_served.status_code,
        after.status_code,
    )


def test_beyond_the_limit_and_the_queue_503_comes_at_once_and_the_queued_one_is_served() -> None:
    served, turned_away, detail, queued, after = run_async(_statuses_while_one_is_held)

    assert (served, turned_away, queued, after) == (200, 503, 200, 200)
    assert detail == "The server is busy. Try again in a moment."


async def _sign_in_lane_statuses() -> tuple[int, int, int, str]:
    """Two lanes as the API has them: held sign-ins fill their own, a read still passes."""
    release = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith("/api/v1/auth/token"):
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shared = Admission(app, prefix="/api/v1", limit=1, queue=0, exclude="/api/v1/auth/token")
    lanes = Admission(shared, prefix="/api/v1/auth/token", limit=1, queue=0, busy="Busy signing.")
    transport = httpx.ASGITransport(app=lanes)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        hashing = asyncio.create_task(client.post("/api/v1/auth/token"))
        await asyncio.sleep(0.05)
        one_more = await client.post("/api/v1/auth/token")
        read = await client.get("/api/v1/me")
        release.set()
        signed_in = await hashing
    return read.status_code, signed_in.status_code, one_more.status_code, one_more.json()["detail"]


def test_a_read_never_queues_behind_sign_ins_which_have_a_lane_of_their_own() -> None:
    read, signed_in, one_more, detail = run_async(_sign_in_lane_statuses)

    assert (read, signed_in, one_more) == (200, 200, 503)
    assert detail == "Busy signing."
