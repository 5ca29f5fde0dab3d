"""Layout of the network builder's figures: nothing overlaps, nothing is an empty axis."""

from __future__ import annotations

import numpy as np

from core.figures.builder.colors import CLASS_COLORS
from core.figures.builder.curves import TICK_PX, confusion_figure, log_axis, loss_figure
from core.figures.builder.matrix import AXIS_BAND, TITLE_BAND, matrix_figure
from core.figures.builder.network import MIN_TITLE_FONT, NODE, TITLE_FONT, network_figure
from core.figures.builder.plane import GRID_TRACE, LEGEND_TOP, canvas_figure, plane_figure


def _plane():
    rng = np.random.default_rng(0)
    points = rng.uniform(-5, 5, (30, 2))
    output = rng.uniform(0, 1, (1, 20, 20))
    return plane_figure(
        "sigmoid_bce", "classification", output, points, (points[:, 0] > 0).astype(int), np.ones(30, bool), selected=3
    )


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


def test_the_network_drawing_shows_each_neurons_output_over_the_plane_scaled_to_one():
    import torch

    from core.builder.evaluate import evaluate_plane, grid_points
    from core.builder.model import NetSpec, build_model
    from core.figures.builder.network import network_drawing

    model = build_model(NetSpec((3, 4, 2, 1), ("relu", "tanh", "sigmoid")), 0)
    names = ("x1", "x2", "x1*x2")
    plane = evaluate_plane(model, names, 40)
    drawing = network_drawing(model, plane, names, "sigmoid_bce")
    grid = grid_points(40).numpy()  # by hand: the features and each layer's activations over the grid
    x = np.stack([grid[:, 0], grid[:, 1], grid[:, 0] * grid[:, 1]], axis=1)
    with torch.no_grad():
        W = [lin.weight.numpy().astype(np.float64) for lin in model.linears]
        b = [lin.bias.numpy().astype(np.float64) for lin in model.linears]
    h1 = np.maximum(x @ W[0].T + b[0], 0)
    h2 = np.tanh(h1 @ W[1].T + b[1])
    p = 1 / (1 + np.exp(-(h2 @ W[2].T + b[2])))

    def thumbs(values: np.ndarray, scale: bool = True) -> np.ndarray:  # [N, n] → [n, 20, 20], every 2nd cell
        planes = values.T.reshape(-1, 40, 40)[:, ::2, ::2]
        if not scale:
            return planes
        top = np.abs(planes).reshape(len(planes), -1).max(axis=1)
        return planes / np.where(top > 0, top, 1)[:, None, None]

    expected = [thumbs(x), thumbs(h1), thumbs(h2), 2 * thumbs(p, scale=False) - 1]
    assert [c.shape for c in drawing.columns] == [(3, 20, 20), (4, 20, 20), (2, 20, 20), (1, 20, 20)]
    for ours, theirs in zip(drawing.columns, expected, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=2e-5)
    value = network_drawing(model, plane, names, "linear_mse").columns[-1]  # a value is clipped, not rescaled
    np.testing.assert_allclose(value, np.clip(thumbs(p, scale=False), -1, 1), atol=2e-5)
    assert drawing.titles == ("Inputs", "Layer 1<br>4 ReLU", "Layer 2<br>2 tanh", "Output<br>sigmoid")
    assert drawing.heading == "Inputs · Layer 1 4 ReLU · Layer 2 2 tanh · Output sigmoid"
    assert drawing.labels[0] == ("X₁", "X₂", "X₁·X₂") and drawing.labels[2] == ("layer 2 neuron 0", "layer 2 neuron 1")
    for ours, lin in zip(drawing.weights, model.linears, strict=True):
        np.testing.assert_array_equal(ours, lin.weight.detach().numpy())


def test_confusion_tick_labels_carry_each_class_colour_on_both_axes():
    fig = confusion_figure(np.array([[3, 1, 0], [0, 4, 1], [2, 0, 5]]))
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert [CLASS_COLORS[i] in t and f"class {i}" in t for i, t in enumerate(axis.ticktext)] == [True] * 3
        assert axis.tickfont.color is None  # not one colour for every class


def _points_plane(adding: bool):
    points = np.array([[1.0, 1.0], [-2.0, 3.0], [4.0, -1.0], [0.0, 0.0]])
    is_train = np.array([True, False, True, False])
    output = np.full((1, 10, 10), 0.5)
    return plane_figure("sigmoid_bce", "binary", output, points, np.array([0, 1, 1, 0]), is_train, adding=adding)


def test_while_adding_points_every_point_is_drawn_and_clicks_pass_through_points_to_the_grid():
    shown = {t.name: t for t in _points_plane(adding=True).data}
    assert set(shown) == {"plane", "train points", "test points"}  # test points too, though show_test is off
    assert len(shown["train points"].x) + len(shown["test points"].x) == 4
    assert shown["train points"].hoverinfo == shown["test points"].hoverinfo == "skip"  # no click picks a point
    assert shown["plane"].hoverinfo != "skip"
    assert len(shown["plane"].x) > 30**2  # a finer grid than the plain plane's


def test_without_adding_points_are_clickable_and_test_points_follow_show_test():
    shown = {t.name: t for t in _points_plane(adding=False).data}
    assert set(shown) == {"plane", "train points"}
    assert shown["train points"].hoverinfo is None
    assert len(shown["plane"].x) == 30**2


def test_the_canvas_draws_every_clicked_point_on_a_neutral_plane():
    points, labels = np.array([[1.0, 2.0], [-3.0, 0.5], [2.0, 2.0]]), np.array([0, 1, 1])
    fig = canvas_figure(points, labels)
    drawn = [t for t in fig.data if t.name != "plane"]
    assert sum(len(t.x) for t in drawn) == 3
    assert all(t.hoverinfo == "skip" for t in drawn)
    assert "click to add" in fig.data[GRID_TRACE].hovertemplate
    assert len(canvas_figure(np.zeros((0, 2)), np.zeros(0, int)).data[GRID_TRACE].x) > 0


def test_the_plane_keeps_to_the_top_of_a_narrow_column():
    assert _plane().layout.yaxis.constraintoward == "top"  # spare height below: the plane starts above the fold


def _tick_labels(axis: dict, lo: float, hi: float) -> int:
    """How many tick labels Plotly draws on log axis `axis` over [lo, hi]: one per decade times the 1-2-5 digits
    (nticks=5 leaves Plotly its 1-2-5 labels), or one every `dtick` decades."""
    decades = np.log10(hi / lo)
    return int(decades // axis["dtick"]) + 1 if "dtick" in axis else int(3 * np.ceil(decades)) + 1


def test_log_loss_axes_keep_their_tick_labels_apart_at_every_height():
    for height in (200, 260, 420):
        for lo in (0.5, 1e-2, 1e-4, 1e-9):
            axis = log_axis(np.array([lo, 1.0]), height)
            assert _tick_labels(axis, lo, 1.0) * TICK_PX <= max(2 * TICK_PX, height - 80), (height, lo, axis)


def test_a_run_pinned_at_epoch_zero_is_drawn_next_to_a_trained_run():
    fig = loss_figure([("A", [0], [0.7], [0.72]), ("B", [0, 1, 2], [0.7, 0.5, 0.3], [0.72, 0.6, 0.4])], height=260)
    modes = {t.name: t.mode for t in fig.data}
    assert modes["A: train"] == modes["A: test"] == "markers"  # a one-point line would draw nothing
    assert modes["B: train"] == "lines"
