"""Aggregates: head means, a token through the layers, rollout and attention flow (Abnar & Zuidema)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.attention import flow, rollout, units
from core.figures.attention import aggregates
from pages.attention.data import Shown, flow_matrix, view_of
from pages.attention.state import STATE, choose_token, relink
from pages.session import session_fragment


@session_fragment
def render(data: Shown) -> None:
    setup, labels = data.setup, data.labels
    cols = st.columns([3, 1, 1.6])
    what = cols[0].segmented_control(
        "Aggregate",
        ["Mean over heads", "Token through layers", "Rollout", "Flow"],
        default="Rollout",
        key=STATE.key("aggregate"),
        required=True,
    )
    # the other aggregates are plain head means
    fusion = STATE.widget("fusion", cols[1]) if what in ("Rollout", "Flow") else setup.fusion
    with cols[2]:
        query = choose_token("Token", "query", labels)
    kept = view_of(*data.args, setup.weighting, setup.granularity, "keep")
    special = np.array(kept.units.special)
    full_query = kept.units.positions.index(data.shown.units.positions[query])  # the same unit, specials kept
    if what == "Mean over heads":
        st.plotly_chart(aggregates.per_layer_maps(data.shown.maps.mean(axis=1), labels), key=STATE.key("means"))
    elif what == "Token through layers":
        st.plotly_chart(
            aggregates.token_through_layers(
                data.shown.maps.mean(axis=1)[:, query], labels, query, "Head-mean attention"
            ),
            key=STATE.key("through"),
        )
    elif what == "Rollout":
        rolled = rollout.rollout(kept.maps, fusion)
        final, _ = units.SPECIAL_MODES[setup.special](rolled[-1], special)
        st.latex(r"\hat A_l = \frac{\bar A_l + I}{\mathrm{rowsum}},\qquad R_l = \hat A_l\,R_{l-1}")
        st.plotly_chart(
            aggregates.contributions(final, labels, f"Rollout after layer {data.layers} ({fusion} over heads)"),
            key=STATE.key("rollout"),
        )
        rows = units.shown_columns(rolled[:, full_query], special, setup.special)
        st.plotly_chart(aggregates.token_through_layers(rows, labels, query, "Rollout"), key=STATE.key("rollout-rows"))
    elif len(kept.units) <= flow.MAX_FLOW_TOKENS:
        matrix = flow_matrix(*data.args, setup.weighting, setup.granularity, fusion, None)
        final, _ = units.SPECIAL_MODES[setup.special](matrix, special)
        st.plotly_chart(
            aggregates.contributions(final, labels, f"Attention flow ({fusion} over heads), rows normalised"),
            key=STATE.key("flow"),
        )
    elif len(kept.units) <= flow.MAX_FLOW_ROW_TOKENS:
        st.info(
            f"The full flow matrix is computed up to {flow.MAX_FLOW_TOKENS} units (one max-flow per pair); "
            f"with {len(kept.units)}, only the chosen token's row is computed."
        )
        row = flow_matrix(*data.args, setup.weighting, setup.granularity, fusion, full_query)
        st.plotly_chart(
            aggregates.flow_row(units.shown_columns(row[0], special, setup.special), labels, query),
            key=STATE.key("flow-row"),
        )
    else:
        st.warning(
            f"Attention flow needs one max-flow per token pair, so it is limited to "
            f"{flow.MAX_FLOW_ROW_TOKENS} units; this input has {len(kept.units)}. Switch to word units or "
            "use a shorter text."
        )
    st.caption(
        "Rollout and flow (Abnar & Zuidema 2020) are computed with all tokens, [CLS]/[SEP] included, and "
        "only then hidden or renormalised for display. Flow is an exact max-flow over the layer graph, "
        "each row normalised to sum to 1."
    )
    relink(data)
