"""Figures show the numbers they are given: values, positions, the diverging scale centred at 0."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.attribution.explain import explain
from core.attribution.faithfulness import faithfulness
from core.attribution.methods import METHODS, MethodSettings
from core.attribution.network import NetworkTarget, grid_over, network_problem, train_default_network
from core.figures import attribution as figures

NETWORK = train_default_network(epochs=20)


def test_token_heatmap_puts_each_score_in_reading_order_on_a_scale_centred_at_zero():
    tokens = tuple(f"t{i}" for i in range(20))
    scores = np.linspace(-1.0, 3.0, 20)
    fig = figures.token_heatmap(tokens, scores, per_row=8)
    assert len(fig.data) == 3  # one heatmap per wrapped row
    np.testing.assert_allclose(np.concatenate([np.ravel(t.z) for t in fig.data]), scores)
    assert [tok for t in fig.data for tok in np.ravel(t.text)] == list(tokens)
    assert [i for t in fig.data for i in np.ravel(t.customdata)] == list(range(20))  # hover names the position
    assert all(t.coloraxis == "coloraxis" for t in fig.data)
    axis = fig.layout.coloraxis
    assert axis.cmid == 0 and axis.cmin == -3.0 and axis.cmax == 3.0


def test_token_cells_are_as_wide_as_their_text_and_wrap_like_text():
    tokens = ("[CLS]", "a", "watches", "windows", "internationalization", ".", "[SEP]")
    fig = figures.token_heatmap(tokens, np.arange(7.0))
    edges = np.concatenate([np.diff(t.x) for t in fig.data])  # each cell's width, in reading order
    assert edges[2] > edges[0] > edges[1] == edges[5]  # "watches" > "[CLS]" > one-character tokens (a floor)
    assert edges[4] >= len("internationalization") + 2  # the longest one still has padding either side
    long = tuple(["internationalization"] * 10)
    rows = figures.token_cells(long)
    assert len(rows) > 1 and all(right <= figures.ROW_UNITS for row in rows for _, _, right in row)
    assert [i for row in rows for i, _, _ in row] == list(range(10))


def test_bars_keep_repeated_tokens_apart_and_colour_by_sign():
    fig = figures.score_bars(("the", "cat", "the"), np.array([0.5, -0.2, 0.0]))
    bar = fig.data[0]
    assert list(bar.x) == [0, 1, 2] and list(fig.layout.xaxis.ticktext) == ["the", "cat", "the"]
    assert bar.marker.color == (figures.POSITIVE, figures.NEGATIVE, figures.NEUTRAL)


def test_plane_maps_show_one_map_per_feature_with_the_attributions():
    grid = grid_over(NETWORK, 6)
    result = explain(network_problem(NETWORK, grid.points, NetworkTarget()), "integrated-gradients")
    maps = result.scores.reshape(6, 6, -1)
    fig = figures.plane_maps(
        grid.xs, grid.ys, maps, NETWORK.feature_names, maps[:, :, 0], 0.0, NETWORK.points, NETWORK.labels, (1.0, 1.0)
    )
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == len(NETWORK.feature_names)
    for i, heat in enumerate(heatmaps):
        np.testing.assert_allclose(np.array(heat.z), maps[:, :, i])
    assert fig.layout.coloraxis.cmid == 0


def test_faithfulness_plot_draws_both_curves_with_their_random_bands():
    problem = network_problem(NETWORK, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    f = faithfulness(problem, explain(problem, "integrated-gradients").scores[0], n_random=5)
    fig = figures.faithfulness_plot(f, "logit")
    ours = [t for t in fig.data if t.name == "attribution order"]
    np.testing.assert_allclose(ours[0].y, f.deletion)
    np.testing.assert_allclose(ours[1].y, f.insertion)


@settings(max_examples=30, deadline=None)
@given(
    x=st.floats(-50, 50),
    y=st.floats(-50, 50),
    method=st.sampled_from(sorted(METHODS)),
    n=st.integers(2, 30),
    window=st.integers(1, 5),
    scale=st.sampled_from(["logit", "probability"]),
    baseline=st.sampled_from(["zero", "mean", "point"]),
)
def test_any_point_method_and_settings_on_the_network_give_finite_scores(x, y, method, n, window, scale, baseline):
    problem = network_problem(NETWORK, torch.tensor([[x, y]]), NetworkTarget(scale=scale), baseline, (y, x))
    result = explain(problem, method, MethodSettings(n_steps=n, n_samples=n, window=window))
    assert result.scores.shape == (1, 5) and np.isfinite(result.scores).all()


def test_plane_maps_mark_the_explained_point_and_a_baseline_point_on_every_map_with_one_legend_entry():
    grid = grid_over(NETWORK, 5)
    maps = np.zeros((5, 5, len(NETWORK.feature_names)))
    fig = figures.plane_maps(
        grid.xs,
        grid.ys,
        maps,
        NETWORK.feature_names,
        maps[:, :, 0],
        0.0,
        NETWORK.points,
        NETWORK.labels,
        (1.0, 2.0),
        (-0.5, 0.25),
    )
    for name, at in (("explained point", (1.0, 2.0)), ("baseline", (-0.5, 0.25))):
        traces = [t for t in fig.data if t.name == name]
        assert len(traces) == len(NETWORK.feature_names)
        assert all((t.x[0], t.y[0]) == at for t in traces)
        assert [t.showlegend for t in traces].count(True) == 1
    assert figures.MARKERS["baseline"] != figures.MARKERS["explained point"]
    without = figures.plane_maps(
        grid.xs, grid.ys, maps, NETWORK.feature_names, maps[:, :, 0], 0.0, NETWORK.points, NETWORK.labels, (1.0, 2.0)
    )
    assert not [t for t in without.data if t.name == "baseline"]
