"""The blank canvas: a data set drawn click by click becomes the set-up's points once it has two classes."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from core.builder.canvas import Canvas
from core.data.csv_io import parse_points

coordinate = st.floats(-6, 6, allow_nan=False)
clicks = st.lists(st.tuples(coordinate, coordinate, st.integers(0, 1)), max_size=40)


def test_a_blank_canvas_asks_for_class_0_then_for_the_other_class():
    drawn = Canvas.blank()
    assert "class 0" in drawn.missing()
    drawn = drawn.with_point((1.0, 2.0), 1)
    assert "add points of class 0" in drawn.missing()
    drawn = drawn.with_point((-1.0, 0.5), 0)
    assert drawn.missing() is None


@given(clicks)
def test_the_canvas_reads_back_as_the_clicked_points_once_it_has_two_classes(added):
    drawn = Canvas.blank()
    for x1, x2, label in added:
        drawn = drawn.with_point((x1, x2), label)
    assert len(drawn.points) == len(added)
    if len({label for *_, label in added}) < 2:
        assert drawn.missing() is not None
        return
    assert drawn.missing() is None
    parsed = parse_points(drawn.csv().encode())
    assert parsed.task == "binary"
    np.testing.assert_allclose(parsed.points, [(x1, x2) for x1, x2, _ in added], rtol=1e-5, atol=1e-5)
    assert parsed.labels.tolist() == [label for *_, label in added]
