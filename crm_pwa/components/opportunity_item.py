"""An opportunity on the card: its stage, amount and expected close, changeable in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventType
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from crm_pwa.components.field import choice, labelled, submit_button, text_input
from crm_pwa.components.section import folded
from crm_pwa.domain.contact_rules import STAGES

STAGE_LABELS = {
    "lead": "Lead",
    "qualified": "Qualified",
    "proposal": "Proposal",
    "won": "Won",
    "lost": "Lost",
}
STAGE_COLOURS = {"won": "grass", "lost": "gray", "proposal": "blue", "qualified": "cyan"}


@dataclass(frozen=True)
class OpportunityView:
    id: str
    title: str
    stage: str
    amount: str
    expected_close: str
    # "$12,000.00 · closes Tue 2 Dec", in the team's currency.
    summary: str


# The refusal shown under a field, given the field's name.
FieldProblem = Callable[[str], rx.Component]


def opportunity_fields(
    stage: str | Var[str],
    amount: str | Var[str],
    expected_close: str | Var[str],
    problem: FieldProblem,
) -> rx.Component:
    return rx.flex(
        choice(
            "Stage",
            "stage",
            [(stage, STAGE_LABELS[stage]) for stage in STAGES],
            stage,
            flex="1 1 130px",
        ),
        rx.box(
            labelled(
                "Amount",
                # Text, not type=number: "12,500" stays as typed and is read by domain/numbers.py.
                text_input(
                    "amount", amount, input_mode="decimal", placeholder="0.00", autocomplete="off"
                ),
            ),
            problem("amount"),
            flex="1 1 130px",
        ),
        rx.box(
            labelled(
                "Expected close",
                text_input("expected_close", expected_close, type="date"),
            ),
            problem("expected_close"),
            flex="1 1 130px",
        ),
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def opportunity_item(
    item: ObjectVar[OpportunityView],
    on_save: EventType[dict[str, Any]],
    problem: Callable[[Var[str], str], rx.Component],
) -> rx.Component:
    """`problem(opportunity id, field name)` shows a refusal of this opportunity's field."""
    return rx.box(
        rx.hstack(
            rx.text(item.title, weight="bold", size="3", flex="1", min_width="0"),
            rx.badge(
                rx.match(item.stage, *STAGE_LABELS.items(), item.stage),
                color_scheme=rx.match(item.stage, *STAGE_COLOURS.items(), "amber"),
                size="2",
            ),
            align="start",
            width="100%",
        ),
        rx.text(item.summary, size="2", color="var(--gray-11)"),
        folded(
            "Change",
            rx.form(
                rx.el.input(type="hidden", name="opportunity_id", value=item.id),
                opportunity_fields(
                    item.stage,
                    item.amount,
                    item.expected_close,
                    lambda name: problem(item.id, name),
                ),
                submit_button("Save", aria_label=f"Save {item.title}", margin_top="8px"),
                on_submit=on_save,
                reset_on_submit=False,
            ),
            weight="500",
            aria_label=f"Change {item.title}",
        ),
        key=item.id,
        data_opportunity=item.id,
        padding="12px",
        border_radius="10px",
        border="1px solid var(--gray-6)",
        width="100%",
    )
