"""The Neuron view: q, k, q·k/√d, mask and softmax of one query row, recomputed in float64."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages.attention.data import Shown, neuron_of, recompute_difference
from pages.attention.state import STATE, choose_token, layer_and_heads, relink
from pages.session import session_fragment

NUMBERS = ("q·k/√d", "softmax (float64)", "model α (float32)", "|difference|")


@session_fragment
def render(data: Shown) -> None:
    layer, (head,) = layer_and_heads(data, multi=False)
    tokens = data.result.tokens
    query = choose_token("Query token", "neuron-query", tokens)
    view, figure = neuron_of(*data.args, layer, head, query)
    m = st.columns(3)
    m[0].metric("max |float64 − model| (this row)", f"{view.max_difference:.1e}")
    m[1].metric("max |float64 − model| (all layers, heads)", f"{recompute_difference(*data.args):.1e}")
    m[2].metric("d_head, scale √d", f"{view.q.shape[0]}, {view.scale:.3f}")
    st.caption(
        "Recomputed in float64 from this layer's own query/key/value weights and the hidden states "
        "entering it; the model's returned attention is float32. Always on WordPiece tokens and raw α."
    )
    st.plotly_chart(figure, key=STATE.key("neuron"))
    st.dataframe(
        {
            "key": [f"{t} (#{j})" for j, t in enumerate(tokens)],
            "q·k/√d": view.scores,
            "mask": view.mask,
            "softmax (float64)": view.probs,
            "model α (float32)": view.model_probs,
            "|difference|": np.abs(view.probs - view.model_probs),
        },
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.6g") for c in NUMBERS},
    )
    relink(data)
