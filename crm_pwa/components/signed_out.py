"""The head script that gives a signed-out visitor the sign-in form at once.

Without it a signed-out visit to `/` painted the Today shell, waited for React to
hydrate and for a websocket round trip, and only then heard "go to sign-in": two
to four seconds on a phone. It runs in the document head before anything is
painted:

- it keeps the signed-in hint cookie in step with the stored token
  (crm_pwa/domain/sign_in_hint.py), so the server answers a signed-out page load
  of `/` with its sign-in page (crm_pwa/pages/signin.py, no React) itself;
- where the server could not know (a stale hint, a page from the service worker)
  it stops the page and loads the sign-in page, carrying the page to come back to
  (`/contacts/42` becomes `/signin?next=%2Fcontacts%2F42`;
  `crm_pwa/domain/deep_link.py` decides whether it is followed).

A token that is present but expired is still caught by the pages' `on_load`,
which also carries the page along. The token is read as assets/outbox.js reads it
(Reflex may store it JSON-quoted). The script avoids `<`, `>` and `&`: it is
written into the HTML as raw text.
"""

from __future__ import annotations

import json

import reflex as rx

from crm_pwa.domain.deep_link import NEXT, SIGN_IN
from crm_pwa.domain.sign_in_hint import HINT_CLEARED, HINT_COOKIE, HINT_SET, signed_in_pattern
from crm_pwa.state.session import TOKEN_KEY

SIGNED_OUT_JS = f"""(function () {{
  try {{
    var token = (localStorage.getItem('{TOKEN_KEY}') || '').replace(/"/g, '').trim();
    var hint = '{HINT_COOKIE}=1';
    var hinted = document.cookie.split('; ').indexOf(hint) !== -1;
    if (token && !hinted) document.cookie = '{HINT_SET}';
    if (!token && hinted) document.cookie = '{HINT_CLEARED}';
    var path = location.pathname;
    if (token || !new RegExp({json.dumps(signed_in_pattern())}).test(path)) return;
    var here = path + location.search + location.hash;
    var target = here === '/' ? '{SIGN_IN}' : '{SIGN_IN}?{NEXT}=' + encodeURIComponent(here);
    window.stop();
    location.replace(target);
  }} catch (e) {{
    /* No localStorage (a locked-down browser): the pages' on_load redirects instead. */
  }}
}})();"""


def signed_out_redirect() -> rx.Component:
    return rx.el.script(SIGNED_OUT_JS)
