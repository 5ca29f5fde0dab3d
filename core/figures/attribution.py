"""Figures of attributions: pure functions from result objects to Plotly figures (no Streamlit, no model).

Signed scores use one diverging scale centred at 0 (red: raises the explained output, blue: lowers it), so a
colour means the same on every figure.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.attribution.faithfulness import Faithfulness
from core.attribution.sanity import SanityCheck
from core.figures.layout import framed

DIVERGING = "RdBu_r"
POSITIVE, NEGATIVE, NEUTRAL = "#c0392b", "#2e6bb0", "#9aa5b1"
FONT = {"family": "Inter, system-ui, sans-serif", "size": 13}
MARKERS = {  # the two points a 2-D map marks, told apart by shape and colour
    "explained point": {"symbol": "x", "size": 11, "color": "#f1c40f", "line": {"width": 2, "color": "black"}},
    "baseline": {"symbol": "diamond", "size": 11, "color": "#2ecc71", "line": {"width": 2, "color": "black"}},
}


def _layout(fig: go.Figure, height: int, title: str = "") -> go.Figure:
    return framed(fig, height, title, FONT)


def _limit(scores: np.ndarray) -> float:
    top = float(np.nanmax(np.abs(scores))) if np.size(scores) else 0.0
    return top if top > 0 else 1.0


ROW_UNITS = 75  # a token strip's row, in character widths: a cell is its token's length + 2.5 (at least 5.5)


def token_cells(tokens: tuple[str, ...], per_row: int = 14) -> list[list[tuple[int, float, float]]]:
    """Tokens laid out like wrapped text: rows of (token index, left, right) in character widths, each cell as
    wide as its token plus padding, a new row when ROW_UNITS or `per_row` tokens are full."""
    rows: list[list[tuple[int, float, float]]] = [[]]
    x = 0.0
    for i, token in enumerate(tokens):
        width = max(len(token), 3) + 2.5
        if rows[-1] and (x + width > ROW_UNITS or len(rows[-1]) >= per_row):
            rows.append([])
            x = 0.0
        rows[-1].append((i, x, x + width))
        x += width
    return rows


def token_heatmap(tokens: tuple[str, ...], scores: np.ndarray, per_row: int = 14, title: str = "") -> go.Figure:
    """Tokens as coloured cells in reading order, each as wide as its text, wrapped like text (one heatmap trace
    per row, on one shared colour axis), value on hover. scores: [T]."""
    limit = _limit(scores)
    rows = token_cells(tokens, per_row)
    fig = go.Figure()
    for r, cells in enumerate(rows):
        if not cells:  # no tokens at all
            continue
        index = [i for i, _, _ in cells]
        fig.add_trace(
            go.Heatmap(
                z=[[float(scores[i]) for i in index]],
                x=[cells[0][1], *(right for _, _, right in cells)],
                y=[r - 0.5, r + 0.5],
                text=[[tokens[i] for i in index]],
                customdata=[index],
                texttemplate="%{text}",
                textfont={"size": 14},
                coloraxis="coloraxis",
                xgap=3,
                ygap=6,
                hovertemplate="token %{customdata}: <b>%{text}</b><br>attribution %{z:.4g}<extra></extra>",
            )
        )
    widest = max((right for cells in rows for _, _, right in cells), default=0.0)  # a lone token over a row
    fig.update_xaxes(visible=False, range=[0, max(ROW_UNITS, widest)])
    fig.update_yaxes(visible=False, range=[len(rows) - 0.5, -0.5])
    _layout(fig, 60 + 52 * len(rows), title)
    fig.update_layout(
        coloraxis={"colorscale": DIVERGING, "cmid": 0, "cmin": -limit, "cmax": limit, "colorbar": {"thickness": 12}}
    )
    return fig


def _tick_angle(n_labels: int) -> float | None:
    """Slanted for many token labels; for a few, unset: Plotly's automatic angle turns them only when a narrow
    screen would make them run into each other."""
    return -45 if n_labels > 12 else None


def score_bars(
    names: tuple[str, ...], scores: np.ndarray, title: str = "", value_label: str = "attribution"
) -> go.Figure:
    """One bar per token/feature in input order, red up / blue down. Positions keep repeated tokens apart."""
    x = np.arange(len(names))
    colors = [POSITIVE if s > 0 else NEGATIVE if s < 0 else NEUTRAL for s in scores]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=scores,
            marker_color=colors,
            customdata=list(names),
            hovertemplate="%{customdata}: %{y:.4g}<extra></extra>",
        )
    )
    fig.update_xaxes(tickvals=x, ticktext=list(names), tickangle=_tick_angle(len(names)))
    fig.update_yaxes(title=value_label, zeroline=True, zerolinecolor="#555", gridcolor="#eee")
    return _layout(fig, 320, title)


def comparison_grid(names: tuple[str, ...], rows: dict[str, np.ndarray], title: str = "") -> go.Figure:
    """Rows of scores [n_features] (methods or baselines) side by side, each row scaled by its own max |score|."""
    labels = list(rows)
    raw = np.stack([rows[k] for k in labels])
    scaled = raw / np.array([_limit(r) for r in raw])[:, None]
    fig = go.Figure(
        go.Heatmap(
            z=scaled,
            x=np.arange(len(names)),
            y=labels,
            customdata=raw,
            text=[list(names)] * len(labels),
            colorscale=DIVERGING,
            zmid=0,
            zmin=-1,
            zmax=1,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{text}: %{customdata:.4g} (%{z:.0%} of the row's max)<extra></extra>",
            colorbar={"title": {"text": "share of row max", "side": "right"}, "thickness": 12},
        )
    )
    fig.update_xaxes(tickvals=np.arange(len(names)), ticktext=list(names), tickangle=_tick_angle(len(names)))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, 90 + 34 * len(labels), title)


def agreement_heatmap(labels: list[str], matrix: np.ndarray, title: str = "Spearman ρ between methods") -> go.Figure:
    """Rank correlations [n, n] with the values written in the cells."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale=DIVERGING,
            zmid=0,
            zmin=-1,
            zmax=1,
            text=np.vectorize(lambda v: "–" if np.isnan(v) else f"{v:.2f}")(matrix),
            texttemplate="%{text}",
            hovertemplate="%{y} vs %{x}: ρ = %{z:.3f}<extra></extra>",
            colorbar={"thickness": 12},
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, 120 + 40 * len(labels), title)


