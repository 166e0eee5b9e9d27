"""The one rounding rule for scores: halves up, never to even.

Python's `round` rounds halves to even (74.5 -> 74) and `int(x + 0.5)` cuts
toward zero; a score shown on two screens must read the same on both.
"""

from __future__ import annotations

import math


def whole(score: float) -> int:
    """A score as a whole number, halves up: 74.5 is 75."""
    return math.floor(score + 0.5)


def tenths(value: float) -> float:
    """`value` to one decimal, halves up: 74.45 is 74.5."""
    return math.floor(round(value * 10, 6) + 0.5) / 10
