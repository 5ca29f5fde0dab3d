"""Figures of a real network's loss landscape: 1-D slices, 2-D slices (contour or surface), projected races."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.race.race import color
from core.race.landscape import Slice2D
from core.race.network_race import NetRun, PlaneView


def line_figure(a: np.ndarray, curves: dict[str, np.ndarray], x_title: str = "step along the direction") -> go.Figure:
    """Loss along 1-D slices [len(a)] through the same point (a = 0), one curve per direction (log scale: a
    sharp and a flat direction differ by orders of magnitude)."""
    fig = go.Figure()
    for i, (name, loss) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=a, y=loss, mode="lines", name=name, line=dict(color=color(i), width=2.5)))
    fig.add_vline(x=0, line=dict(color="gray", dash="dot"))
    fig.update_layout(
        height=330,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title=x_title,
        yaxis=dict(title="loss", type="log", exponentformat="power"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
    return fig


def slice_figure(s: Slice2D, three_d: bool = False, title: str = "") -> go.Figure:
    """The 2-D slice as log-level contours (or a 3-D surface of log10 loss); the centre point marked."""
    loss = s.loss.numpy()
    logl = np.log10(np.maximum(loss, 1e-12))
    a, b = s.a.numpy(), s.b.numpy()
    if three_d:
        fig = go.Figure(
            go.Surface(
                x=a,
                y=b,
                z=logl,
                customdata=loss,
                colorscale="Viridis",
                showscale=False,
                hovertemplate="loss=%{customdata:.4g}<extra></extra>",
            )
        )
        fig.update_layout(
            scene=dict(
                xaxis_title="δ", yaxis_title="η", zaxis_title="log₁₀ loss", camera=dict(eye=dict(x=1.4, y=-1.5, z=1.0))
            )
        )
    else:
        fig = go.Figure(
            go.Contour(
                x=a,
                y=b,
                z=logl,
                customdata=loss,
                ncontours=30,
                colorscale="Viridis",
                colorbar=dict(title=dict(text="log₁₀ loss", side="right"), thickness=12),
                hovertemplate="δ=%{x:.3f}<br>η=%{y:.3f}<br>loss=%{customdata:.4g}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[0],
                y=[0],
                mode="markers",
                name="θ*",
                marker=dict(symbol="star", size=15, color="white", line=dict(color="black", width=1)),
            )
        )
        fig.update_layout(xaxis_title="δ (direction 1)", yaxis_title="η (direction 2)")
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=30 if title else 10, b=10), title=title or None)
    return fig


def plane_race_figure(view: PlaneView, runs: tuple[NetRun, ...], title: str) -> go.Figure:
    """Left: the loss on the plane with each projected path. Right: each path's true loss (solid) beside the
    plane's loss at its projected points (dotted): where they differ, the path runs off the plane."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.08,
        subplot_titles=(title, "true loss (solid), on the plane (dotted)"),
    )
    loss = view.grid.loss.numpy()
    fig.add_trace(
        go.Contour(
            x=view.grid.a.numpy(),
            y=view.grid.b.numpy(),
            z=np.log10(np.maximum(loss, 1e-12)),
            customdata=loss,
            ncontours=30,
            colorscale="Viridis",
            showscale=False,
            hovertemplate="loss=%{customdata:.4g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for i, (run, c, pl) in enumerate(zip(runs, view.coords, view.plane_loss, strict=True)):
        fig.add_trace(
            go.Scatter(
                x=c[:, 0],
                y=c[:, 1],
                mode="lines+markers",
                name=run.label,
                legendgroup=run.label,
                marker=dict(size=3),
                line=dict(color=color(i), width=2.5),
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=[c[0, 0]],
                y=[c[0, 1]],
                mode="markers",
                showlegend=False,
                marker=dict(symbol="circle-open", size=12, color="white", line=dict(width=2)),
            ),
            row=1,
            col=1,
        )
        steps = np.arange(len(run.losses))
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=run.losses,
                mode="lines",
                showlegend=False,
                legendgroup=run.label,
                line=dict(color=color(i), width=2),
            ),
            row=1,
            col=2,
        )
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=pl,
                mode="lines",
                showlegend=False,
                legendgroup=run.label,
                line=dict(color=color(i), width=2, dash="dot"),
            ),
            row=1,
            col=2,
        )
    ex1, ex2 = view.plane.explained
    fig.update_xaxes(title_text=f"PC 1 ({100 * ex1:.1f} % of the variance)", row=1, col=1)
    fig.update_yaxes(title_text=f"PC 2 ({100 * ex2:.1f} %)", row=1, col=1)
    fig.update_xaxes(title_text="step", row=1, col=2)
    fig.update_yaxes(title_text="loss", type="log", row=1, col=2)
    fig.update_layout(
        height=470, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.18, yanchor="top")
    )
    return fig
