"""Pure functions from result objects to Plotly figures. Importing any of them sets the app's Plotly template: a mode
bar of two buttons (save as PNG, reset the axes), which stays on one row at the top right of the narrowest chart
instead of wrapping over its legend or title. Dragging still zooms, and a double click resets."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

MODEBAR_REMOVED = ("zoom", "pan", "select", "lasso", "zoomin", "zoomout", "autoscale", "togglespikelines")

pio.templates["nn_explorer"] = go.layout.Template(layout={"modebar": {"remove": list(MODEBAR_REMOVED)}})
pio.templates.default = "plotly+nn_explorer"
