"""Loss curves (one run or two overlaid), gradient norms per layer, and the confusion matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.builder.colors import CLASS_COLORS

RUN_DASH = ("solid", "dash")
MAX_POINTS = 400  # a curve keeps at most this many points (evenly spaced, last one kept), so frames stay small
TICK_PX = 28  # the least height a log axis gives each tick label (they overlapped at 1-2-5 per decade)


def thin(xs: list, *ys: list) -> tuple[list, ...]:
    """Every k-th entry of `xs` and each of `ys` (plus the last), so that at most MAX_POINTS remain."""
    step = max(1, -(-len(xs) // MAX_POINTS))
    idx = list(range(0, len(xs), step))
    if idx and idx[-1] != len(xs) - 1:
        idx.append(len(xs) - 1)
    return ([xs[i] for i in idx], *([y[i] for i in idx] for y in ys))


def log_axis(values: np.ndarray, height: int) -> dict:
    """A log y axis whose tick labels fit `height` pixels: Plotly's 1-2-5 labels per decade while they fit, else one
    label every power of ten (or every few powers) for `values` (any shape; non-positive and NaN ignored)."""
    v = np.asarray(values, float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    decades = np.log10(v.max() / v.min()) if v.size else 0.0
    fit = max(2, (height - 80) // TICK_PX)  # the plot area's height, less the title, legend and margins
    if 3 * (decades + 1) <= fit:
        return dict(type="log", tickformat=".2~g", nticks=5)
    return dict(
        type="log", tickformat=".0e" if decades > 4 else ".2~g", dtick=max(1, int(np.ceil((decades + 1) / fit)))
    )


def loss_figure(runs: list[tuple[str, list[int], list[float], list[float]]], height: int = 220) -> go.Figure:
    """`runs`: (name, epochs, train losses, test losses); train solid-ish, test dotted; log y axis.

    Before training (every run has at most one point, epoch 0) a line would draw nothing on an empty −1…1 axis:
    the points are markers instead, the x axis starts at 0, and a note says to train.
    """
    fig = go.Figure()
    untrained = all(len(epochs) <= 1 for _, epochs, _, _ in runs)
    values = np.asarray([v for _, _, train, test in runs for v in (*train, *test)], float)
    values = values[np.isfinite(values) & (values > 0)]
    # before training the axis shows a decade either side, so the log axis is not a stack of equal tick labels
    ends = values if values.size else np.ones(1)
    shown = np.concatenate([values, [ends.min() / 10, ends.max() * 10]]) if untrained else values
    for r, (name, epochs, train, test) in enumerate(runs):
        epochs, train, test = thin(epochs, train, test)
        mode = "markers" if len(epochs) <= 1 else "lines"  # a one-point line draws nothing (run A pinned at 0)
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
        yaxis=log_axis(shown, height),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        uirevision="loss",
    )
    if untrained:
        last = max((e[-1] for _, e, _, _ in runs if len(e)), default=0)
        fig.update_xaxes(range=[0, max(10, last + 10)])
        if values.size:
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
        yaxis=log_axis(arr, height),
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
