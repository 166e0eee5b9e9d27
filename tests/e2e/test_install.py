"""The production build installs as an app: manifest, icons and a service worker at the root."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Playwright, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, REP, RunningApp

REQUIRED_IN_PRECACHE = {
    "/",
    "/__spa-fallback.html",
    "/manifest.webmanifest",
    "/outbox.js",
    "/outbox-sync.js",
    "/contactbook.js",
    "/pwa.js",
    "/dom.js",
    "/offline.js",
    "/outbox-list.js",
    "/offline.css",
}


def _persistent_phone_options(playwright: Playwright) -> dict[str, Any]:
    # Installability is never reported in an incognito context, so this test runs in a
    # profile on disk; launch_persistent_context does not take the device's browser type.
    device = {
        key: value
        for key, value in playwright.devices["Pixel 7"].items()
        if key != "default_browser_type"
    }
    options: dict[str, Any] = {**device, "args": CHROMIUM_ARGS}
    if Path(CHROMIUM).exists():
        options["executable_path"] = CHROMIUM
    return options


def _precache(service_worker: str) -> list[str]:
    found = re.search(r"^const PRECACHE = (\[.*\]);$", service_worker, re.MULTILINE)
    assert found, "the service worker has no precache list"
    return list(json.loads(found.group(1)))


def test_app_is_installable_with_a_full_manifest_when_opened_in_a_phone_profile(
    playwright: Playwright, app_server: RunningApp, tmp_path: Path
) -> None:
    worker = httpx.get(f"{app_server.url}/sw.js", timeout=30)
    assert worker.status_code == 200
    assert worker.headers["cache-control"] == "no-cache"
    assert "javascript" in worker.headers["content-type"]
    precache = _precache(worker.text)
    assert set(precache) >= REQUIRED_IN_PRECACHE
    with httpx.Client(base_url=app_server.url, timeout=30) as client:
        statuses = {url: client.get(url).status_code for url in precache}
    assert {url: status for url, status in statuses.items() if status != 200} == {}

    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), **_persistent_phone_options(playwright)
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        # The sign-in page is plain HTML with no app script: the worker comes with the app.
        page.goto(f"{app_server.url}/signin")
        page.get_by_label("Email").fill(REP)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Today")).to_be_visible()
        page.wait_for_function("window.swReady !== undefined")
        scope = page.evaluate("async () => (await window.swReady).scope")
        assert scope == f"{app_server.url}/"
        cached = page.evaluate(
            """async () => {
                const name = (await caches.keys()).find((key) => key.startsWith('rapport-shell-'));
                const keys = await (await caches.open(name)).keys();
                return keys.map((request) => new URL(request.url).pathname);
            }"""
        )
        assert sorted(cached) == sorted(precache)

        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        answer = cdp.send("Page.getAppManifest")
        assert answer["errors"] == []
        assert answer["url"] == f"{app_server.url}/manifest.webmanifest"
        manifest = json.loads(answer["data"])
        theme = page.locator('meta[name="theme-color"]').get_attribute("content")
        touch_icon = page.locator('link[rel="apple-touch-icon"]').get_attribute("href")
    finally:
        context.close()

    assert manifest["name"] and manifest["short_name"]
    assert (manifest["id"], manifest["start_url"], manifest["scope"]) == ("/", "/", "/")
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == theme
    assert manifest["background_color"]
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons
    for src in [icon["src"] for icon in manifest["icons"]] + [str(touch_icon)]:
        image = httpx.get(app_server.url + src, timeout=30)
        assert (image.status_code, image.headers["content-type"]) == (200, "image/png"), src
