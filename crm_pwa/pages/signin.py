"""Sign in: email and password, big fields, one button — a page with no React at all.

A signed-out phone's first visit is this page (issue 11, docs/first-visit.md). Made
by React it asked for 42 files (30 script chunks, the PWA scripts, the Radix
stylesheet blocking the paint) before the e-mail field could be used; made here it
is one small HTML document with its styles inline, and the form is a classic
`<form method="post">` answered by crm_pwa/api/signin_form.py.

Two inline scripts, both fixed text (their SHA-256 is in the Content-Security-Policy,
crm_pwa/api/browser_headers.py); what changes per answer is in the HTML they read:
- the sign-in page's keeps the signed-in hint cookie in step with the stored token
  (crm_pwa/domain/sign_in_hint.py), shows the form's own address (`/signin`, or
  `/signin?next=%2Fcontacts%2F42` when it was served for that page), and fills the
  hidden fields: this browser's device id (docs/sign-in.md) and the phone's time
  zone, read at once so a quick submit cannot start the rep in UTC. A phone that
  holds a token but got this page for a signed-in page (its hint was missing) sets
  the hint and loads the page again, once.
- the signed-in page's stores the token and device id where the app reads them (the
  keys Reflex's `rx.LocalStorage` uses, raw strings), sets the hint and opens the
  page the rep came for.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

from crm_pwa.domain.deep_link import SIGN_IN
from crm_pwa.domain.sign_in_hint import HINT_CLEARED, HINT_COOKIE, HINT_SET
from crm_pwa.state.session import TOKEN_KEY

TITLE = "Sign in · Rapport"
DEVICE_KEY = "rapport_device"
_TEMPLATE = Template((Path(__file__).with_name("signin.html")).read_text(encoding="utf-8"))
_HINT_SET = f"'{HINT_SET}'"
_HINT_CLEARED = f"'{HINT_CLEARED}'"

# Reflex may have stored the token JSON-quoted (assets/outbox.js reads it so too).
SIGN_IN_JS = f"""(function () {{
  var form = document.getElementById('signin');
  var hint = '{HINT_COOKIE}=1';
  var token = '';
  var device = '';
  try {{
    token = (localStorage.getItem('{TOKEN_KEY}') || '').replace(/"/g, '').trim();
    device = localStorage.getItem('{DEVICE_KEY}') || '';
  }} catch (e) {{
    /* No localStorage (a locked-down browser): sign-in works, without the device id. */
  }}
  var hinted = document.cookie.split('; ').indexOf(hint) !== -1;
  if (token && !hinted && location.pathname !== '{SIGN_IN}') {{
    document.cookie = {_HINT_SET};
    if (document.cookie.split('; ').indexOf(hint) !== -1) {{
      location.reload();
      return;
    }}
  }}
  if (!token && hinted) document.cookie = {_HINT_CLEARED};
  var action = form.getAttribute('action');
  if (location.pathname + location.search !== action) history.replaceState(null, '', action);
  form.elements.device.value = device;
  try {{
    form.elements.zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  }} catch (e) {{
    /* No Intl: the rep starts in UTC and picks a zone in Settings. */
  }}
}})();"""

SIGNED_IN_JS = f"""(function () {{
  var given = document.getElementById('signed-in').dataset;
  localStorage.setItem('{TOKEN_KEY}', given.token);
  if (given.device) localStorage.setItem('{DEVICE_KEY}', given.device);
  document.cookie = {_HINT_SET};
  location.replace(given.next);
}})();"""

_SIGNED_IN_HTML = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Signed in · Rapport</title>
</head>
<body>
<main id="signed-in" data-token="$token" data-device="$device" data-next="$next">
<h1>Signed in</h1>
<p><a href="$next">Open Rapport</a></p>
</main>
<script>$script</script>
</body>
</html>
"""
)


def sign_in_page(action: str = SIGN_IN, email: str = "", error: str = "") -> str:
    """The form posting to `action` (the sign-in address with its `next`), the e-mail
    kept and the refusal said after a failed try."""
    alert = f'<p role="alert">{escape(error)}</p>' if error else ""
    return _TEMPLATE.substitute(
        title=TITLE,
        action=escape(action),
        email=escape(email),
        alert=alert,
        script=SIGN_IN_JS,
    )


def signed_in_page(token: str, device: str, next_page: str) -> str:
    """Hands the new session to the app in this browser, then opens `next_page`."""
    return _SIGNED_IN_HTML.substitute(
        token=escape(token), device=escape(device), next=escape(next_page), script=SIGNED_IN_JS
    )


def pages_for_policy() -> list[str]:
    """Both pages once, for the Content-Security-Policy to allow their inline scripts."""
    return [sign_in_page(), signed_in_page("", "", "/")]
