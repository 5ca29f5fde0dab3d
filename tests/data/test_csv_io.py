"""CSV upload: every kind of bad file gets a CsvProblem with a message, never another exception."""

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.csv_io import MAX_ROWS, CsvProblem, parse_points, points_csv
from tests.spreadsheet import formula_cells


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"x1,x2,label\n", "no data rows"),
        (b"a,b,c\n1,2,0\n", "header"),
        (b"x1,x2\n1,2\n", "header"),
        (b"x1,x2,label\n1,2,0\n3,4\n", "Row 3 has 2 columns"),
        (b"x1,x2,label\n1,abc,0\n", "not a number"),
        (b"x1,x2,label\n1,nan,0\n2,2,1\n", "finite"),
        (b"x1,x2,label\n1,inf,0\n2,2,1\n", "finite"),
        (b"x1,x2,label\n1,1,0\n2,2,0\n", "same label"),
        ("x1,x2,label\n1,2,0\n".encode("utf-16"), "UTF-8"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (("x1,x2,label\n" + "1,1,0\n" * (MAX_ROWS + 1)).encode(), "rows"),
        (("x1,x2,label\n" + "".join(f"1,1,{i}\n" for i in range(9))).encode(), "classes"),
    ],
)
def test_bad_files_say_what_is_wrong(data, says):
    with pytest.raises(CsvProblem, match=says):
        parse_points(data)


def test_minus_one_plus_one_labels_become_classes_with_a_note():
    p = parse_points(b"x1,x2,label\n1,1,-1\n2,2,1\n")
    assert p.task == "binary" and list(p.labels) == [0, 1] and p.warnings


def test_target_column_or_fractions_mean_regression_and_headerless_works():
    assert parse_points(b"x1,x2,target\n1,1,1\n2,2,0\n").task == "regression"
    p = parse_points(b"1,1,0.5\n2,2,-0.25\n")
    assert p.task == "regression" and p.labels.tolist() == [0.5, -0.25]
    assert parse_points(b"1,1,0\n2,2,1\n3,3,2\n").task == "multiclass"


def test_outside_points_warn():
    assert "outside" in parse_points(b"x1,x2,label\n10,1,0\n2,2,1\n").warnings[0]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_csvproblem(data):
    with contextlib.suppress(CsvProblem):
        parse_points(data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6), st.text(max_size=6)), max_size=8))
def test_random_cells_never_raise_anything_but_csvproblem(rows):
    text = "\n".join(",".join(r) for r in rows)
    with contextlib.suppress(CsvProblem):
        parse_points(text.encode())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-6, 6), st.floats(-6, 6), st.integers(0, 2)), min_size=3, max_size=30))
def test_export_then_import_gives_the_points_back(rows):
    pts = np.array([r[:2] for r in rows])
    labels = np.array([r[2] for r in rows])
    if len(np.unique(labels)) < 2:
        labels[0], labels[1] = 0, 1
    text = points_csv(pts, labels, "binary")
    assert formula_cells(text) == []  # negative coordinates are numbers, not formulas
    back = parse_points(text.encode())
    np.testing.assert_allclose(back.points, pts, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(back.labels, np.searchsorted(np.unique(labels), labels))
