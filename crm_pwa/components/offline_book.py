"""Places on every signed-in page that assets/offline.js fills in the browser.

Offline, no Reflex event reaches the server, so nothing here may depend on page
state: React renders empty containers, and the script puts the offline contact
book (search, tap to call, log a note into the outbox) and the "Waiting to sync"
list of outbox items into them. The script waits until React owns a container before
touching it, so hydration never meets nodes it did not render.
"""

from __future__ import annotations

import reflex as rx


def offline_book() -> rx.Component:
    """The contact book on this phone; shown while the app cannot reach the server."""
    return rx.el.div(data_offline_panel="", width="100%")


def waiting_list() -> rx.Component:
    """The outbox items still on this phone, each with its state (assets/outbox-list.js)."""
    return rx.el.div(data_outbox_list="", width="100%")


def storage_notice() -> rx.Component:
    """Shown by assets/pwa.js when the browser refuses to store anything (quota, private mode)."""
    return rx.el.p(
        "This phone won't let Rapport keep anything (its storage is full, or the browser is "
        "in private mode): everything works while you have a signal, but contacts and notes "
        "cannot be kept for when you have none.",
        data_storage_notice="",
        role="status",
        hidden=True,
        class_name="rp-notice",
    )
