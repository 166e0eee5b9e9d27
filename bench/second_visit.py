"""Second visit on an emulated phone: usable from the service-worker cache in under 1 s.

Starts the production app the way the browser tests do (tests/utils/app_server.py:
`reflex run --env prod --single-port`, a fresh data folder, migrated and seeded
with the demo data), signs the demo rep in with Debian Chromium emulating a
Pixel 7, and waits until the service worker controls the page. Then it opens
`/` and `/contacts` again and again, each time in a new tab of the same browser
profile, with the service worker stopped first (as on a phone that has not
opened the app for a while), online and then with the network cut.

"Usable" is the first animation frame in which the page's `h1` carries the
page title and every link of the bottom navigation is on screen and the
topmost element at its centre (a tap there would follow it). It is timed twice:
in the page, as `performance.now()` from the navigation start, and from outside,
from `page.goto` being called until Playwright has seen that frame. Exits 1 if
either p95 is not under 1 s, or if a visit with the network cut did not render.

    .venv/bin/python bench/second_visit.py [--visits 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/second_visit.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from bench.common import machine_line
from tests.utils.app_server import CHROMIUM, CHROMIUM_ARGS, PASSWORD, REP, ROOT, running_app

TARGET_MS = 1000.0
PAGES = {"/": "Today", "/contacts": "Contacts"}
TIMEOUT_MS = 15_000

# Resolves with performance.now() in the first frame where the page can be used.
USABLE_JS = """(title) => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && Number(style.opacity) > 0;
  };
  const heading = [...document.querySelectorAll('h1')]
    .find((el) => el.textContent.trim() === title && shown(el));
  if (!heading) return false;
  const links = [...document.querySelectorAll('nav[aria-label="Main"] a[href]')];
  if (links.length === 0) return false;
  for (const link of links) {
    if (!shown(link)) return false;
    const box = link.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!top || !link.contains(top)) return false;
  }
  return performance.now();
}"""

# Who answered the navigation and the page's files: workerStart > 0 means the
# service worker handled the request.
ENTRIES_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const files = performance.getEntriesByType('resource').filter((entry) => {
    const url = new URL(entry.name);
    return url.origin === location.origin && !/^\\/(api\\/|_event|ping)/.test(url.pathname);
  });
  return {
    navigationViaWorker: nav.workerStart > 0,
    navigationDelivery: nav.deliveryType || '',
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    firstContentfulPaint: (performance.getEntriesByName('first-contentful-paint')[0] || {})
      .startTime || 0,
    files: files.length,
    filesViaWorker: files.filter((entry) => entry.workerStart > 0).length,
    fileDeliveries: files.map((entry) => entry.deliveryType || ''),
  };
}"""


@dataclass
class Series:
    label: str
    in_page_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    navigations_via_worker: int = 0
    files: int = 0
    files_via_worker: int = 0
    deliveries: Counter[str] = field(default_factory=Counter)
    banners: int = 0
    response_end_ms: list[float] = field(default_factory=list)
    dom_content_loaded_ms: list[float] = field(default_factory=list)
    first_paint_ms: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
        f"max {max(values):.0f} ms"
    )


def sign_in_and_install(context: BrowserContext) -> None:
    """The first visit: sign in, let the worker take over, open both pages once."""
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Email").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.evaluate("window.swReady.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path, title in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.close()


