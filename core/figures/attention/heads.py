"""Head view: lines from each query token to the keys it attends to (bertviz style), and the heatmap form."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.attention.common import base_layout, head_color, matrix_trace, token_axes

MIN_WEIGHT = 0.01  # lines thinner than this are not drawn
OPACITY_BINS = 8  # lines are grouped into this many opacity levels: one trace per (head, level)


def head_lines(maps: np.ndarray, labels: tuple[str, ...], heads: tuple[int, ...], focus: int | None = None,
               visible: np.ndarray | None = None, title: str | None = None) -> go.Figure:
    """Lines query → key with opacity = weight, one colour per head.

    maps: [len(heads), U, U]; focus: draw only the lines from this query; visible: [U, U] bool entries to draw
    (a pair filter). The token columns are clickable scatter points (customdata = token index).
    """
    n = len(labels)
    visible = np.ones((n, n), bool) if visible is None else visible
    fig = go.Figure()
    edges = np.linspace(MIN_WEIGHT, 1.0, OPACITY_BINS + 1)
    for k, head in enumerate(heads):
        weights = np.where(visible, maps[k], 0.0)
        if focus is not None:
            weights = np.where(np.arange(n)[:, None] == focus, weights, 0.0)
        for b in range(OPACITY_BINS):
            upper = edges[b + 1] if b < OPACITY_BINS - 1 else np.inf
            qs, ks = np.nonzero((weights >= edges[b]) & (weights < upper))
            if len(qs) == 0:
                continue
            xs, ys = [], []
            for q, key in zip(qs, ks, strict=True):
                xs += [0.0, 1.0, None]
                ys += [q, key, None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                     line={"color": head_color(head), "width": 1 + 3 * edges[b + 1]},
                                     opacity=float(0.15 + 0.85 * (edges[b] + edges[b + 1]) / 2)))
    for head in heads:  # legend entries
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"head {head + 1}",
                                 line={"color": head_color(head), "width": 4}))
    emphasis = ["bold" if focus == i else "normal" for i in range(n)]
    for side, x, anchor in (("query", 0.0, "middle left"), ("key", 1.0, "middle right")):
        fig.add_trace(go.Scatter(
            x=[x] * n, y=list(range(n)), mode="markers+text", text=list(labels), customdata=list(range(n)),
            textposition=anchor,
            textfont={"size": 12, "weight": emphasis} if side == "query" else {"size": 12},
            marker={"size": 9, "color": "#555" if side == "query" else "#999", "symbol": "square"},
            hovertemplate=f"{side} %{{text}} (#%{{customdata}})<extra>click: only its lines</extra>",
            showlegend=False, name=side))
    fig.update_xaxes(visible=False, range=[-0.45, 1.45], fixedrange=True)
    fig.update_yaxes(visible=False, range=[n - 0.5, -0.5], fixedrange=True)  # explicit: autorange padded long inputs
    return base_layout(fig, max(260, 70 + 26 * n), title, clickmode="event+select", dragmode=False,
                       legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})


def head_heatmaps(maps: np.ndarray, labels: tuple[str, ...], heads: tuple[int, ...], visible: np.ndarray | None = None,
                  zmax: float | None = None) -> go.Figure:
    """One heatmap per selected head, side by side; values on hover. maps: [len(heads), U, U]."""
    n = len(labels)
    cols = min(len(heads), 3)
    rows = int(np.ceil(len(heads) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"head {h + 1}" for h in heads],
                        horizontal_spacing=0.06, vertical_spacing=0.12 if rows > 1 else 0.05)
    for k in range(len(heads)):
        matrix = maps[k] if visible is None else np.where(visible, maps[k], np.nan)
        r, c = divmod(k, cols)
        fig.add_trace(matrix_trace(matrix, labels, labels, zmax=zmax or 1.0, showscale=k == 0), row=r + 1, col=c + 1)
        token_axes(fig, labels, labels, row=r + 1, col=c + 1, show_rows=c == 0)
    side = min(560, 120 + 20 * n) if cols > 1 else min(720, 160 + 22 * n)
    return base_layout(fig, rows * side + 60).update_layout(margin={"t": 40})  # room for the subplot titles
