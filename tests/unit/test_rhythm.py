"""Who to reach out to this week: lapsed rhythms, high tier first, most overdue next."""

from __future__ import annotations

from datetime import date, timedelta

from crm_pwa.domain.health import HealthModel
from crm_pwa.domain.rhythm import RhythmFacts, lapsed, reach_out

TODAY = date(2026, 11, 23)
ADDED = date(2025, 1, 1)


def _facts(
    key: str,
    tier: str = "medium",
    days_ago: int | None = 40,
    rhythm_days: int | None = None,
    do_not_contact: bool = False,
) -> RhythmFacts:
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    return RhythmFacts(key, tier, rhythm_days, last, ADDED, do_not_contact)


def test_rhythm_holds_until_the_tier_rhythm_has_passed() -> None:
    for tier, rhythm in (("high", 7), ("medium", 30), ("low", 90)):
        assert lapsed(_facts("a", tier, days_ago=rhythm), TODAY) is None
        hit = lapsed(_facts("a", tier, days_ago=rhythm + 1), TODAY)
        assert hit is not None and hit.days_overdue == 1 and hit.rhythm_days == rhythm


def test_override_replaces_the_tier_rhythm_when_set() -> None:
    assert lapsed(_facts("a", "low", days_ago=20, rhythm_days=14), TODAY) is not None
    assert lapsed(_facts("a", "high", days_ago=20, rhythm_days=21), TODAY) is None


def test_model_rhythms_are_used_when_a_model_is_given() -> None:
    relaxed = HealthModel(high_rhythm_days=14)
    assert lapsed(_facts("a", "high", days_ago=10), TODAY, relaxed) is None


def test_never_contacted_counts_from_the_day_added_when_no_interaction() -> None:
    hit = lapsed(_facts("a", "high", days_ago=None), TODAY)
    assert hit is not None and hit.never_contacted
    assert hit.days_since_last == (TODAY - ADDED).days
    fresh = RhythmFacts("b", "high", None, None, TODAY - timedelta(days=3))
    assert lapsed(fresh, TODAY) is None


def test_do_not_contact_is_never_listed_when_lapsed() -> None:
    assert lapsed(_facts("a", "high", days_ago=300, do_not_contact=True), TODAY) is None


def test_high_tier_comes_first_then_the_most_overdue_when_listed() -> None:
    contacts = [
        _facts("medium-very-late", "medium", days_ago=200),
        _facts("high-bit-late", "high", days_ago=9),
        _facts("low-late", "low", days_ago=400),
        _facts("high-very-late", "high", days_ago=60),
        _facts("medium-fine", "medium", days_ago=3),
        _facts("medium-bit-late", "medium", days_ago=35),
    ]
    assert [hit.key for hit in reach_out(contacts, TODAY)] == [
        "high-very-late",
        "high-bit-late",
        "medium-very-late",
        "medium-bit-late",
        "low-late",
    ]


def test_list_is_cut_at_the_limit_when_many_lapsed() -> None:
    contacts = [_facts(str(n), "medium", days_ago=31 + n) for n in range(25)]
    listed = reach_out(contacts, TODAY, limit=10)
    assert [hit.key for hit in listed] == [str(n) for n in range(24, 14, -1)]