def convergence_plot(steps: tuple[int, ...], relative_delta: tuple[float, ...], tolerance: float) -> go.Figure:
    """Adaptive steps: |delta| / |f(x) − f(x′)| against n_steps (log-log) with the tolerance line."""
    fig = go.Figure(
        go.Scatter(
            x=steps,
            y=np.maximum(relative_delta, 1e-12),
            mode="lines+markers",
            line={"color": POSITIVE},
            name="relative |delta|",
            hovertemplate="n_steps %{x}: %{y:.2e}<extra></extra>",
        )
    )
    fig.add_hline(y=tolerance, line_dash="dash", line_color="#555", annotation_text=f"tolerance {tolerance:g}")
    fig.update_xaxes(type="log", title="n_steps", tickvals=list(steps))
    fig.update_yaxes(type="log", title="|delta| / |f(x) − f(x′)|", gridcolor="#eee")
    return _layout(fig, 280, "Integrated Gradients convergence")


def _band(fig: go.Figure, x: np.ndarray, curves: np.ndarray, col: int, show: bool) -> None:
    low, high = np.percentile(curves, 10, axis=0), np.percentile(curves, 90, axis=0)
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([high, low[::-1]]),
            fill="toself",
            mode="lines",
            fillcolor="rgba(150,150,150,0.25)",
            line={"width": 0},
            hoverinfo="skip",
            name="random orders (10–90 %)",
            showlegend=show,
            legendgroup="random",
        ),
        1,
        col,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curves.mean(0),
            line={"color": "#777", "dash": "dot"},
            name="random mean",
            showlegend=show,
            legendgroup="mean",
            hovertemplate="%{x:.0%}: %{y:.4g}<extra>random mean</extra>",
        ),
        1,
        col,
    )


def faithfulness_plot(result: Faithfulness, output_label: str) -> go.Figure:
    """Deletion (left) and insertion (right) curves of the explanation against the band of random orders."""
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(  # two lines: fit narrow screens
            f"Deletion, lower is better<br>area {result.deletion_area:.3g} (random {result.random_deletion_area:.3g})",
            f"Insertion, higher is better<br>area {result.insertion_area:.3g} "
            f"(random {result.random_insertion_area:.3g})",
        ),
    )
    for col, (curve, random) in enumerate(
        ((result.deletion, result.random_deletion), (result.insertion, result.random_insertion)), start=1
    ):
        _band(fig, result.fractions, random, col, col == 1)
        fig.add_trace(
            go.Scatter(
                x=result.fractions,
                y=curve,
                mode="lines+markers",
                line={"color": POSITIVE},
                name="attribution order",
                showlegend=col == 1,
                legendgroup="ours",
                hovertemplate="%{x:.0%}: %{y:.4g}<extra>attribution order</extra>",
            ),
            1,
            col,
        )
        fig.update_xaxes(
            title="share of tokens/features " + ("removed" if col == 1 else "restored"),
            tickformat=".0%",
            row=1,
            col=col,
        )
        fig.update_yaxes(title=output_label if col == 1 else None, gridcolor="#eee", row=1, col=col)
    fig.update_annotations(font_size=12)
    _layout(fig, 380)
    fig.update_layout(legend={"orientation": "h", "y": -0.3}, margin={"t": 60})
    return fig


