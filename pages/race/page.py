"""Optimizer race: real torch.optim optimizers racing on 2-D test surfaces and on a real network's loss. The set-up
and layout; the sidebar, the racer editor and each tab are modules of pages/race/."""

from __future__ import annotations

import streamlit as st

from core.markdown_literal import literal
from core.race.expression import ExpressionError
from core.race.race import estimated_seconds, run_race
from core.race.setup import CUSTOM, RaceSetup, read_domain
from pages.heavy import run_heavy, shelf
from pages.race import racers, sidebar
from pages.race.state import STATE, Race, raced
from pages.race.views import VIEW_OF

RACES = shelf("race.races", 64)  # finished races shared read-only by every session: a set-up decides its race


def render() -> None:
    """One run of the page (pages/optimizer_race.py, the navigation's entry point, calls it)."""
    st.title("Optimizer race")
    st.caption(
        "The real `torch.optim` classes race on a 2-D surface from the same start. Every step is the "
        "optimizer's own `step()`; nothing is re-implemented."
    )
    STATE.start()
    own_start = sidebar.render()
    texts = racers.render()
    custom = STATE.value("surface") == CUSTOM
    setup = STATE.current(
        racers=raced(texts),
        domain=read_domain(STATE.value("domain")) if custom else RaceSetup().domain,
        start_x=STATE.value("start_x") if own_start else None,
        start_y=STATE.value("start_y") if own_start else None,
    )
    try:
        surface = setup.build_surface()
    except ExpressionError as e:
        st.error(f"Your formula cannot be used: {literal(e)}")
        return
    result = run_heavy(
        STATE.key("race"),
        setup.raced,
        lambda report: run_race(surface, setup.build_racers(), setup.start(surface), setup.config(), report),
        label=f"a race of {len(setup.racers)} racer(s) × {setup.steps:,} steps",
        seconds=estimated_seconds(setup.config(), len(setup.racers)),
        shelf=RACES,
    )
    if result is None:
        return
    for error in result.errors:
        st.error(f"Not raced — {literal(error)}")
    if not result.runs:
        return
    if not result.surface.contains(*result.start):
        st.warning(f"The start {result.start} is outside the plotted domain; racers may count as escaped at once.")
    data = Race(setup, result, texts)
    for name, tab in STATE.tabs("tab", VIEW_OF).items():  # only the open tab runs
        if tab.open:
            with tab:
                VIEW_OF[name](data)
