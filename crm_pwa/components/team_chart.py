"""The team's and each rep's weekly score as lines, with the same numbers as a table."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

# Distinct in hue and in dash pattern, so the lines can be told apart without colour.
# Radix step 11 is dark on a light page and light on a dark one: each line stands
# out from the background (3:1 or more) in either mode.
SERIES_STYLES = (
    ("var(--teal-11)", ""),
    ("var(--blue-11)", "6 3"),
    ("var(--orange-11)", "2 3"),
    ("var(--violet-11)", "10 4 2 4"),
    ("var(--grass-11)", "4 4"),
    ("var(--crimson-11)", "1 2"),
)


def _line(series: ObjectVar[Any]) -> rx.Component:
    return rx.recharts.line(
        data_key=series["key"],
        name=series["name"],
        stroke=series["colour"],
        stroke_dasharray=series["dash"],
        stroke_width=series["width"],
        # The default dots take the theme's accent colour whatever the line's.
        dot=False,
        active_dot={"r": 4},
        connect_nulls=True,
        is_animation_active=False,
        type_="monotone",
    )


def team_chart(data: Var[list[dict[str, Any]]], series: Var[list[dict[str, Any]]]) -> rx.Component:
    """`data`: one dict per week ({"week": "W47", <series key>: score}); `series`: the lines."""
    return rx.box(
        rx.recharts.line_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="week"),
            rx.recharts.y_axis(domain=[0, 100], width=40),
            rx.recharts.tooltip(),
            rx.recharts.legend(),
            rx.foreach(series, _line),
            data=data,
            width="100%",
            height=260,
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        ),
        role="img",
        aria_label="Line chart of the team's and each rep's weekly health score",
        data_team_chart="",
        width="100%",
    )


def team_chart_table(header: Var[list[str]], rows: Var[list[list[str]]]) -> rx.Component:
    """The chart's numbers, for screen readers and anyone who prefers them.

    `header`: "Week" and the series names; `rows`: one list of cells per week.
    """
    return rx.el.details(
        rx.el.summary(
            "Show the scores as a table", style={"min_height": "48px", "padding": "12px 0"}
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(rx.foreach(header, rx.table.column_header_cell)),
                ),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda row: rx.table.row(rx.foreach(row, rx.table.cell)),
                    )
                ),
                size="1",
            ),
            overflow_x="auto",
        ),
    )
