"""A short, human name for the browser or app behind a request, for the audit log.

"Chrome on Android" tells an admin which device signed in; the full user-agent
string would be noise, and it is never needed to decide anything.
"""

from __future__ import annotations

import re

MAX_LABEL = 200
# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """'Chrome on Android', 'Safari on iPhone'; a script's own name ('python-httpx/0.28')."""
    agent = user_agent.strip()
    if not agent:
        return "unknown device"
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    # Not a browser: its first product token says what it is.
    first = re.split(r"\s", agent, maxsplit=1)[0]
    return first[:MAX_LABEL]
