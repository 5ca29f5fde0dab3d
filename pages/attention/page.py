"""BERT attention: every head of a BERT-family encoder, with rollout, flow, head statistics and the numbers behind
softmax(QKᵀ/√d)V. The set-up and layout; each tab is a view in pages/attention/views/."""

from __future__ import annotations

import streamlit as st

from core.attention.setup import VIEWS
from core.device import configure_threads
from core.markdown_literal import literal
from core.models import ModelLoadError
from core.tokens import TextInputError
from pages.attention.data import Shown, attention, model, view_of
from pages.attention.state import LINK_NAMES, STATE, clamp_to_model
from pages.attention.views import VIEW_OF
from pages.kit import left_out_warnings, show_warnings


def render() -> None:
    """One run of the page (pages/bert_attention.py, the navigation's entry point, calls it)."""
    configure_threads()
    first = STATE.start()
    st.session_state.setdefault(STATE.key("pair"), bool(first.text_b))
    st.title("BERT attention")
    st.caption(
        "Every head of a BERT-family encoder on your sentence: where each token looks, how attention composes "
        "through the layers, what each head specialises in, and the float64 numbers behind softmax(QKᵀ/√d)V."
    )

    with st.container(border=True):
        top = st.columns([3, 2])
        STATE.widget("text", top[0], height=68)
        STATE.widget("source", top[1])
        pair = st.session_state[STATE.key("pair")]
        if pair:
            STATE.widget("text_b", top[0], height=68)
        top[1].toggle(
            "Pair (text B)",
            key=STATE.key("pair"),
            persist_state="session",
            help="A pair is split at the first token with token_type_ids == 1.",
        )
        # one row at 1024 px (a projector's width), so the head view's lines start above the fold; wraps if narrower
        row = st.container(horizontal=True, vertical_alignment="bottom")
        STATE.widget("granularity", row)
        STATE.widget("special", row, width=170)
        STATE.widget("weighting", row, width=200)

    setup = STATE.current(text_b=STATE.value("text_b") if pair else "")
    text_b = setup.text_b or None
    if pair and not setup.text_b.strip():
        st.warning(
            "Pair is on but Text B is empty: showing text A as one sentence. Type a text B, or switch Pair off.",
            icon=":material/warning:",
        )
        text_b = None
    try:
        loaded = model(setup.source)
        result = attention(setup.source, setup.text, text_b)
    except (ModelLoadError, TextInputError) as error:
        st.error(literal(error))
        return
    show_warnings(result.encoded.warnings)
    show_warnings(clamp_to_model(result.num_layers, result.num_heads))
    setup = STATE.current(text_b=setup.text_b)  # after clamping: every view may index the maps with setup.layer, heads
    show_warnings(left_out_warnings(setup, LINK_NAMES))
    data = Shown(
        setup,
        loaded,
        result,
        text_b,
        view_of(*(setup.source, setup.text, text_b), setup.weighting, setup.granularity, setup.special),
    )

    L, H, T, n = result.num_layers, result.num_heads, result.length, len(data.labels)
    summary = (
        f"**{literal(loaded.provenance.name)}** · {L} layers × {H} heads · {T} tokens"
        + (f" → {n} {'words' if setup.granularity == 'words' else 'units'}" if n != T else "")
        + f" · {loaded.provenance.attn_implementation} attention, {loaded.provenance.dtype}"
    )
    if setup.granularity == "words":
        summary += " · words: attention to a word = sum over its pieces, from a word = mean over its pieces"
    if setup.special != "keep":
        shown = data.shown
        summary += (
            f" · special tokens removed: on average {shown.removed_mass.mean():.1%} of each row's attention "
            f"went to them (max {shown.removed_mass.max():.1%} in one head)"
            + ("; rows renormalised" if shown.renormalised else "; rows not renormalised")
        )
    st.markdown(summary)

    for name, tab in STATE.tabs("view", VIEWS).items():
        if tab.open:
            with tab:
                VIEW_OF[name](data)
