"""Pieces shared by the attention figures: head colours, heatmaps with token axes, layer × head grids."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.figures.layout import framed

HEAD_COLORS = qualitative.D3 + qualitative.Dark24  # distinct colours for the first ten heads, then more
WEIGHT_SCALE = "Blues"
DIFF_SCALE = "RdBu_r"
FONT = {"family": "Inter, Segoe UI, sans-serif", "size": 12}


def head_color(head: int) -> str:
    return HEAD_COLORS[head % len(HEAD_COLORS)]


def base_layout(fig: go.Figure, height: int, title: str | None = None, **extra) -> go.Figure:
    return framed(fig, height, title, FONT, **extra)


def unit_names(labels: tuple[str, ...]) -> list[str]:
    """One unique axis category per token ("the (#3)"): tokens repeat, and repeated categories would merge."""
    return [f"{label} (#{i})" for i, label in enumerate(labels)]


def matrix_trace(
    matrix: np.ndarray,
    rows: tuple[str, ...],
    cols: tuple[str, ...],
    zmin: float = 0.0,
    zmax: float | None = None,
    colorscale: str = WEIGHT_SCALE,
    showscale: bool = True,
    value_name: str = "weight",
) -> go.Heatmap:
    """A heatmap of [rows, cols] on category axes of unique token names, so one hover template serves every cell
    (per-cell hover text made a 256-token map ~5 MB in the browser)."""
    return go.Heatmap(
        z=matrix,
        x=unit_names(cols),
        y=unit_names(rows),
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        showscale=showscale,
        hovertemplate=f"%{{y}} → %{{x}}<br>{value_name}: %{{z:.4f}}<extra></extra>",
        xgap=1 if len(cols) <= 40 else 0,
        ygap=1 if len(rows) <= 40 else 0,
        colorbar={"thickness": 12, "len": 0.8},
    )


def token_axes(
    fig: go.Figure,
    rows: tuple[str, ...],
    cols: tuple[str, ...],
    row: int | None = None,
    col: int | None = None,
    show_rows: bool = True,
) -> None:
    """Token labels on a heatmap's axes; queries top to bottom, keys left to right."""
    where = {"row": row, "col": col} if row is not None else {}
    fig.update_xaxes(
        type="category",
        tickvals=unit_names(cols),
        ticktext=list(cols),
        tickangle=-60,
        side="bottom",
        tickfont={"size": 10 if len(cols) < 30 else 8},
        **where,
    )
    fig.update_yaxes(
        type="category",
        tickvals=unit_names(rows),
        ticktext=list(rows) if show_rows else [""] * len(rows),
        autorange="reversed",
        tickfont={"size": 10 if len(rows) < 30 else 8},
        **where,
    )


def matrix_figure(
    matrix: np.ndarray,
    rows: tuple[str, ...],
    cols: tuple[str, ...],
    title: str,
    zmin: float = 0.0,
    zmax: float | None = None,
    colorscale: str = WEIGHT_SCALE,
    value_name: str = "weight",
    height: int | None = None,
) -> go.Figure:
    """One token × token heatmap with readable token axes."""
    fig = go.Figure(matrix_trace(matrix, rows, cols, zmin, zmax, colorscale, value_name=value_name))
    token_axes(fig, rows, cols)
    fig.update_xaxes(title_text="key (attended to)")
    fig.update_yaxes(title_text="query (attending)")
    return base_layout(fig, height or min(720, 160 + 22 * len(rows)), title)


def layer_head_figure(
    values: np.ndarray,
    title: str,
    colorscale: str = "Viridis",
    zmin: float | None = None,
    zmax: float | None = None,
    value_name: str = "value",
    marks: np.ndarray | None = None,
) -> go.Figure:
    """A layers × heads heatmap with the value written in each cell; `marks` [layers, heads] bool adds a red frame."""
    layers, heads = values.shape
    text = [[f"{values[layer, head]:.2f}" for head in range(heads)] for layer in range(layers)]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[f"H{h + 1}" for h in range(heads)],
            y=[f"L{layer + 1}" for layer in range(layers)],
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            hovertemplate=f"layer %{{y}}, head %{{x}}<br>{value_name}: %{{z:.4f}}<extra></extra>",
            xgap=2,
            ygap=2,
            colorbar={"thickness": 12},
        )
    )
    if marks is not None and marks.any():
        ys, xs = np.nonzero(marks)
        fig.add_trace(
            go.Scatter(
                x=[f"H{h + 1}" for h in xs],
                y=[f"L{layer + 1}" for layer in ys],
                mode="markers",
                marker={"symbol": "square-open", "size": 30, "color": "crimson", "line": {"width": 3}},
                hoverinfo="skip",
                showlegend=False,
            )
        )  # a frame, so the cell's number stays readable
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, 90 + 34 * layers, title)
