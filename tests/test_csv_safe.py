"""CSV cells a spreadsheet shows as text and never runs, and that our own readers get back exactly."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.csv_safe import (
    FORMULA_STARTS,
    comment_line,
    csv_cell,
    csv_line,
    is_plain_number,
    original_text,
    spreadsheet_text,
)
from tests.spreadsheet import HOSTILE, formula_cells

# text that leans on every character the rules are about
TEXT = st.text(
    alphabet=st.sampled_from(sorted(FORMULA_STARTS) + list("'\",;#\n\u2028 x1.e-")) | st.characters(), max_size=30
)
CELLS = st.lists(st.one_of(TEXT, st.floats(), st.integers(), st.none()), max_size=6)


def read_row(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line, newline="")))


@given(CELLS)
def test_every_cell_written_is_a_number_or_text_no_spreadsheet_runs_and_comes_back_exactly(cells):
    line = csv_line(cells)
    assert formula_cells(line) == []
    row = read_row(line) if cells else []
    assert len(row) == len(cells) or (line == "\n" and row == [])  # one empty cell reads as an empty line
    for value, cell in zip(cells, row, strict=False):
        assert is_plain_number(cell) or cell[:1] not in FORMULA_STARTS
        if value is None:
            assert cell == ""
        elif isinstance(value, float):
            assert float(cell) == value or (math.isnan(value) and math.isnan(float(cell)))
        elif isinstance(value, int):
            assert int(cell) == value
        else:
            assert original_text(cell) == value


@given(TEXT)
def test_the_text_mark_is_all_that_is_added_and_only_where_a_cell_could_begin_with_a_formula(text):
    safe = spreadsheet_text(text)
    assert original_text(safe) == text
    assert safe.replace("'", "") == text.replace("'", "")
    starts = [text[:1], *(m.group(1) for m in re.finditer(r'[,;\t\r\n"](.)', text, re.DOTALL))]
    if not FORMULA_STARTS & set(starts) and "'" not in starts:
        assert safe == text


@pytest.mark.parametrize("number", ["-0.5", "+3", "1e-05", "-1.5E+10", ".5", "-inf", "nan", "0", "-7."])
def test_plain_numbers_stay_numbers(number):
    assert is_plain_number(number) and csv_cell(number) == number
    assert csv_cell(float(number)) == repr(float(number))


@pytest.mark.parametrize(
    "text", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1", "\0=1", "＝1+2", "－1", "-", "-e"]
)
def test_formula_leading_text_gets_the_text_mark(text):
    assert spreadsheet_text(text).startswith("'")
    assert original_text(read_row(csv_line([text]))[0]) == text


def test_the_hostile_review_text_is_one_quoted_cell_with_nothing_to_run():
    line = csv_line([1, HOSTILE, -0.5, "=" + HOSTILE])
    assert formula_cells(line) == []
    assert [original_text(c) for c in read_row(line)] == ["1", HOSTILE, "-0.5", "=" + HOSTILE]


def test_numpy_numbers_are_written_as_numbers():
    assert csv_line([np.int64(-3), np.float32(0.5), np.float64(-0.25), True]) == "-3,0.5,-0.25,True\n"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_a_comment_line_is_one_line_whose_value_reads_back_and_whose_cells_run_nothing(value):
    line = comment_line("setup", value)
    assert line.startswith("# setup: ") and len(line.splitlines()) == 1 and line.endswith("\n")
    assert json.loads(line.removeprefix("# setup: ")) == value
    assert formula_cells(line) == []


def test_pandas_skips_comment_lines_and_reads_the_cells_back():
    pd = pytest.importorskip("pandas")
    text = (
        comment_line("text", HOSTILE)
        + comment_line("more", {"a": [HOSTILE, "#x\n,y"]})
        + csv_line(["token", "score"])
        + csv_line(["##ing", -0.5])
        + csv_line([HOSTILE, 1e-7])
        + csv_line(["'quoted", float("inf")])
    )
    assert formula_cells(text) == []
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert [original_text(t) for t in table["token"]] == ["##ing", HOSTILE, "'quoted"]
    np.testing.assert_array_equal(table["score"], [-0.5, 1e-7, np.inf])
