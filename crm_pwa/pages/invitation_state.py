"""One invitation's page state: its preview while a draft, then sending, the guest list,
attendance with the follow-ups it offers, and the counts.

Each handler reads its inputs, calls one service on a worker thread and shows the
invitation as it now is. The SMTP progress is polled by a background event, so the
page stays usable while the copies go out.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import reflex as rx
from pydantic import ValidationError
from reflex.event import EventSpec
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.pages.invitation_rows import (
    KIND_LABELS,
    STATE_LABELS,
    Count,
    FollowUpRow,
    GuestRow,
    result_counts,
    when_label,
)
from crm_pwa.services import follow_ups
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import NotFound, ServiceError
from crm_pwa.services.invitation_guests import mark_attended, mark_sent, set_guest_status
from crm_pwa.services.invitation_models import InvitationPreview, Results, SendProgress
from crm_pwa.services.invitation_results import invitation_results
from crm_pwa.services.invitation_sending import sending_progress
from crm_pwa.services.invitations import include_guest, preview_invitation, send_invitation
from crm_pwa.services.note_input import describe_validation_error
from crm_pwa.state.session import SessionState, in_database

POLL_SECONDS = 1.0

Change = Callable[[Session, Actor, uuid.UUID], Any]


def _read(
    session: Session, actor: Actor, invitation_id: uuid.UUID
) -> tuple[InvitationPreview, SendProgress, Results]:
    preview = preview_invitation(
        session=session, actor=actor, invitation_id=invitation_id, now=clock.now()
    )
    progress = sending_progress(session=session, actor=actor, invitation_id=invitation_id)
    results = invitation_results(session=session, actor=actor, invitation_id=invitation_id)
    return preview, progress, results


def _refusal(refused: Exception) -> str:
    if isinstance(refused, ValidationError):
        return describe_validation_error(refused)
    return getattr(refused, "message", str(refused))


class InvitationState(SessionState):
    found: rx.Field[bool] = rx.field(False)
    missing: rx.Field[bool] = rx.field(False)
    shown_id: rx.Field[str] = rx.field("")
    title: rx.Field[str] = rx.field("")
    kind: rx.Field[str] = rx.field("")
    when: rx.Field[str] = rx.field("")
    place: rx.Field[str] = rx.field("")
    message: rx.Field[str] = rx.field("")
    owner_name: rx.Field[str] = rx.field("")
    state: rx.Field[str] = rx.field("")
    state_label: rx.Field[str] = rx.field("")
    channel: rx.Field[str] = rx.field("")
    send_error: rx.Field[str] = rx.field("")
    invited: rx.Field[list[GuestRow]] = rx.field(default_factory=list)
    excluded: rx.Field[list[GuestRow]] = rx.field(default_factory=list)
    # The excluded guest whose "Include anyway" waits for a confirmation.
    confirming: rx.Field[str] = rx.field("")
    confirming_name: rx.Field[str] = rx.field("")
    total: rx.Field[int] = rx.field(0)
    sent: rx.Field[int] = rx.field(0)
    failed: rx.Field[int] = rx.field(0)
    pending: rx.Field[int] = rx.field(0)
    polling: rx.Field[bool] = rx.field(False)
    # The guests ticked for "Mark attended".
    chosen: rx.Field[list[str]] = rx.field(default_factory=list)
    offers: rx.Field[list[FollowUpRow]] = rx.field(default_factory=list)
    counts: rx.Field[list[Count]] = rx.field(default_factory=list)
    notice: rx.Field[str] = rx.field("")
    notice_is_error: rx.Field[bool] = rx.field(False)
    # The signed-in rep's zone, for the event's date.
    _time_zone: str = "UTC"

    @rx.var
    def percent_sent(self) -> int:
        return round(100 * (self.sent + self.failed) / self.total) if self.total else 0

    @rx.var
    def to_send_by_hand(self) -> int:
        return sum(1 for guest in self.invited if guest.mailto)

    def _route_invitation_id(self) -> str:
        # Reflex installs the route's [invitation_id] as a state var at runtime.
        return str(getattr(self, "invitation_id", ""))

    def _show(self, preview: InvitationPreview, progress: SendProgress, results: Results) -> None:
        invitation = preview.invitation
        self.found = True
        self.missing = False
        self.shown_id = str(invitation.id)
        self.title = invitation.title
        self.kind = KIND_LABELS.get(invitation.kind, invitation.kind)
        self.when = when_label(invitation.starts_at, self._time_zone)
        self.place = invitation.place
        self.message = invitation.message
        self.owner_name = invitation.owner_name
        self.state = invitation.state
        self.state_label = STATE_LABELS.get(invitation.state, invitation.state)
        self.channel = invitation.channel
        self.send_error = progress.error or invitation.send_error
        self.invited = [GuestRow.of(line) for line in preview.invited]
        self.excluded = [GuestRow.of(line) for line in preview.excluded]
        self.total = progress.total
        self.sent = progress.sent
        self.failed = progress.failed
        self.pending = progress.pending
        self.counts = result_counts(results)
        on_list = {guest.contact_id for guest in self.invited}
        self.chosen = [contact_id for contact_id in self.chosen if contact_id in on_list]

    async def _reload(self, actor: Actor) -> None:
        self._time_zone = actor.time_zone
        try:
            invitation_id = uuid.UUID(self.shown_id)
            read = await in_database(lambda session: _read(session, actor, invitation_id))
        except (ValueError, NotFound):
            self.found = False
            self.missing = True
            return
        self._show(*read)

    def _say(self, words: str, *, error: bool = False) -> None:
        self.notice = words
        self.notice_is_error = error

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        route_id = self._route_invitation_id()
        if route_id != self.shown_id:
            self.found = False
            self.offers = []
            self.chosen = []
        self.shown_id = route_id
        self.confirming = ""
        self._say("")
        await self._reload(actor)
        return InvitationState.watch_sending if self._sending_by_smtp() else None

    def _sending_by_smtp(self) -> bool:
        return self.state == "sending" and self.channel == "smtp"

    async def _change(self, change: Change, done: str) -> Any:
        """Runs one service call on this invitation, then shows it as it now is.

        Answers the service's result, or None when it refused (the refusal is shown).
        """
        actor = await self._actor_off_loop()
        if actor is None:
            return None
        try:
            invitation_id = uuid.UUID(self.shown_id)
            answer = await in_database(lambda session: change(session, actor, invitation_id))
        except (ServiceError, ValidationError, ValueError) as refused:
            self._say(_refusal(refused), error=True)
            await self._reload(actor)
            return None
        self._say(done)
        await self._reload(actor)
        return answer

    @rx.event
    def ask_to_include(self, contact_id: str, name: str) -> None:
        self.confirming = contact_id
        self.confirming_name = name

    @rx.event
    def keep_excluded(self) -> None:
        self.confirming = ""

    @rx.event
    async def include(self) -> None:
        if not self.confirming:
            return
        contact_id = uuid.UUID(self.confirming)
        name = self.confirming_name
        self.confirming = ""
        await self._change(
            lambda session, actor, invitation_id: include_guest(
                session=session,
                actor=actor,
                invitation_id=invitation_id,
                contact_id=contact_id,
                confirm=True,
                now=clock.now(),
            ),
            f"{name} will be invited.",
        )

    @rx.event
    async def send(self) -> EventSpec | None:
        progress = await self._change(
            lambda session, actor, invitation_id: send_invitation(
                session=session, actor=actor, invitation_id=invitation_id, now=clock.now()
            ),
            "",
        )
        if progress is None:
            return None
        if progress.channel == "mailto":
            self._say("Ready: tap each guest below to write to them from your mail app.")
            return None
        self._say("Sending: the invitations go out in the background.")
        return InvitationState.watch_sending

    @rx.event(background=True)
    async def watch_sending(self) -> None:
        """Polls the SMTP run's progress until it stops, without holding the page."""
        async with self:
            if self.polling:
                return
            self.polling = True
        try:
            while True:
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    actor = await self._actor_off_loop()
                    if actor is None:
                        return
                    await self._reload(actor)
                    if not self._sending_by_smtp() or self.send_error:
                        return
        finally:
            async with self:
                self.polling = False

    @rx.event
    async def sent_by_hand(self, contact_id: str, name: str) -> None:
        chosen = uuid.UUID(contact_id)
        await self._change(
            lambda session, actor, invitation_id: mark_sent(
                session=session,
                actor=actor,
                invitation_id=invitation_id,
                contact_id=chosen,
                now=clock.now(),
            ),
            f"Marked sent to {name}; it is on their timeline.",
        )

    @rx.event
    async def answer(self, contact_id: str, status: str) -> None:
        chosen = uuid.UUID(contact_id)
        await self._change(
            lambda session, actor, invitation_id: set_guest_status(
                session=session,
                actor=actor,
                invitation_id=invitation_id,
                contact_id=chosen,
                status=status,
                now=clock.now(),
            ),
            "Answer saved.",
        )

    @rx.event
    def toggle_chosen(self, contact_id: str, ticked: bool) -> None:
        others = [chosen for chosen in self.chosen if chosen != contact_id]
        self.chosen = [*others, contact_id] if ticked else others

    @rx.event
    async def attended(self) -> None:
        chosen = [uuid.UUID(contact_id) for contact_id in self.chosen]
        attendance = await self._change(
            lambda session, actor, invitation_id: mark_attended(
                session=session,
                actor=actor,
                invitation_id=invitation_id,
                contact_ids=chosen,
                now=clock.now(),
            ),
            "",
        )
        if attendance is None:
            return
        self.chosen = []
        self.offers = [FollowUpRow.of(offer) for offer in attendance.follow_ups]
        names = ", ".join(line.name for line in attendance.attended)
        self._say(f"Marked attended: {names}. A meeting is on each timeline.")

    @rx.event
    async def add_follow_up(self, form: dict[str, Any]) -> None:
        contact_id = str(form.get("contact_id", ""))
        offer = next((o for o in self.offers if o.contact_id == contact_id), None)
        if offer is None:
            return
        title = str(form.get("title", "")) or offer.title
        try:
            due_on = date.fromisoformat(str(form.get("due_on", "")) or offer.due_on)
        except ValueError:
            self._say("Choose the day the follow-up is due.", error=True)
            return
        added = await self._change(
            lambda session, actor, _invitation_id: follow_ups.add_follow_up(
                session=session,
                actor=actor,
                contact_id=uuid.UUID(contact_id),
                title=title,
                due_on=due_on,
                now=clock.now(),
            ),
            f"Follow-up added for {offer.name}.",
        )
        if added is not None:
            self.offers = [o for o in self.offers if o.contact_id != contact_id]

    @rx.event
    def skip_follow_up(self, contact_id: str) -> None:
        self.offers = [offer for offer in self.offers if offer.contact_id != contact_id]
