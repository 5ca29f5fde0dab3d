"""Figure builders draw what the results hold (paths up to the step, markers, frames of the animation)."""

import numpy as np

from core.figures.race.race import contour_figure, metrics_figure
from core.race.race import RaceConfig, run_race
from core.race.racers import make_racer
from core.race.surfaces import SURFACES

S = SURFACES["rosenbrock"]
RESULT = run_race(S, (make_racer("Adam", lr=0.05), make_racer("SGD", lr=0.01)), S.start, RaceConfig(steps=40))


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_contour_draws_each_path_up_to_the_step_and_marks_divergence():
    adam, sgd = RESULT.runs
    assert sgd.diverged and sgd.steps < 10
    fig = contour_figure(RESULT, step=7, n=21)
    np.testing.assert_array_equal(np.asarray(_trace(fig, adam.label).x), adam.points[:8, 0])
    assert len(_trace(fig, sgd.label).x) == sgd.steps + 1
    crosses = [t for t in fig.data if t.type == "scatter" and t.marker.symbol == "x"]
    assert len(crosses) == 1 and sgd.stop.message in crosses[0].hovertemplate
    assert list(_trace(fig, "minimum").x) == [1.0]


def test_metrics_use_log_distance_to_the_minimum_value():
    fig = metrics_figure(RESULT, step=5)
    adam = RESULT.runs[0]
    first = next(t for t in fig.data if t.name == adam.label)
    np.testing.assert_allclose(first.y, np.maximum(adam.losses - S.min_value, 1e-16))
