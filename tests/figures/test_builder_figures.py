"""Layout of the network builder's figures: nothing overlaps, nothing is an empty axis."""

from __future__ import annotations

import numpy as np

from core.figures.builder.curves import loss_figure
from core.figures.builder.plane import LEGEND_TOP, plane_figure


def _plane():
    rng = np.random.default_rng(0)
    points = rng.uniform(-5, 5, (30, 2))
    output = rng.uniform(0, 1, (1, 20, 20))
    return plane_figure("sigmoid_bce", "classification", output, points, (points[:, 0] > 0).astype(int),
                        np.ones(30, bool), selected=3)


def test_plane_legend_sits_above_the_plot_clear_of_the_x_axis_title():
    layout = _plane().layout
    assert layout.legend.orientation == "h"
    assert layout.legend.y >= 1 and layout.legend.yanchor == "bottom"  # above the plot area, not under the x axis
    assert layout.margin.t == LEGEND_TOP >= 50  # room for the mode bar and the legend's row
    assert layout.xaxis.title.text == "x₁" and layout.yaxis.title.text == "x₂"
    # both axes shrink their domain to stay square: no padded range pushing the x ticks away from the image
    assert layout.xaxis.constrain == layout.yaxis.constrain == "domain"


def test_loss_at_epoch_zero_shows_the_point_on_an_axis_from_zero_with_a_note():
    fig = loss_figure([("run", [0], [0.69], [0.70])])
    assert all(t.mode == "markers" for t in fig.data)
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.range[1] > 0
    low, high = fig.layout.yaxis.range  # log axis: a decade either side of the points
    assert low < np.log10(0.69) and high > np.log10(0.70)
    assert [a.text for a in fig.layout.annotations] == ["train to see the curves"]


def test_loss_once_trained_draws_lines_with_autorange_and_no_note():
    epochs = list(range(5))
    fig = loss_figure([("run", epochs, [1.0, 0.8, 0.6, 0.5, 0.4], [1.0, 0.9, 0.7, 0.6, 0.5])])
    assert all(t.mode == "lines" for t in fig.data)
    assert fig.layout.xaxis.range is None and not fig.layout.annotations
