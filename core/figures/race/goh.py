"""The (α, β) map of measured momentum rates on the quadratic, with Goh's edges and optima drawn on it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.race.goh import MomentumMap, complex_regime_edges, theory_rate

RATE_CAP = 1.5  # rates above are drawn as 1.5 (diverging)


def momentum_map_figure(m: MomentumMap, picked: tuple[float, float] | None = None) -> go.Figure:
    """Heatmap of measured rates (blue: fast, white: ≈ 1, red: diverges) over step α and momentum β; every cell
    takes a click (an invisible point on it: Plotly gives no click selection on heatmaps), `picked` is marked."""
    rates = np.where(np.isfinite(m.rates), np.minimum(m.rates, RATE_CAP), RATE_CAP)
    fig = go.Figure(
        go.Heatmap(
            x=m.alphas,
            y=m.betas,
            z=rates,
            zmin=0,
            zmax=RATE_CAP,
            customdata=m.rates,
            colorscale=[[0, "#08306b"], [0.45, "#6baed6"], [1 / RATE_CAP, "#f7f7f7"], [1, "#b2182b"]],
            colorbar=dict(title=dict(text="measured rate", side="right"), thickness=12),
            hoverinfo="skip",
        )
    )
    alphas, betas = np.meshgrid(m.alphas, m.betas)
    fig.add_trace(
        go.Scatter(
            x=alphas.ravel(),
            y=betas.ravel(),
            customdata=m.rates.ravel(),
            mode="markers",
            showlegend=False,
            name="click to run this pair",
            marker=dict(size=8, symbol="square", color="rgba(255,255,255,0.01)"),
            hovertemplate="α=%{x:.4f}<br>β=%{y:.3f}<br>rate=%{customdata:.4f}<br>click: run this pair<extra></extra>",
        )
    )
    lam_min, lam_max = m.lams
    betas = np.linspace(0, m.betas[-1], 200)
    fig.add_trace(
        go.Scatter(
            x=(2 + 2 * betas) / lam_max,
            y=betas,
            mode="lines",
            name="edge αλ_max = 2 + 2β",
            line=dict(color="black", width=3),
        )
    )
    for lam, dash in ((lam_max, "dot"), (lam_min, "dash")):
        lo, hi = complex_regime_edges(betas, lam)
        fig.add_trace(
            go.Scatter(
                x=np.r_[lo, hi[::-1]],
                y=np.r_[betas, betas[::-1]],
                mode="lines",
                name=f"complex regime of λ = {lam:g} (rate √β)",
                line=dict(color="#333", width=1.5, dash=dash),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[m.plain.alpha],
            y=[0],
            mode="markers",
            name="best plain step 2/(λ_min+λ_max)",
            marker=dict(symbol="diamond", size=14, color="#ffd43b", line=dict(width=1.5)),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[m.momentum.alpha],
            y=[m.momentum.beta],
            mode="markers",
            name="best momentum (α*, β*)",
            marker=dict(symbol="star", size=18, color="#ffd43b", line=dict(width=1.5)),
        )
    )
    if picked is not None:
        fig.add_trace(
            go.Scatter(
                x=[picked[0]],
                y=[picked[1]],
                mode="markers",
                name="the pair drawn below",
                marker=dict(symbol="circle-open", size=16, color="black", line=dict(width=3)),
            )
        )
    fig.update_layout(
        height=480,
        margin=dict(l=10, r=10, t=10, b=10),
        clickmode="event+select",
        xaxis=dict(title="step size α", range=[0, m.alphas[-1]]),
        yaxis=dict(title="momentum β", range=[0, m.betas[-1]]),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0),
    )
    return fig


def momentum_path_figure(path: np.ndarray, alpha: float, beta: float, lams: tuple[float, float]) -> go.Figure:
    """Left: the path w_k [n+1, 2] on the contours of ½(λ₁x² + λ₂y²); right: ‖w_k‖ on a log scale beside Goh's
    rateᵏ·‖w₀‖ for this (α, β)."""
    rate = theory_rate(alpha, beta, lams)
    fig = make_subplots(cols=2, column_widths=[0.5, 0.5], subplot_titles=("the path", "‖w_k‖ (log scale)"))
    span = np.linspace(-1.3, 1.3, 81)
    fig.add_trace(
        go.Contour(
            x=span,
            y=span,
            z=0.5 * (lams[0] * span[None, :] ** 2 + lams[1] * span[:, None] ** 2),
            colorscale=[[0, "#ffffff"], [1, "#9e9e9e"]],  # light: the path stays visible down to the minimum
            showscale=False,
            ncontours=20,
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            name=f"SGD α={alpha:.4g}, β={beta:.3g}",
            line=dict(color="#d6336c", width=2),
            marker=dict(size=4),
        ),
        row=1,
        col=1,
    )
    steps = np.arange(len(path))
    norms = np.linalg.norm(path, axis=1)
    fig.add_trace(
        go.Scatter(x=steps, y=norms, mode="lines", name="measured ‖w_k‖", line=dict(color="#d6336c", width=2)),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=norms[0] * rate**steps,
            mode="lines",
            name=f"Goh: rateᵏ·‖w₀‖, rate = {rate:.4f}",
            line=dict(color="black", dash="dash"),
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(range=[-1.3, 1.3], row=1, col=1)
    fig.update_yaxes(range=[-1.3, 1.3], scaleanchor="x", row=1, col=1)
    fig.update_xaxes(title="step k", row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0),
    )
    return fig
