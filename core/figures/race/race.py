"""Figures of a race on a 2-D surface: contour with animated paths, 3-D surface, loss/distance/‖∇f‖ vs step."""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from core.race.race import RaceResult, RacerRun
from core.race.surfaces import Surface

COLORS = qualitative.Plotly + qualitative.D3
CLICK_GRID = 41  # the invisible clickable points of the contour plot, per axis


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


@functools.lru_cache(maxsize=32)  # an animation redraws the same surface every tick; results are read-only
def log_levels(surface: Surface, n: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Grid xs [n], ys [n], f [n, n] and log10(f − f_low + δ) [n, n], with f_low the grid's lowest value.

    Contour levels evenly spaced in this log are log-spaced in f: the flat floor of a valley gets as many
    lines as its steep walls. δ = 1e-6 of the value range keeps the log finite at the minimum.
    """
    xs, ys, z = surface.grid(n)
    f = z.numpy()
    low, high = float(f.min()), float(f.max())
    delta = max(1e-12, 1e-6 * (high - low))
    return xs.numpy(), ys.numpy(), f, np.log10(f - low + delta), low - delta


def minima_trace(surface: Surface) -> go.Scatter:
    """The surface's known minima as white stars (for figures that have some)."""
    mx, my = zip(*surface.minima, strict=True)
    return go.Scatter(
        x=mx,
        y=my,
        mode="markers",
        name="minimum",
        marker=dict(symbol="star", size=16, color="white", line=dict(color="black", width=1.5)),
    )


def _path_end(run: RacerRun, step: int) -> int:
    return min(step, run.steps)


def contour_figure(result: RaceResult, step: int, n: int = 121, clickable: bool = True) -> go.Figure:
    """Contour (log levels) with each racer's path up to `step`, start, known minima and divergence markers."""
    surface = result.surface
    xs, ys, f, logf, _ = log_levels(surface, n)
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=logf,
            customdata=f,
            ncontours=30,
            colorscale="Viridis",
            opacity=0.85,
            contours=dict(showlines=True),
            line=dict(width=0.5),
            colorbar=dict(title=dict(text="log₁₀(f − f_low)", side="right"), thickness=12),
            hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>f=%{customdata:.4g}<extra></extra>",
            name="surface",
        )
    )
    if clickable:  # Plotly gives no click selection on contours: an invisible grid of points takes the clicks
        gx, gy = np.meshgrid(np.linspace(*surface.domain[0], CLICK_GRID), np.linspace(*surface.domain[1], CLICK_GRID))
        fig.add_trace(
            go.Scatter(
                x=gx.ravel(),
                y=gy.ravel(),
                mode="markers",
                name="click to start here",
                showlegend=False,
                marker=dict(size=9, symbol="square", color="rgba(255,255,255,0.01)"),
                hovertemplate="click: start at (%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )
    for i, run in enumerate(result.runs):
        end = _path_end(run, step)
        pts = run.points[: end + 1]
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="lines+markers",
                name=run.label,
                legendgroup=run.label,
                line=dict(color=color(i), width=2.5),
                marker=dict(size=3),
                customdata=np.c_[np.arange(end + 1), run.losses[: end + 1]],
                hovertemplate=f"{run.label}<br>step %{{customdata[0]}}<br>f=%{{customdata[1]:.4g}}<extra></extra>",
            )
        )
        stopped = run.diverged and step >= run.steps
        fig.add_trace(
            go.Scatter(
                x=[pts[-1, 0]],
                y=[pts[-1, 1]],
                mode="markers",
                showlegend=False,
                legendgroup=run.label,
                marker=dict(
                    size=16 if stopped else 11,
                    color=color(i),
                    symbol="x" if stopped else "circle",
                    line=dict(color="black" if stopped else "white", width=1.5),
                ),
                hovertemplate=(run.stop.message if stopped else run.label) + "<extra></extra>",
            )
        )
    if surface.minima:  # drawn last, so the stars stay visible over the paths
        fig.add_trace(minima_trace(surface))
    fig.add_trace(
        go.Scatter(
            x=[result.start[0]],
            y=[result.start[1]],
            mode="markers",
            name="start",
            marker=dict(symbol="circle-open", size=14, color="white", line=dict(width=3)),
        )
    )
    (x0, x1), (y0, y1) = surface.domain
    fig.update_layout(
        height=560,
        margin=dict(l=10, r=10, t=30, b=10),
        clickmode="event+select",
        dragmode="pan",
        xaxis=dict(range=[x0, x1], title="x", constrain="domain"),
        yaxis=dict(range=[y0, y1], title="y"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        uirevision=surface.title,
    )
    return fig


def surface3d_figure(result: RaceResult, step: int, n: int = 81) -> go.Figure:
    """The surface as a 3-D mesh (height = log10(f − f_low + δ)) with the paths drawn on it."""
    xs, ys, f, logf, low = log_levels(result.surface, n)
    fig = go.Figure(
        go.Surface(
            x=xs,
            y=ys,
            z=logf,
            customdata=f,
            colorscale="Viridis",
            opacity=0.9,
            showscale=False,
            hovertemplate="f=%{customdata:.4g}<extra></extra>",
        )
    )
    for i, run in enumerate(result.runs):
        pts = run.points[: _path_end(run, step) + 1]
        height = np.log10(np.maximum(run.losses[: len(pts)] - low, 1e-300))
        fig.add_trace(
            go.Scatter3d(
                x=pts[:, 0], y=pts[:, 1], z=height, mode="lines", name=run.label, line=dict(color=color(i), width=6)
            )
        )
    fig.update_layout(
        height=520,
        margin=dict(l=0, r=0, t=10, b=0),
        legend=dict(orientation="h"),
        scene=dict(
            zaxis_title="log₁₀(f − f_low)",
            xaxis_title="x",
            yaxis_title="y",
            camera=dict(eye=dict(x=1.4, y=-1.5, z=1.1)),
        ),
    )
    return fig


def metrics_figure(result: RaceResult, step: int) -> go.Figure:
    """Three panels over steps: f − f_min (log; raw f without a minimum), distance to nearest minimum, ‖∇f‖."""
    f_min = result.surface.min_value
    titles = (  # short: on a 1024-pixel projector each panel is about 200 pixels wide
        "f − f_min" if f_min is not None else "f (no minimum)",
        "distance to a minimum",
        "‖∇f‖ (noise-free)",
    )
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.09)
    for i, run in enumerate(result.runs):
        steps = np.arange(run.steps + 1)
        loss = run.losses - f_min if f_min is not None else run.losses
        series = [
            np.maximum(loss, 1e-16) if f_min is not None else loss,
            run.distances(result.surface.minima),
            run.grad_norms,
        ]
        for col, y in enumerate(series, start=1):
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=y,
                    mode="lines",
                    name=run.label,
                    legendgroup=run.label,
                    showlegend=col == 1,
                    line=dict(color=color(i), width=2),
                ),
                row=1,
                col=col,
            )
    for col in (1, 2, 3):
        fig.add_vline(x=step, line=dict(color="gray", dash="dot", width=1), row=1, col=col)
        fig.update_xaxes(title_text="step", row=1, col=col)
        if col > 1 or f_min is not None:
            fig.update_yaxes(type="log", exponentformat="power", row=1, col=col)
    fig.update_layout(height=330, margin=dict(l=10, r=10, t=40, b=10), showlegend=False)
    return fig


