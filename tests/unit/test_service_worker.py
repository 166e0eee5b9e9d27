"""The service worker served at /sw.js belongs to one build of the frontend."""

from __future__ import annotations

import json
import re
from pathlib import Path

from crm_pwa.api.service_worker import render_service_worker


def _route(path: str | None, module: str, *imports: str) -> dict[str, object]:
    return {"path": path, "module": module, "imports": list(imports), "css": []}


def _build(root: Path, script: str) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    manifest = {
        "entry": {"module": f"/assets/{script}", "imports": ["/assets/react-1111.js"]},
        "routes": {
            "root": _route("", "/assets/root-2222.js", "/assets/react-1111.js"),
            "routes/_index": _route(None, "/assets/_index-3333.js"),
            "routes/[contacts]._index": _route("contacts", "/assets/_contacts_-4444.js"),
            "routes/[team]._index": _route(
                "team", "/assets/_team_-5555.js", "/assets/chart-6666.js"
            ),
        },
        "url": "/assets/manifest-7777.js",
    }
    (root / "assets" / "manifest-7777.js").write_text(
        f"window.__reactRouterManifest={json.dumps(manifest)};"
    )
    (root / "index.html").write_text(
        '<html><link rel="preload" as="style" href="/assets/styles-8888.css"/>shell</html>'
    )
    (root / "__spa-fallback.html").write_text("<html>fallback</html>")
    (root / "signin.html").write_text("<html>prerendered</html>")
    (root / "pwa.js").write_text("register()")
    (root / "icons" / "icon-192.png").write_bytes(b"png")
    for name in (
        script,
        "react-1111.js",
        "root-2222.js",
        "_index-3333.js",
        "_contacts_-4444.js",
        "_team_-5555.js",
        "chart-6666.js",
        "styles-8888.css",
    ):
        (root / "assets" / name).write_text("console.log(1)")
    (root / "assets" / f"{script}.gz").write_bytes(b"\x1f\x8b")
    (root / "assets" / f"{script}.br").write_bytes(b"br")
    return root


def _build_id(worker: str) -> str:
    found = re.search(r"const BUILD_ID = \"([0-9a-f]+)\";", worker)
    assert found, "the worker names its build"
    return found.group(1)


def test_cache_names_change_when_the_build_changes(tmp_path: Path) -> None:
    first = render_service_worker(_build(tmp_path / "one", "entry-aaaa.js"))
    second = render_service_worker(_build(tmp_path / "two", "entry-bbbb.js"))
    assert _build_id(first) != _build_id(second)
    assert "`rapport-shell-${BUILD_ID}`" in first and "'__BUILD_ID__'" not in first


def test_cache_names_stay_when_the_same_build_is_served_again(tmp_path: Path) -> None:
    build = _build(tmp_path / "one", "entry-aaaa.js")
    assert _build_id(render_service_worker(build)) == _build_id(render_service_worker(build))


def _precache(worker: str) -> set[str]:
    precache = re.search(r"const PRECACHE = (\[.*?\]);", worker)
    assert precache
    return set(json.loads(precache.group(1)))


def test_precache_lists_the_rep_shell_when_the_build_has_pages_and_assets(tmp_path: Path) -> None:
    worker = render_service_worker(_build(tmp_path / "one", "entry-aaaa.js"))
    assert _precache(worker) == {
        "/",
        "/__spa-fallback.html",
        "/pwa.js",
        "/icons/icon-192.png",
        "/assets/entry-aaaa.js",
        "/assets/react-1111.js",
        "/assets/root-2222.js",
        "/assets/_index-3333.js",
        "/assets/_contacts_-4444.js",
        "/assets/styles-8888.css",
        "/assets/manifest-7777.js",
    }


def test_team_chart_is_not_precached_when_a_rep_opens_the_app(tmp_path: Path) -> None:
    precache = _precache(render_service_worker(_build(tmp_path / "one", "entry-aaaa.js")))
    assert "/assets/_team_-5555.js" not in precache
    assert "/assets/chart-6666.js" not in precache


def test_precache_trusts_the_http_cache_only_for_hashed_files() -> None:
    worker = (Path(__file__).resolve().parents[2] / "assets" / "sw.js").read_text()
    assert "cache: 'reload'" not in worker
    assert "HASHED.test(url) ? 'default' : 'no-cache'" in worker
