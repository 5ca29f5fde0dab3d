"""Tune the learning rate: each racer raced again at 19 rates, scored; the best rates can race in the sidebar."""

from __future__ import annotations

import streamlit as st

from core.figures.race import race as race_fig
from core.race.tune import best_rates, scores_for, sweep_racers, sweep_table
from pages.heavy import run_heavy
from pages.race.state import STATE, Race
from pages.session import session_fragment


@session_fragment
def render(data: Race) -> None:
    st.markdown(
        "Each racer is raced again at 19 learning rates from 10⁻⁴ to 10 (same start, noise and schedule; at "
        "most 500 steps and as many evaluations) and each run is scored. A run that diverges scores ∞. "
        "Other optimizers run all 19 rates at once in one optimizer; LBFGS allows one parameter group only, "
        "so it runs rate by rate and takes several seconds (its two-loop recursion over 100 history pairs "
        "is the cost)."
    )
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    score = c1.selectbox("Score (lower is better)", scores_for(data.surface), key=STATE.key("tune_score"))
    racers, setup, start = data.racers, data.setup, data.result.start
    with c2:
        sweeps = run_heavy(
            STATE.key("tune"),
            (setup, racers, score),
            lambda report: sweep_racers(data.surface, racers, start, setup.config(), score, report),
            label=f"learning-rate sweeps of {len(racers)} racer(s)",
            ask=True,
            button="Tune all racers",
        )
    if sweeps is not None and (st.session_state.get(STATE.key("sweeps")) or (None, None))[1] is not sweeps:
        st.session_state[STATE.key("sweeps")] = (setup, sweeps)
        st.session_state[STATE.key("tuned")] = best_rates(racers, sweeps)
        st.rerun()  # the whole page: the sidebar now offers the tuned rates
    stored = st.session_state.get(STATE.key("sweeps"))
    if stored is None:
        st.info("Press 'Tune all racers'. Then switch 'Race with the tuned learning rates' on in the sidebar.")
        return
    tuned_setup, sweeps = stored
    if tuned_setup.surface != setup.surface or tuned_setup.start(data.surface) != start:
        st.warning("These sweeps were made for another surface or start: tune again.")
    st.plotly_chart(
        race_fig.sensitivity_figure(sweeps, [s.racer.lr for s in sweeps]), key=STATE.key("tune_fig"), width="stretch"
    )
    st.dataframe(sweep_table(sweeps), hide_index=True, width="stretch")
