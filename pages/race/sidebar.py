"""The race set-up in the sidebar: each widget drawn from RaceSetup's declarations."""

from __future__ import annotations

import streamlit as st

from core.race.setup import CUSTOM
from pages.race.state import STATE


def render() -> bool:
    """Draw the set-up's widgets; returns whether the user chose the start."""
    with st.sidebar:
        st.subheader("Race set-up")
        surface = STATE.widget("surface")
        if surface == "quadratic":
            STATE.widget("kappa")
        if surface == CUSTOM:
            STATE.widget("formula", max_chars=300)
            STATE.widget("domain")
        own_start = st.toggle(
            "Choose the start",
            key=STATE.key("own_start"),
            persist_state="session",
            help="Or click on the contour plot to start there.",
        )
        left, right = st.columns(2)
        STATE.widget("start_x", left, disabled=not own_start)
        STATE.widget("start_y", right, disabled=not own_start)
        for name in ("steps", "max_evals", "schedule", "noise", "seed", "clip"):
            STATE.widget(name)
        if st.session_state.get(STATE.key("tuned")):
            st.toggle(
                "Race with the tuned learning rates",
                key=STATE.key("use_tuned"),
                persist_state="session",
                help="From the 'Tune the rate' tab; off: the rates set in each racer's knobs.",
            )
    return own_start
