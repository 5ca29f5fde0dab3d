"""Faithfulness: do the highest-scored features matter to the model? Deletion and insertion curves, and AOPC."""

from __future__ import annotations

import streamlit as st

from core.attribution.faithfulness import BINS, Faithfulness, faithfulness, faithfulness_evaluations
from core.figures import attribution as figures
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.heavy import result_of, run_heavy
from pages.session import session_fragment

N_RANDOM = 10  # random orders for the grey band
AUTO_TOKEN_PASSES = 15_000  # curves costing more (forward passes × tokens) wait for a button


def curves(data: Explained, here: bool = True) -> Faithfulness | None:
    """The result's curves: computed now when they are quick, after a click on the button drawn here when they are
    not (`here` False: only curves already computed, no button)."""
    problem, result = data.problem, data.result
    passes = faithfulness_evaluations(problem, N_RANDOM)
    ask = passes * problem.inputs.shape[1] > AUTO_TOKEN_PASSES
    slot = STATE.key("faithfulness")
    if ask and not here:
        return result_of(slot, data.checked)
    return run_heavy(
        slot,
        data.checked,
        lambda report: faithfulness(
            problem, result.scores[0], n_random=N_RANDOM, seed=result.settings.seed, progress=report
        ),
        label=f"deletion and insertion curves, {passes:,} forward passes",
        ask=ask,
    )


@session_fragment
def render(data: Explained) -> None:
    f = curves(data)
    if f is None:
        return
    st.plotly_chart(figures.faithfulness_plot(f, "explained output f"), key=STATE.key("faith_plot"))
    cols = st.columns(2)
    cols[0].metric(
        "AOPC comprehensiveness",
        f"{f.comprehensiveness:.4g}",
        f"{f.comprehensiveness - f.random_comprehensiveness:+.3g} vs random order",
        delta_color="normal",
    )
    cols[1].metric(
        "AOPC sufficiency",
        f"{f.sufficiency:.4g}",
        f"{f.sufficiency - f.random_sufficiency:+.3g} vs random order",
        delta_color="inverse",
    )
    bins = ", ".join(f"{b:.0%}" for b in BINS)
    st.markdown(
        f"**Comprehensiveness** = mean over k ∈ {{{bins}}} of f(x) − f(x without its top-k share of features): "
        "high when the top features carry the prediction. **Sufficiency** = mean over the same k of "
        "f(x) − f(only the top-k share kept): low when the top features alone suffice. Removing a feature sets "
        "it to the baseline"
        + ("; [CLS]/[SEP] and the scored [MASK] are never removed" if data.setup.subject == "text" else "")
        + ". The grey band is what 10 random orders give."
    )
