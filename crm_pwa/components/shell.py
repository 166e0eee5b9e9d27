"""The phone-first frame of every signed-in page: a header, the main content, a bottom navigation.

From 1024 px (assets/theme.css) the same navigation stands as a column on the
left and the page uses the width; `two_columns` puts a list beside its detail.

Everything sits inside a landmark (banner, main, navigation) so a screen reader
can jump between them; the page's one `h1` is in the header. Pages below the
bottom navigation (a contact card, the contact form) get a back link there.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from crm_pwa import routes
from crm_pwa.components.offline_book import offline_book, storage_notice, waiting_list
from crm_pwa.components.page_signal import page_signal
from crm_pwa.state.session import SessionState

TAP = "48px"


def _nav_link(label: str, icon: str, href: str) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.icon(icon, size=22, aria_hidden="true"),
            rx.text(label, size="1", weight="medium"),
            align="center",
            spacing="0",
        ),
        href=href,
        aria_label=label,
        min_height="56px",
        min_width=TAP,
        flex="1",
        display="flex",
        align_items="center",
        justify_content="center",
        color="var(--gray-12)",
        underline="none",
    )


def bottom_nav() -> rx.Component:
    return rx.el.nav(
        _nav_link("Today", "sun", routes.TODAY),
        _nav_link("Contacts", "users", routes.CONTACTS),
        rx.cond(SessionState.is_manager, _nav_link("Team", "chart-line", routes.TEAM)),
        _nav_link("Settings", "settings", routes.SETTINGS),
        aria_label="Main",
        class_name="app-nav",
        style={
            "position": "fixed",
            "bottom": "0",
            "left": "0",
            "right": "0",
            "display": "flex",
            "background": "var(--color-panel-solid)",
            "border_top": "1px solid var(--gray-6)",
            "padding_bottom": "env(safe-area-inset-bottom)",
            "z_index": "10",
        },
    )


def offline_banner() -> rx.Component:
    # Shown and filled by assets/pwa.js: it must work while the server is unreachable.
    return rx.el.div(
        rx.icon("wifi-off", size=18, aria_hidden="true"),
        rx.el.span("Offline — notes are kept on this phone and sent when you're back."),
        data_offline_banner="",
        role="status",
        hidden=True,
        style={
            "display": "flex",
            "gap": "8px",
            "align_items": "center",
            "padding": "10px 16px",
            "background": "#7a2e00",
            "color": "white",
            "font_weight": "600",
        },
    )


def outbox_badge() -> rx.Component:
    # Shown by assets/pwa.js whenever something waits in the outbox, online or not.
    return rx.el.span(
        rx.el.span("0", data_outbox_count=""),
        " waiting to sync",
        data_outbox_badge="",
        role="status",
        hidden=True,
        style={
            "font_weight": "600",
            "color": "var(--amber-12)",
            "background": "var(--amber-3)",
            "border": "1px solid var(--amber-8)",
            "border_radius": "999px",
            "padding": "4px 10px",
            "white_space": "nowrap",
        },
    )


def back_link(label: str, href: str | Var[str]) -> rx.Component:
    """The way up from a page the bottom navigation does not lead to, e.g. "Back to contacts"."""
    return rx.link(
        rx.icon("chevron-left", size=22, aria_hidden="true"),
        "Back",
        href=href,
        size="3",
        aria_label=label,
        min_height=TAP,
        min_width=TAP,
        display="flex",
        align_items="center",
        gap="2px",
        margin_left="-8px",
        padding_right="8px",
        weight="medium",
        underline="none",
    )


def page_shell(
    title: str | Var[str],
    *children: rx.Component,
    back: rx.Component | None = None,
    placeholder: rx.Component | None = None,
) -> rx.Component:
    """`placeholder` stands in for the page until the session is known (default: grey rows)."""
    return rx.box(
        rx.el.header(
            offline_banner(),
            rx.hstack(
                *([back] if back is not None else []),
                rx.heading(title, size="6", as_="h1", overflow_wrap="anywhere"),
                rx.spacer(),
                outbox_badge(),
                padding="16px",
                align="center",
                width="100%",
            ),
        ),
        rx.el.main(
            # Outside the signed-in condition: offline, no server event ever sets it.
            storage_notice(),
            waiting_list(),
            offline_book(),
            rx.cond(
                SessionState.signed_in,
                rx.box(*children, padding_x="16px", padding_bottom="96px", width="100%"),
                # offline.js hides the placeholder while the offline book stands in for the page.
                loading_rows(data_shell_loading="") if placeholder is None else placeholder,
            ),
        ),
        bottom_nav(),
        page_signal(),
        class_name="app-shell",
        max_width="720px",
        margin_x="auto",
        min_height="100vh",
        overflow_x="hidden",
    )


def loading_rows(**marker: str) -> rx.Component:
    """Grey rows where the page's lists will be, while its data is on the way.

    The page's own heading and navigation are drawn around it at once (no spinner);
    `marker` (`data_shell_loading` or `data_card_loading`) tells offline.js the page
    still waits for the server, and the signal tells it when that ends.
    """
    return rx.box(
        page_signal(),
        *[rx.box(class_name="app-skeleton") for _ in range(4)],
        role="status",
        aria_label="Loading",
        padding="16px",
        width="100%",
        **marker,
    )


def two_columns(aside: rx.Component, detail: rx.Component, label: str) -> rx.Component:
    """From 1024 px, `aside` (a list) beside `detail` (what was picked); below, the detail alone.

    The aside is display:none on a phone, so it is out of the accessibility tree there too.
    """
    return rx.box(
        rx.el.aside(aside, aria_label=label, class_name="app-aside"),
        rx.box(detail, class_name="app-detail", min_width="0"),
        class_name="app-columns",
        width="100%",
    )