def visit(
    context: BrowserContext, path: str, title: str, series: Series, cold_worker: bool
) -> None:
    page: Page = context.new_page()
    if cold_worker:
        cdp = context.new_cdp_session(page)
        cdp.send("ServiceWorker.enable")
        cdp.send("ServiceWorker.stopAllWorkers")
        cdp.detach()
    started = time.perf_counter()
    page.goto(path, wait_until="commit")
    usable = page.wait_for_function(USABLE_JS, arg=title, polling="raf", timeout=TIMEOUT_MS)
    series.wall_ms.append((time.perf_counter() - started) * 1000)
    series.in_page_ms.append(float(usable.json_value()))
    entries: dict[str, Any] = page.evaluate(ENTRIES_JS)
    series.response_end_ms.append(float(entries["responseEnd"]))
    series.dom_content_loaded_ms.append(float(entries["domContentLoaded"]))
    series.first_paint_ms.append(float(entries["firstContentfulPaint"]))
    series.navigations_via_worker += bool(entries["navigationViaWorker"])
    series.files += int(entries["files"])
    series.files_via_worker += int(entries["filesViaWorker"])
    series.deliveries.update(
        [f"navigation:{entries['navigationDelivery'] or '-'}"]
        + [f"file:{kind or '-'}" for kind in entries["fileDeliveries"]]
    )
    if series.label.startswith("offline"):
        banner = page.locator("[data-offline-banner]")
        try:
            expect(banner).to_be_visible(timeout=5_000)
            series.banners += 1
        except AssertionError:
            pass
    page.close()


def report(series: Series, visits: int) -> list[str]:
    print(f"{series.label}: {visits} visits")
    print(f"  in page (navigation start -> usable frame): {summary(series.in_page_ms)}")
    print(f"  wall clock (goto -> seen usable):           {summary(series.wall_ms)}")
    print(
        f"  medians: page received {statistics.median(series.response_end_ms):.0f} ms, "
        f"first paint {statistics.median(series.first_paint_ms):.0f} ms, "
        f"DOMContentLoaded {statistics.median(series.dom_content_loaded_ms):.0f} ms"
    )
    deliveries = ", ".join(f"{kind} {count}" for kind, count in sorted(series.deliveries.items()))
    print(
        f"  served by the service worker: navigation {series.navigations_via_worker}/{visits}, "
        f"files {series.files_via_worker}/{series.files} (deliveryType: {deliveries})"
    )
    found = []
    for name, values in (("in page", series.in_page_ms), ("wall clock", series.wall_ms)):
        if percentile(values, 0.95) >= TARGET_MS:
            found.append(f"{series.label}, {name}: p95 {percentile(values, 0.95):.0f} ms")
    if series.label.startswith("offline"):
        print(f"  offline banner shown: {series.banners}/{visits}")
        if series.banners != visits or series.navigations_via_worker != visits:
            found.append(
                f"{series.label}: {series.banners}/{visits} offline banners, "
                f"{series.navigations_via_worker}/{visits} navigations by the service worker"
            )
    return found


def use_project_tools() -> None:
    """What `make` exports: Reflex and bun keep their files in the project, offline."""
    tools = ROOT / ".tools"
    os.environ["PATH"] = f"{tools / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    os.environ.setdefault("REFLEX_DIR", str(tools / "reflex"))
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    os.environ.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=20, help="visits per page and network")
    parser.add_argument(
        "--warm-worker",
        action="store_true",
        help="leave the service worker running between visits",
    )
    args = parser.parse_args(argv)
    use_project_tools()
    print(machine_line())
    found: list[str] = []
    with (
        tempfile.TemporaryDirectory() as data,
        running_app(Path(data)) as app,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium {browser.version}, Pixel 7 emulation, app at {app.url}")
        context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url)
        context.set_default_timeout(TIMEOUT_MS)
        sign_in_and_install(context)
        for offline in (False, True):
            context.set_offline(offline)
            network = "offline" if offline else "online"
            runs = {path: Series(f"{network} {path}") for path in PAGES}
            for _ in range(args.visits):
                for path, title in PAGES.items():
                    visit(context, path, title, runs[path], not args.warm_worker)
            for series in runs.values():
                found += report(series, args.visits)
        context.close()
        browser.close()
    for miss in found:
        print("MISS " + miss)
    print(f"target: p95 under {TARGET_MS:.0f} ms -> {'FAIL' if found else 'PASS'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
