"""A rep's page: the state behind the manager's drill-down and the book handover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from crm_pwa import clock, routes
from crm_pwa.components.when import short_date
from crm_pwa.domain.rounding import whole
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.handover import HandoverCounts, HandoverFilter, HandoverRequest, hand_over
from crm_pwa.services.rep_page import REP_NOT_FOUND, Person, RepPage, people_in_view, rep_page
from crm_pwa.state.session import SessionState, in_database


@dataclass
class Line:
    """One row of a list on the rep's page: a contact to open, and what is wrong there."""

    key: str
    href: str
    name: str
    detail: str


@dataclass
class PersonLink:
    id: str
    name: str
    href: str


def counts_text(counts: HandoverCounts) -> str:
    return (
        f"{counts.contacts} contacts, {counts.open_follow_ups} open follow-ups, "
        f"{counts.opportunities} opportunities, {counts.open_complaints} open complaints"
    )


class RepState(SessionState):
    found: bool = False
    error: str = ""
    rep_name: str = ""
    score: int | None = None
    band: str = "new"
    trend: str = "steady"
    at_risk: list[Line] = []
    overdue: list[Line] = []
    complaints: list[Line] = []
    history: list[list[str]] = []
    chart: list[dict[str, float | str | None]] = []
    team: list[PersonLink] = []
    receivers: list[PersonLink] = []
    hand_to: str = ""
    hand_tier: str = ""
    preview: str = ""
    handover_done: str = ""
    handover_error: str = ""

    def _rep_id(self) -> str:
        # Reflex installs the route's [rep_id] as a state var at runtime.
        return str(getattr(self, "rep_id", ""))

    def _show(self, page: RepPage, team: list[PersonLink]) -> None:
        rep = page.rep
        self.found = True
        self.error = ""
        self.rep_name = rep.name
        self.score = None if rep.score is None else whole(rep.score)
        self.band = rep.band
        self.trend = rep.trend
        self.at_risk = [
            Line(str(c.contact_id), routes.contact(str(c.contact_id)), c.name, "; ".join(c.reasons))
            for c in rep.at_risk
        ]
        self.overdue = [
            Line(
                f"{f.contact_id}:{number}",
                routes.contact(str(f.contact_id)),
                f.contact_name,
                f"{f.title} · due {short_date(f.due_on, page.today)}",
            )
            for number, f in enumerate(page.overdue)
        ]
        self.complaints = [
            Line(
                f"{c.contact_id}:{number}",
                routes.contact(str(c.contact_id)),
                c.contact_name,
                f"{c.summary} · since {short_date(c.opened_at.date(), page.today)}",
            )
            for number, c in enumerate(page.complaints)
        ]
        self.history = [
            [week[-3:], "—" if score is None else f"{score:.1f}"] for week, score in page.history
        ]
        self.chart = [{"week": week[-3:], "rep": score} for week, score in page.history]
        self.team = team
        self.receivers = [person for person in team if person.id != self._rep_id()]
        if self.hand_to not in {person.id for person in self.receivers}:
            self.hand_to = ""

    async def _refresh(self, actor: Actor) -> None:
        try:
            rep_id = uuid.UUID(self._rep_id())
        except ValueError:
            self.found, self.error = False, REP_NOT_FOUND
            return

        def read(session: Session) -> tuple[RepPage, list[Person]]:
            page = rep_page(session=session, actor=actor, rep_id=rep_id, now=clock.now())
            return page, people_in_view(session, actor)

        try:
            page, people = await in_database(read)
        except ServiceError as refused:
            self.found, self.error = False, refused.message
            return
        team = [PersonLink(str(p.id), p.name, routes.rep(str(p.id))) for p in people]
        self._show(page, team)

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.found = False
        self.preview = self.handover_done = self.handover_error = ""
        await self._refresh(actor)
        return None

    @rx.event
    def choose_receiver(self, value: str) -> None:
        self.hand_to = value
        self.preview = ""

    @rx.event
    def choose_tier(self, value: str) -> None:
        self.hand_tier = value
        self.preview = ""

    async def _hand_over(self, *, dry_run: bool) -> HandoverCounts | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return None
        if not self.hand_to:
            self.handover_error = "Choose who takes the book over."
            return None
        request = HandoverRequest(
            to=uuid.UUID(self.hand_to),
            filter=HandoverFilter(tier=self.hand_tier or None),
            dry_run=dry_run,
        )
        giver_id = uuid.UUID(self._rep_id())
        try:
            counts = await in_database(
                lambda session: hand_over(
                    session=session,
                    actor=actor,
                    giver_id=giver_id,
                    request=request,
                    now=clock.now(),
                )
            )
        except ServiceError as refused:
            self.handover_error = refused.message
            return None
        self.handover_error = ""
        return counts

    @rx.event
    async def preview_handover(self) -> EventSpec | None:
        counts = await self._hand_over(dry_run=True)
        if counts is None:
            return self._to_sign_in() if not self.signed_in else None
        self.handover_done = ""
        self.preview = f"Would move {counts_text(counts)}."
        return None

    @rx.event
    async def confirm_handover(self) -> EventSpec | None:
        counts = await self._hand_over(dry_run=False)
        if counts is None:
            return self._to_sign_in() if not self.signed_in else None
        receiver = next((p.name for p in self.receivers if p.id == self.hand_to), "")
        self.preview = ""
        self.handover_done = f"Handed over to {receiver}: {counts_text(counts)}."
        actor = await self._actor_off_loop()
        if actor is not None:
            await self._refresh(actor)
        return None
