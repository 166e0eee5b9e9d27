"""The event the browser-side scripts wait for instead of watching the whole document.

assets/pwa.js, offline.js and outbox-list.js fill containers React renders (the
outbox badge, the offline panel, the waiting list). React says when it has drawn
them: `page_signal()` fires `crm-page` on `window` when it is mounted and when it
is taken down. Every page shell holds one (a new page, or the first one once
React owns the prerendered HTML), and so does each loading placeholder (the
page's data arrived, or it is still awaited).
"""

from __future__ import annotations

import reflex as rx
from reflex.components.base.fragment import Fragment
from reflex.utils.imports import ImportDict, ImportVar
from reflex.vars.base import Var

PAGE_EVENT = "crm-page"

_SIGNAL_HOOK = (
    "useEffect(() => {"
    f" window.dispatchEvent(new Event('{PAGE_EVENT}'));"
    f" return () => window.dispatchEvent(new Event('{PAGE_EVENT}'));"
    " }, []);"
)


class _Signal(Fragment):  # type: ignore[misc]  # Reflex ships no types for it
    def add_imports(self) -> ImportDict:
        return {"react": [ImportVar(tag="useEffect")]}

    def add_hooks(self) -> list[str | Var[str]]:
        return [_SIGNAL_HOOK]


@rx.memo
def page_signal() -> rx.Component:
    """A component of its own, so its effect runs with its own mount, not its page's."""
    return _Signal.create()
