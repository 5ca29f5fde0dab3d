"""Ablation outcomes: the model's output with and without the switched-off heads, side by side."""

from __future__ import annotations

import plotly.graph_objects as go

from core.attention.ablation import Outcome
from core.figures.attention.common import base_layout


def outcome_bars(outcome: Outcome) -> go.Figure:
    """Grouped bars of `before` (when there is one) and `after` for each label of the outcome."""
    x = list(range(len(outcome.labels)))
    bars = [
        go.Bar(
            x=x,
            y=list(outcome.after),
            name="heads switched off",
            marker_color="#e4572e",
            customdata=list(outcome.labels),
            hovertemplate="%{customdata}: %{y:.4f}<extra>ablated</extra>",
        )
    ]
    if outcome.before:
        bars.insert(
            0,
            go.Bar(
                x=x,
                y=list(outcome.before),
                name="all heads",
                marker_color="#9ecae1",
                customdata=list(outcome.labels),
                hovertemplate="%{customdata}: %{y:.4f}<extra>all heads</extra>",
            ),
        )
    fig = go.Figure(bars)
    fig.update_xaxes(tickvals=x, ticktext=list(outcome.labels), tickangle=-45)
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.08})
    return base_layout(fig, 340, outcome.title)
