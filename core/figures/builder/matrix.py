"""A tensor's numbers as an annotated grid: every entry readable, hoverable, coloured by sign (for the stepper)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.builder.colors import DIVERGING

TITLE_BAND, AXIS_BAND = 26, 46  # px at the top: the figure title, then the column title and tick labels


def matrix_figure(
    values: np.ndarray,
    title: str,
    row_name: str = "row",
    col_name: str = "col",
    highlight: tuple[int, int] | None = None,
    digits: int = 3,
) -> go.Figure:
    """`values` `[rows, cols]` (1-D is shown as one row); colour symmetric around 0; `highlight` boxes a cell."""
    v = np.atleast_2d(np.asarray(values, float))
    lim = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 1.0
    text = np.vectorize(lambda x: f"{x:.{digits}g}")(v)
    fig = go.Figure(
        go.Heatmap(
            z=v,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=10),
            colorscale=DIVERGING,
            zmin=-lim or -1,
            zmax=lim or 1,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate=f"{title}[{row_name} %{{y}}, {col_name} %{{x}}] = %{{z:.6g}}<extra></extra>",
        )
    )
    if highlight is not None:
        r, c = highlight
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color="black", width=3))
    # explicit standoffs: a theme's larger default (Streamlit's) would lift the column title into the figure title
    fig.update_yaxes(autorange="reversed", tickmode="linear", dtick=1, title=dict(text=row_name, standoff=6))
    fig.update_xaxes(tickmode="linear", dtick=1, side="top", title=dict(text=col_name, standoff=6))
    # The title has its own band at the very top; the column title and the tick labels sit below it, above the
    # grid (TITLE_BAND + AXIS_BAND of top margin), so the two never overlap.
    fig.update_layout(
        title=dict(
            text=title,
            font=dict(size=13),
            x=0,
            xanchor="left",
            xref="container",
            y=1,
            yanchor="top",
            yref="container",
            pad=dict(t=4, l=4),
        ),
        height=TITLE_BAND + AXIS_BAND + 30 * v.shape[0] + 45,
        margin=dict(l=10, r=10, t=TITLE_BAND + AXIS_BAND, b=5),
    )
    return fig
