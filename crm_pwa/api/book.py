"""GET /api/v1/book: the offline book, the whole of it once and then what changed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.services.fields import Text
from crm_pwa.services.offline_book import DEFAULT_PAGE, MAX_PAGE, BookPage, book_json, book_page

router = APIRouter(tags=["offline book"])


@router.get("/book", response_model=BookPage, responses=refusals(401, 422))
def read_book(
    session: DbSession,
    actor: CurrentActor,
    cursor: Annotated[Text | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
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
    return Response(book_json(page), media_type="application/json")
