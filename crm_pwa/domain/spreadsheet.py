"""Cells of an exported CSV that a spreadsheet will not run as formulas.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-` or
`@` as a formula, and some also after a leading tab or carriage return: a
contact named `=HYPERLINK("http://evil", "click")` would become a live link (or
worse) in whoever opens the export. Such a cell is written with a leading
apostrophe, which every spreadsheet shows as "this is text" and hides.

A cell that already starts with an apostrophe gets one more, so that reading
the file back (`unescape_cell`, used by the import) is exact: one leading
apostrophe is always the escape, never part of the value.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def escape_cell(value: str) -> str:
    """The cell as written to the CSV: formula-looking text made plain text."""
    if value.startswith((*FORMULA_STARTS, ESCAPE)):
        return ESCAPE + value
    return value


def unescape_cell(cell: str) -> str:
    """The value a cell written by `escape_cell` came from.

    Only an apostrophe that `escape_cell` could have written is taken away, so a
    name such as "'Ohana Surf" in another program's file keeps its apostrophe.
    """
    if cell.startswith(ESCAPE) and cell[1:].startswith((*FORMULA_STARTS, ESCAPE)):
        return cell[1:]
    return cell
