"""Pure functions from result objects to Plotly figures. Importing any of them adds the app's Plotly template to the
default one: a mode bar of two buttons (save as PNG, reset the axes), which stays on one row at the top right of the
narrowest chart instead of wrapping over its legend or title. Dragging still zooms, and a double click resets."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

MODEBAR_REMOVED = ("zoom", "pan", "select", "lasso", "zoomin", "zoomout", "autoscale", "togglespikelines")
TEMPLATE = "nn_explorer"

pio.templates[TEMPLATE] = go.layout.Template(layout={"modebar": {"remove": list(MODEBAR_REMOVED)}})


def use_app_template() -> None:
    """Put the app's template on top of the current default (Streamlit sets its own default when it is imported:
    app.py calls this after importing it; importing core.figures calls it too)."""
    if TEMPLATE not in pio.templates.default.split("+"):
        pio.templates.default += "+" + TEMPLATE


use_app_template()
