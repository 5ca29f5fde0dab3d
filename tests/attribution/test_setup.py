"""The page's set-up: what a click on a 2-D map changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.attribution.setup import CLICK_SETS, AttributionSetup, apply_click
from core.settings import problems


def test_a_click_sets_the_explained_point_or_the_baseline_which_becomes_a_chosen_point():
    click = [{"x": 1.23456, "y": -0.5, "curve_number": 3}]
    assert apply_click(click, None, "point") == ((1.23456, -0.5), {"point_x": 1.235, "point_y": -0.5})
    assert apply_click(click, None, "baseline") == (
        (1.23456, -0.5),
        {"net_baseline": "point", "baseline_x": 1.235, "baseline_y": -0.5},
    )


def test_a_selection_already_applied_or_empty_changes_nothing_so_typed_values_survive_reruns():
    assert apply_click([{"x": 1.0, "y": 2.0}], (1.0, 2.0), "baseline") == ((1.0, 2.0), {})
    assert apply_click([], (1.0, 2.0), "point") == ((1.0, 2.0), {})
    assert apply_click([], None, "point") == (None, {})


@given(x=st.floats(-1e3, 1e3), y=st.floats(-1e3, 1e3), sets=st.sampled_from(sorted(CLICK_SETS)))
def test_any_click_gives_a_valid_setup_that_changes_only_its_targets_fields(x, y, sets):
    last, fields = apply_click([{"x": x, "y": y}], None, sets)
    assert last == (x, y)
    setup = AttributionSetup(subject="network", **fields)
    assert problems(setup) == []
    moved, untouched = {
        "point": (("point_x", "point_y"), ("baseline_x", "baseline_y", "net_baseline")),
        "baseline": (("baseline_x", "baseline_y"), ("point_x", "point_y")),
    }[sets]
    assert all(getattr(setup, name) == getattr(AttributionSetup(), name) for name in untouched)
    assert abs(getattr(setup, moved[0]) - x) <= 5e-4 and abs(getattr(setup, moved[1]) - y) <= 5e-4
