"""Who may do what to whom among the people of an account, and how long a sign-in link lives.

Three roles: a rep works their own book; a manager also sees their own team
(read-only where people are concerned); an admin manages everyone, every team
and the settings. The rules take plain values so they are tested without a
database; the services ask them before touching anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

ROLES = ("rep", "manager", "admin")
# Long enough to reach a new hire over a weekend, short enough that a link
# forgotten in a chat stops working within days.
LINK_VALID = timedelta(hours=72)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person asking: only what the rules need."""

    id: uuid.UUID
    role: str
    team_id: uuid.UUID | None


def may_list_people(viewer: Viewer) -> bool:
    """Admins see everyone, managers their own team; reps see no one else's account."""
    return viewer.role == "admin" or (viewer.role == "manager" and viewer.team_id is not None)


def may_see_person(viewer: Viewer, person_id: uuid.UUID, person_team_id: uuid.UUID | None) -> bool:
    if viewer.role == "admin" or viewer.id == person_id:
        return True
    return (
        viewer.role == "manager" and viewer.team_id is not None and viewer.team_id == person_team_id
    )


def may_manage_people(viewer: Viewer) -> bool:
    """Adding, moving, deactivating people and issuing links: admins only."""
    return viewer.role == "admin"


def change_problem(
    viewer: Viewer, person_id: uuid.UUID, *, role: str | None, active: bool | None
) -> str | None:
    """Why an admin's change to a person is refused; None when it may go ahead.

    An admin never demotes or deactivates themselves: the last admin doing so
    would lock everyone out of the settings, so another admin has to do it.
    """
    if not may_manage_people(viewer):
        return "Only an admin can change people."
    if role is not None and role not in ROLES:
        return f"Role must be one of {', '.join(ROLES)}."
    if viewer.id == person_id and (active is False or (role is not None and role != "admin")):
        return "You cannot demote or deactivate yourself: ask another admin."
    return None


def team_manager_problem(role: str, active: bool) -> str | None:
    """Why this person cannot manage a team; None when they can."""
    if not active:
        return "This person is deactivated: reactivate them first."
    if role != "manager":
        return "Only a manager can run a team: change this person's role to manager first."
    return None


def link_expires_at(issued_at: datetime) -> datetime:
    return issued_at + LINK_VALID


def link_problem(
    *, expires_at: datetime, used_at: datetime | None, revoked: bool, active: bool, now: datetime
) -> str | None:
    """Why a one-time sign-in link no longer opens, in words for its holder; None if it does."""
    if used_at is not None:
        return "This link has already been used. Ask your admin for a new one."
    if revoked:
        return "This link was replaced by a newer one. Use the newest link, or ask your admin."
    if not active:
        return "This account is deactivated. Ask your admin."
    if now >= expires_at:
        return "This link has expired (links last 72 hours). Ask your admin for a new one."
    return None
