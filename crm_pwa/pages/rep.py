"""A rep's page, from Team: at-risk contacts, overdue follow-ups, open complaints, the trend,
and handing the book over. From 1024 px the team's list stands beside it."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa import routes
from crm_pwa.components.contact_row import TIER_LABELS
from crm_pwa.components.field import FIELD_STYLE, labelled
from crm_pwa.components.health_badge import health_badge
from crm_pwa.components.rep_card import trend_label
from crm_pwa.components.section import card_link, section
from crm_pwa.components.shell import TAP, back_link, loading_rows, page_shell, two_columns
from crm_pwa.domain.contact_rules import TIERS
from crm_pwa.pages.rep_state import Line, PersonLink, RepState


def _line(line: ObjectVar[Line]) -> rx.Component:
    return rx.el.li(
        card_link(
            rx.text(line.name, weight="bold"),
            rx.text(line.detail, size="2", color="var(--gray-11)"),
            href=line.href,
            padding="10px 4px",
            min_height=TAP,
        ),
        style={"list_style": "none", "border_bottom": "1px solid var(--gray-5)"},
    )


def _listed(title: str, lines: rx.Var[list[Line]], empty: str) -> rx.Component:
    return section(
        title,
        rx.cond(
            lines,
            rx.el.ul(
                rx.foreach(lines, _line),
                aria_label=title,
                style={"margin": "0", "padding": "0"},
            ),
            rx.text(empty, color="var(--gray-11)"),
        ),
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.hstack(
            health_badge(RepState.band, RepState.score),
            trend_label(cast(rx.Var[str], RepState.trend)),
            rx.spacer(),
            rx.link(
                "All their contacts",
                href=routes.CONTACTS,
                min_height=TAP,
                display="flex",
                align_items="center",
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        role="region",
        aria_label="Relationship health",
        width="100%",
    )


def _trend() -> rx.Component:
    chart = cast(rx.Var[list[dict[str, Any]]], RepState.chart)
    return section(
        "Health, last 12 weeks",
        rx.box(
            rx.recharts.line_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.x_axis(data_key="week"),
                rx.recharts.y_axis(domain=[0, 100], width=40),
                rx.recharts.line(
                    data_key="rep",
                    name="Score",
                    stroke="var(--teal-11)",
                    stroke_width=3,
                    connect_nulls=True,
                    is_animation_active=False,
                ),
                data=chart,
                width="100%",
                height=200,
            ),
            role="img",
            aria_label="Line chart of this rep's weekly health score",
            width="100%",
        ),
        rx.el.details(
            rx.el.summary(
                "Show the scores as a table", style={"min_height": TAP, "padding": "12px 0"}
            ),
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(rx.el.th("Week", scope="col"), rx.el.th("Score", scope="col"))
                ),
                rx.el.tbody(
                    rx.foreach(
                        RepState.history,
                        lambda row: rx.el.tr(rx.el.td(row[0]), rx.el.td(row[1])),
                    )
                ),
                style={"width": "100%", "text_align": "left"},
            ),
        ),
    )


def _select(
    label: str, value: str | rx.Var[str], on_change: Any, *options: rx.Component
) -> rx.Component:
    return labelled(
        label,
        rx.el.select(
            *options, value=value, on_change=on_change, aria_label=label, style=FIELD_STYLE
        ),
        flex="1 1 160px",
    )


def _handover() -> rx.Component:
    return section(
        "Hand over the book",
        rx.text(
            "Moves this rep's contacts, with their open follow-ups, opportunities and open "
            "complaints, to a colleague. Notes keep their author.",
            color="var(--gray-11)",
        ),
        rx.flex(
            _select(
                "Hand over to",
                RepState.hand_to,
                RepState.choose_receiver,
                rx.el.option("Choose a person", value=""),
                rx.foreach(
                    RepState.receivers,
                    lambda person: rx.el.option(person.name, value=person.id),
                ),
            ),
            _select(
                "Which contacts",
                RepState.hand_tier,
                RepState.choose_tier,
                rx.el.option("All tiers", value=""),
                *(rx.el.option(f"{TIER_LABELS[t]} tier only", value=t) for t in TIERS),
            ),
            gap="8px",
            wrap="wrap",
            width="100%",
        ),
        rx.button(
            "Preview handover",
            on_click=RepState.preview_handover,
            size="3",
            variant="soft",
            min_height=TAP,
        ),
        rx.cond(
            RepState.handover_error != "",
            rx.callout(
                RepState.handover_error, icon="triangle-alert", color_scheme="red", role="alert"
            ),
        ),
        rx.cond(
            RepState.preview != "",
            rx.vstack(
                rx.text(RepState.preview, weight="medium", role="status", data_handover_preview=""),
                rx.button(
                    "Confirm handover",
                    on_click=RepState.confirm_handover,
                    size="3",
                    color_scheme="red",
                    min_height=TAP,
                ),
                spacing="2",
            ),
        ),
        rx.cond(
            RepState.handover_done != "",
            rx.callout(RepState.handover_done, icon="check", color_scheme="green", role="status"),
        ),
    )


def _detail() -> rx.Component:
    return rx.vstack(
        _summary(),
        _listed(
            "At risk", cast(rx.Var[list[Line]], RepState.at_risk), "No relationship is at risk."
        ),
        _listed(
            "Overdue follow-ups",
            cast(rx.Var[list[Line]], RepState.overdue),
            "No follow-up is overdue.",
        ),
        _listed(
            "Open complaints",
            cast(rx.Var[list[Line]], RepState.complaints),
            "No complaint is open.",
        ),
        _trend(),
        _handover(),
        spacing="5",
        width="100%",
    )


def _team_link(person: ObjectVar[PersonLink]) -> rx.Component:
    return rx.el.li(
        rx.link(
            person.name,
            href=person.href,
            display="flex",
            align_items="center",
            min_height=TAP,
            padding_x="8px",
            weight=rx.cond(person.name == RepState.rep_name, "bold", "regular"),
            underline="none",
        ),
        style={"list_style": "none", "border_bottom": "1px solid var(--gray-5)"},
    )


def _team_list() -> rx.Component:
    return rx.vstack(
        rx.heading("Your team", size="4", as_="h2"),
        rx.el.ul(rx.foreach(RepState.team, _team_link), style={"margin": "0", "padding": "0"}),
        width="100%",
    )


def rep_page() -> rx.Component:
    return page_shell(
        rx.cond(RepState.found, RepState.rep_name, "Rep"),
        rx.cond(
            RepState.found,
            two_columns(_team_list(), _detail(), "Team"),
            rx.cond(
                RepState.error != "",
                rx.callout(RepState.error, icon="lock", color_scheme="red", role="alert"),
                loading_rows(),
            ),
        ),
        back=back_link("Back to team", routes.TEAM),
    )
