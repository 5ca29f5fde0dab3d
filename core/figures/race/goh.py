"""The (α, β) map of measured momentum rates on the quadratic, with Goh's edges and optima drawn on it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.race.goh import MomentumMap, complex_regime_edges

RATE_CAP = 1.5  # rates above are drawn as 1.5 (diverging)


def momentum_map_figure(m: MomentumMap) -> go.Figure:
    """Heatmap of measured rates (blue: fast, white: ≈ 1, red: diverges) over step α and momentum β."""
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
            hovertemplate="α=%{x:.4f}<br>β=%{y:.3f}<br>rate=%{customdata:.4f}<extra></extra>",
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
    fig.update_layout(
        height=480,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(title="step size α", range=[0, m.alphas[-1]]),
        yaxis=dict(title="momentum β", range=[0, m.betas[-1]]),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0),
    )
    return fig
