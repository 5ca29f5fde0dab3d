"""Aggregate views: head-mean per layer, one token's attention through the layers, rollout and flow maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.attention.common import WEIGHT_SCALE, base_layout, matrix_trace, token_axes


def per_layer_maps(maps: np.ndarray, labels: tuple[str, ...], title_prefix: str = "layer") -> go.Figure:
    """Small multiples of [layers, U, U] (e.g. the mean over heads of each layer, or R_l after each layer)."""
    layers = maps.shape[0]
    cols = min(layers, 6)
    rows = int(np.ceil(layers / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"{title_prefix} {i + 1}" for i in range(layers)],
        horizontal_spacing=0.02,
        vertical_spacing=0.08,
    )
    for layer in range(layers):
        r, c = divmod(layer, cols)
        fig.add_trace(
            matrix_trace(maps[layer], labels, labels, zmax=float(maps.max()), showscale=layer == 0),
            row=r + 1,
            col=c + 1,
        )
        fig.update_xaxes(type="category", showticklabels=False, row=r + 1, col=c + 1)
        fig.update_yaxes(type="category", showticklabels=False, autorange="reversed", row=r + 1, col=c + 1)
    return base_layout(fig, rows * 220 + 60).update_layout(margin={"t": 40})  # room for the subplot titles


def token_through_layers(rows: np.ndarray, labels: tuple[str, ...], query: int, what: str) -> go.Figure:
    """[layers, U]: row l is token `query`'s attention (or rollout) over the keys at layer l."""
    layers = rows.shape[0]
    fig = go.Figure(
        go.Heatmap(
            z=rows,
            x=list(range(len(labels))),
            y=[f"L{i + 1}" for i in range(layers)],
            colorscale=WEIGHT_SCALE,
            zmin=0,
            customdata=np.array([list(labels)] * layers),
            hovertemplate="%{y} → %{customdata} (#%{x}): %{z:.4f}<extra></extra>",
            xgap=1,
            ygap=1,
            colorbar={"thickness": 12},
        )
    )
    fig.update_xaxes(tickvals=list(range(len(labels))), ticktext=list(labels), tickangle=-60)
    fig.update_yaxes(autorange="reversed", title_text="layer")
    return base_layout(fig, 110 + 30 * layers, f"{what} from '{labels[query]}' (#{query}) at each layer")


def contributions(matrix: np.ndarray, labels: tuple[str, ...], title: str) -> go.Figure:
    """A rollout or flow matrix [U, U]: row i = where output token i's information came from."""
    fig = go.Figure(matrix_trace(matrix, labels, labels, zmax=float(np.nanmax(matrix)), value_name="share"))
    token_axes(fig, labels, labels)
    fig.update_xaxes(title_text="input token")
    fig.update_yaxes(title_text="output token")
    return base_layout(fig, min(720, 170 + 22 * len(labels)), title)


def flow_row(row: np.ndarray, labels: tuple[str, ...], query: int) -> go.Figure:
    """One token's attention flow [U] to every input token, as bars."""
    fig = go.Figure(
        go.Bar(
            x=list(range(len(labels))),
            y=row,
            marker_color="#08519c",
            customdata=list(labels),
            hovertemplate="%{customdata} (#%{x}): %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(tickvals=list(range(len(labels))), ticktext=list(labels), tickangle=-60)
    return base_layout(fig, 320, f"Attention flow from '{labels[query]}' (#{query}) to each input token")
