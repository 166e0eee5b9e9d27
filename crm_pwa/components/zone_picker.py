"""The time-zone picker's choices: zones grouped by region, each with its offset now."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars.object import ObjectVar

from crm_pwa import clock
from crm_pwa.domain.zones import zone_groups


@dataclass(frozen=True)
class ZoneOption:
    name: str
    label: str


@dataclass(frozen=True)
class ZoneRegion:
    region: str
    zones: list[ZoneOption]


def zone_regions() -> list[ZoneRegion]:
    """The picker's choices, with each zone's offset as it is now (DST included)."""
    return [
        ZoneRegion(group.region, [ZoneOption(z.name, z.label) for z in group.zones])
        for group in zone_groups(clock.now())
    ]


def zone_group(region: ObjectVar[ZoneRegion]) -> rx.Component:
    return rx.el.optgroup(
        rx.foreach(
            region.zones,
            lambda zone: rx.el.option(zone.label, value=zone.name),
        ),
        label=region.region,
    )
