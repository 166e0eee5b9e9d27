"""What the People pages show of a person, in words: role, team, last active, devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crm_pwa import routes
from crm_pwa.components.when import short_date
from crm_pwa.domain.days import local_day
from crm_pwa.services.people import Person

ROLE_LABELS = {"rep": "Rep", "manager": "Manager", "admin": "Admin"}


@dataclass
class PersonRow:
    id: str
    href: str
    name: str
    email: str
    role: str
    role_label: str
    team_id: str
    team: str
    active: bool
    last_active: str
    devices: str
    # Their page under Team, where their book is handed over.
    book_href: str


@dataclass
class TeamOption:
    id: str
    name: str


def _last_active(person: Person, today: date, time_zone: str) -> str:
    if person.last_active_at is None:
        return "Never signed in"
    day = local_day(person.last_active_at, time_zone)
    if day == today:
        return "Active today"
    return f"Last active {short_date(day, today)}"


def _devices(person: Person) -> str:
    signed_in = f"{person.sessions} signed-in device{'s' if person.sessions != 1 else ''}"
    return f"{signed_in} · {person.push_devices} with reminders"


def person_row(person: Person, today: date, time_zone: str) -> PersonRow:
    return PersonRow(
        id=str(person.id),
        href=routes.person(str(person.id)),
        name=person.name,
        email=person.email,
        role=person.role,
        role_label=ROLE_LABELS.get(person.role, person.role),
        team_id=str(person.team_id) if person.team_id else "",
        team=person.team_name or "No team",
        active=person.active,
        last_active=_last_active(person, today, time_zone) if person.active else "Deactivated",
        devices=_devices(person),
        book_href=routes.rep(str(person.id)),
    )
