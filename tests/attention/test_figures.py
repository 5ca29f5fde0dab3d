"""Figures draw exactly the numbers they are given, clicks map back to the right head, hover pages are safe."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np

from core.attention.ablation import Outcome
from core.attention.neuron import neuron_view
from core.figures.attention.common import head_color, layer_head_figure, matrix_figure
from core.figures.attention.grid import model_grid, pooled
from core.figures.attention.heads import MIN_WEIGHT, head_heatmaps, head_view_html
from core.figures.attention.neuron import neuron_figure
from core.figures.attention.outcomes import outcome_bars

RNG = np.random.default_rng(0)
MAPS = RNG.dirichlet(np.full(5, 0.5), size=(3, 4, 5))  # [layers=3, heads=4, 5, 5]
LABELS = ("[CLS]", "the", "the", "cat", "[SEP]")  # a repeated token must stay two rows


def test_grid_point_order_matches_the_click_decoding():
    roles = tuple(tuple(f"role {layer}.{head}" for head in range(4)) for layer in range(3))
    fig = model_grid(MAPS, selected=(1, 2), roles=roles)
    custom = np.asarray(fig.data[0].customdata)
    for index in (0, 37, 99, len(custom) - 1):
        layer, head, q, k = np.unravel_index(index, MAPS.shape)
        assert tuple(custom[index][:2]) == (layer + 1, head + 1)
        assert custom[index][2] == MAPS[layer, head, q, k]
        assert fig.data[0].text[index] == f"role {layer}.{head}"


def test_pooled_thumbnails_keep_rows_stochastic():
    long = RNG.dirichlet(np.ones(50), size=(2, 3, 50))
    small = pooled(long, 8)
    assert small.shape == (2, 3, 8, 8)
    np.testing.assert_allclose(small.sum(-1), 1.0)


class _Svg(HTMLParser):
    """Collects the head view's <line> and token elements as attribute dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self.tokens: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "line":
            self.lines.append(attrs)
        elif tag == "g" and attrs.get("class") == "tok":
            self.tokens.append(attrs)


def parsed(page: str) -> _Svg:
    svg = _Svg()
    svg.feed(page)
    return svg


def test_head_view_html_draws_exactly_the_weights_above_the_threshold():
    maps = np.array(
        [
            [[0.9, 0.1, 0.0], [0.5, 0.495, 0.005], [0.2, 0.3, 0.5]],
            [[0.0, 0.0, 1.0], [0.25, 0.25, 0.5], [1 / 3, 1 / 3, 1 / 3]],
        ]
    )  # [heads=2, 3, 3]
    svg = parsed(head_view_html(maps, ("[CLS]", "cat", "[SEP]"), (4, 7)))
    drawn = {
        (line["stroke"], int(line["data-q"]), int(line["data-k"])): float(line["stroke-opacity"]) for line in svg.lines
    }
    expected = {
        (head_color(head), q, k): round(maps[h, q, k], 3)
        for h, head in enumerate((4, 7))
        for q in range(3)
        for k in range(3)
        if maps[h, q, k] >= MIN_WEIGHT
    }
    assert len(svg.lines) == len(expected) == 14  # two zeros and one 0.005 are skipped
    assert drawn == expected
    assert [(t["data-side"], int(t["data-i"])) for t in svg.tokens] == [(s, i) for s in "qk" for i in range(3)]


def test_head_view_html_honours_the_pair_filter():
    visible = np.zeros((5, 5), bool)
    visible[:2, 2:] = True
    svg = parsed(head_view_html(MAPS[0][[1]], LABELS, (1,), visible))
    assert svg.lines and all(int(line["data-q"]) < 2 <= int(line["data-k"]) for line in svg.lines)
    assert len(svg.lines) == int((visible & (MAPS[0, 1] >= MIN_WEIGHT)).sum())


def test_head_view_html_escapes_tokens_and_wires_hover():
    page = head_view_html(MAPS[0][[0]], ("<script>alert(1)</script>", 'a"b', "&", "x", "y"), (0,))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&quot;b" in page and "&amp;" in page
    assert page.count("<script>") == 1  # only the page's own handler script
    assert 'addEventListener("mouseenter"' in page and 'addEventListener("mouseleave"' in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


def test_heatmaps_show_the_maps_and_hide_filtered_entries():
    visible = np.zeros((5, 5), bool)
    visible[:2, 2:] = True
    fig = head_heatmaps(MAPS[2][[0]], LABELS, (0,), visible)
    z = np.array(fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[:2, 2:], MAPS[2, 0, :2, 2:])
    assert np.isnan(z[2:]).all()
    single = matrix_figure(MAPS[0, 0], LABELS, LABELS, "t")
    assert list(single.layout.yaxis.ticktext) == list(LABELS) and len(single.data[0].z) == 5


def test_layer_head_figure_marks_switched_off_heads():
    marks = np.zeros((3, 4), bool)
    marks[2, 1] = True
    fig = layer_head_figure(MAPS[..., 0, 0], "x", marks=marks)
    assert list(fig.data[1].x) == ["H2"] and list(fig.data[1].y) == ["L3"]
    assert fig.data[1].mode == "markers" and not fig.data[1].text  # a frame around the cell, not text over its number


def test_neuron_figure_shows_the_recomputed_numbers(minilm, cat):
    view = neuron_view(minilm, cat, 1, 2, 3)
    fig = neuron_figure(view, cat.tokens)
    bars = [t for t in fig.data if t.type == "bar"]
    np.testing.assert_allclose(bars[0].x, view.scores)
    np.testing.assert_allclose(bars[1].x, view.probs)


def test_outcome_bars_without_a_baseline_draw_one_series():
    assert len(outcome_bars(Outcome("t", ("a", "b"), (), (0.9, 0.8), "h")).data) == 1
    assert len(outcome_bars(Outcome("t", ("a", "b"), (0.5, 0.5), (0.9, 0.1), "h")).data) == 2


def test_a_256_token_heatmap_carries_one_hover_template_not_one_string_per_cell():
    labels = tuple(["the"] * 256)
    matrix = RNG.dirichlet(np.ones(256), size=256)
    fig = matrix_figure(matrix, labels, labels, "t")
    assert isinstance(fig.data[0].hovertemplate, str) and "%{y} → %{x}" in fig.data[0].hovertemplate
    assert len(set(fig.data[0].x)) == 256  # repeated tokens stay separate columns
    assert len(fig.to_json()) < 1_500_000  # per-cell hover text made this ~5 MB


def test_small_multiples_leave_room_above_for_their_subplot_titles():
    from core.figures.attention.aggregates import per_layer_maps

    for fig in (head_heatmaps(MAPS[0][[0, 1]], LABELS, (0, 1)), per_layer_maps(MAPS.mean(axis=1), LABELS)):
        assert fig.layout.annotations and fig.layout.margin.t >= 30
