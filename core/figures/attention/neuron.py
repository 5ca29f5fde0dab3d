"""Neuron view: the query, the keys, their elementwise products, the scaled scores, the softmax, the weighted values."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.attention.neuron import NeuronView
from core.figures.attention.common import DIFF_SCALE, base_layout


def _vector_heatmap(values: np.ndarray, rows: list[str], name: str, showscale: bool = False) -> go.Heatmap:
    bound = float(np.abs(values).max()) or 1.0
    return go.Heatmap(
        z=values,
        y=list(range(len(rows))),
        x=list(range(values.shape[1])),
        zmin=-bound,
        zmax=bound,
        colorscale=DIFF_SCALE,
        showscale=showscale,
        customdata=np.array([[r] * values.shape[1] for r in rows]),
        hovertemplate=f"{name}<br>%{{customdata}}, dim %{{x}}: %{{z:.4f}}<extra></extra>",
        colorbar={"thickness": 10, "len": 0.5, "y": 0.35},
    )


def neuron_figure(view: NeuronView, labels: tuple[str, ...]) -> go.Figure:
    """Query vector on top; per key token: k_j, q∘k_j, q·k_j/√d, softmax, α_j v_j; and the output Σ α_j v_j."""
    t, d = view.k.shape
    rows = [f"{labels[j]} (#{j})" for j in range(t)]
    top = 46 / (110 + 24 * t)  # the query row is about 46 px high whatever the number of keys
    fig = make_subplots(
        rows=2,
        cols=5,
        row_heights=[top, 1 - top],
        vertical_spacing=0.06,
        horizontal_spacing=0.025,
        column_widths=[0.24, 0.24, 0.12, 0.12, 0.28],
        subplot_titles=[f"query q of '{labels[view.query]}'", "", "", "", "output Σⱼ αⱼ vⱼ"],
    )
    fig.add_trace(_vector_heatmap(view.q[None], [labels[view.query]], "q"), row=1, col=1)
    fig.add_trace(_vector_heatmap(view.output[None], ["output"], "Σ α v"), row=1, col=5)
    fig.add_trace(_vector_heatmap(view.k, rows, "k"), row=2, col=1)
    fig.add_trace(_vector_heatmap(view.qk, rows, "q∘k", showscale=True), row=2, col=2)
    fig.add_trace(
        go.Bar(
            x=view.scores,
            y=list(range(t)),
            orientation="h",
            marker_color="#6c8ebf",
            customdata=rows,
            hovertemplate="%{customdata}: %{x:.4f}<extra>score</extra>",
        ),
        row=2,
        col=3,
    )
    fig.add_trace(
        go.Bar(
            x=view.probs,
            y=list(range(t)),
            orientation="h",
            marker_color="#08519c",
            customdata=rows,
            hovertemplate="%{customdata}: %{x:.5f}<extra>softmax</extra>",
        ),
        row=2,
        col=4,
    )
    fig.add_trace(_vector_heatmap(view.weighted, rows, "α v"), row=2, col=5)
    for col in range(1, 6):
        fig.update_yaxes(
            autorange="reversed",
            row=2,
            col=col,
            tickvals=list(range(t)),
            ticktext=rows if col == 1 else [""] * t,
            tickfont={"size": 10},
        )
        fig.update_yaxes(showticklabels=False, row=1, col=col)
        fig.update_xaxes(showticklabels=col in (3, 4), row=2, col=col)
        fig.update_xaxes(showticklabels=False, row=1, col=col)
    for col in (2, 3, 4):
        fig.update_xaxes(visible=False, row=1, col=col)
        fig.update_yaxes(visible=False, row=1, col=col)
    for col, title in enumerate(
        ["keys kⱼ", "q ∘ kⱼ (each row sums to q·kⱼ)", f"q·kⱼ / √{d}", "softmax αⱼ", "αⱼ vⱼ (weighted values)"], start=1
    ):
        fig.update_xaxes(title_text=title, title_font={"size": 12}, row=2, col=col)
    fig.update_xaxes(range=[0, 1], row=2, col=4)
    fig.update_layout(showlegend=False, bargap=0.15)
    title = f"Layer {view.layer + 1}, head {view.head + 1}: how '{labels[view.query]}' (#{view.query}) attends"
    base_layout(fig, 190 + 24 * t, title)
    fig.update_layout(margin={"t": 80})
    return fig
