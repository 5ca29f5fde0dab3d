"""The output over the input plane as an image, with the data points on top and a clickable, hoverable grid.

Trace order (the page reads clicks by it): 0 = click/hover grid, 1 = training points, 2 = test points (if shown).
While the student adds points by clicking, the points let clicks through to the grid (a click next to a point adds
one instead of picking that point) and test points are drawn too (every point added is seen).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.data.datasets import DOMAIN
from core.figures.builder.colors import CLASS_COLORS, class_rgb, diverging_rgb, png_uri

GRID_TRACE, TRAIN_TRACE, TEST_TRACE = 0, 1, 2
LEGEND_TOP = 58  # px of top margin: the mode bar, then the legend's row


def to_unit(head: str, values: np.ndarray) -> np.ndarray:
    """Binary/regression outputs `[1, ...]` → [-1, 1] (class 0 ↦ -1, class 1 ↦ +1), for colouring."""
    v = values[0]
    return 2 * v - 1 if head == "sigmoid_bce" else v


def plane_image(head: str, output: np.ndarray, discretize: bool = False) -> np.ndarray:
    """The network output over the plane `[K, res, res]` → uint8 RGB `[res, res, 3]` (row 0 = bottom)."""
    if head == "softmax_ce":
        probs = np.eye(output.shape[0])[output.argmax(0)].transpose(2, 0, 1) if discretize else output
        return class_rgb(probs)
    unit = to_unit(head, output)
    return diverging_rgb(np.sign(unit) if discretize else unit)


def _point_colors(labels: np.ndarray, task: str) -> list[str] | np.ndarray:
    if task == "regression":
        return labels
    return [CLASS_COLORS[int(c)] for c in labels]


def plane_figure(
    head: str,
    task: str,
    output: np.ndarray,
    points: np.ndarray,
    labels: np.ndarray,
    is_train: np.ndarray,
    show_test: bool = False,
    discretize: bool = False,
    selected: int | None = None,
    click_grid: int = 30,
    height: int = 420,
    adding: bool = False,
) -> go.Figure:
    """Heatmap of the output `[K, res, res]` with train points (white edge) and test points (black edge).

    A grid of `click_grid²` invisible markers carries the hover value and lets a click anywhere give (x1, x2);
    `selected` (an index into `points`) is ringed. `adding`: clicks add points (see the module's docstring), on a
    grid twice as fine.
    """
    lo, hi = DOMAIN
    res = output.shape[-1]
    click_grid, show_test = (2 * click_grid, True) if adding else (click_grid, show_test)
    traces = []
    # invisible click/hover grid: output sampled at the nearest image cell
    step = (hi - lo) / click_grid
    axis = np.linspace(lo + step / 2, hi - step / 2, click_grid)
    gx, gy = np.meshgrid(axis, axis)
    cols = np.clip(((gx - lo) / (hi - lo) * res).astype(int), 0, res - 1)
    rows = np.clip(((gy - lo) / (hi - lo) * res).astype(int), 0, res - 1)
    val = output[:, rows, cols]  # [K, g, g]
    text = np.vectorize(lambda k: f"class {k}")(val.argmax(0)) if head == "softmax_ce" else np.char.mod("%.3f", val[0])
    traces.append(
        dict(
            type="scatter",
            x=gx.ravel(),
            y=gy.ravel(),
            mode="markers",
            name="plane",
            marker=dict(size=14, symbol="square", opacity=0),
            text=text.ravel(),
            showlegend=False,
            hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>output %{text}<extra></extra>",
        )
    )
    colors = _point_colors(labels, task)
    colorbar_kw = (
        dict(colorscale=[[0, "#f59322"], [0.5, "#ffffff"], [1, "#0877bd"]], cmin=-1, cmax=1)
        if task == "regression"
        else {}
    )
    for trace_mask, name, edge in ((is_train, "train", "white"), (~is_train, "test", "black")):
        if name == "test" and not show_test:
            continue
        idx = np.flatnonzero(trace_mask)
        c = np.asarray(colors)[idx] if task != "regression" else labels[idx]
        traces.append(
            dict(
                type="scatter",
                x=points[idx, 0],
                y=points[idx, 1],
                mode="markers",
                name=f"{name} points",
                customdata=idx,
                marker=dict(size=7, color=c, line=dict(color=edge, width=1), **colorbar_kw),
                hovertemplate=f"{name} point #%{{customdata}}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<extra></extra>",
                hoverinfo="skip" if adding else None,
            )
        )
    if selected is not None and 0 <= selected < len(points):
        traces.append(
            dict(
                type="scatter",
                x=[points[selected, 0]],
                y=[points[selected, 1]],
                mode="markers",
                name="selected sample",
                hoverinfo="skip",
                marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color="black", width=3)),
            )
        )
    image = dict(
        source=png_uri(plane_image(head, output, discretize)),
        xref="x",
        yref="y",
        x=lo,
        y=hi,
        sizex=hi - lo,
        sizey=hi - lo,
        sizing="stretch",
        layer="below",
    )
    # The legend sits above the plot (below the mode bar, which takes the top ~25 px), clear of the x-axis title;
    # both axes constrain their domain, so the square plot shrinks instead of padding its range and the x tick
    # labels stay right under the image; it keeps to the top (1024 pixels wide: the plane starts above the fold).
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=LEGEND_TOP, b=10),
        plot_bgcolor="white",
        images=[image],
        clickmode="event+select",
        dragmode=False,
        legend=dict(orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom"),
        xaxis=dict(
            range=[lo, hi], title=dict(text="x₁", standoff=4), constrain="domain", showgrid=False, zeroline=False
        ),
        yaxis=dict(
            range=[lo, hi],
            title=dict(text="x₂", standoff=4),
            scaleanchor="x",
            constrain="domain",
            constraintoward="top",  # in a narrow column the square sits under the legend, the spare height below
            showgrid=False,
            zeroline=False,
        ),
        uirevision="plane",
    )
    return go.Figure(data=traces, layout=layout)


def canvas_figure(points: np.ndarray, labels: np.ndarray, height: int = 420) -> go.Figure:
    """The blank canvas: the plane with no network output yet (neutral grey), the points clicked so far `[N, 2]`
    with their classes `[N]`, and a click grid that adds points."""
    neutral = np.full((1, 2, 2), 0.5)  # a sigmoid output of 0.5 is the diverging scale's neutral grey
    fig = plane_figure(
        "sigmoid_bce", "binary", neutral, points, labels, np.ones(len(points), bool), height=height, adding=True
    )
    fig.update_traces(
        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>click to add a point<extra></extra>", selector=dict(name="plane")
    )
    fig.update_layout(uirevision="canvas")  # the trained plane starts afresh, not zoomed as the canvas was
    return fig
