"""Compare: the same head on two sentences, their difference and the Jensen–Shannon divergence per head."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.attention import compare
from core.figures.attention.common import DIFF_SCALE, layer_head_figure, matrix_figure
from core.markdown_literal import literal
from core.tokens import TextInputError
from pages.attention.data import Shown, attention, view_of
from pages.attention.state import STATE, layer_and_heads, relink
from pages.kit import show_warnings
from pages.session import session_fragment

SPECIAL_NOTES = {
    "keep": "",
    "hide": " [CLS]/[SEP] are hidden in the maps; the JS divergence uses the rows without "
    "them, renormalised (a divergence needs distributions).",
    "exclude": " [CLS]/[SEP] are excluded and rows renormalised, in the maps and the JS divergence.",
}


def _named(message: str) -> str:
    """A message of core.tokens about the second sentence, naming it as the page does."""
    return message.replace("The text", "Second sentence", 1)


@session_fragment
def render(data: Shown) -> None:
    other = STATE.widget("compare_text")
    layer, (head,) = layer_and_heads(data, multi=False)
    setup = data.setup
    try:
        second = attention(setup.source, other, None)
    except TextInputError as error:
        st.error(literal(_named(str(error))))
        return
    show_warnings(_named(w) for w in second.encoded.warnings)
    # shown with the page's [CLS]/[SEP] mode; JS needs distributions, so "hide" compares renormalised rows
    a, b = (
        view_of(setup.source, text, None, setup.weighting, setup.granularity, setup.special)
        for text in (setup.text, other)
    )
    js_mode = "keep" if setup.special == "keep" else "exclude"
    zmax = float(max(a.maps[layer, head].max(), b.maps[layer, head].max()))  # one colour scale for A and B
    cols = st.columns(2)
    for col, side, title in ((cols[0], a, "A: " + setup.text), (cols[1], b, "B: " + other)):
        col.plotly_chart(
            matrix_figure(
                side.maps[layer, head],
                side.units.labels,
                side.units.labels,
                title[:60] + ("…" if len(title) > 60 else ""),
                zmax=zmax,
                height=420,
            ),
            key=STATE.key(f"compare-{title[0]}"),
        )
    try:
        diff = compare.compare(a.maps, b.maps)
    except compare.ShapeMismatchError as error:
        st.info(literal(error))
    else:
        js = compare.compare(
            *(
                view_of(setup.source, text, None, setup.weighting, setup.granularity, js_mode).maps
                for text in (setup.text, other)
            )
        ).js
        cols = st.columns(2)
        bound = float(np.abs(diff.difference[layer, head]).max()) or 1.0
        cols[0].plotly_chart(
            matrix_figure(
                diff.difference[layer, head],
                b.units.labels,
                b.units.labels,
                "Difference B − A (rows of B's tokens)",
                -bound,
                bound,
                DIFF_SCALE,
                "B − A",
                height=420,
            ),
            key=STATE.key("compare-diff"),
        )
        cols[1].plotly_chart(
            layer_head_figure(
                js, "Jensen–Shannon divergence per head (bits, mean over queries)", "Reds", 0, None, "JS"
            ),
            key=STATE.key("compare-js"),
        )
    st.caption(
        "Both sentences are analysed alone (no pair), on one colour scale. The difference and JS "
        "divergence compare query rows position by position, so they need the same number of units."
        + SPECIAL_NOTES[setup.special]
    )
    relink(data)
