"""The policy's script hashes and when HSTS is sent."""

from __future__ import annotations

import base64
import hashlib

from crm_pwa.api.browser_headers import inline_script_hashes, served_over_https

TRUSTED = ("127.0.0.1",)


def _scope(client: str, scheme: str = "http", proto: bytes | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-proto", proto)] if proto is not None else []
    return {"type": "http", "scheme": scheme, "client": (client, 5000), "headers": headers}


def test_only_inline_scripts_are_hashed_when_a_page_has_both_kinds() -> None:
    page = '<script src="/a.js"></script><script type="module">go()</script><script></script>'
    expected = base64.b64encode(hashlib.sha256(b"go()").digest()).decode()
    assert inline_script_hashes([page]) == [f"'sha256-{expected}'"]


def test_https_is_believed_when_the_scheme_says_so() -> None:
    assert served_over_https(_scope("203.0.113.9", scheme="https"), TRUSTED)


def test_forwarded_https_is_believed_when_it_comes_from_a_trusted_proxy() -> None:
    assert served_over_https(_scope("127.0.0.1", proto=b"https"), TRUSTED)
    assert not served_over_https(_scope("127.0.0.1", proto=b"http"), TRUSTED)


def test_forwarded_https_is_ignored_when_anyone_else_sends_it() -> None:
    assert not served_over_https(_scope("203.0.113.9", proto=b"https"), TRUSTED)