def sanity_plot(result: SanityCheck) -> go.Figure:
    """Rank correlation with the trained model's attributions as layers are randomised top-down."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(result.stages), y=result.spearman, mode="lines+markers", name="ρ (signed)", line={"color": POSITIVE}
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(result.stages),
            y=result.spearman_abs,
            mode="lines+markers",
            name="ρ (|score|)",
            line={"color": NEGATIVE, "dash": "dash"},
        )
    )
    fig.add_hline(y=0, line_color="#999")
    fig.update_yaxes(range=[-1.05, 1.05], title="Spearman ρ with trained", gridcolor="#eee")
    fig.update_xaxes(title="layers randomised (cumulative, top-down)")
    return _layout(fig, 320, "Cascading randomisation (Adebayo et al. 2018)")


def plane_maps(
    xs: np.ndarray,
    ys: np.ndarray,
    maps: np.ndarray,
    feature_names: tuple[str, ...],
    decision: np.ndarray,
    boundary: float | None,
    points: np.ndarray,
    labels: np.ndarray,
    chosen: tuple[float, float] | None = None,
    baseline: tuple[float, float] | None = None,
    columns: int = 3,
) -> go.Figure:
    """One map per feature of its attribution over the plane, with the decision boundary and the data.

    maps: [R, R, F] (rows: ys); decision: the explained output [R, R]; boundary: its level to draw (0 for a
    logit, 0.5 for a probability; None for regression); chosen, baseline: the explained point and the baseline
    point (None when the baseline is not a point of the plane, e.g. the data's mean feature vector).
    """
    n = len(feature_names)
    rows = math.ceil(n / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=list(feature_names),
        horizontal_spacing=0.04,
        vertical_spacing=0.1 if rows > 1 else 0.05,
    )
    limit = _limit(maps)
    classes = np.unique(labels) if len(labels) and len(np.unique(labels)) <= 10 else np.array([])
    for i, name in enumerate(feature_names):
        r, c = i // columns + 1, i % columns + 1
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=ys,
                z=maps[:, :, i],
                colorscale=DIVERGING,
                zmid=0,
                zmin=-limit,
                zmax=limit,
                coloraxis="coloraxis",
                hoverinfo="skip",
            ),
            r,
            c,
        )
        if boundary is not None:
            fig.add_trace(
                go.Contour(
                    x=xs,
                    y=ys,
                    z=decision,
                    contours={"start": boundary, "end": boundary, "size": 1, "coloring": "none"},
                    line={"color": "black", "width": 2},
                    showscale=False,
                    hoverinfo="skip",
                    name="decision boundary",
                    showlegend=i == 0,
                ),
                r,
                c,
            )
        for k in classes:
            chosen_points = points[labels == k]
            fig.add_trace(
                go.Scatter(
                    x=chosen_points[:, 0],
                    y=chosen_points[:, 1],
                    mode="markers",
                    marker={
                        "size": 4,
                        "color": "white" if k == classes[0] else "black",
                        "line": {"width": 0.5, "color": "#333"},
                    },
                    name=f"class {k:g}",
                    showlegend=i == 0,
                    hoverinfo="skip",
                ),
                r,
                c,
            )
        gx, gy = np.meshgrid(xs, ys)  # invisible markers carry hover and clicks: heatmaps give no click selection
        fig.add_trace(
            go.Scatter(
                x=gx.ravel(),
                y=gy.ravel(),
                mode="markers",
                marker={"size": 6, "opacity": 0},
                customdata=maps[:, :, i].ravel(),
                showlegend=False,
                name="click to explain",
                hovertemplate="(%{x:.2f}, %{y:.2f})<br>"
                + name
                + ": %{customdata:.4g}<br>click to pick this point<extra></extra>",
            ),
            r,
            c,
        )
        for label, at in (("explained point", chosen), ("baseline", baseline)):
            if at is not None:
                fig.add_trace(
                    go.Scatter(
                        x=[at[0]],
                        y=[at[1]],
                        mode="markers",
                        name=label,
                        marker=MARKERS[label],
                        showlegend=i == 0,
                        hovertemplate=f"{label} (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
                    ),
                    r,
                    c,
                )
        fig.update_xaxes(range=[xs[0], xs[-1]], showticklabels=r == rows, row=r, col=c)
        fig.update_yaxes(
            range=[ys[0], ys[-1]], scaleanchor=f"x{i + 1 if i else ''}", showticklabels=c == 1, row=r, col=c
        )
    _layout(fig, 330 * rows + 60)
    fig.update_layout(
        coloraxis={
            "colorscale": DIVERGING,
            "cmid": 0,
            "cmin": -limit,
            "cmax": limit,
            "colorbar": {"title": {"text": "attribution"}, "thickness": 12},
        },
        legend={"orientation": "h", "y": -0.08},
        margin={"t": 30},
    )
    return fig
