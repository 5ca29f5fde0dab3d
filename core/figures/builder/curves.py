"""Loss curves (one run or two overlaid), gradient norms per layer, and the confusion matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.builder.colors import CLASS_COLORS

RUN_DASH = ("solid", "dash")
MAX_POINTS = 400  # a curve keeps at most this many points (evenly spaced, last one kept), so frames stay small


def thin(xs: list, *ys: list) -> tuple[list, ...]:
    """Every k-th entry of `xs` and each of `ys` (plus the last), so that at most MAX_POINTS remain."""
    step = max(1, -(-len(xs) // MAX_POINTS))
    idx = list(range(0, len(xs), step))
    if idx and idx[-1] != len(xs) - 1:
        idx.append(len(xs) - 1)
    return ([xs[i] for i in idx], *([y[i] for i in idx] for y in ys))


def loss_figure(runs: list[tuple[str, list[int], list[float], list[float]]], height: int = 220) -> go.Figure:
    """`runs`: (name, epochs, train losses, test losses); train solid-ish, test dotted; log y axis."""
    fig = go.Figure()
    for r, (name, epochs, train, test) in enumerate(runs):
        epochs, train, test = thin(epochs, train, test)
        prefix = f"{name}: " if len(runs) > 1 else ""
        fig.add_trace(go.Scatter(x=epochs, y=train, name=f"{prefix}train", mode="lines",
                                 line=dict(color="#333333" if r == 0 else "#9467bd", dash=RUN_DASH[r % 2])))
        if np.isfinite(np.asarray(test, float)).any():
            fig.add_trace(go.Scatter(x=epochs, y=test, name=f"{prefix}test", mode="lines",
                                     line=dict(color="#aaaaaa" if r == 0 else "#c5b0d5", dash="dot")))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), xaxis_title="epoch",
                      yaxis_title="loss", yaxis=dict(type="log", tickformat=".2~g", nticks=5),
                      legend=dict(orientation="h", y=1.15),
                      uirevision="loss")
    return fig


def grad_norm_figure(epochs: list[int], norms: list[list[float]], height: int = 240) -> go.Figure:
    """Per-layer gradient norm ‖dL/dW‖ over epochs (`norms [epochs][layers]`), log scale."""
    epochs, norms = thin(epochs, norms)
    arr = np.asarray(norms, float)
    fig = go.Figure()
    for layer in range(arr.shape[1] if arr.ndim == 2 else 0):
        fig.add_trace(go.Scatter(x=epochs, y=arr[:, layer], mode="lines", name=f"layer {layer + 1}"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), xaxis_title="epoch",
                      yaxis_title="‖dL/dW‖", yaxis=dict(type="log", tickformat=".2~g", nticks=5),
                      legend=dict(orientation="h", y=1.15))
    return fig


def confusion_figure(confusion: np.ndarray, height: int = 220) -> go.Figure:
    """Counts `[true, predicted]` on the test points, annotated."""
    k = confusion.shape[0]
    names = [f"class {i}" for i in range(k)]
    fig = go.Figure(go.Heatmap(z=confusion, x=names, y=names, colorscale="Blues", showscale=False,
                               text=confusion, texttemplate="%{text}",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title="true")
    fig.update_xaxes(title="predicted", side="top", tickfont=dict(color=CLASS_COLORS[0]))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10))
    return fig
