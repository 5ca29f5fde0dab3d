"""Rollout and attention flow against the worked example of the issue, an independent max-flow, and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.attention.flow import attention_flow, flow_rows, layer_graph, max_flow
from core.attention.rollout import residual_attention, rollout

A = np.array([[0.5, 0.5], [0.2, 0.8]])
TWO_LAYERS = np.stack([A, A])[:, None]  # [layers=2, heads=1, 2, 2]


def test_rollout_of_the_worked_example():
    result = rollout(TWO_LAYERS)
    np.testing.assert_allclose(result[0], [[0.75, 0.25], [0.1, 0.9]])
    np.testing.assert_allclose(result[1], [[0.5875, 0.4125], [0.165, 0.835]])


def test_flow_of_the_worked_example():
    np.testing.assert_allclose(flow_rows(TWO_LAYERS), [[0.85, 0.5], [0.2, 1.0]])
    np.testing.assert_allclose(attention_flow(TWO_LAYERS), [[0.6296, 0.3704], [0.1667, 0.8333]], atol=5e-5)


def test_head_fusions_use_mean_max_and_min():
    heads = np.stack([A, A[::-1]])[None]  # [1, 2, 2, 2]
    for fusion, fused in {"mean": heads[0].mean(0), "max": heads[0].max(0), "min": heads[0].min(0)}.items():
        expected = (fused + np.eye(2)) / (fused + np.eye(2)).sum(-1, keepdims=True)
        np.testing.assert_allclose(rollout(heads, fusion)[0], expected)


def _random_attention(seed: int, layers: int, heads: int, t: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(t, 0.4), size=(layers, heads, t))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), layers=st.integers(1, 4), t=st.integers(2, 6))
def test_rollout_rows_stay_distributions(seed, layers, t):
    result = rollout(_random_attention(seed, layers, 3, t))
    np.testing.assert_allclose(result.sum(-1), 1.0, atol=1e-12)
    assert (result >= 0).all()


def test_max_flow_matches_networkx_on_random_layer_graphs():
    nx = pytest.importorskip("networkx")  # an independent implementation, only for this check
    for seed in range(4):
        attentions = _random_attention(seed, 3, 2, 5)
        capacity = layer_graph(residual_attention(attentions))
        graph = nx.DiGraph()
        for u, v in zip(*np.nonzero(capacity), strict=True):
            graph.add_edge(int(u), int(v), capacity=float(capacity[u, v]))
        ours = flow_rows(attentions)
        top = 3 * 5
        reference = [[nx.maximum_flow_value(graph, top + i, j) for j in range(5)] for i in range(5)]
        np.testing.assert_allclose(ours, reference, atol=1e-12)


def test_max_flow_on_a_textbook_graph():
    # s=0, t=3 with edges s→1 (2), s→2 (3), 1→3 (4), 2→3 (2), 1→2 (1): the min cut {s→1, 2→3} is 4.
    capacity = np.zeros((4, 4))
    capacity[0, 1], capacity[0, 2], capacity[1, 3], capacity[2, 3], capacity[1, 2] = 2, 3, 4, 2, 1
    assert max_flow(capacity, 0, 3) == pytest.approx(4.0)
    capacity[2, 3] = 5  # now the cut {s→1, s→2} = 5 is the smallest
    assert max_flow(capacity, 0, 3) == pytest.approx(5.0)


def test_flow_of_chosen_rows_equals_those_rows_of_the_full_matrix():
    attentions = _random_attention(7, 2, 2, 4)
    np.testing.assert_allclose(attention_flow(attentions, [2]), attention_flow(attentions)[[2]])
