"""What the running production app tells the browser: on pages, assets and API answers."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import RunningApp, sign_in

EVIL = "https://evil.example"


def _first_contact(app_server: RunningApp, token: str) -> str:
    answer = app_server.api("GET", "/contacts", token=token, params={"limit": 1})
    return str(answer.json()["items"][0]["id"])


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_every_kind_of_answer_carries_the_security_headers(app_server: RunningApp) -> None:
    token = app_server.token()
    contact_id = _first_contact(app_server, token)
    home = httpx.get(f"{app_server.url}/", timeout=30)
    asset = re.search(r'"(/assets/[^"]+-[A-Za-z0-9_-]{8}\.js)"', home.text)
    assert asset is not None, "the home page names its hashed scripts"
    answers = {
        "page": home,
        "contact page": httpx.get(f"{app_server.url}/contacts/{contact_id}", timeout=30),
        "hashed asset": httpx.get(f"{app_server.url}{asset.group(1)}", timeout=30),
        "API": app_server.api("GET", "/contacts", token=token),
    }
    for what, answer in answers.items():
        assert answer.status_code == 200, what
        headers = answer.headers
        policy = _directives(headers["content-security-policy"])
        assert "'unsafe-inline'" not in policy["script-src"], what
        assert any(source.startswith("'sha256-") for source in policy["script-src"]), what
        assert policy["frame-ancestors"] == ["'none'"], what
        assert policy["object-src"] == ["'none'"], what
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "same-origin", what
        assert "camera=()" in headers["permissions-policy"], what
        assert "strict-transport-security" not in headers, f"{what}: plain http has no HSTS"
    assert answers["API"].headers["cache-control"] == "no-store"


def test_hsts_is_sent_when_a_trusted_proxy_says_the_visit_was_https(
    app_server: RunningApp,
) -> None:
    answer = httpx.get(f"{app_server.url}/", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


def test_foreign_origin_is_not_echoed_when_it_calls_the_api(app_server: RunningApp) -> None:
    token = app_server.token()
    simple = httpx.get(
        f"{app_server.url}/api/v1/contacts",
        headers={"Origin": EVIL, "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert simple.status_code == 200
    preflight = httpx.options(
        f"{app_server.url}/api/v1/contacts",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=30,
    )
    assert preflight.status_code == 400
    for answer in (simple, preflight):
        assert "access-control-allow-origin" not in answer.headers


def test_api_reference_is_not_served_when_running_in_production(app_server: RunningApp) -> None:
    assert app_server.api("GET", "/docs").status_code == 404
    assert app_server.api("GET", "/openapi.json").status_code == 404


def test_pages_run_without_a_policy_violation_when_a_rep_works(
    page: Page, app_server: RunningApp
) -> None:
    refused: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", listen)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI))"
    )
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    contact_id = _first_contact(app_server, app_server.token())
    page.goto(f"/contacts/{contact_id}")
    # Opening the sheet runs an `rx.call_script`: Reflex evaluates it.
    page.get_by_role("button", name="Log a meeting").click()
    expect(page.get_by_role("dialog", name="Log a meeting")).to_be_visible()
    page.goto("/contacts")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert refused == []


def test_hashed_assets_are_kept_a_year_and_sent_in_brotli_when_the_browser_accepts_it(
    app_server: RunningApp,
) -> None:
    home = httpx.get(f"{app_server.url}/", timeout=30)
    asset = re.search(r'"(/assets/[^"]+-[A-Za-z0-9_-]{8}\.js)"', home.text)
    assert asset is not None
    headers = {"Accept-Encoding": "br, gzip"}
    script = httpx.get(f"{app_server.url}{asset.group(1)}", headers=headers, timeout=30)
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-encoding"] == "br"
    gzip_only = httpx.get(
        f"{app_server.url}{asset.group(1)}", headers={"Accept-Encoding": "gzip"}, timeout=30
    )
    assert gzip_only.headers["content-encoding"] == "gzip"
    # Pages and unhashed files change with a release: never kept as immutable.
    assert "immutable" not in home.headers.get("cache-control", "")
    assert "immutable" not in httpx.get(f"{app_server.url}/pwa.js", timeout=30).headers.get(
        "cache-control", ""
    )
    missing = httpx.get(f"{app_server.url}/assets/nothing-12345678.js", timeout=30)
    assert "immutable" not in missing.headers.get("cache-control", "")


def test_sign_in_page_answers_at_its_own_address_without_a_redirect(
    app_server: RunningApp,
) -> None:
    answer = httpx.get(f"{app_server.url}/signin", timeout=30, follow_redirects=False)
    assert answer.status_code == 200
    assert 'name="email"' in answer.text
