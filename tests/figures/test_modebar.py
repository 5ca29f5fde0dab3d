"""Every figure of the app gets a two-button Plotly mode bar, which stays on one row over the narrowest chart (the
full bar wrapped over legends and titles)."""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import streamlit  # noqa: F401  (sets its own default template on import, as in the app)

from core.figures import MODEBAR_REMOVED, use_app_template
from core.figures.builder.curves import loss_figure
from core.figures.builder.plane import canvas_figure


def test_figures_drop_the_zoom_and_pan_buttons_and_keep_save_and_reset():
    use_app_template()  # what app.py does once Streamlit is imported
    for fig in (loss_figure([("run", [0, 1], [1.0, 0.5], [1.0, 0.6])]), canvas_figure(np.zeros((0, 2)), np.zeros(0))):
        removed = set(fig.layout.template.layout.modebar.remove)
        assert removed == set(MODEBAR_REMOVED)
        assert not removed & {"toimage", "toImage", "resetscale", "resetScale2d"}


def test_the_app_template_goes_on_top_of_streamlits_and_only_once():
    use_app_template()
    use_app_template()
    assert pio.templates.default.split("+").count("nn_explorer") == 1
    assert pio.templates.default.split("+")[0] == "streamlit"
