"""Is this process ready for traffic: database reachable and migrated, Redis reachable.

A load balancer asks /readyz before sending users here; each check answers in
a couple of seconds at most, so a stuck dependency reads as "not ready", not
as a hung probe.
"""

from __future__ import annotations

import redis
from sqlalchemy.exc import SQLAlchemyError

from crm_pwa.db.engine import get_engine
from crm_pwa.migration import at_head
from crm_pwa.settings import get_settings

REDIS_TIMEOUT_SECONDS = 2.0


def _database() -> tuple[str, str]:
    try:
        with get_engine().connect() as connection:
            migrated = at_head(connection)
    except SQLAlchemyError as error:
        return "unreachable", error.__class__.__name__
    return ("ok", "") if migrated else ("behind", "run `python -m crm_pwa migrate`")


def _redis(url: str | None) -> str:
    if url is None:
        return "not configured"
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError:
        return "unreachable"
    finally:
        client.close()
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, what each dependency answered)."""
    database, hint = _database()
    cache = _redis(get_settings().redis_url)
    checks = {"database": database, "redis": cache}
    if hint and database == "behind":
        checks["hint"] = hint
    ready = database == "ok" and cache in ("ok", "not configured")
    return ready, checks
