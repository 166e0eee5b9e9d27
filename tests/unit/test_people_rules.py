"""Who may do what to whom, how long a one-time link lives, and how a device is named."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_pwa.domain.devices import device_label
from crm_pwa.domain.people import (
    LINK_VALID,
    Viewer,
    change_problem,
    link_expires_at,
    link_problem,
    may_list_people,
    may_manage_people,
    may_see_person,
    team_manager_problem,
)

WEST, EAST = uuid.uuid4(), uuid.uuid4()
ADMIN = Viewer(uuid.uuid4(), "admin", None)
WEST_MANAGER = Viewer(uuid.uuid4(), "manager", WEST)
LONE_MANAGER = Viewer(uuid.uuid4(), "manager", None)
REP = Viewer(uuid.uuid4(), "rep", WEST)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("viewer", "lists", "manages"),
    [
        (ADMIN, True, True),
        (WEST_MANAGER, True, False),
        (LONE_MANAGER, False, False),
        (REP, False, False),
    ],
)
def test_only_admins_manage_and_only_admins_and_team_managers_list_when_asked(
    viewer: Viewer, lists: bool, manages: bool
) -> None:
    assert may_list_people(viewer) is lists
    assert may_manage_people(viewer) is manages


def test_manager_sees_their_team_and_not_another_when_looking_at_a_person() -> None:
    someone = uuid.uuid4()
    assert may_see_person(WEST_MANAGER, someone, WEST)
    assert not may_see_person(WEST_MANAGER, someone, EAST)
    assert not may_see_person(WEST_MANAGER, someone, None)
    assert not may_see_person(LONE_MANAGER, someone, None)
    assert may_see_person(ADMIN, someone, EAST)
    assert not may_see_person(REP, someone, WEST)
    assert may_see_person(REP, REP.id, WEST)


def test_admin_may_not_demote_or_deactivate_themselves_when_changing_their_own_account() -> None:
    assert change_problem(ADMIN, ADMIN.id, role="rep", active=None) is not None
    assert change_problem(ADMIN, ADMIN.id, role=None, active=False) is not None
    assert change_problem(ADMIN, ADMIN.id, role="admin", active=True) is None
    assert change_problem(ADMIN, uuid.uuid4(), role="manager", active=False) is None


def test_change_is_refused_when_the_role_is_unknown_or_the_viewer_is_not_an_admin() -> None:
    assert "Role must be one of" in str(
        change_problem(ADMIN, uuid.uuid4(), role="boss", active=None)
    )
    assert change_problem(WEST_MANAGER, REP.id, role="rep", active=None) == (
        "Only an admin can change people."
    )


def test_only_an_active_manager_may_run_a_team_when_assigned() -> None:
    assert team_manager_problem("manager", True) is None
    assert "manager first" in str(team_manager_problem("rep", True))
    assert "deactivated" in str(team_manager_problem("manager", False))


def test_link_lives_72_hours_when_issued() -> None:
    assert timedelta(hours=72) == LINK_VALID
    assert link_expires_at(NOW) == NOW + timedelta(hours=72)


@pytest.mark.parametrize(
    ("hours", "used", "revoked", "active", "words"),
    [
        (71.9, False, False, True, None),
        (72, False, False, True, "expired"),
        (1, True, False, True, "already been used"),
        (1, False, True, True, "replaced"),
        (1, False, False, False, "deactivated"),
    ],
)
def test_link_opens_only_once_within_72_hours_for_an_active_person_when_checked(
    hours: float, used: bool, revoked: bool, active: bool, words: str | None
) -> None:
    problem = link_problem(
        expires_at=link_expires_at(NOW),
        used_at=NOW if used else None,
        revoked=revoked,
        active=active,
        now=NOW + timedelta(hours=hours),
    )
    if words is None:
        assert problem is None
    else:
        assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/129.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/129.0 Safari/537.36 Edg/129.0",
            "Edge on Windows",
        ),
        ("python-httpx/0.28.1", "python-httpx/0.28.1"),
        ("", "unknown device"),
    ],
)
def test_device_gets_a_short_name_when_its_user_agent_is_read(agent: str, label: str) -> None:
    assert device_label(agent) == label
