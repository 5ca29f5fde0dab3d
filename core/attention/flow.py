"""Attention flow (Abnar & Zuidema 2020): how much can flow from an output token down to an input token.

The layers form a graph: node (l, t) is token t after layer l (l = 0 is the input), and node (l+1, i) has an edge to
(l, j) with capacity Â_l[i, j], the head-fused attention with the residual added (see `core.attention.rollout`).
The flow from output token i to input token j is the maximum flow between those two nodes; each row is then
normalised to sum to 1. Unlike rollout (a product of matrices) a max-flow lets a path's weight be its bottleneck,
not its product.

Max-flow is Dinic's algorithm on the dense residual matrix, exact up to float rounding. It costs one max-flow per
(output, input) pair, so the page limits flow to short inputs (`MAX_FLOW_TOKENS`).
"""

from __future__ import annotations

import itertools

import numpy as np

from core.attention.rollout import residual_attention

MAX_FLOW_TOKENS = 16  # the full T×T flow matrix (T² max-flows) takes about a second here on one CPU core
MAX_FLOW_ROW_TOKENS = 48  # one row (T max-flows, from a chosen token) stays under about a second up to here
_EPS = 1e-12


def max_flow(capacity: np.ndarray, source: int, sink: int) -> float:
    """Maximum flow from `source` to `sink` in a graph given by a dense [n, n] capacity matrix (Dinic)."""
    residual = np.array(capacity, dtype=np.float64)  # for the vectorised breadth-first search
    rows = residual.tolist()  # the same numbers as plain floats, for the scalar depth-first search
    n = residual.shape[0]
    total = 0.0
    while True:
        level = _levels(residual, source)
        if level[sink] < 0:
            return total
        neighbours = _LevelGraph(residual, level)
        pointer = [0] * n
        while True:
            pushed = _augment(residual, rows, neighbours, pointer, source, sink)
            if pushed <= 0:
                break
            total += pushed


def _levels(residual: np.ndarray, source: int) -> np.ndarray:
    """Breadth-first distance of every node from `source` through edges with residual capacity (−1: unreachable)."""
    level = np.full(residual.shape[0], -1)
    level[source] = 0
    frontier = np.zeros(residual.shape[0], dtype=bool)
    frontier[source] = True
    depth = 0
    while frontier.any():
        depth += 1
        reached = (residual[frontier] > _EPS).any(axis=0) & (level < 0)
        level[reached] = depth
        frontier = reached
    return level


class _LevelGraph(dict):
    """Edges u → v of the level graph (residual > 0, level[v] = level[u] + 1), listed when u is first visited."""

    def __init__(self, residual: np.ndarray, level: np.ndarray):
        super().__init__()
        self.residual, self.level = residual, level

    def __missing__(self, u: int) -> list[int]:
        edges = np.flatnonzero((self.residual[u] > _EPS) & (self.level == self.level[u] + 1)).tolist()
        self[u] = edges
        return edges


def _augment(
    residual: np.ndarray, rows: list[list[float]], neighbours: _LevelGraph, pointer: list[int], source: int, sink: int
) -> float:
    """Find one source→sink path in the level graph (advancing dead-end pointers) and push its bottleneck."""
    path = [source]
    while path:
        u = path[-1]
        if u == sink:
            edges = list(itertools.pairwise(path))
            bottleneck = min(rows[a][b] for a, b in edges)
            for a, b in edges:
                rows[a][b] -= bottleneck
                rows[b][a] += bottleneck
                residual[a, b], residual[b, a] = rows[a][b], rows[b][a]
            return bottleneck
        options = neighbours[u]
        row = rows[u]
        while pointer[u] < len(options) and row[options[pointer[u]]] <= _EPS:
            pointer[u] += 1
        if pointer[u] < len(options):
            path.append(options[pointer[u]])
        else:
            path.pop()  # dead end: never try u again in this phase
            if path:
                pointer[path[-1]] += 1
    return 0.0


def layer_graph(hat: np.ndarray) -> np.ndarray:
    """Dense capacities of the layer graph from Â [layers, T, T]: node l·T + t is token t after layer l."""
    layers, t, _ = hat.shape
    capacity = np.zeros(((layers + 1) * t, (layers + 1) * t))
    for layer in range(layers):
        upper, lower = (layer + 1) * t, layer * t
        capacity[upper : upper + t, lower : lower + t] = hat[layer]
    return capacity


def flow_rows(attentions: np.ndarray, queries: list[int] | None = None, fusion: str = "mean") -> np.ndarray:
    """Unnormalised max-flow from output tokens `queries` (default all) to every input token.

    attentions: [layers, heads, T, T] → [len(queries), T] float64.
    """
    hat = residual_attention(attentions, fusion)
    layers, t, _ = hat.shape
    capacity = layer_graph(hat)
    queries = list(range(t)) if queries is None else queries
    top = layers * t
    return np.array([[max_flow(capacity, top + i, j) for j in range(t)] for i in queries])


def attention_flow(attentions: np.ndarray, queries: list[int] | None = None, fusion: str = "mean") -> np.ndarray:
    """Attention flow with each row normalised to sum to 1: [layers, heads, T, T] → [len(queries), T]."""
    flows = flow_rows(attentions, queries, fusion)
    return flows / flows.sum(axis=-1, keepdims=True)
