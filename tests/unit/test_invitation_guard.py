"""The invitation guard over generated contacts: who is invited, and the reason shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from crm_pwa.domain.days import local_day
from crm_pwa.domain.health import DEFAULT_MODEL, TIERS
from crm_pwa.domain.invitation_guard import (
    INVITATION_GAP_DAYS,
    OVERRIDABLE,
    REASONS,
    GuestFacts,
    Verdict,
    guest_status,
    judge_guest,
)
from crm_pwa.domain.invitation_message import (
    Guest,
    check_guest_move,
    clean_message,
    fill_message,
)
from crm_pwa.domain.rules import RuleError

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
ZONES = ("UTC", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata")

moments = st.integers(0, 400 * 24 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes))
contacts = st.builds(
    GuestFacts,
    tier=st.sampled_from(TIERS),
    rhythm_days=st.none() | st.integers(1, 120),
    last_contact_at=st.none() | moments,
    do_not_contact=st.booleans(),
    unsubscribed=st.booleans(),
    has_email=st.booleans(),
    open_complaints=st.integers(0, 3),
    last_invited_at=st.none() | moments,
)


def expected_reason(facts: GuestFacts, zone: str) -> str | None:
    """The rule as docs/health.md states it, written out on its own."""
    today = local_day(NOW, zone)
    if facts.do_not_contact:
        return "do_not_contact"
    if facts.unsubscribed:
        return "unsubscribed"
    if not facts.has_email:
        return "no_email"
    if facts.open_complaints:
        return "open_complaint"
    invited = facts.last_invited_at
    if invited is not None and (today - local_day(invited, zone)).days < INVITATION_GAP_DAYS:
        return "invited_recently"
    if facts.tier in ("medium", "low") and facts.last_contact_at is not None:
        rhythm = DEFAULT_MODEL.rhythm_days_for(facts.tier, facts.rhythm_days)
        if (today - local_day(facts.last_contact_at, zone)).days <= rhythm:
            return "contacted_recently"
    return None


@given(contacts, st.sampled_from(ZONES))
def test_a_contact_is_invited_only_when_no_rule_excludes_them(facts: GuestFacts, zone: str) -> None:
    verdict = judge_guest(facts, NOW, zone)
    assert verdict.reason == expected_reason(facts, zone)
    assert verdict.invited == (verdict.reason is None)
    assert verdict.reason is None or verdict.reason in REASONS
    assert verdict.words and (verdict.invited or verdict.words != "Invited")


@given(contacts, st.sampled_from(ZONES), st.booleans())
def test_nobody_excluded_is_invited_unless_included_by_hand_for_a_reason_that_allows_it(
    facts: GuestFacts, zone: str, by_hand: bool
) -> None:
    verdict = judge_guest(facts, NOW, zone)
    status = guest_status(verdict, by_hand)
    if status == "invited" and not verdict.invited:
        assert by_hand and verdict.reason in OVERRIDABLE
    if verdict.reason in ("do_not_contact", "unsubscribed", "no_email"):
        assert status == "excluded"


@given(st.sampled_from(("medium", "low")), st.integers(0, 200), st.sampled_from(ZONES))
def test_the_words_name_the_days_since_the_last_contact_and_the_rhythm(
    tier: str, days: int, zone: str
) -> None:
    last = NOW - timedelta(days=days)
    facts = GuestFacts(tier, None, last, False, False, True, 0, None)
    verdict = judge_guest(facts, NOW, zone)
    rhythm = DEFAULT_MODEL.rhythm_days_for(tier)
    since = (local_day(NOW, zone) - local_day(last, zone)).days
    if since > rhythm:
        assert verdict.invited
    else:
        assert verdict.reason == "contacted_recently"
        assert f"expected every {rhythm} days" in verdict.words
        shown = {0: "today", 1: "yesterday"}.get(since, f"{since} days ago")
        assert f"contacted {shown}" in verdict.words


def test_a_high_touch_contact_talked_to_yesterday_is_still_invited() -> None:
    facts = GuestFacts("high", None, NOW - timedelta(days=1), False, False, True, 0, None)
    assert judge_guest(facts, NOW, "UTC") == Verdict(True, None, "Invited")


def test_the_day_is_the_owner_s_own_when_counting_the_14_days_between_invitations() -> None:
    # 07:30 UTC on the 23rd is still the 22nd in Los Angeles: 13 days there, 14 in UTC.
    invited = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
    facts = GuestFacts("high", None, None, False, False, True, 0, invited)
    assert judge_guest(facts, NOW, "UTC").invited
    assert judge_guest(facts, NOW, "America/Los_Angeles").reason == "invited_recently"


def test_placeholders_are_filled_and_unknown_ones_refused() -> None:
    text = fill_message(
        "Hi {first_name} of {company}, {rep_name} {x}", Guest("Ana {Ito}", "Acme"), "Riley"
    )
    assert text == "Hi Ana of Acme, Riley {x}"
    try:
        clean_message("Hello {firstname}")
    except RuleError as error:
        assert "Unknown placeholder {firstname}" in error.message
    else:
        raise AssertionError("an unknown placeholder was accepted")


def test_attendance_is_final_and_an_excluded_guest_has_no_answer() -> None:
    assert check_guest_move("accepted", "attended") == "attended"
    for old, new in (("attended", "declined"), ("excluded", "accepted"), ("invited", "maybe")):
        try:
            check_guest_move(old, new)
        except RuleError:
            continue
        raise AssertionError(f"{old} -> {new} was allowed")
