"""The health badge: a relationship's band in words and colour, with its score."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.sequence import StringVar

from crm_pwa.domain.health import Band
from crm_pwa.domain.rounding import whole

BAND_LABELS: dict[str, str] = {
    "strong": "Strong",
    "watch": "Watch",
    "at_risk": "At risk",
    "new": "New",
}
BAND_COLOURS: dict[str, str] = {
    "strong": "grass",
    "watch": "amber",
    "at_risk": "red",
    "new": "gray",
}
BAND_ICONS: dict[str, str] = {
    "strong": "circle-check",
    "watch": "eye",
    "at_risk": "triangle-alert",
    "new": "sparkles",
}


def badge_text(band: Band | str, score: float | None) -> str:
    """What the badge says, e.g. "Strong 82", "At risk 31" or "New"."""
    label = BAND_LABELS.get(band, BAND_LABELS["new"])
    if band == "new" or score is None:
        return label
    return f"{label} {whole(score)}"


def health_badge(band: str | Var[Any], score: float | None | Var[Any]) -> rx.Component:
    """A pill such as "Strong 82"; `band` and `score` may be plain values or state Vars.

    The band is said in words as well as colour and icon, so nobody has to tell
    red from green; a score Var should hold a whole number.
    """
    if not isinstance(band, Var) and not isinstance(score, Var):
        key = band if band in BAND_LABELS else "new"
        return _pill(
            rx.icon(BAND_ICONS[key], size=14, aria_hidden="true"),
            badge_text(band, score),
            BAND_COLOURS[key],
            key,
        )
    band_var = band if isinstance(band, Var) else Var.create(band)
    score_var = score if isinstance(score, Var) else Var.create(score)
    label = rx.match(band_var, *_cases(BAND_LABELS)).to(str)
    return _pill(
        rx.match(
            band_var,
            *(
                (key, rx.icon(icon, size=14, aria_hidden="true"))
                for key, icon in BAND_ICONS.items()
                if key != "new"
            ),
            rx.icon(BAND_ICONS["new"], size=14, aria_hidden="true"),
        ),
        rx.cond(
            (band_var == "new") | score_var.is_none(),
            label,
            label + " " + score_var.to_string(),
        ).to(str),
        rx.match(band_var, *_cases(BAND_COLOURS)),
        band_var,
    )


def _cases(values: dict[str, str]) -> list[Any]:
    """rx.match arguments: one (band, value) pair per band, and "new" as the default."""
    return [*((key, value) for key, value in values.items() if key != "new"), values["new"]]


def _pill(
    icon: rx.Component, text: str | StringVar[str], colour: Any, band: str | Var[Any]
) -> rx.Component:
    return rx.badge(
        icon,
        rx.el.span(text),
        color_scheme=colour,
        variant="soft",
        radius="full",
        size="2",
        role="img",
        aria_label=f"Health: {text}" if isinstance(text, str) else "Health: " + text,
        data_health_band=band,
        white_space="nowrap",
    )
