"""Infidelity & sensitivity: do the scores add up like the model under random removals, and how much does the
explanation move when the input barely does?"""

from __future__ import annotations

import streamlit as st

from core.attribution.robustness import feature_infidelity, max_sensitivity
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.heavy import result_of, run_heavy
from pages.session import session_fragment


def infidelity(data: Explained) -> float:
    """Quick: computed where it is asked for and kept for the session."""
    result = data.result
    return STATE.memo(
        "infid", data.checked, lambda: feature_infidelity(data.problem, result.scores[0], seed=result.settings.seed)
    )


def kept_sensitivity(data: Explained) -> float | None:
    """Max-sensitivity if it was computed (it re-runs the method: on a click)."""
    return result_of(STATE.key("sensitivity"), data.checked)


@session_fragment
def render(data: Explained) -> None:
    result = data.result
    st.markdown(
        "**Infidelity** (Yeh et al. 2019): E[(Σ removed scores − (f(x) − f(x with them removed)))²] over "
        "random removals (to the baseline) of half the tokens/features: 0 when the scores add up like the "
        "model. **Max-sensitivity**: the largest relative change of the explanation when the input moves by "
        "uniform noise of radius 0.02."
    )
    cols = st.columns(2)
    cols[0].metric("Infidelity", f"{infidelity(data):.3g}")
    with cols[1]:
        sensitivity = run_heavy(
            STATE.key("sensitivity"),
            data.checked,
            lambda report: max_sensitivity(data.problem, result.method, result.settings, seed=result.settings.seed),
            label=f"{result.title} on 5 noisy inputs",
            ask=True,
            button="Compute max-sensitivity (5 re-runs)",
        )
    if sensitivity is not None:
        cols[1].metric("Max-sensitivity", f"{sensitivity:.3g}")
