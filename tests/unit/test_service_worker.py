"""The service worker served at /sw.js belongs to one build of the frontend."""

from __future__ import annotations

import json
import re
from pathlib import Path

from crm_pwa.api.service_worker import render_service_worker


def _build(root: Path, script: str) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<html>shell</html>")
    (root / "__spa-fallback.html").write_text("<html>fallback</html>")
    (root / "signin.html").write_text("<html>prerendered</html>")
    (root / "assets" / script).write_text("console.log(1)")
    (root / "assets" / f"{script}.gz").write_bytes(b"\x1f\x8b")
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


def test_precache_lists_the_shell_when_the_build_has_pages_and_assets(tmp_path: Path) -> None:
    worker = render_service_worker(_build(tmp_path / "one", "entry-aaaa.js"))
    precache = re.search(r"const PRECACHE = (\[.*?\]);", worker)
    assert precache
    assert set(json.loads(precache.group(1))) == {
        "/",
        "/__spa-fallback.html",
        "/assets/entry-aaaa.js",
    }
