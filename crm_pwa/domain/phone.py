"""Phone numbers: one stored form, whatever way they were typed."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "US"


class PhoneError(ValueError):
    pass


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> tuple[str, str]:
    """Return (E.164, digits) for a typed number; ('', '') for an empty one."""
    raw = raw.strip()
    if not raw:
        return "", ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"'{raw}' is not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise PhoneError(f"'{raw}' is not a possible phone number.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, e164.lstrip("+")


def display_phone(e164: str) -> str:
    """The stored E.164 number as people read it: "+1 415-555-1004"."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        # Not stored by normalise_phone (older rows): show it as it was typed.
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
