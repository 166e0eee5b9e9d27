"""Numbers read the way reps type them: grouping separators kept out of the value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_pwa.domain.money import check_currency, show_money
from crm_pwa.domain.numbers import read_amount, read_day_count
from crm_pwa.domain.rules import RuleError


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,500", Decimal("12500")),
        ("12 500", Decimal("12500")),
        ("12\u202f500", Decimal("12500")),
        ("12'500.50", Decimal("12500.50")),
        ("$12,500", Decimal("12500")),
        ("€ 1.234,56", Decimal("1234.56")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("1.234.567", Decimal("1234567")),
        ("12.5", Decimal("12.5")),
        ("12,50", Decimal("12.50")),
        ("١٢,٥٠٠", Decimal("12500")),
        ("  800 ", Decimal("800")),
    ],
)
def test_read_amount_keeps_the_value_when_thousands_are_grouped(typed: str, value: Decimal) -> None:
    assert read_amount(typed) == value


def test_read_amount_is_none_when_the_field_is_empty() -> None:
    assert read_amount("   ") is None


@pytest.mark.parametrize(
    "typed", ["1,23,4", "12,5000", "12,5000.00", "twelve", "12.500.50", "1e5", "--3"]
)
def test_read_amount_refuses_on_the_amount_field_when_it_cannot_be_read(typed: str) -> None:
    with pytest.raises(RuleError) as refused:
        read_amount(typed)
    assert refused.value.field == "amount"
    assert "12,500" in refused.value.message


@pytest.mark.parametrize(("typed", "days"), [("30", 30), ("1,000", 1000), ("14.0", 14), ("", None)])
def test_read_day_count_reads_whole_days_when_grouped_or_plain(
    typed: str, days: int | None
) -> None:
    assert read_day_count(typed) == days


@pytest.mark.parametrize("typed", ["7.5", "two weeks", "3,5"])
def test_read_day_count_refuses_on_the_rhythm_field_when_not_whole_days(typed: str) -> None:
    with pytest.raises(RuleError) as refused:
        read_day_count(typed)
    assert refused.value.field == "rhythm_days"


def test_show_money_groups_thousands_in_the_teams_currency_when_shown() -> None:
    assert show_money(Decimal("12500"), "USD") == "$12,500.00"
    assert show_money(Decimal("12500.5"), "EUR") == "€12,500.50"
    # Yen have no minor unit.
    assert show_money(Decimal("12500"), "JPY") == "¥12,500"


def test_check_currency_takes_iso_codes_in_any_case_and_refuses_others() -> None:
    assert check_currency(" eur ") == "EUR"
    with pytest.raises(RuleError, match="currency code"):
        check_currency("euros")
