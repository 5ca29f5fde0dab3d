"""Network builder: build a small network on 2-D data, train it live, step through forward and backward passes.
The set-up and layout; the controls, the live view and each tab are modules of pages/builder/."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.device import configure_threads
from core.markdown_literal import literal
from pages.builder import compare, controls, hand, live, points, share, stepper
from pages.builder.state import STATE, Run, playing, trainer_for

# tab → (the control group a classroom link hides it with, its view)
TABS: dict[str, tuple[str, Callable[[Run], None]]] = {
    "Step through one training step": ("stepper", stepper.render),
    "Hand mode": ("hand", hand.render),
    "Compare two runs": ("compare", compare.render),
    "Share and export": ("export", share.render),
}


def render() -> None:
    """One run of the page (pages/network_builder.py, the navigation's entry point, calls it)."""
    configure_threads()
    st.title("Network builder")
    caption = st.empty()  # over the link's warnings, which start() shows
    hidden = set(STATE.start().hide)  # the last run's: a change of classroom mode shows from the next run on
    # opened without a classroom link: this session may make one (a student on a classroom link may not unhide)
    st.session_state.setdefault(STATE.key("teacher"), not hidden)
    caption.caption(
        "Build a small network on 2-D data, train it live with real PyTorch, and step through every "
        "number of the forward and backward pass." + (" · Classroom link: some controls are hidden." if hidden else "")
    )
    st.session_state.setdefault(STATE.key("playing"), False)
    play = controls.training_bar(hidden)
    left, main = st.columns([1.3, 4], gap="medium")  # 1024 px: "Show test data" whole
    with left:
        if "network" not in hidden:
            controls.layers(STATE.value("hidden"))
        controls.settings(hidden)
    if not STATE.value("features"):  # a moment between two ticks, not a wrong value: said, not reset
        st.warning(f"Cannot use this set-up: features: {literal(STATE.declared['features'].problem)}.")
        st.info("Tick at least one input feature on the left.")
        controls.play(play, None)
        st.stop()
    setup = STATE.current()
    if points.blank(setup):  # nothing to train yet: the canvas, and no tabs
        st.session_state[STATE.key("playing")] = False
        with left:
            points.render(setup, None, hidden)
        with main:
            points.render_canvas()
        controls.play(play, None)
        return
    trainer = trainer_for(setup)
    with left:
        points.render(setup, trainer.data, hidden)
    with main:
        live.render(trainer)
    controls.play(play, trainer)
    run = Run(setup, trainer, playing())
    shown = [name for name, (group, _) in TABS.items() if group not in hidden]
    for name, tab in (STATE.tabs("tab", shown) if shown else {}).items():
        if tab.open:
            with tab:
                TABS[name][1](run)
