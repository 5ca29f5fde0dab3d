"""The Model view: every layer × head as a thumbnail; a click opens one."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures.attention import grid
from core.figures.attention.common import matrix_figure
from pages.attention.data import Shown, head_stats
from pages.attention.state import STATE, relink
from pages.session import session_fragment


def _open_clicked_head() -> None:
    """A click on a thumbnail cell selects that cell's (layer, head); see grid.model_grid's point order."""
    points = st.session_state[STATE.key("grid")].selection.get("points", [])
    if points and points[0].get("point_index") is not None:
        layers, heads, size = st.session_state[STATE.key("grid-shape")]
        layer, head, _q, _k = np.unravel_index(int(points[0]["point_index"]), (layers, heads, size, size))
        STATE.set("layer", int(layer) + 1)
        STATE.set("heads", (int(head) + 1,))


@session_fragment
def render(data: Shown) -> None:
    st.caption(
        "All layers × heads for this input (row = query, column = key); hover for a head's role (see Head "
        "statistics). Click a thumbnail to open it."
    )
    selected = (STATE.value("layer") - 1, STATE.value("heads")[0] - 1)
    st.session_state[STATE.key("grid-shape")] = (data.layers, data.heads, min(len(data.labels), grid.MAX_THUMB))
    roles = head_stats(*data.args, data.setup.weighting, data.setup.granularity).roles
    st.plotly_chart(
        grid.model_grid(data.shown.maps, selected, roles=roles),
        key=STATE.key("grid"),
        on_select=_open_clicked_head,
        selection_mode="points",
        width="content",
    )
    layer, head = STATE.value("layer"), STATE.value("heads")[0]
    st.plotly_chart(
        matrix_figure(data.shown.maps[layer - 1, head - 1], data.labels, data.labels, f"Layer {layer}, head {head}"),
        key=STATE.key("grid-open"),
    )
    relink(data)
