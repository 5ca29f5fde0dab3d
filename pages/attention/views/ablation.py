"""Ablation: switch heads off in this session's own copy of the model and see what the output loses."""

from __future__ import annotations

import streamlit as st

from core.attention import ablation
from core.attention.setup import head_of, heads_of
from core.figures.attention import outcomes
from core.figures.attention.common import layer_head_figure
from core.markdown_literal import literal
from pages.attention.data import Shown, head_stats
from pages.attention.state import STATE, relink
from pages.session import session_fragment, session_id


@session_fragment
def render(data: Shown) -> None:
    named = STATE.widget("ablate", choices=heads_of(data.layers, data.heads), placeholder="e.g. L1 H3, L5 H6")
    off = [head_of(name) for name in named]
    ablator = st.session_state.get(STATE.key("ablator"))
    if ablator is None or ablator.shared is not data.loaded:
        ablator = ablation.HeadAblator(data.loaded, owner=session_id())  # its copy is made on first use
        st.session_state[STATE.key("ablator")] = ablator
    with st.spinner("Switching the heads off in this session's own copy of the model…"):
        outcome = ablator.effect(data.result.encoded, frozenset(off))
    if off:
        st.markdown(f"**{literal(outcome.headline)}**")
    else:
        st.info(
            "Pick heads to switch off; their value vectors are zeroed in this session's own copy of the "
            "model (the shared model is never changed), which is what a head mask of 0 did."
        )
    if off and outcome.labels:
        st.plotly_chart(outcomes.outcome_bars(outcome), key=STATE.key("ablation-bars"))
    entropy = head_stats(*data.args, "attention", "tokens").values["entropy"]
    st.plotly_chart(
        layer_head_figure(
            entropy,
            "Switched-off heads (red frame), over each head's attention entropy",
            "Blues",
            0,
            None,
            "entropy",
            ablation.as_array(frozenset(off), data.layers, data.heads),
        ),
        key=STATE.key("ablation-grid"),
    )
    relink(data)
