"""Which page a browser's navigation gets: the sign-in form at once when no one is signed in.

The session token lives in the browser's localStorage, which a server never sees.
So the head script (crm_pwa/components/signed_out.py) keeps a cookie beside it,
`rapport_signed_in=1` while a token is stored, and the server answers a
navigation to a signed-in page that comes without it with the sign-in page itself
(crm_pwa/pages/signin.py, plain HTML): no redirect, no round trip, no Today shell
first. The cookie is only
a hint about which HTML to send; it grants nothing (every request for data still
carries the token), and a wrong hint costs one reload at worst.
"""

from __future__ import annotations

import re

from crm_pwa import routes

HINT_COOKIE = "rapport_signed_in"
# What the pages' scripts write to document.cookie to set the hint, and to clear it
# (assets/pwa.js, a static file, spells the same two out).
HINT_SET = f"{HINT_COOKIE}=1; path=/; max-age=31536000; samesite=lax"
HINT_CLEARED = f"{HINT_COOKIE}=1; path=/; max-age=0; samesite=lax"

# Pages only a signed-in user sees. Sign-in, a one-time set-password link and the
# 404 page stay open to a visitor with no token.
SIGNED_IN_ROUTES = (
    routes.TODAY,
    routes.CONTACTS,
    routes.CONTACT_NEW,
    routes.CONTACT,
    routes.CONTACT_EDIT,
    routes.TEAM,
    routes.REP,
    routes.SETTINGS,
    routes.IMPORT,
    routes.PEOPLE,
    routes.PERSON,
    routes.AUDIT,
    routes.INVITATIONS,
    routes.INVITATION_NEW,
    routes.INVITATION,
)


def signed_in_pattern(paths: tuple[str, ...] = SIGNED_IN_ROUTES) -> str:
    """One regular expression (JavaScript and Python alike) matching these routes' paths."""
    parts = sorted(
        re.sub(r"\\\[[a-z_]+\\\]", "[^/]+", re.escape(path.rstrip("/"))) for path in paths
    )
    return "^(?:" + "|".join(parts) + ")/?$"


_SIGNED_IN = re.compile(signed_in_pattern())


def hinted(cookie_header: str) -> bool:
    """Whether the request's Cookie header carries the signed-in hint.

    Read pair by pair: one malformed cookie of another site's script must not hide it.
    """
    return f"{HINT_COOKIE}=1" in (pair.strip() for pair in cookie_header.split(";"))


def wants_sign_in(path: str, navigation: bool, cookie_header: str) -> bool:
    """A page load (not a fetch, not a service worker's precache) of a signed-in
    page from a browser holding no token: answer it with the sign-in page."""
    return navigation and bool(_SIGNED_IN.match(path)) and not hinted(cookie_header)
