"""Attributions: which inputs drive a model's output, computed by Captum, with every result checked and exportable.

The set-up and layout: each subject (a text model, the 2-D network) is an area of its own module, and the checks
under a result are the tabs in pages/attribution/tabs/.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.attribution import network, text
from pages.attribution.state import STATE

SUBJECTS: dict[str, Callable[[], None]] = {"text": text.render, "network": network.render}


def render() -> None:
    """One run of the page (pages/attributions.py, the navigation's entry point, calls it)."""
    st.title("Attributions")
    st.markdown(
        "Which inputs drive a model's output? Captum's methods answer, each result comes with its checks "
        "(do the scores add up, do they survive a change of baseline or a randomised model, do the top "
        "features really matter?), and every number can be exported with what produced it."
    )
    STATE.start()
    SUBJECTS[STATE.widget("subject")]()
