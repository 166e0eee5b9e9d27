"""A phone's first visit: Rapport against a blank Reflex app with a sign-in form, in one run.

Builds a blank app of the installed Reflex version (what `reflex init --template
blank` writes, holding just a sign-in form: a heading, e-mail, password, a
button, a state with a submit handler) in a temporary folder, and serves it and
Rapport side by side in production mode (`reflex run --env prod --single-port`;
Rapport as `make run` does, with a fresh database and the demo data, through
tests/utils/app_server.py). Both builds use the project's bun, Reflex folder and
npm registry (`make`'s environment), so nothing but the npm registry is reached.

Every visit runs in Debian Chromium emulating a Pixel 7, throttled through CDP
(`Emulation.setCPUThrottlingRate` 4, `Network.emulateNetworkConditions` 9 Mbit/s
both ways, 60 ms latency), and the two apps take turns so a change in the
machine's load falls on both:

- cold: signed out, a fresh browser context (empty cache, no service worker),
  `/` opened; the median of `--visits` (5) visits each;
- warm: a second load in the same context after a first visit (Rapport: signed
  in, its service worker installed, Today opened again; the blank app: `/` again).

Measured from the moment the visit starts (the navigation is asked for), on the
browser's clock:
- largest contentful paint: the last 'largest-contentful-paint' entry of the
  page the visit ends on;
- usable: the first animation frame in which USABLE_JS holds. For a sign-in page
  that is the e-mail field visible, enabled, writable and the topmost element at
  its centre (a tap lands on it); the visit then types into it and reads the text
  back. For Today it is the `h1` "Today" and every link of the bottom navigation
  tappable (as in bench/second_visit.py);
- data shown (reported, no target): the first frame after that with no loading
  placeholder left, i.e. Today's lists from the server in place of skeleton rows;
- bytes (encoded, headers included) and requests the page fetched until the
  network was quiet (the service worker's own precache after `load` is counted
  apart).

Targets (issue 11): Rapport's LCP and time-to-usable at most 1.2x the blank app's
cold, and at most 1.1x warm. Exits 1 on a miss.

`--lighthouse` also runs Lighthouse (npm package, installed into .tools; mobile
preset, Debian Chromium) on each app's signed-out `/`: Rapport's performance
score must be at least the blank app's and its total blocking time under 200 ms.

    .venv/bin/python bench/first_visit.py [--visits 5] [--lighthouse [--lighthouse-runs 3]]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/first_visit.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bench.common import load_average, machine_line
from tests.utils.app_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    REP,
    ROOT,
    _free_port,
    running_app,
)

COLD_RATIO = 1.2
WARM_RATIO = 1.1
TBT_LIMIT_MS = 200.0
LIGHTHOUSE_VERSION = "12.8.2"  # the last line that runs on the system's Node 20
TIMEOUT_MS = 60_000
CPU_SLOWDOWN = 4
NETWORK = {
    "offline": False,
    "latency": 60,
    "downloadThroughput": 9_000_000 / 8,
    "uploadThroughput": 9_000_000 / 8,
}

# "Usable", defined once for both apps. `shown` and `tappable` are what a thumb needs.
USABLE_JS = """
const shown = (el) => {
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
    && Number(style.opacity) > 0;
};
const tappable = (el) => {
  if (!shown(el)) return false;
  const box = el.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return Boolean(top) && (el === top || el.contains(top));
};
const USABLE = {
  signIn: () => {
    const email = document.querySelector('input[type="email"]');
    return Boolean(email) && !email.disabled && !email.readOnly && tappable(email);
  },
  today: () => {
    const heading = [...document.querySelectorAll('h1')]
      .find((el) => el.textContent.trim() === 'Today' && shown(el));
    const links = [...document.querySelectorAll('nav[aria-label="Main"] a[href]')];
    return Boolean(heading) && links.length > 0 && links.every(tappable);
  },
};
// The page's data is on screen: no loading placeholder left (a sign-in form has none).
const DATA_SHOWN = () => document.querySelector('[role="status"][aria-label="Loading"]') === null;
"""

# Runs first in every document: records LCP and the first usable frame (epoch ms).
PROBE_JS = (
    "(() => {\n"
    + USABLE_JS
    + """
  const probe = window.__firstVisit = {lcp: null, lcpTag: '', usable: null, data: null};
  const usable = USABLE[%s];
  try {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      const last = entries[entries.length - 1];
      probe.lcp = performance.timeOrigin + last.startTime;
      probe.lcpTag = last.element ? last.element.tagName.toLowerCase() : '';
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) { /* no LCP in this browser */ }
  const check = () => {
    const now = performance.timeOrigin + performance.now();
    if (probe.usable === null && document.body && usable()) probe.usable = now;
    if (probe.usable !== null && probe.data === null && DATA_SHOWN()) probe.data = now;
    if (probe.data === null) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""
)

