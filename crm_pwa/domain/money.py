"""Money as people read it: grouped thousands and the team's currency ("$12,500.00").

A team works in one currency (ISO 4217 code on the team, USD unless set; see
docs/contacts.md). Amounts are stored as plain decimals; the currency only
changes how they are shown. Babel's CLDR data knows each currency's sign and
its number of decimals (yen have none).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, list_currencies

from crm_pwa.domain.rules import RuleError

DEFAULT_CURRENCY = "USD"
# One display language for now: the app's words are English.
_LOCALE = "en"


def check_currency(code: str) -> str:
    """An ISO 4217 code such as EUR, in capitals."""
    upper = code.strip().upper()
    if upper not in list_currencies():
        raise RuleError("currency", f"{code!r} is not a currency code such as EUR or USD.")
    return upper


def show_money(amount: Decimal, currency: str) -> str:
    """`amount` with its currency's sign and grouped thousands: 12500 USD is "$12,500.00"."""
    return format_currency(amount, currency, locale=_LOCALE)
