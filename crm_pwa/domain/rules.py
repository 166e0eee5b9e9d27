"""The error every domain rule raises, and the check that a value is one of a fixed set."""

from __future__ import annotations

from collections.abc import Sequence


class RuleError(ValueError):
    """A value a rule refuses: which field, and what is wrong in words a rep can act on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def one_of(field: str, value: str, allowed: Sequence[str], *, label: str | None = None) -> str:
    """`value` when it is in `allowed`; the message names it as `label` (default: the field)."""
    if value not in allowed:
        raise RuleError(
            field, f"{label or field} must be one of {', '.join(allowed)}; got {value!r}."
        )
    return value
