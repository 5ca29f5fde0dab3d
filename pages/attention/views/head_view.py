"""The Head view: lines or heatmaps of the chosen layer's heads."""

from __future__ import annotations

import streamlit as st

from core.figures.attention import heads
from pages.attention.data import Shown
from pages.attention.state import STATE, layer_and_heads, pair_filter, relink
from pages.session import session_fragment

LINES_MAX_HEIGHT = 720  # px; longer inputs scroll inside the head view


@session_fragment
def render(data: Shown) -> None:
    # one row of controls, so the lines start above the fold of a 1024 × 768 screen
    layer, chosen = layer_and_heads(data, form=True)
    form = st.session_state.get(STATE.key("form")) or "Lines"
    visible = pair_filter(data)
    maps = data.shown.maps[layer][list(chosen)]
    if form == "Heatmap":
        st.plotly_chart(heads.head_heatmaps(maps, data.labels, chosen, visible), key=STATE.key("heatmaps"))
        st.caption("Row = query token, column = the token it attends to; hover a cell for its value.")
    else:
        st.iframe(
            heads.head_view_html(maps, data.labels, chosen, visible),
            height=min(heads.head_view_height(len(data.labels)) + 10, LINES_MAX_HEIGHT),
        )
        st.caption(
            "Left: tokens attending; right: tokens attended to; a line's opacity is its weight (lines under "
            f"{heads.MIN_WEIGHT} are not drawn). Hover a token on the left to see only its lines, on the "
            "right only the lines into it."
        )
    relink(data)