BLANK_CONFIG = """\
import reflex as rx

# `reflex init --template blank` minus Tailwind and the sitemap, which Rapport
# does not use either (Tailwind would be one more stylesheet to download).
config = rx.Config(
    app_name="blank",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""

BLANK_APP = '''\
"""A blank Reflex app holding just a sign-in form."""

import reflex as rx


class SignInState(rx.State):
    error: str = ""

    @rx.event
    def submit(self, form: dict) -> None:
        self.error = "Wrong e-mail or password."


def field(label: str, name: str, kind: str) -> rx.Component:
    return rx.el.label(
        rx.text(label),
        rx.input(name=name, type=kind, required=True, size="3", width="100%"),
        width="100%",
    )


def index() -> rx.Component:
    return rx.center(
        rx.form(
            rx.vstack(
                rx.heading("Sign in", as_="h1"),
                field("Email", "email", "email"),
                field("Password", "password", "password"),
                rx.cond(SignInState.error != "", rx.text(SignInState.error, role="alert")),
                rx.button("Sign in", type="submit", size="3", width="100%"),
                width="100%",
            ),
            on_submit=SignInState.submit,
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="24px",
    )


app = rx.App()
app.add_page(index, route="/", title="Sign in")
'''


@dataclass
class Visit:
    lcp_ms: float
    usable_ms: float
    data_ms: float
    lcp_tag: str
    bytes: int
    requests: int
    worker_requests: int = 0


@dataclass
class Series:
    app: str
    kind: str
    visits: list[Visit] = field(default_factory=list)

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(visit, name) for visit in self.visits))

    def line(self) -> str:
        spread = ", ".join(f"{v.usable_ms:.0f}" for v in self.visits)
        tags = sorted({v.lcp_tag or "?" for v in self.visits})
        return (
            f"  {self.app:7} {self.kind:4}: LCP {self.median('lcp_ms'):6.0f} ms "
            f"(element {'/'.join(tags)}), usable {self.median('usable_ms'):6.0f} ms "
            f"[{spread}], data shown {self.median('data_ms'):6.0f} ms, "
            f"{self.median('bytes') / 1024:6.1f} kB in "
            f"{self.median('requests'):.0f} requests"
            + (
                f" (+ {self.median('worker_requests'):.0f} requests of the service worker)"
                if any(v.worker_requests for v in self.visits)
                else ""
            )
        )


def project_env() -> dict[str, str]:
    """What `make` exports: Reflex and bun keep their files in the project, offline."""
    tools = ROOT / ".tools"
    env = dict(os.environ)
    env["PATH"] = f"{tools / 'node_modules' / '.bin'}{os.pathsep}{ROOT / '.venv' / 'bin'}"
    env["PATH"] += os.pathsep + os.environ["PATH"]
    env.setdefault("REFLEX_DIR", str(tools / "reflex"))
    env.setdefault("BUN_INSTALL_CACHE_DIR", str(tools / "bun-cache"))
    env.setdefault("BUN_RUNTIME_TRANSPILER_CACHE_PATH", str(tools / "bun-transpiler-cache"))
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/")
    return env


@contextmanager
def blank_app(folder: Path) -> Iterator[str]:
    """The blank app written into `folder`, built and served in production mode."""
    (folder / "blank").mkdir()
    (folder / "rxconfig.py").write_text(BLANK_CONFIG)
    (folder / "blank" / "__init__.py").write_text("")
    (folder / "blank" / "blank.py").write_text(BLANK_APP)
    (folder / "assets").mkdir()
    env = project_env()
    for name in list(env):
        if name.startswith(("RAPPORT_", "REFLEX_DB", "REFLEX_REDIS")):
            del env[name]
    port = _free_port()
    log = folder / "app.log"
    reflex = shutil.which("reflex", path=str(Path(sys.executable).parent))
    if reflex is None:
        raise RuntimeError("reflex is not installed in this environment")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--single-port"]
            + ["--frontend-port", str(port), "--backend-port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_blank_up(url, process, log)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_blank_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the blank app stopped while starting:\n" + log.read_text()[-3000:])
        try:
            if (
                httpx.get(f"{url}/ping", timeout=2).status_code == 200
                and httpx.get(f"{url}/", timeout=5).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the blank app did not start in time:\n" + log.read_text()[-3000:])


class Traffic:
    """Bytes and requests of one page, read from CDP's network events."""

    def __init__(self, page: Page, context: BrowserContext) -> None:
        self.cdp = context.new_cdp_session(page)
        self.sizes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", NETWORK)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.sizes.setdefault(event["requestId"], 0)

    def _finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.sizes:
            self.sizes[event["requestId"]] = int(event["encodedDataLength"])


