"""GET /healthz and GET /readyz for load balancers and process supervisors.

Outside /api/v1: they carry no user data, need no token and are never shed by
the admission limit (a busy process is still alive and still ready).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from crm_pwa.services.readiness import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers (on the event loop: no thread, no database)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> JSONResponse:
    """The database answers and carries every migration; Redis answers when configured."""
    ready, checks = readiness()
    body = {"status": "ready" if ready else "not ready", **checks}
    return JSONResponse(body, status_code=200 if ready else 503)
