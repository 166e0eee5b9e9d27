"""Interactions as day numbers: the form the health score's inner loops read.

The score counts whole days between interactions and today, so it works on
`date.toordinal()` numbers. A full rescore reads a million interactions and
hands them over as `InteractionDays` (two lists, no object per interaction);
everyone else hands over `InteractionFact`s, which are turned into the same
numbers first, so both are scored by the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, overload


@dataclass(frozen=True, slots=True)
class InteractionFact:
    occurred_on: date
    sentiment: str


class Dated(Protocol):
    @property
    def occurred_on(self) -> date: ...


class InteractionDays(Sequence[InteractionFact]):
    """Interactions as two lists in step: their days (`date.toordinal()`) and sentiments."""

    __slots__ = ("days", "sentiments")

    def __init__(self, days: Sequence[int], sentiments: Sequence[str]) -> None:
        if len(days) != len(sentiments):
            raise ValueError(f"{len(days)} days for {len(sentiments)} sentiments")
        self.days = days
        self.sentiments = sentiments

    def __len__(self) -> int:
        return len(self.days)

    @overload
    def __getitem__(self, index: int) -> InteractionFact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[InteractionFact]: ...

    def __getitem__(self, index: int | slice) -> InteractionFact | Sequence[InteractionFact]:
        if isinstance(index, slice):
            return InteractionDays(self.days[index], self.sentiments[index])
        return InteractionFact(date.fromordinal(self.days[index]), self.sentiments[index])


def day_numbers(interactions: Sequence[Dated]) -> Sequence[int]:
    """The interactions' days as `date.toordinal()` numbers, in their order."""
    if isinstance(interactions, InteractionDays):
        return interactions.days
    return [interaction.occurred_on.toordinal() for interaction in interactions]


def sentiments_of(interactions: Sequence[InteractionFact]) -> Sequence[str]:
    if isinstance(interactions, InteractionDays):
        return interactions.sentiments
    return [interaction.sentiment for interaction in interactions]