def measure(page: Page, context: BrowserContext, url: str, check_typing: bool) -> Visit:
    traffic = Traffic(page, context)
    worker: list[int] = []

    def from_worker(request: Any) -> None:
        if request.service_worker is not None:
            worker.append(0)

    context.on("request", from_worker)
    started = time.time() * 1000
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    # Nothing of Playwright's runs in the page before its `load` event (read from CDP's
    # lifecycle events): its first wait or locator injects Playwright's own script,
    # 30-40 ms of the throttled phone's main thread, which traces showed landing
    # before the first paint of either app at random. The probe records the times.
    page.wait_for_load_state("load", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "window.__firstVisit && window.__firstVisit.data !== null",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    if check_typing:
        email = page.locator('input[type="email"]')
        email.press_sequentially("a@b", timeout=TIMEOUT_MS)
        expect(email).to_have_value("a@b")
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    probe: dict[str, Any] = page.evaluate("window.__firstVisit")
    context.remove_listener("request", from_worker)
    traffic.cdp.detach()
    return Visit(
        lcp_ms=float(probe["lcp"] or probe["usable"]) - started,
        usable_ms=float(probe["usable"]) - started,
        data_ms=float(probe["data"]) - started,
        lcp_tag=str(probe["lcpTag"]),
        bytes=sum(traffic.sizes.values()),
        requests=len(traffic.sizes),
        worker_requests=len(worker),
    )


def fresh_context(browser: Browser, playwright: Playwright, usable: str) -> BrowserContext:
    context = browser.new_context(**playwright.devices["Pixel 7"])
    context.add_init_script(PROBE_JS % json.dumps(usable))
    return context


def cold_visit(browser: Browser, playwright: Playwright, url: str) -> Visit:
    context = fresh_context(browser, playwright, "signIn")
    try:
        return measure(context.new_page(), context, url + "/", check_typing=True)
    finally:
        context.close()


@contextmanager
def throttled_service_workers(browser: Browser) -> Iterator[None]:
    """The service workers running (this visit's: the one before was closed with its
    context) get the page's network conditions while the block runs.

    CDP throttles per target, and a page's conditions do not reach its service
    worker: Rapport's worker fetched a page load from the server at full speed
    (its response 10-40 ms after the navigation started, the blank app's 60+ ms
    behind the 60 ms latency), a head start a phone does not have. Playwright's
    sessions attach to pages only, so the browser's session attaches to each
    worker and sends the commands through it (`Target.sendMessageToTarget`); the
    conditions last as long as that session.
    """
    cdp = browser.new_browser_cdp_session()
    answers: dict[int, dict[str, Any]] = {}

    def answered(event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            answers[int(message["id"])] = message

    cdp.on("Target.receivedMessageFromTarget", answered)
    try:
        number = 0
        for target in cdp.send("Target.getTargets")["targetInfos"]:
            if target["type"] != "service_worker":
                continue
            session = cdp.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
            )["sessionId"]
            for method, params in (
                ("Network.enable", {}),
                ("Network.emulateNetworkConditions", NETWORK),
            ):
                number += 1
                message = {"id": number, "method": method, "params": params}
                cdp.send(
                    "Target.sendMessageToTarget",
                    {"sessionId": session, "message": json.dumps(message)},
                )
                deadline = time.monotonic() + 10
                while number not in answers:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the service worker did not answer {method}")
                    # Events reach this session while Playwright waits for something.
                    cdp.send("Target.getTargets")
                if "error" in answers[number]:
                    raise RuntimeError(f"{method} refused: {answers[number]['error']}")
        yield
    finally:
        cdp.detach()


def warm_visit(browser: Browser, playwright: Playwright, url: str, rapport: bool) -> Visit:
    """A second load: Rapport's Today once signed in, the blank app's `/` again."""
    context = fresh_context(browser, playwright, "today" if rapport else "signIn")
    try:
        first = context.new_page()
        if rapport:
            first.goto(url + "/signin", timeout=TIMEOUT_MS)
            first.get_by_label("Email").fill(REP)
            first.get_by_label("Password").fill(PASSWORD)
            first.get_by_role("button", name="Sign in").click()
            expect(first.get_by_role("heading", name="Today")).to_be_visible(timeout=TIMEOUT_MS)
            # Sign-in ends in a page load: its prerendered heading shows before its scripts run.
            first.wait_for_function("window.swReady !== undefined", timeout=TIMEOUT_MS)
            first.evaluate("window.swReady.then(() => true)")
        else:
            first.goto(url + "/", timeout=TIMEOUT_MS)
        first.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        first.close()
        with throttled_service_workers(browser):
            return measure(context.new_page(), context, url + "/", check_typing=not rapport)
    finally:
        context.close()


def retried(visit: Callable[[], Visit], tries: int = 3) -> Visit:
    """A visit again when one timed out: on a saturated machine a page can stall."""
    for attempt in range(tries):
        try:
            return visit()
        except PlaywrightError as error:
            if attempt == tries - 1:
                raise
            print(f"  (a visit failed, tried again: {str(error).splitlines()[0]})")
    raise AssertionError("unreachable")


def compare(name: str, ours: float, blank: float, ratio: float) -> str | None:
    print(
        f"  {name}: Rapport {ours:.0f} ms / blank {blank:.0f} ms = {ours / blank:.2f}x "
        f"(target <= {ratio}x)"
    )
    if ours > blank * ratio:
        return f"{name}: {ours / blank:.2f}x the blank app's (target {ratio}x)"
    return None


def lighthouse(url: str, runs: int, out: Path) -> dict[str, float]:
    """Median performance score and total blocking time over `runs` Lighthouse runs."""
    env = project_env()
    binary = ROOT / ".tools" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "install", "--silent", "--no-fund", "--no-audit", "--prefix"]
            + [str(ROOT / ".tools"), f"lighthouse@{LIGHTHOUSE_VERSION}"],
            env=env,
            check=True,
        )
    env["CHROME_PATH"] = CHROMIUM
    scores, blocking, lcp = [], [], []
    for run in range(runs):
        report = out / f"lighthouse-{run}.json"
        subprocess.run(
            [str(binary), url, "--only-categories=performance", "--output=json"]
            + [f"--output-path={report}", f"--chrome-path={CHROMIUM}", "--quiet"]
            + ["--chrome-flags=--headless=new --no-sandbox"],
            env=env,
            check=True,
        )
        data = json.loads(report.read_text())
        scores.append(100 * float(data["categories"]["performance"]["score"]))
        blocking.append(float(data["audits"]["total-blocking-time"]["numericValue"]))
        lcp.append(float(data["audits"]["largest-contentful-paint"]["numericValue"]))
    return {
        "score": statistics.median(scores),
        "tbt": statistics.median(blocking),
        "lcp": statistics.median(lcp),
        "scores": scores,  # type: ignore[dict-item]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=5, help="cold and warm visits per app")
    parser.add_argument("--lighthouse", action="store_true", help="run Lighthouse too")
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--skip-visits", action="store_true", help="only Lighthouse")
    args = parser.parse_args(argv)
    os.environ.update(project_env())
    # Playwright reports the service worker's own requests only when asked to.
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    print(machine_line())
    misses: list[str] = []
    cpu_before = os.times()
    with (
        tempfile.TemporaryDirectory(prefix="rapport-first-visit-") as scratch,
        running_app(Path(scratch)) as rapport,
    ):
        blank_folder = Path(scratch) / "blank-app"
        blank_folder.mkdir()
        with blank_app(blank_folder) as blank_url, sync_playwright() as playwright:
            apps = {"Rapport": rapport.url, "blank": blank_url}
            if not args.skip_visits:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                print(
                    f"Chromium {browser.version}, Pixel 7, CPU {CPU_SLOWDOWN}x slower, "
                    f"9 Mbit/s, 60 ms; load average before the visits {load_average()}"
                )
                series = {
                    (app, kind): Series(app, kind) for app in apps for kind in ("cold", "warm")
                }
                for _ in range(args.visits):
                    for app, url in apps.items():
                        series[(app, "cold")].visits.append(
                            retried(lambda url=url: cold_visit(browser, playwright, url))
                        )
                    for app, url in apps.items():
                        series[(app, "warm")].visits.append(
                            retried(
                                lambda url=url, app=app: warm_visit(
                                    browser, playwright, url, app == "Rapport"
                                )
                            )
                        )
                browser.close()
                print(f"medians of {args.visits} visits (load average after {load_average()}):")
                for one in series.values():
                    print(one.line())
                for kind, ratio in (("cold", COLD_RATIO), ("warm", WARM_RATIO)):
                    ours, theirs = series[("Rapport", kind)], series[("blank", kind)]
                    for name, label in (("lcp_ms", "LCP"), ("usable_ms", "usable")):
                        miss = compare(
                            f"{kind} {label}", ours.median(name), theirs.median(name), ratio
                        )
                        if miss:
                            misses.append(miss)
            if args.lighthouse:
                print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile preset, signed-out `/`:")
                found = {}
                for app, url in apps.items():
                    out = Path(scratch) / f"lh-{app}"
                    out.mkdir()
                    found[app] = lighthouse(url + "/", args.lighthouse_runs, out)
                    print(
                        f"  {app:7}: performance {found[app]['score']:.0f} "
                        f"(runs {found[app]['scores']}), TBT {found[app]['tbt']:.0f} ms, "
                        f"LCP {found[app]['lcp']:.0f} ms (load average {load_average()})"
                    )
                if found["Rapport"]["score"] < found["blank"]["score"]:
                    misses.append("Lighthouse: Rapport's performance score below the blank app's")
                if found["Rapport"]["tbt"] >= TBT_LIMIT_MS:
                    tbt = found["Rapport"]["tbt"]
                    misses.append(f"Lighthouse: total blocking time {tbt:.0f} ms")
    cpu_after = os.times()
    cpu = sum(cpu_after[:4]) - sum(cpu_before[:4])
    print(f"CPU seconds of this script and its children (servers, builds): {cpu:.0f} s")
    for miss in misses:
        print("MISS " + miss)
    print("FAIL" if misses else "PASS")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
