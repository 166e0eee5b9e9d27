"""Where sign-in sends a rep: back to the page a link pointed to, never to another site.

A reminder tap after the session ran out opens `/signin?next=/contacts/42`; once
signed in the rep is on that contact's card. Only a path of this app is followed:
anything that could name another origin (`//evil`, `https://...`, a backslash,
control characters) falls back to Today.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

SIGN_IN = "/signin"
HOME = "/"
NEXT = "next"
MAX_LENGTH = 2000


def safe_next(target: str | None) -> str:
    """`target` when it is a path of this app other than sign-in itself, else Today."""
    if not target or len(target) > MAX_LENGTH:
        return HOME
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    if parts.path.rstrip("/") == SIGN_IN:
        return HOME
    return target


def sign_in_url(target: str | None) -> str:
    """The sign-in page, carrying `target` when it is worth coming back to."""
    back = safe_next(target)
    if back == HOME:
        return SIGN_IN
    return f"{SIGN_IN}?{NEXT}={quote(back, safe='')}"
