"""The frame every attention and attribution figure shares: its height, tight margins (room above only for a
title), the title, the font and a white background."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go


def framed(fig: go.Figure, height: int, title: str | None, font: dict[str, Any], **extra: Any) -> go.Figure:
    """`fig` laid out in the shared frame (`extra`: more layout, such as a width); returns it."""
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        title={"text": title, "font": {"size": 14}} if title else None,
        font=font,
        plot_bgcolor="white",
        paper_bgcolor="white",
        **extra,
    )
    return fig
