"""The prerendered pages start the app's modules after their first paint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_pwa.api.browser_headers import inline_script_hashes
from crm_pwa.paint_first import APP_SCRIPTS, PaintFirst, after_first_paint

# What React Router's <Scripts> writes into a prerendered page (the head's preloads,
# the inline module script near the end of the body), cut down to two routes.
PAGE = (
    '<html><head><link rel="modulepreload" href="/assets/manifest-1.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-2.js"/>'
    '<link rel="modulepreload" href="/assets/root-3.js"/>'
    '<link rel="stylesheet" href="/assets/styles-4.css"/></head><body><h1>Today</h1>'
    "<script>window.__reactRouterContext = {};</script>"
    '<script type="module" async="">import "/assets/manifest-1.js";\n'
    'import * as route0 from "/assets/root-3.js";\n'
    'import * as route1 from "/assets/_index-5.js";\n'
    '  \n  window.__reactRouterRouteModules = {"root":route0,"routes/_index":route1};\n\n'
    'import("/assets/entry.client-2.js");</script></body></html>'
)


def test_the_head_preloads_no_module_and_the_script_waits_for_a_painted_frame() -> None:
    page = after_first_paint(PAGE)
    head = page.split("</head>")[0]
    assert "modulepreload" not in head
    assert '<link rel="stylesheet" href="/assets/styles-4.css"/>' in head
    script = page.split('<script type="module" async="">')[1].split("</script>")[0]
    lines = script.splitlines()
    assert "requestAnimationFrame(() => setTimeout(painted, 0))" in lines[0]
    # The preloads come back once the frame is painted, all at once, in their order.
    assert '["/assets/manifest-1.js", "/assets/entry.client-2.js", "/assets/root-3.js"]' in lines[1]
    # The app's own scripts too, once the page is parsed, in their order; React starts
    # (the entry module) once they ran, the other modules load meanwhile.
    scripts = script.index(json.dumps(list(APP_SCRIPTS)))
    assert script.index("DOMContentLoaded") < scripts < script.index("await import(")
    assert "    script.async = false;" in lines
    assert lines[-6:] == [
        'await import("/assets/manifest-1.js");',
        'const route0 = await import("/assets/root-3.js");',
        'const route1 = await import("/assets/_index-5.js");',
        'window.__reactRouterRouteModules = {"root":route0,"routes/_index":route1};',
        "await window.rapportAppScripts;",
        'import("/assets/entry.client-2.js");',
    ]
    # Everything else on the page is as React Router wrote it.
    assert "<script>window.__reactRouterContext = {};</script>" in page
    assert "<h1>Today</h1>" in page


def test_a_page_without_the_module_script_is_left_as_it_is() -> None:
    page = '<html><head><link rel="modulepreload" href="/assets/a-1.js"/></head></html>'
    assert after_first_paint(page) == page


def test_an_import_the_rewrite_does_not_know_stops_the_build() -> None:
    page = PAGE.replace("import * as route1 from", "import { x } from")
    with pytest.raises(ValueError, match="does not know"):
        after_first_paint(page)


def test_a_script_that_does_not_end_by_starting_the_app_stops_the_build() -> None:
    page = PAGE.replace('import("/assets/entry.client-2.js");', "start();")
    with pytest.raises(ValueError, match="entry"):
        after_first_paint(page)


def test_the_build_is_rewritten_in_place_and_the_policy_hashes_what_is_served(
    tmp_path: Path,
) -> None:
    (tmp_path / "contacts").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "contacts" / "index.html").write_text(PAGE)
    PaintFirst().post_build(static_dir=tmp_path)
    for page in (tmp_path / "index.html", tmp_path / "contacts" / "index.html"):
        assert page.read_text() == after_first_paint(PAGE)
    assert inline_script_hashes([after_first_paint(PAGE)]) != inline_script_hashes([PAGE])
    # Rewriting a rewritten page changes nothing (a second post_build is harmless).
    assert after_first_paint(after_first_paint(PAGE)) == after_first_paint(PAGE)
