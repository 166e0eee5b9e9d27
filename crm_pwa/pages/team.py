"""Team: relationship health of a manager's reps, week by week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.object import ObjectVar

from crm_pwa import clock, routes
from crm_pwa.components.health_badge import health_badge
from crm_pwa.components.rep_card import rep_card, trend_label
from crm_pwa.components.shell import TAP, loading_rows, page_shell
from crm_pwa.components.team_chart import SERIES_STYLES, team_chart, team_chart_table
from crm_pwa.domain.days import local_day
from crm_pwa.domain.rounding import whole
from crm_pwa.domain.week import iso_week, parse_iso_week, previous_weeks
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.team import HISTORY_WEEKS, TeamHealth, team_health
from crm_pwa.state.session import SessionState, in_database


@dataclass
class RepCard:
    user_id: str
    href: str
    name: str
    score: int | None
    band: str
    trend: str
    at_risk: int
    overdue: int
    complaints: int


@dataclass
class AtRiskRow:
    contact_id: str
    href: str
    name: str
    rep: str
    score: int | None
    reasons: list[str] = field(default_factory=list)


def _whole(score: float | None) -> int | None:
    return None if score is None else whole(score)


def week_label(week: str) -> str:
    """The week picker's label, e.g. "W47 · 16–22 Nov": short enough for a 360 px screen."""
    monday, sunday = parse_iso_week(week)
    start = f"{monday.day} {monday:%b}" if monday.month != sunday.month else str(monday.day)
    return f"{week[-3:]} · {start}–{sunday.day} {sunday:%b}"


def _chart(health: TeamHealth) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    keys = {rep.user_id: f"rep{number}" for number, rep in enumerate(health.reps)}
    rows = []
    for point in health.history:
        row: dict[str, Any] = {"week": point.week[-3:], "team": point.team}
        row.update({keys[user_id]: score for user_id, score in point.reps.items()})
        rows.append(row)
    series = [{"key": "team", "name": "Team", "width": 3}] + [
        {"key": keys[rep.user_id], "name": rep.name, "width": 2} for rep in health.reps
    ]
    for number, line in enumerate(series):
        line["colour"], line["dash"] = SERIES_STYLES[number % len(SERIES_STYLES)]
    return rows, series


class TeamState(SessionState):
    allowed: bool = False
    loaded: bool = False
    error: str = ""
    week: str = ""
    weeks: list[list[str]] = []
    team_score: int | None = None
    team_score_text: str = ""
    team_band: str = "new"
    team_trend: str = "steady"
    reps: list[RepCard] = []
    at_risk: list[AtRiskRow] = []
    chart: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    table_header: list[str] = []
    table_rows: list[list[str]] = []

    @rx.var
    def is_oldest_week(self) -> bool:
        return not self.weeks or self.week == self.weeks[-1][0]

    @rx.var
    def is_newest_week(self) -> bool:
        return not self.weeks or self.week == self.weeks[0][0]

    async def _show(self, actor: Actor, week: str | None) -> None:
        today = local_day(clock.now(), actor.time_zone)
        try:
            health = await in_database(
                lambda session: team_health(
                    session=session, actor=actor, week=week, now=clock.now()
                )
            )
        except ServiceError as refused:
            self.error = refused.message
            return
        current = iso_week(today)
        self.error = ""
        self.week = health.week
        self.weeks = [
            [w, week_label(w)]
            for w in reversed([*previous_weeks(current, HISTORY_WEEKS - 1), current])
        ]
        self.team_score = _whole(health.team.score)
        self.team_score_text = "—" if health.team.score is None else f"{health.team.score:.1f}"
        self.team_band = health.team.band
        self.team_trend = health.team.trend
        names = {rep.user_id: rep.name for rep in health.reps}
        self.reps = [
            RepCard(
                user_id=str(rep.user_id),
                href=routes.rep(str(rep.user_id)),
                name=rep.name,
                score=_whole(rep.score),
                band=rep.band,
                trend=rep.trend,
                at_risk=len(rep.at_risk),
                overdue=rep.overdue_follow_ups,
                complaints=rep.open_complaints,
            )
            for rep in health.reps
        ]
        self.at_risk = sorted(
            (
                AtRiskRow(
                    contact_id=str(contact.contact_id),
                    href=routes.contact(str(contact.contact_id)),
                    name=contact.name,
                    rep=names[rep.user_id],
                    score=contact.score,
                    reasons=list(contact.reasons),
                )
                for rep in health.reps
                for contact in rep.at_risk
            ),
            key=lambda row: (row.score or 0, row.name),
        )
        self.chart, self.series = _chart(health)
        self.table_header = ["Week", *(line["name"] for line in self.series)]
        self.table_rows = [
            [
                row["week"],
                *(
                    "—" if row.get(line["key"]) is None else f"{row[line['key']]:.1f}"
                    for line in self.series
                ),
            ]
            for row in self.chart
        ]
        self.loaded = True

    @rx.event
    async def load(self) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        self.allowed = actor.sees_team
        if self.allowed:
            await self._show(actor, None)
        return None

    async def _go_to(self, week: str) -> EventSpec | None:
        actor = await self._actor_off_loop()
        if actor is None:
            return self._to_sign_in()
        await self._show(actor, week)
        return None

    @rx.event
    async def choose_week(self, week: str) -> EventSpec | None:
        return await self._go_to(week)

    async def _step(self, weeks: int) -> EventSpec | None:
        monday, _ = parse_iso_week(self.week)
        return await self._go_to(iso_week(monday + timedelta(weeks=weeks)))

    @rx.event
    async def previous_week(self) -> EventSpec | None:
        return await self._step(-1)

    @rx.event
    async def next_week(self) -> EventSpec | None:
        return await self._step(1)