def noise_fan_figure(
    surface: Surface, start: tuple[float, float], paths: list[np.ndarray], label: str, n: int = 101
) -> go.Figure:
    """One racer's paths under several noise seeds, drawn as a fan over the contour."""
    xs, ys, _, logf, _ = log_levels(surface, n)
    fig = go.Figure(
        go.Contour(
            x=xs, y=ys, z=logf, ncontours=30, colorscale="Viridis", opacity=0.7, showscale=False, hoverinfo="skip"
        )
    )
    for k, pts in enumerate(paths):
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="lines",
                showlegend=k == 0,
                name=f"{label}: {len(paths)} seeds",
                line=dict(color="white", width=1.2),
                opacity=0.6,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[pts[-1, 0]], y=[pts[-1, 1]], mode="markers", showlegend=False, marker=dict(color="#d9480f", size=6)
            )
        )
    if surface.minima:
        fig.add_trace(minima_trace(surface))
    (x0, x1), (y0, y1) = surface.domain
    fig.update_layout(
        height=420,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(range=[x0, x1]),
        yaxis=dict(range=[y0, y1]),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
    return fig


def weight_decay_figure(lab) -> go.Figure:
    """Each weight of the weight-decay lab over steps, Adam (L2, solid) vs AdamW (decoupled, dashed)."""
    fig = go.Figure()
    steps = np.arange(len(lab.adam))
    for j in range(lab.adam.shape[1]):
        for name, path, dash in (("Adam (L2)", lab.adam, "solid"), ("AdamW", lab.adamw, "dash")):
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=path[:, j],
                    mode="lines",
                    name=f"{name}: θ{j + 1}(0)={path[0, j]:g}",
                    line=dict(color=color(j), dash=dash),
                )
            )
    fig.update_layout(
        height=330,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="step",
        yaxis_title="weight",
        title=f"lr = {lab.lr:g}, λ = {lab.weight_decay:g}",
    )
    return fig


def sensitivity_figure(sweeps, current_lrs: list[float]) -> go.Figure:
    """Score vs learning rate (log-log) per racer: the best rate (star) and the rate in use (circle);
    rates where the racer diverged are left out of the curve and marked with × on the bottom axis."""
    fig = go.Figure()
    for i, sweep in enumerate(sweeps):
        finite = np.isfinite(sweep.scores)
        label = sweep.racer.label
        fig.add_trace(
            go.Scatter(
                x=sweep.lrs[finite],
                y=np.maximum(sweep.scores[finite], 1e-16),
                mode="lines+markers",
                name=label,
                legendgroup=label,
                line=dict(color=color(i), width=2),
            )
        )
        if (~finite).any():
            fig.add_trace(
                go.Scatter(
                    x=sweep.lrs[~finite],
                    y=np.full(int((~finite).sum()), 0.0),
                    yaxis="y2",
                    mode="markers",
                    showlegend=False,
                    legendgroup=label,
                    hovertemplate="diverged at lr=%{x:.3g}<extra></extra>",
                    marker=dict(symbol="x", size=9, color=color(i)),
                )
            )
        if sweep.best_lr is not None:
            fig.add_trace(
                go.Scatter(
                    x=[sweep.best_lr],
                    y=[max(sweep.best_score, 1e-16)],
                    mode="markers",
                    showlegend=False,
                    legendgroup=label,
                    hovertemplate="best lr=%{x:.3g}<extra></extra>",
                    marker=dict(symbol="star", size=15, color=color(i), line=dict(width=1)),
                )
            )
    fig.update_layout(
        height=420,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(type="log", title="learning rate"),
        yaxis=dict(type="log", title=sweeps[0].score if sweeps else "score", exponentformat="power"),
        yaxis2=dict(overlaying="y", range=[0, 1], visible=False),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
    for i, lr in enumerate(current_lrs):
        fig.add_vline(x=lr, line=dict(color=color(i), dash="dot", width=1))
    return fig
