"""The head script that sends a signed-out visitor straight to the sign-in page.

Without it a signed-out visit to `/` painted the Today shell, waited for React to
hydrate and for a websocket round trip, and only then heard "go to sign-in": two
to four seconds on a phone. This runs in the document head before anything is
painted and replaces the page with the prerendered `/signin`, carrying the page to
come back to (`crm_pwa/domain/deep_link.py` decides whether it is followed). A
token that is present but expired is still caught by the pages' `on_load`, which
also carries the page along.

The token is read as assets/outbox.js reads it (Reflex may store it JSON-quoted).
The script avoids `<`, `>` and `&`: it is written into the HTML as raw text.
"""

from __future__ import annotations

import json
import re

import reflex as rx

from crm_pwa import routes
from crm_pwa.domain.deep_link import NEXT, SIGN_IN
from crm_pwa.state.session import TOKEN_KEY

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


SIGNED_OUT_JS = f"""(function () {{
  try {{
    var path = location.pathname;
    if (!new RegExp({json.dumps(signed_in_pattern())}).test(path)) return;
    var token = (localStorage.getItem('{TOKEN_KEY}') || '').replace(/"/g, '').trim();
    if (token) return;
    var here = path + location.search + location.hash;
    window.stop();
    location.replace(here === '/' ? '{SIGN_IN}' : '{SIGN_IN}?{NEXT}=' + encodeURIComponent(here));
  }} catch (e) {{
    /* No localStorage (a locked-down browser): the pages' on_load redirects instead. */
  }}
}})();"""


def signed_out_redirect() -> rx.Component:
    return rx.el.script(SIGNED_OUT_JS)
