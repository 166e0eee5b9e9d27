"""Whether a form post comes from one of this app's own pages.

A sign-in form that any site could post to would let that site sign a visitor
into the site's own account (login CSRF): the visitor then writes notes into an
account the attacker reads. Browsers say where a request comes from:
`Sec-Fetch-Site` (every current browser) and `Origin` (on every POST). A post is
accepted when `Sec-Fetch-Site` says it is our own page; a browser too old to
send it is judged by `Origin` against the Host; a client that sends neither is
not a browser acting for someone else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# `none`: the user typed or bookmarked it; `same-origin`: one of our pages.
OWN_FETCH_SITES = ("same-origin", "none")


def from_own_page(sec_fetch_site: str | None, origin: str | None, host: str) -> bool:
    """True when the post may act: it comes from a page of `host` (the Host header)."""
    if sec_fetch_site is not None:
        return sec_fetch_site.strip().lower() in OWN_FETCH_SITES
    if origin is None:
        return True
    # "null": a sandboxed frame, a file, a redirect from elsewhere: never our page.
    return urlsplit(origin.strip()).netloc.lower() == host.strip().lower() != ""
