"""Reflex configuration; every value that differs between machines comes from settings."""

import reflex as rx

from crm_pwa.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="crm_pwa",
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            # "inherit" follows the phone's light or dark setting; assets/theme.css
            # mends the Radix colours that fall short of WCAG AA in either.
            theme=rx.theme(
                appearance="inherit", accent_color="teal", gray_color="slate", radius="medium"
            )
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
