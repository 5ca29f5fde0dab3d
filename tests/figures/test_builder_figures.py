"""Layout of the network builder's figures: nothing overlaps, nothing is an empty axis."""

from __future__ import annotations

import numpy as np

from core.figures.builder.curves import loss_figure
from core.figures.builder.matrix import AXIS_BAND, TITLE_BAND, matrix_figure
from core.figures.builder.network import MIN_TITLE_FONT, NODE, TITLE_FONT, network_figure
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


def test_matrix_title_has_its_own_band_above_the_column_title():
    fig = matrix_figure(np.array([[0.779, 1.39]]), "a0 (input to layer 1)", "sample", "input")
    title = fig.layout.title
    assert title.yref == "container" and title.y == 1 and title.yanchor == "top"  # pinned to the top edge
    assert fig.layout.margin.t == TITLE_BAND + AXIS_BAND  # below the title's band: ticks and "input"
    assert fig.layout.xaxis.title.text == "input" and fig.layout.xaxis.side == "top"


def _network(n_hidden: int, height: int | None, highlight: int | None = 1):
    rng = np.random.default_rng(0)
    sizes = [2, n_hidden, 1]
    columns = [rng.uniform(-1, 1, (n, 5, 5)) for n in sizes]
    titles = ["Inputs", f"Layer 1<br>{n_hidden} tanh", "Output<br>sigmoid"]
    labels = [["X₁", "X₂"], [f"n{j}" for j in range(n_hidden)], ["out"]]
    weights = [rng.normal(size=(sizes[i + 1], sizes[i])) for i in range(2)]
    return network_figure(columns, titles, labels, weights, highlight=highlight, height=height)


def test_network_column_titles_start_above_the_highlight_box_and_fit_under_the_top():
    fig = _network(4, 300)
    (box,) = fig.layout.shapes
    titles = [a for a in fig.layout.annotations if a.text.startswith(("Inputs", "Layer", "Output"))]
    assert len(titles) == 3
    for a in titles:
        assert a.yanchor == "bottom" and a.y > box.y1  # the text grows upwards from above the box
        assert fig.layout.yaxis.range[1] > a.y
    assert box.y1 > 1.5 + NODE / 2  # the box still frames the highest neuron (centre at y 1.5)


def test_network_titles_shrink_when_the_columns_are_narrow():
    roomy = _network(4, None).layout.annotations[0].font.size
    cramped = _network(8, 300).layout.annotations[0].font.size
    assert roomy == TITLE_FONT and MIN_TITLE_FONT <= cramped < roomy
