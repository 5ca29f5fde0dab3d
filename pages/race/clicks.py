"""A chart whose points take clicks (the race's contour, the momentum map): each new click's (x, y), once."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from pages.race.state import STATE


def new_click(figure: go.Figure, name: str) -> tuple[float, float] | None:
    """Draw `figure` keyed `race.<name>` with point selection; the (x, y) of a click not yet answered, else None.
    Streamlit keeps a selection until the next click, so the last one answered is kept under `race.<name>.last`."""
    event = st.plotly_chart(figure, key=STATE.key(name), on_select="rerun", selection_mode="points", width="stretch")
    points = event.selection.points if event and event.selection else []
    if not points:
        return None
    click = (float(points[0]["x"]), float(points[0]["y"]))
    if click == st.session_state.get(STATE.key(f"{name}.last")):
        return None
    st.session_state[STATE.key(f"{name}.last")] = click
    return click
