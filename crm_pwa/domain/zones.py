"""The time zones a rep can pick: places people live, by region and city, with the offset.

The IANA database also holds names nobody lives in (`Factory`, `localtime`),
aliases kept for old systems (`US/Pacific`, `Asia/Calcutta`, which phones still
report) and `Etc/GMT+5`, whose sign is the opposite of what it reads. None of
those is offered; an alias is read as the zone it stands for; UTC is offered by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
UTC_NAME = "UTC"


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    name: str
    label: str


@dataclass(frozen=True, slots=True)
class ZoneGroup:
    region: str
    zones: tuple[ZoneChoice, ...]


def _tzdata_text() -> str:
    """The IANA source in one file (tzdata.zi), from the system or the tzdata package."""
    for folder in TZPATH:
        path = Path(folder) / "tzdata.zi"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """Old names and the zone each stands for: its "L target alias" lines."""
    links = {}
    for line in _tzdata_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


def canonical_zone(name: str) -> str:
    """The zone's own name for an alias ("Asia/Calcutta" is "Asia/Kolkata"), else `name`."""
    return _aliases().get(name, name)


@lru_cache(maxsize=1)
def offered_zones() -> frozenset[str]:
    """Every zone a rep may pick."""
    aliases = _aliases()
    places = {
        name
        for name in available_timezones()
        if name.split("/", 1)[0] in REGIONS
        and "/" in name
        and "GMT" not in name
        and name not in aliases
    }
    return frozenset(places | {UTC_NAME})


def offset_text(name: str, moment: datetime) -> str:
    """ "UTC−08:00", "UTC+05:30", "UTC+00:00": the zone's offset at `moment`."""
    offset = moment.astimezone(ZoneInfo(name)).utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(name: str, moment: datetime) -> str:
    """ "Los Angeles (UTC−08:00)", "Buenos Aires, Argentina (UTC−03:00)"."""
    if name == UTC_NAME:
        return f"UTC ({offset_text(name, moment)})"
    parts = [part.replace("_", " ") for part in name.split("/")[1:]]
    place = ", ".join(reversed(parts))
    return f"{place} ({offset_text(name, moment)})"


def zone_groups(moment: datetime) -> list[ZoneGroup]:
    """The offered zones by region (UTC first), each region's cities in alphabetical order."""
    groups = [ZoneGroup(UTC_NAME, (ZoneChoice(UTC_NAME, zone_label(UTC_NAME, moment)),))]
    for region in REGIONS:
        names = [name for name in offered_zones() if name.startswith(region + "/")]
        choices = sorted(
            (ZoneChoice(name, zone_label(name, moment)) for name in names),
            key=lambda choice: choice.label,
        )
        if choices:
            groups.append(ZoneGroup(region, tuple(choices)))
    return groups
