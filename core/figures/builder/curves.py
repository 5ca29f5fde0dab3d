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
    """`runs`: (name, epochs, train losses, test losses); train solid-ish, test dotted; log y axis.

    Before training (every run has at most one point, epoch 0) a line would draw nothing on an empty −1…1 axis:
    the points are markers instead, the x axis starts at 0, and a note says to train.
    """
    fig = go.Figure()
    untrained = all(len(epochs) <= 1 for _, epochs, _, _ in runs)
    mode = "markers" if untrained else "lines"
    for r, (name, epochs, train, test) in enumerate(runs):
        epochs, train, test = thin(epochs, train, test)
        prefix = f"{name}: " if len(runs) > 1 else ""
        color = "#333333" if r == 0 else "#9467bd"
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=train,
                name=f"{prefix}train",
                mode=mode,
                cliponaxis=False,
                marker=dict(color=color, size=10),
                line=dict(color=color, dash=RUN_DASH[r % 2]),
            )
        )
        if np.isfinite(np.asarray(test, float)).any():
            color = "#aaaaaa" if r == 0 else "#c5b0d5"
            fig.add_trace(
                go.Scatter(
                    x=epochs,
                    y=test,
                    name=f"{prefix}test",
                    mode=mode,
                    cliponaxis=False,
                    marker=dict(color=color, size=6),
                    line=dict(color=color, dash="dot"),
                )
            )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=28, b=10),
        xaxis_title="epoch",
        yaxis_title="loss",
        yaxis=dict(type="log", tickformat=".2~g", nticks=5),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        uirevision="loss",
    )
    if untrained:
        last = max((e[-1] for _, e, _, _ in runs if len(e)), default=0)
        fig.update_xaxes(range=[0, max(10, last + 10)])
        values = np.asarray([v for _, _, train, test in runs for v in (*train, *test)], float)
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:  # a decade either side, so the log axis is not a stack of equal tick labels
            fig.update_yaxes(range=[np.log10(values.min()) - 1, np.log10(values.max()) + 1])
        # top right: clear of the epoch-0 points (left, middle) and of the tick labels on a narrow screen
        fig.add_annotation(
            text="train to see the curves",
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font=dict(color="#888888", size=12),
        )
    return fig


def grad_norm_figure(epochs: list[int], norms: list[list[float]], height: int = 240) -> go.Figure:
    """Per-layer gradient norm ‖dL/dW‖ over epochs (`norms [epochs][layers]`), log scale."""
    epochs, norms = thin(epochs, norms)
    arr = np.asarray(norms, float)
    fig = go.Figure()
    for layer in range(arr.shape[1] if arr.ndim == 2 else 0):
        fig.add_trace(go.Scatter(x=epochs, y=arr[:, layer], mode="lines", name=f"layer {layer + 1}"))
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title="epoch",
        yaxis_title="‖dL/dW‖",
        yaxis=dict(type="log", tickformat=".2~g", nticks=5),
        legend=dict(orientation="h", y=1.15),
    )
    return fig


def confusion_figure(confusion: np.ndarray, height: int = 220) -> go.Figure:
    """Counts `[true, predicted]` (the page's are on the test points), annotated; each class's tick label in its
    colour on the plane."""
    k = confusion.shape[0]
    names = [f"class {i}" for i in range(k)]
    ticks = dict(
        tickmode="array",
        tickvals=names,
        ticktext=[f"<span style='color:{CLASS_COLORS[i % len(CLASS_COLORS)]}'>{n}</span>" for i, n in enumerate(names)],
    )
    fig = go.Figure(
        go.Heatmap(
            z=confusion,
            x=names,
            y=names,
            colorscale="Blues",
            showscale=False,
            text=confusion,
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title="true", **ticks)
    fig.update_xaxes(title="predicted", side="top", **ticks)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10))
    return fig
