"""Today: what needs the rep now — overdue, due today, who to reach out to, complaints waiting."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import cast

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar

from crm_pwa import clock, routes
from crm_pwa.components.complaint_item import ComplaintView, complaint_link, waiting_label
from crm_pwa.components.contact_row import TIER_LABELS
from crm_pwa.components.follow_up_item import FollowUpView, follow_up_link, follow_up_view
from crm_pwa.components.health_badge import health_badge
from crm_pwa.components.import_link import empty_book
from crm_pwa.components.last_known import (
    last_known_rows,
    last_known_saver,
    last_known_script,
    last_known_source,
)
from crm_pwa.components.section import card_link
from crm_pwa.components.shell import page_shell
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import local_day
from crm_pwa.domain.rounding import whole
from crm_pwa.services.actor import Actor
from crm_pwa.services.team import RepSummary, rep_summary
from crm_pwa.services.today import ReachOut, TodayFollowUp, TodayView, today_view
from crm_pwa.state.session import SessionState

TREND_WORDS = {"up": "Trending up", "down": "Trending down", "steady": "Steady"}


@dataclass(frozen=True)
class ReachOutView:
    id: str
    href: str
    name: str
    detail: str


@dataclass(frozen=True)
class RelationshipsView:
    band: str = "new"
    score: int | None = None
    trend: str = ""
    at_risk: str = ""


def _reach_out_view(contact: ReachOut) -> ReachOutView:
    talked = (
        "never talked"
        if contact.never_contacted
        else f"last talked {contact.days_since_last} d ago"
    )
    company = f"{contact.company} · " if contact.company else ""
    return ReachOutView(
        id=str(contact.id),
        href=routes.contact(str(contact.id)),
        name=contact.name,
        detail=f"{company}{TIER_LABELS.get(contact.tier, contact.tier)}, {talked}",
    )


def _relationships_view(summary: RepSummary) -> RelationshipsView:
    return RelationshipsView(
        band=summary.band,
        score=None if summary.score is None else whole(summary.score),
        trend=TREND_WORDS[summary.trend],
        at_risk=f"{summary.at_risk} of {summary.scored} scored relationships at risk",
    )


def _read_today(actor: Actor, today: date) -> tuple[TodayView, RepSummary]:
    with session_scope() as session:
        return (
            today_view(session=session, actor=actor, today=today),
            rep_summary(session=session, actor=actor, today=today),
        )


class TodayState(SessionState):
    loaded: rx.Field[bool] = rx.field(False)
    overdue: rx.Field[list[FollowUpView]] = rx.field(default_factory=list)
    due_today: rx.Field[list[FollowUpView]] = rx.field(default_factory=list)
    reach_out: rx.Field[list[ReachOutView]] = rx.field(default_factory=list)
    waiting: rx.Field[list[ComplaintView]] = rx.field(default_factory=list)
    relationships: RelationshipsView = RelationshipsView()
    book_empty: rx.Field[bool] = rx.field(False)

    @rx.event
    async def load(self) -> EventSpec | None:
        # The first page after sign-in, opened by many at once: its queries run on
        # a worker thread so the event loop keeps answering everyone else.
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        today = local_day(clock.now(), actor.time_zone)
        view, summary = await asyncio.to_thread(_read_today, actor, today)

        def follow_up(line: TodayFollowUp) -> FollowUpView:
            return follow_up_view(
                follow_up_id=str(line.id),
                title=line.title,
                status=line.status,
                due_on=line.due_on,
                snooze_until=line.snooze_until,
                today=today,
                contact_name=line.contact_name,
                href=routes.contact(str(line.contact_id)),
            )

        self.overdue = [follow_up(line) for line in view.overdue]
        self.due_today = [follow_up(line) for line in view.due_today]
        self.reach_out = [_reach_out_view(contact) for contact in view.reach_out]
        self.waiting = [
            ComplaintView(
                id=str(line.id),
                summary=line.summary,
                opened="",
                waiting=waiting_label(line.days_open, stale=True),
                resolved=False,
                resolution="",
                contact_name=line.contact_name,
                href=routes.contact(str(line.contact_id)),
            )
            for line in view.stale_complaints
        ]
        self.relationships = _relationships_view(summary)
        self.book_empty = view.book_empty
        self.loaded = True
        return None


def _section(title: str, count: rx.Var[int], *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.heading(title, " (", count.to_string(), ")", size="4", as_="h2"),
        *children,
        style={"display": "flex", "flex_direction": "column", "gap": "8px", "width": "100%"},
    )


def _reach_out_link(item: ObjectVar[ReachOutView]) -> rx.Component:
    return card_link(
        rx.text(item.name, weight="bold", size="3"),
        rx.text(item.detail, size="2", color="var(--gray-11)"),
        key=item.id,
        href=item.href,
        min_height="56px",
        padding="8px 12px",
        border="1px solid var(--gray-6)",
        border_radius="10px",
    )


def _empty(text: str) -> rx.Component:
    return rx.text(text, color="var(--gray-11)")


def _relationships() -> rx.Component:
    # Read on the class, a state var is a Var of its value, with one Var per field.
    summary = cast(ObjectVar[RelationshipsView], TodayState.relationships)
    return rx.box(
        rx.hstack(
            rx.heading("Your relationships", size="4", as_="h2"),
            rx.spacer(),
            health_badge(summary.band, summary.score),
            align="center",
            width="100%",
        ),
        rx.text(summary.trend, " · ", summary.at_risk, size="2", color="var(--gray-11)"),
        rx.text(
            rx.el.span("0", data_outbox_count=""),
            " waiting to sync from this phone",
            size="2",
            color="var(--gray-11)",
        ),
        padding="12px",
        border_radius="12px",
        background="var(--gray-2)",
        border="1px solid var(--gray-6)",
        width="100%",
    )


def _lists() -> rx.Component:
    return rx.vstack(
        _relationships(),
        _section(
            "Overdue",
            TodayState.overdue.length(),
            rx.foreach(TodayState.overdue, follow_up_link),
            rx.cond(TodayState.overdue.length() == 0, _empty("Nothing overdue.")),
        ),
        _section(
            "Due now",
            TodayState.due_today.length(),
            rx.foreach(TodayState.due_today, follow_up_link),
            rx.cond(TodayState.due_today.length() == 0, _empty("Nothing due now.")),
        ),
        _section(
            "Reach out this week",
            TodayState.reach_out.length(),
            rx.foreach(TodayState.reach_out, _reach_out_link),
            rx.cond(
                TodayState.book_empty,
                empty_book(),
                rx.cond(TodayState.reach_out.length() == 0, _empty("Everyone is in rhythm.")),
            ),
        ),
        _section(
            "Complaints waiting",
            TodayState.waiting.length(),
            rx.foreach(TodayState.waiting, complaint_link),
            rx.cond(TodayState.waiting.length() == 0, _empty("No complaint is waiting.")),
        ),
        spacing="5",
        width="100%",
    )


def today_page() -> rx.Component:
    # Until the server answers, the lists this phone saw last stand in for grey
    # rows, from the first paint of the page on (components/last_known.py).
    return rx.fragment(
        page_shell(
            "Today",
            rx.cond(
                TodayState.loaded,
                rx.vstack(
                    rx.text("Hello, ", SessionState.user_name, size="4"),
                    _lists(),
                    last_known_saver(),
                    spacing="4",
                    width="100%",
                    **last_known_source(),
                ),
                last_known_rows(),
            ),
            placeholder=last_known_rows(data_shell_loading=""),
        ),
        last_known_script(),
    )
