"""Compare methods: each chosen method's scores side by side, their rank agreement, and (for a text) the agreement
with attention rollout."""

from __future__ import annotations

import streamlit as st

from core.attribution.agreement import agreement_matrix
from core.attribution.explain import Attribution, explain
from core.attribution.methods import METHODS, refusal
from core.attribution.rollout import rollout_agreement
from core.figures import attribution as figures
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.heavy import result_of, run_heavy
from pages.session import session_fragment

DEFAULT = ("integrated-gradients", "input-x-gradient", "feature-ablation", "kernel-shap")


@session_fragment
def render(data: Explained) -> None:
    problem, settings = data.problem, data.setup.settings
    offered = [k for k in METHODS if refusal(k, problem) is None]
    chosen = st.multiselect(
        "Methods to compare",
        offered,
        default=[k for k in DEFAULT if k in offered],
        key=STATE.key("compare"),
        persist_state="session",
        format_func=lambda k: METHODS[k].title,
    )
    if len(chosen) < 2:
        st.info("Pick at least two methods.")
        return
    known = {m: result_of(STATE.key("explain"), (*data.key, m, settings, "sum")) for m in chosen}  # the main view's
    missing = [m for m in chosen if known[m] is None]

    def compute(report) -> dict[str, Attribution]:
        for i, m in enumerate(missing):
            known[m] = explain(
                problem,
                m,
                settings,
                progress=lambda f, note, i=i, m=m: report((i + f) / len(missing), f"{METHODS[m].title}: {note}"),
            )
        return known

    results = run_heavy(
        STATE.key("compare"),
        (*data.key, tuple(chosen), settings),
        compute,
        ask=bool(missing),
        label=f"{len(missing)} more method(s)",
        button=f"Run {len(missing)} more method(s)",
    )
    if results is None:
        st.caption("Each method runs with the settings above; results are kept for this session.")
        return
    scores = {METHODS[m].title: results[m].scores[0] for m in chosen}
    rollout = data.rollout() if data.rollout is not None else None
    rows = scores if rollout is None else {**scores, "attention rollout (≥ 0)": rollout}
    st.plotly_chart(
        figures.comparison_grid(data.names, rows, "Each method's scores (row-normalised)"),
        key=STATE.key("compare_grid"),
    )
    movable = data.problem.movable
    st.plotly_chart(
        figures.agreement_heatmap(list(scores), agreement_matrix(scores, movable)), key=STATE.key("agreement")
    )
    st.caption(
        "Spearman rank correlation over the movable tokens/features: 1 = same order, 0 = unrelated, −1 = reversed."
    )
    if rollout is not None:
        rho = rollout_agreement(scores, rollout, movable)
        st.markdown(
            "**Against attention rollout** (the BERT attention page's rollout, last layer, rows the output "
            "reads; compared with |attribution|): "
            + " · ".join(f"{name} ρ = {value:.2f}" for name, value in rho.items())
        )
