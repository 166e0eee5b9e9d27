"""Merge on the contact card: find the same person entered twice, confirm, keep one card."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.base import Var

from crm_pwa.components.field import TAP, labelled, submit_button, text_input
from crm_pwa.components.section import folded, problem
from crm_pwa.pages.contact_state import ContactState
from crm_pwa.services.contact_list import search_contacts
from crm_pwa.services.contact_merge import merge_contacts
from crm_pwa.services.errors import ServiceError
from crm_pwa.state.session import in_database

# Enough to spot a duplicate by name; a longer list means the search was too loose.
CANDIDATES = 8


@dataclass(frozen=True)
class MergeCandidate:
    id: str
    name: str
    company: str


class MergeState(ContactState):
    candidates: rx.Field[list[MergeCandidate]] = rx.field(default_factory=list)
    searched: rx.Field[bool] = rx.field(False)
    picked_id: rx.Field[str] = rx.field("")
    picked_name: rx.Field[str] = rx.field("")
    merge_error: rx.Field[str] = rx.field("")

    @rx.event
    async def find(self, form: dict[str, Any]) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        text = str(form.get("merge_query", "")).strip()
        self.merge_error = ""
        self.picked_id = self.picked_name = ""
        try:
            found = await in_database(
                lambda session: (
                    search_contacts(
                        session=session, actor=actor, q=text, limit=CANDIDATES + 1
                    ).items
                )
            )
        except ServiceError as refused:
            self.merge_error = refused.message
            return None
        self.searched = True
        self.candidates = [
            MergeCandidate(id=str(item.id), name=item.name, company=item.company)
            for item in found
            if str(item.id) != self.card_id
        ][:CANDIDATES]
        return None

    @rx.event
    def pick(self, candidate_id: str, name: str) -> None:
        self.picked_id, self.picked_name = candidate_id, name

    @rx.event
    async def merge(self) -> EventSpec | None:
        other_id, card_id = self.picked_id, self.card_id
        self.picked_id = self.picked_name = ""
        outcome = await self._change(
            "merge_error",
            lambda session, actor, now: merge_contacts(
                session=session,
                actor=actor,
                contact_id=uuid.UUID(card_id),
                other_id=uuid.UUID(other_id),
                now=now,
            ),
        )
        # Merged: the card now shows the other contact's history as its own.
        if outcome is True:
            self.candidates, self.searched = [], False
        return outcome if isinstance(outcome, EventSpec) else None


# Reflex's typing of a decorated handler hides that calling it binds arguments.
_pick = cast(Callable[[str | Var[str], str | Var[str]], EventSpec], MergeState.pick)


def _candidate(item: MergeCandidate) -> rx.Component:
    return rx.button(
        rx.vstack(
            rx.text(item.name, weight="bold"),
            rx.text(item.company, size="2", color="var(--gray-11)"),
            spacing="0",
            align="start",
        ),
        on_click=_pick(item.id, item.name),
        aria_label=f"Merge {item.name} into this contact",
        variant="soft",
        color_scheme="gray",
        min_height=TAP,
        height="auto",
        padding="8px 12px",
        width="100%",
        justify="start",
        key=item.id,
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Merge these contacts?"),
            rx.alert_dialog.description(
                MergeState.picked_name,
                "'s notes, follow-ups, complaints and opportunities move to ",
                ContactState.header.name,
                ", empty details are filled from it, and ",
                MergeState.picked_name,
                " is removed. This cannot be undone.",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep both",
                        size="3",
                        min_height=TAP,
                        variant="soft",
                        color_scheme="gray",
                        on_click=_pick("", ""),
                    ),
                ),
                rx.alert_dialog.action(
                    rx.button("Merge", size="3", min_height=TAP, on_click=MergeState.merge),
                ),
                justify="end",
                spacing="2",
                padding_top="12px",
            ),
        ),
        open=MergeState.picked_id != "",
    )


def merge_section() -> rx.Component:
    """Folded under the card: search for the other contact, tap it, confirm."""
    return folded(
        "Merge with another contact",
        rx.vstack(
            rx.form(
                rx.hstack(
                    labelled(
                        "Find the other contact",
                        text_input("merge_query", autocomplete="off", required=True),
                        flex="1",
                    ),
                    submit_button("Find"),
                    align="end",
                    spacing="2",
                    width="100%",
                ),
                on_submit=MergeState.find,
                reset_on_submit=False,
                width="100%",
            ),
            problem(MergeState.merge_error),
            rx.foreach(MergeState.candidates, _candidate),
            rx.cond(
                MergeState.searched & (MergeState.candidates.length() == 0),
                rx.text("No other contact matches.", color="var(--gray-11)"),
            ),
            _confirm(),
            spacing="2",
            width="100%",
        ),
    )
