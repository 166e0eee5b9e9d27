"""Today's lists as this phone last saw them, drawn while the server's answer is on the way.

A warm visit of Today (signed in, the code cached) painted its heading and
navigation at once, but its lists only once React had started, the websocket had
opened and `TodayState.load` had answered: on a throttled phone one to three
seconds of grey rows, and the largest paint of the page came with them. Now:

- `last_known_saver()`, mounted with the lists, keeps their HTML and the Emotion
  rules they use in localStorage, tagged with the session that saw them, when
  they are drawn and when the page is hidden;
- `last_known_rows()` stands where the grey rows stood: an empty container React
  owns through `dangerouslySetInnerHTML` (which it neither compares when it
  hydrates nor touches when it renders again), filled from localStorage by an
  inline script (`last_known_script()`, after the page's shell) as the
  prerendered page is parsed (so the first paint holds the lists), or by a
  layout effect when React mounts it (before that frame is painted). The grey
  rows and the `Loading` status stay under it, the rows hidden by
  assets/theme.css while it holds something: the page still says it waits.

The copy is `inert` (no tap, no focus, out of the accessibility tree: its links
and buttons have no handlers, and a screen reader hears "Loading" until the real
lists replace it). A copy saved under another session is never drawn; leaving
for sign-in (`leave_for_sign_in`) and assets/pwa.js, when the token goes, forget it.
"""

from __future__ import annotations

import reflex as rx
from reflex.components.base.fragment import Fragment
from reflex.utils.imports import ImportDict, ImportVar
from reflex.vars.base import Var

from crm_pwa.components.shell import loading_rows
from crm_pwa.state.session import LAST_TODAY_KEY as STORAGE_KEY
from crm_pwa.state.session import TOKEN_KEY

CONTAINER = "data-last-known"
SOURCE = "data-last-known-source"

# A tag of the stored token (FNV-1a): copies of another session are never drawn,
# and no second copy of the token is kept. Written without `<`, `>` and `&`, since
# it also runs as an inline script (raw text in the HTML).
_SESSION_JS = f"""function () {{
  var token = (localStorage.getItem('{TOKEN_KEY}') || '').replace(/"/g, '').trim();
  var tag = -2128831035;
  for (var i = 0; i !== token.length; i++) tag = Math.imul(tag ^ token.charCodeAt(i), 16777619);
  return token ? String(tag) : '';
}}"""

_FILL_JS = f"""function (box) {{
  try {{
    if (!box || box.firstChild) return;
    var saved = JSON.parse(localStorage.getItem('{STORAGE_KEY}') || 'null');
    var session = ({_SESSION_JS})();
    if (!saved || !session || saved.session !== session) return;
    var style = document.createElement('style');
    style.textContent = saved.css;
    box.appendChild(style);
    box.insertAdjacentHTML('beforeend', saved.html);
  }} catch (e) {{
    /* No localStorage, or a copy that does not parse: the grey rows stay. */
  }}
}}"""

# Runs as the prerendered page is parsed, after the page's navigation: a script
# in the middle of the page let the parser yield there, and the page's own module
# scripts ran before the navigation below it was parsed (it was drawn up to 600 ms
# after the lists on a throttled phone).
FILL_SCRIPT = f"document.querySelectorAll('[{CONTAINER}]').forEach({_FILL_JS});"

_HOOKS_CODE = f"""
const lastKnownFill = {_FILL_JS};
const lastKnownSession = {_SESSION_JS};
function lastKnownSave() {{
  try {{
    const source = document.querySelector('[{SOURCE}]');
    const session = lastKnownSession();
    if (!source || !session) return;
    const html = source.outerHTML;
    const classes = new Set(html.match(/css-[a-z0-9]+/g) || []);
    let css = '';
    for (const sheet of document.styleSheets) {{
      // Emotion's rules are in the page's own <style> elements, never in a file.
      if (sheet.href) continue;
      let rules;
      try {{ rules = sheet.cssRules; }} catch (e) {{ continue; }}
      for (const rule of rules) {{
        const name = rule.cssText.match(/\\.(css-[a-z0-9]+)/);
        if (name && classes.has(name[1])) css += rule.cssText;
      }}
    }}
    localStorage.setItem('{STORAGE_KEY}', JSON.stringify({{session, html, css}}));
  }} catch (e) {{
    /* Storage full or refused: the next visit shows grey rows, as before. */
  }}
}}
"""

_FILL_HOOK = (
    "useLayoutEffect(() => {"
    f" document.querySelectorAll('[{CONTAINER}]').forEach(lastKnownFill);"
    " }, []);"
)

# Saved once the lists are drawn (after the frame, off the paint's way) and again
# whenever the page is hidden, so the copy follows what changed while it was open.
_SAVE_HOOK = (
    "useEffect(() => {"
    " const timer = setTimeout(lastKnownSave, 500);"
    " const hidden = () => { if (document.visibilityState === 'hidden') lastKnownSave(); };"
    " document.addEventListener('visibilitychange', hidden);"
    " window.addEventListener('pagehide', lastKnownSave);"
    " return () => { clearTimeout(timer);"
    " document.removeEventListener('visibilitychange', hidden);"
    " window.removeEventListener('pagehide', lastKnownSave); };"
    " }, []);"
)


class _Fill(Fragment):  # type: ignore[misc]  # Reflex ships no types for it
    def add_imports(self) -> ImportDict:
        return {"react": [ImportVar(tag="useLayoutEffect")]}

    def add_custom_code(self) -> list[str]:
        return [_HOOKS_CODE]

    def add_hooks(self) -> list[str | Var[str]]:
        return [_FILL_HOOK]


class _Save(Fragment):  # type: ignore[misc]  # Reflex ships no types for it
    def add_imports(self) -> ImportDict:
        return {"react": [ImportVar(tag="useEffect")]}

    def add_custom_code(self) -> list[str]:
        return [_HOOKS_CODE]

    def add_hooks(self) -> list[str | Var[str]]:
        return [_SAVE_HOOK]


@rx.memo
def _last_known_fill() -> rx.Component:
    """A component of its own, so its effect runs when the container is mounted."""
    return _Fill.create()


@rx.memo
def last_known_saver() -> rx.Component:
    """Keeps the lists marked `last_known_source()` when they are drawn and on leaving."""
    return _Save.create()


def last_known_source() -> dict[str, str]:
    """The attribute that marks what `last_known_saver()` keeps."""
    return {SOURCE.replace("-", "_"): ""}


def last_known_script() -> rx.Component:
    """Draws the copy in the prerendered page; placed after the page's shell."""
    return rx.el.script(FILL_SCRIPT)


def last_known_rows(**marker: str) -> rx.Component:
    """The last lists seen here (when this session saw some), else grey rows; still `Loading`."""
    return rx.fragment(
        rx.html(
            "",
            class_name="app-last-known",
            custom_attrs={"inert": True, CONTAINER: ""},
        ),
        _last_known_fill(),
        loading_rows(**marker),
    )
