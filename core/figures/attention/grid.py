"""Model view: every layer × head as a thumbnail, drawn as one scatter of square markers so a click selects a head.

(Plotly heatmaps give no click selection in Streamlit; scatter points do, and each carries its (layer, head).)
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.attention.common import base_layout

MAX_THUMB = 32  # longer inputs are pooled to this many rows/columns per thumbnail
GAP = 2  # empty cells between thumbnails
CELL_COLORSCALE = [[0, "#f7fbff"], [0.25, "#9ecae1"], [1, "#08306b"]]


def pooled(maps: np.ndarray, size: int) -> np.ndarray:
    """Pool to at most `size` blocks a side, queries averaged, keys summed: [..., U, U] → [..., S, S]."""
    n = maps.shape[-1]
    if n <= size:
        return maps
    groups = np.array_split(np.arange(n), size)
    rows = np.stack([maps[..., g, :].mean(-2) for g in groups], axis=-2)
    return np.stack([rows[..., g].sum(-1) for g in groups], axis=-1)


def model_grid(
    maps: np.ndarray,
    selected: tuple[int, int] | None = None,
    marked: np.ndarray | None = None,
    width: int = 1100,
    roles: tuple[tuple[str, ...], ...] | None = None,
) -> go.Figure:
    """Thumbnails of maps [layers, heads, U, U]; `selected` (layer, head) gets a frame, `marked` heads a red frame;
    `roles[layer][head]` (e.g. "previous token") is shown on hover."""
    layers, heads = maps.shape[:2]
    thumbs = pooled(np.asarray(maps, dtype=np.float64), MAX_THUMB)
    n = thumbs.shape[-1]
    step = n + GAP
    layer_idx, head_idx, qs, ks = np.meshgrid(
        np.arange(layers), np.arange(heads), np.arange(n), np.arange(n), indexing="ij"
    )
    values = thumbs[layer_idx, head_idx, qs, ks].ravel()
    plot_width = width - 70
    cell = plot_width / (heads * step)
    height = int(layers * step * cell) + 60
    fig = go.Figure(
        go.Scattergl(
            x=(head_idx * step + ks).ravel(),
            y=(layer_idx * step + qs).ravel(),
            mode="markers",
            marker={
                "symbol": "square",
                "size": max(2.0, cell * 0.92),
                "color": np.sqrt(values),
                "cmin": 0,
                "cmax": 1,
                "colorscale": CELL_COLORSCALE,
                "line": {"width": 0},
            },
            customdata=np.stack([layer_idx.ravel() + 1, head_idx.ravel() + 1, values], axis=-1),
            text=None if roles is None else np.array(roles, dtype=object)[layer_idx, head_idx].ravel(),
            hovertemplate="layer %{customdata[0]}, head %{customdata[1]}<br>weight %{customdata[2]:.3f}"
            + ("<br>role: %{text}" if roles is not None else "")
            + "<extra>click to open</extra>",
            showlegend=False,
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}},
        )
    )
    frames = []
    if selected is not None:
        frames.append((selected, "#e4572e", 3))
    if marked is not None:
        frames += [((int(a), int(b)), "crimson", 2) for a, b in zip(*np.nonzero(marked), strict=True)]
    for (layer, head), color, w in frames:
        fig.add_shape(
            type="rect",
            x0=head * step - 1,
            x1=head * step + n,
            y0=layer * step - 1,
            y1=layer * step + n,
            line={"color": color, "width": w},
        )
    fig.update_xaxes(
        tickvals=[h * step + (n - 1) / 2 for h in range(heads)],
        ticktext=[f"H{h + 1}" for h in range(heads)],
        side="top",
        range=[-1.5, heads * step - GAP + 0.5],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    fig.update_yaxes(
        tickvals=[layer * step + (n - 1) / 2 for layer in range(layers)],
        ticktext=[f"L{layer + 1}" for layer in range(layers)],
        range=[layers * step - GAP + 0.5, -1.5],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    return base_layout(fig, height, None, width=width, dragmode=False, clickmode="event+select")
