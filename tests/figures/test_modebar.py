"""Every figure of the app gets a two-button Plotly mode bar, which stays on one row over the narrowest chart (the
full bar wrapped over legends and titles)."""

from __future__ import annotations

import numpy as np

from core.figures import MODEBAR_REMOVED
from core.figures.builder.curves import loss_figure
from core.figures.builder.plane import canvas_figure


def test_figures_drop_the_zoom_and_pan_buttons_and_keep_save_and_reset():
    for fig in (loss_figure([("run", [0, 1], [1.0, 0.5], [1.0, 0.6])]), canvas_figure(np.zeros((0, 2)), np.zeros(0))):
        removed = set(fig.layout.template.layout.modebar.remove)
        assert removed == set(MODEBAR_REMOVED)
        assert not removed & {"toimage", "toImage", "resetscale", "resetScale2d"}
