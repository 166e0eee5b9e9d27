"""What a valid contact, complaint and opportunity look like."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.contact_rules import RuleError


def test_name_is_trimmed_when_valid() -> None:
    assert rules.clean_name("  Dana Reyes ") == "Dana Reyes"
    assert rules.clean_name("x" * 200) == "x" * 200


@pytest.mark.parametrize("name", ["", "   ", "\n\t", "x" * 201])
def test_name_is_refused_when_blank_or_too_long(name: str) -> None:
    with pytest.raises(RuleError) as refused:
        rules.clean_name(name)
    assert refused.value.field == "name"


def test_notes_are_refused_with_a_clear_message_when_over_ten_thousand_characters() -> None:
    assert rules.clean_notes("connection_notes", "x" * 10_000) == "x" * 10_000
    with pytest.raises(RuleError, match="Connection notes can be at most 10,000 characters"):
        rules.clean_notes("connection_notes", "x" * 10_001)


@pytest.mark.parametrize(
    ("clean", "good", "bad"),
    [
        (rules.clean_kind, rules.KINDS, ["Customer", "friend", ""]),
        (rules.clean_tier, rules.TIERS, ["HIGH", "urgent", ""]),
        (rules.clean_band, rules.BANDS, ["at risk", "great"]),
        (rules.clean_stage, rules.STAGES, ["closed", "Won"]),
    ],
)
def test_enumeration_is_refused_listing_the_choices_when_the_value_is_unknown(
    clean: Callable[[str], str], good: tuple[str, ...], bad: list[str]
) -> None:
    for value in good:
        assert clean(value) == value
    for value in bad:
        with pytest.raises(RuleError) as refused:
            clean(value)
        assert ", ".join(good) in refused.value.message


def test_api_enumerations_are_the_documented_ones_when_compared() -> None:
    assert rules.KINDS == ("customer", "prospect", "partner", "supplier", "staff", "other")
    assert rules.TIERS == ("high", "medium", "low")
    assert rules.STAGES == ("lead", "qualified", "proposal", "won", "lost")
    assert rules.BANDS == ("strong", "watch", "at_risk", "new")


@pytest.mark.parametrize("days", [1, 7, 365, None])
def test_rhythm_is_kept_when_within_a_year(days: int | None) -> None:
    assert rules.clean_rhythm_days(days) == days


@pytest.mark.parametrize("days", [0, -3, 366])
def test_rhythm_is_refused_when_outside_one_to_365_days(days: int) -> None:
    with pytest.raises(RuleError, match="between 1 and 365"):
        rules.clean_rhythm_days(days)


@pytest.mark.parametrize("email", ["dana@acme.example", " d.r+crm@mail.acme.co.uk ", ""])
def test_email_is_kept_trimmed_when_it_looks_like_an_address(email: str) -> None:
    assert rules.clean_email(email) == email.strip()


@pytest.mark.parametrize(
    "email", ["dana", "dana@", "@acme.example", "dana@acme", "da na@acme.example", "a@b@c.d"]
)
def test_email_is_refused_when_it_is_not_an_address(email: str) -> None:
    with pytest.raises(RuleError) as refused:
        rules.clean_email(email)
    assert refused.value.field == "email"


def test_tags_are_trimmed_and_deduplicated_when_cleaned() -> None:
    assert rules.clean_tags([" vip", "VIP", "", "renewal ", "vip"]) == ["vip", "renewal"]


def test_tags_are_refused_when_too_many_or_too_long() -> None:
    assert len(rules.clean_tags([f"t{n}" for n in range(20)])) == 20
    with pytest.raises(RuleError, match="at most 20 tags"):
        rules.clean_tags([f"t{n}" for n in range(21)])
    assert rules.clean_tags(["x" * 40]) == ["x" * 40]
    with pytest.raises(RuleError, match="over 40 characters"):
        rules.clean_tags(["x" * 41])


def test_amount_is_rounded_to_cents_when_valid() -> None:
    assert rules.clean_amount(Decimal("12500.505")) == Decimal("12500.50")
    assert rules.clean_amount(Decimal("0")) == Decimal("0.00")
    assert rules.clean_amount(None) is None


@pytest.mark.parametrize("amount", ["-0.01", "NaN", "Infinity", "1e400", "1000000000000"])
def test_amount_is_refused_when_negative_infinite_or_huge(amount: str) -> None:
    with pytest.raises(RuleError) as refused:
        rules.clean_amount(Decimal(amount))
    assert refused.value.field == "amount"


def test_required_text_names_the_field_when_blank() -> None:
    with pytest.raises(RuleError, match="Enter a resolution"):
        rules.clean_required("resolution", "  ", rules.MAX_NOTES)
