"""The refusals a route can answer, as the OpenAPI document describes them.

Every refusal is `{"detail": "<words a person can read>"}`, except a request
the API could not read at all (wrong types, missing fields), whose 422 lists
each problem with where it is.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Refusal(BaseModel):
    detail: str


class Problem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Unreadable(BaseModel):
    detail: str | list[Problem]


_WHY = {
    400: "The body could not be read (it is not UTF-8 text).",
    401: "No token, or one that is unknown, expired or signed out.",
    403: "The caller may not do this.",
    404: "No such object, or one the caller may not see.",
    409: "The object's state or id does not allow this.",
    413: "The request body is too large.",
    422: "The request breaks a rule: the words say which (a list, when it could not be read).",
    429: "Too many attempts; wait for Retry-After seconds.",
    503: "The server is busy; try again after Retry-After seconds.",
}


def document_busy(schema: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Adds the 503 every route under `prefix` may answer to the OpenAPI document.

    Any request can meet a full admission queue, an empty connection pool or
    SQLite's write lock held too long (crm_pwa/api/app.py): all answer 503 with
    Retry-After.
    """
    busy = {
        "description": _WHY[503],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}},
    }
    for path, operations in schema["paths"].items():
        if path.startswith(prefix):
            for operation in operations.values():
                operation["responses"].setdefault("503", busy)
    return schema


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that may answer these codes."""
    return {
        code: {"model": Unreadable if code == 422 else Refusal, "description": _WHY[code]}
        for code in codes
    }
