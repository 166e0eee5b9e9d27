"""CSV cells that a spreadsheet would run as formulas are written as text, and read back exact."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_pwa.domain.spreadsheet import escape_cell, unescape_cell


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "+14155550100", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_formula_looking_cells_start_with_an_apostrophe_when_escaped(value: str) -> None:
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Dana Reyes", "", "王小明", "a=b", "x+1", " =padded"])
def test_plain_cells_are_unchanged_when_escaped(value: str) -> None:
    assert escape_cell(value) == value


def test_a_leading_apostrophe_is_doubled_so_reading_back_is_exact() -> None:
    assert escape_cell("'Tis Ltd") == "''Tis Ltd"
    assert unescape_cell("''Tis Ltd") == "'Tis Ltd"


@given(st.text())
def test_every_value_reads_back_as_it_was_when_escaped(value: str) -> None:
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_an_apostrophe_another_program_wrote_stays_when_read_back() -> None:
    assert unescape_cell("'Ohana Surf") == "'Ohana Surf"
