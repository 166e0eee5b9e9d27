"""Reflex configuration; every value that differs between machines comes from settings."""

import reflex as rx
from reflex.constants import StateManagerMode

from crm_pwa import app_server
from crm_pwa.paint_first import PaintFirst
from crm_pwa.settings import get_settings

# A worker that dies is replaced, and a stop waits a bounded time (crm_pwa/app_server.py).
app_server.install()

_settings = get_settings()
# The Reflex CLI reads this file before it sets REFLEX_ENV_MODE (`--env prod`):
# forget these settings so the app, imported later, reads them with the mode set.
get_settings.cache_clear()

config = rx.Config(
    app_name="crm_pwa",
    redis_url=_settings.redis_url,
    # Several workers share the pages' state through Redis. One worker keeps it in
    # memory: Reflex's default, a file per tab, wrote every change to disk and
    # stat-ed every tab's file to expire them, 7 % of a lone worker's time under
    # 200 reps. A page whose worker restarts hydrates again from its token.
    state_manager_mode=StateManagerMode.REDIS if _settings.redis_url else StateManagerMode.MEMORY,
    telemetry_enabled=False,
    # Reflex's default, "*", echoes any Origin with credentials; the app's own
    # pages are same-origin and need no entry here.
    cors_allowed_origins=list(_settings.allowed_origins),
    show_built_with_reflex=False,
    # Brotli sidecars, written once at build time, are a fifth smaller than gzip;
    # the server picks brotli when the browser accepts it, else gzip.
    frontend_compression_formats=["brotli", "gzip"],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            # "inherit" follows the phone's light or dark setting; assets/theme.css
            # mends the Radix colours that fall short of WCAG AA in either.
            theme=rx.theme(
                appearance="inherit", accent_color="teal", gray_color="slate", radius="medium"
            )
        ),
        # The prerendered pages paint before the app's modules run (docs/first-visit.md).
        PaintFirst(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