def _week_picker() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left", aria_hidden="true"),
            on_click=TeamState.previous_week,
            disabled=TeamState.is_oldest_week,
            aria_label="Previous week",
            variant="soft",
            size="3",
            min_height=TAP,
            min_width=TAP,
        ),
        rx.el.select(
            rx.foreach(TeamState.weeks, lambda w: rx.el.option(w[1], value=w[0])),
            value=TeamState.week,
            on_change=TeamState.choose_week,
            aria_label="Week",
            style={
                "flex": "1",
                "min_width": "0",
                "min_height": TAP,
                "padding": "0 8px",
                "border_radius": "8px",
                "border": "1px solid var(--gray-7)",
                "background": "var(--color-panel-solid)",
                "font_size": "16px",
            },
        ),
        rx.icon_button(
            rx.icon("chevron-right", aria_hidden="true"),
            on_click=TeamState.next_week,
            disabled=TeamState.is_newest_week,
            aria_label="Next week",
            variant="soft",
            size="3",
            min_height=TAP,
            min_width=TAP,
        ),
        width="100%",
        align="center",
    )


def _team_summary() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading("Team score", size="3", as_="h2"),
                rx.text(TeamState.team_score_text, size="7", weight="bold", data_team_score=""),
                spacing="1",
            ),
            rx.spacer(),
            rx.vstack(
                health_badge(TeamState.team_band, TeamState.team_score),
                trend_label(cast(rx.Var[str], TeamState.team_trend)),
                align="end",
                spacing="2",
            ),
            width="100%",
            align="center",
        ),
        width="100%",
        role="region",
        aria_label="Team score",
    )


def _reasons(reasons: rx.Var[list[str]]) -> rx.Component:
    return rx.el.ul(
        rx.foreach(reasons, lambda reason: rx.el.li(reason)),
        style={"margin": "4px 0 0", "padding_left": "20px", "color": "var(--gray-11)"},
    )


def _at_risk_row(row: ObjectVar[AtRiskRow]) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.hstack(
                    rx.text(row.name, weight="bold"),
                    rx.spacer(),
                    health_badge("at_risk", row.score),
                    width="100%",
                    align="center",
                ),
                rx.text(row.rep, size="1", color="var(--gray-11)"),
                _reasons(row.reasons),
                spacing="1",
                width="100%",
            ),
            href=row.href,
            underline="none",
            color="inherit",
            display="block",
            padding="12px",
            min_height=TAP,
        ),
        data_at_risk=row.contact_id,
        style={"border_bottom": "1px solid var(--gray-5)", "list_style": "none"},
    )


def _team_view() -> rx.Component:
    chart = cast(rx.Var[list[dict[str, Any]]], TeamState.chart)
    series = cast(rx.Var[list[dict[str, Any]]], TeamState.series)
    return rx.vstack(
        _week_picker(),
        rx.cond(
            TeamState.error != "",
            rx.callout(TeamState.error, icon="triangle-alert", color_scheme="red", role="alert"),
        ),
        _team_summary(),
        rx.heading("Reps", size="4", as_="h2"),
        rx.grid(
            rx.foreach(TeamState.reps, rep_card),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="3",
            width="100%",
        ),
        rx.heading("Weekly score, last 12 weeks", size="4", as_="h2"),
        rx.card(
            team_chart(chart, series),
            team_chart_table(
                cast(rx.Var[list[str]], TeamState.table_header),
                cast(rx.Var[list[list[str]]], TeamState.table_rows),
            ),
            width="100%",
        ),
        rx.heading("At risk", size="4", as_="h2"),
        rx.cond(
            TeamState.at_risk,
            rx.card(
                rx.el.ul(
                    rx.foreach(TeamState.at_risk, _at_risk_row),
                    aria_label="Relationships at risk",
                    style={"margin": "0", "padding": "0"},
                ),
                width="100%",
                padding="0",
            ),
            rx.text("No relationship is at risk this week.", color="var(--gray-11)"),
        ),
        spacing="4",
        width="100%",
    )


def team_page() -> rx.Component:
    return page_shell(
        "Team",
        rx.cond(
            TeamState.allowed,
            rx.cond(TeamState.loaded, _team_view(), loading_rows()),
            rx.callout(
                "Not allowed: the team page is for managers.",
                icon="lock",
                color_scheme="red",
                role="alert",
            ),
        ),
    )
