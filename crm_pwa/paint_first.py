"""The prerendered pages paint before the app's modules are fetched and run.

React Router ends each prerendered page with an async module script that
imports the route modules statically, and preloads every module the page needs
from the head (`<link rel="modulepreload">`, about 40 on Today). On a warm visit
every one of them is in the service worker's cache: the preloads were each
requested, one after the other, on the page's main thread before the parser
started, and in some visits the script became ready while the page was still
being parsed, so the app's modules were evaluated before the first paint. The blank Reflex
app, with its 11 files, painted first.

After the production build (`post_build`, before the compressed twins are
written), every prerendered page is rewritten so that its module script waits
for the frame that paints the shell, then asks for the same modules (the
preloads added back at that point, so they are fetched at once rather than one
import after the other), imports them in the order the static imports did and
starts React Router's entry module as before. A hidden page (nothing to paint)
does not wait. The Content-Security-Policy hashes the inline scripts of the
built pages (crm_pwa/api/browser_headers.py), so it allows the rewritten ones.

The app's own scripts (`APP_SCRIPTS`: offline capture and lookup, outside
Reflex's websocket) are added by the same script, so they too wait for that
frame: as `defer` scripts in the head their nine requests, each answered by the
service worker, were made and handled on the main thread before the first paint
(40-60 ms of the throttled phone's first 250 ms in traces of a warm Today).
They are not among Reflex's head components: React renders the head, and a page
whose head lacked what React renders failed to hydrate and was drawn again.
Once the page is parsed (as `defer` ran them) they run in their order, while the
app's modules load; React starts once they ran, as before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reflex.plugins import Plugin

_MODULE_SCRIPT = re.compile(r'<script type="module" async="">(.*?)</script>', re.DOTALL)
_MODULE_PRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"/>')
_SIDE_EFFECT_IMPORT = re.compile(r'^import ("[^"]+");?$')
_NAMESPACE_IMPORT = re.compile(r'^import \* as (\w+) from ("[^"]+");$')

# The app's own scripts, in the order they run: each uses the ones before it
# (outbox.js first, pwa.js after the outbox and the contact book).
APP_SCRIPTS = (
    "/outbox.js",
    "/outbox-sync.js",
    "/contactbook.js",
    "/pwa.js",
    "/dom.js",
    "/offline-card.js",
    "/offline.js",
    "/contact_picker.js",
    "/outbox-list.js",
)

# Resolves after the frame that paints what has been parsed: requestAnimationFrame
# runs just before that frame, the timer just after it.
_AFTER_FIRST_PAINT = (
    "if (document.visibilityState !== 'hidden') await new Promise("
    "(painted) => requestAnimationFrame(() => setTimeout(painted, 0)));"
)


def after_first_paint(html: str) -> str:
    """The page with its module script started after the first paint (see module doc)."""
    scripts = _MODULE_SCRIPT.findall(html)
    if not scripts or _AFTER_FIRST_PAINT in scripts[0]:
        return html
    if len(scripts) != 1:
        raise ValueError(f"expected one module script in a prerendered page, found {len(scripts)}")
    preloads = _MODULE_PRELOAD.findall(html)
    lines = [_after_static_imports(line.strip()) for line in scripts[0].splitlines()]
    body = "\n".join(
        [
            _AFTER_FIRST_PAINT,
            f"for (const href of {json.dumps(preloads)}) {{",
            "  const link = document.createElement('link');",
            "  link.rel = 'modulepreload';",
            "  link.href = href;",
            "  document.head.appendChild(link);",
            "}",
            *_app_scripts_in_order(),
            *_entry_after_app_scripts([line for line in lines if line]),
        ]
    )
    html = _MODULE_PRELOAD.sub("", html)
    return _MODULE_SCRIPT.sub(lambda _: f'<script type="module" async="">{body}</script>', html)


def _app_scripts_in_order() -> list[str]:
    """`APP_SCRIPTS`, once the page is parsed, run in order.

    `window.rapportAppScripts` resolves once they ran: they may run after the
    page's `load` event, so that is what waits for them (the browser tests too).
    A script that fails to load (no signal, nothing cached) does not stop the app.
    """
    return [
        "window.rapportAppScripts = (async () => {",
        "  if (document.readyState === 'loading') await new Promise(",
        "    (parsed) => document.addEventListener('DOMContentLoaded', parsed, {once: true}));",
        f"  await Promise.all({json.dumps(list(APP_SCRIPTS))}.map((src) => new Promise((ran) => {{",
        "    const script = document.createElement('script');",
        "    script.src = src;",
        "    script.async = false;",
        "    script.onload = script.onerror = ran;",
        "    document.head.appendChild(script);",
        "  })));",
        "})();",
    ]


def _entry_after_app_scripts(lines: list[str]) -> list[str]:
    """React Router's last line starts the app (its entry module): after the scripts ran."""
    if not lines or not lines[-1].startswith("import("):
        raise ValueError("a module script that does not end by importing the app's entry")
    return [*lines[:-1], "await window.rapportAppScripts;", lines[-1]]


def _after_static_imports(line: str) -> str:
    """A static import as an awaited dynamic one: same modules, same order."""
    if found := _SIDE_EFFECT_IMPORT.match(line):
        return f"await import({found.group(1)});"
    if found := _NAMESPACE_IMPORT.match(line):
        return f"const {found.group(1)} = await import({found.group(2)});"
    if line.startswith("import ") or " from " in line:
        raise ValueError(f"a module script line this rewrite does not know: {line!r}")
    return line


class PaintFirst(Plugin):
    """Rewrites every prerendered page of the production build (`after_first_paint`)."""

    def post_build(self, **context: Any) -> None:
        static_dir: Path = context["static_dir"]
        for page in sorted(static_dir.rglob("*.html")):
            text = page.read_text(encoding="utf-8")
            rewritten = after_first_paint(text)
            if rewritten != text:
                page.write_text(rewritten, encoding="utf-8")
