"""GET /api/v1/book: the offline book, the whole of it once and then what changed."""

from __future__ import annotations

import gzip
import re
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.services.fields import Text
from crm_pwa.services.offline_book import DEFAULT_PAGE, MAX_PAGE, BookPage, book_json, book_page

router = APIRouter(tags=["offline book"])

# A full book is about 30 MB of JSON for 5,000 cards; gzip at level 1 makes it about
# 3.3 MB for 0.1 s of CPU over the whole download (level 6: 2.1 MB for 0.23 s), so a
# phone on a weak signal gets it in a tenth of the time (docs/benchmarks.md).
GZIP_LEVEL = 1


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the caller takes gzip: `gzip` listed, and not with `q=0` (RFC 9110)."""
    for part in (accept_encoding or "").split(","):
        coding, *params = (piece.strip().lower() for piece in part.split(";"))
        if coding == "gzip":
            return not any(re.fullmatch(r"q\s*=\s*0(\.0*)?", param) for param in params)
    return False


@router.get("/book", response_model=BookPage, responses=refusals(401, 422))
def read_book(
    session: DbSession,
    actor: CurrentActor,
    cursor: Annotated[Text | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    accept_encoding: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Cards of every contact the caller may see, a page at a time, in id order.

    Without a cursor: the whole book. Follow `next_cursor` while `more`; keep the
    last `next_cursor` and send it at the next refresh to get only the cards that
    changed since, and in `removed` the contacts erased or merged away. When the
    last page's `digest` differs from the phone's own, compare ids with
    GET /contacts/ids (a contact handed to someone else).
    """
    page = book_page(session=session, actor=actor, cursor=cursor, limit=limit, now=clock.now())
    # Shaped as BookPage (the documented answer) and serialised as it is.
    body = book_json(page)
    headers = {"Vary": "Accept-Encoding"}
    if _accepts_gzip(accept_encoding):
        body = gzip.compress(body, compresslevel=GZIP_LEVEL)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)
