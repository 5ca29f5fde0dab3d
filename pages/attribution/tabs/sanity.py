"""Sanity check (Adebayo et al. 2018): re-initialise the model's layers top-down in a copy for this session and
re-run the method; attributions that barely change describe the input, not what the model learned."""

from __future__ import annotations

import streamlit as st

from core.figures import attribution as figures
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.heavy import run_heavy
from pages.session import session_fragment


@session_fragment
def render(data: Explained) -> None:
    st.markdown(
        "Adebayo et al. (2018): re-initialise the model's layers at random, top-down, in a copy for this "
        "session, and re-run the method. If the attributions barely change (ρ stays near 1), they describe "
        "the input, not what the model learned."
    )
    result = run_heavy(
        STATE.key("sanity"),
        data.asked,
        data.sanity,
        label="cascading randomisation",
        ask=True,
        button="Run the sanity check",
    )
    if result is None:
        return
    st.plotly_chart(figures.sanity_plot(result), key=STATE.key("sanity_plot"))
    rows = {stage: scores for stage, scores in zip(result.stages, result.scores, strict=True)}
    st.plotly_chart(
        figures.comparison_grid(data.names, rows, "Scores as layers are randomised"), key=STATE.key("sanity_grid")
    )
