"""Baselines: the same method against each reference input; robust explanations keep their order."""

from __future__ import annotations

import streamlit as st

from core.attribution.methods import METHODS
from core.attribution.robustness import baseline_sensitivity
from core.figures import attribution as figures
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.heavy import run_heavy
from pages.session import session_fragment


@session_fragment
def render(data: Explained) -> None:
    setup, labels = data.setup, data.baselines
    kinds = tuple(labels)
    st.markdown(
        f"The same method against each reference input. Robust explanations keep their order "
        f"(Spearman ρ and top-3 overlap with the {labels[kinds[0]]} baseline near 1)."
    )
    result = run_heavy(
        STATE.key("baselines"),
        data.asked,
        lambda report: baseline_sensitivity(data.with_baseline, kinds, setup.method, setup.settings, progress=report),
        label=f"{METHODS[setup.method].title} with {len(kinds)} baselines",
        ask=True,
        button="Run every baseline",
    )
    if result is None:
        return
    rows = {
        f"{labels[k]} (ρ {rho:.2f}, top-{result.k} {overlap:.0%})": r.scores[0]
        for k, rho, overlap, r in zip(result.baselines, result.spearman, result.top_k, result.results, strict=True)
    }
    st.plotly_chart(
        figures.comparison_grid(data.names, rows, "Scores under each baseline (row-normalised)"),
        key=STATE.key("baseline_grid"),
    )
