"""The BERT attention tool's state: its set-up from the link and widgets (pages.kit), and the selectors several
views share (the layer and heads)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.attention import units
from core.attention.setup import AttentionSetup
from pages.attention.data import Shown
from pages.kit import ToolState

STATE = ToolState("attention", AttentionSetup)
LINK_NAMES = {"text": "text", "text_b": "text B", "compare_text": "comparison text"}


def clamp_to_model(layers: int, heads: int) -> list[str]:
    """Keep the chosen layer and heads inside this model (counted from 1); a warning for each value outside."""
    warnings, changes = [], {}
    layer, chosen = STATE.value("layer"), STATE.value("heads")
    if not 1 <= layer <= layers:
        warnings.append(f"Layer {layer} does not exist in this model (layers 1–{layers}): showing layer 1.")
        changes["layer"] = 1
    outside = [h for h in chosen if not 1 <= h <= heads]
    if outside:
        warnings.append(
            f"Head {', '.join(map(str, outside))} does not exist in this model (heads 1–{heads}): left out."
        )
        changes["heads"] = tuple(h for h in chosen if 1 <= h <= heads) or (1,)
    for name, value in changes.items():
        STATE.set(name, value)
    return warnings


def layer_and_heads(data: Shown, multi: bool = True, form: bool = False) -> tuple[int, tuple[int, ...]]:
    """The shared layer / head selectors; returns (layer, heads) counted from 0, to index the maps. form: the
    Head view's Lines / Heatmap choice (`attention.form`) at the end of the same row."""
    cols = st.columns(([1, 3] if multi else [1, 1]) + ([1.4] if form else []), vertical_alignment="bottom")
    if form:
        cols[-1].segmented_control("Form", ["Lines", "Heatmap"], default="Lines", key=STATE.key("form"), required=True)
    layer = STATE.widget("layer", cols[0], choices=range(1, data.layers + 1))
    if multi:
        chosen = STATE.widget("heads", cols[1], choices=range(1, data.heads + 1)) or (1,)
        return layer - 1, tuple(h - 1 for h in chosen)
    single = STATE.key("head-single")
    st.session_state[single] = STATE.value("heads")[0]
    head = cols[1].selectbox(
        "Head",
        range(1, data.heads + 1),
        format_func=lambda h: f"head {h}",
        key=single,
        on_change=lambda: STATE.set("heads", (st.session_state[single],)),
    )
    return layer - 1, (head - 1,)


def pair_filter(data: Shown) -> np.ndarray | None:
    """The pair filter of a two-sentence input (None for one sentence)."""
    segments = np.array(data.shown.units.segments)
    if not (segments == 1).any():
        return None
    name = st.segmented_control(
        "Pair filter", list(units.PAIR_FILTERS), default="All", key=STATE.key("filter"), required=True
    )
    return units.PAIR_FILTERS[name or "All"](segments)


def relink(data: Shown) -> None:
    """A view's own controls rerun only the view (a fragment), so it writes the page's link itself."""
    STATE.current(text_b=data.setup.text_b)


def choose_token(label: str, name: str, names: list[str] | tuple[str, ...]) -> int:
    """A token picker keyed `attention.<name>` over `names` (index 1 at first: the first word after [CLS]); a
    choice beyond a shorter new input is reset."""
    key = STATE.key(name)
    if st.session_state.get(key) is None or st.session_state[key] >= len(names):
        st.session_state[key] = min(1, len(names) - 1)
    return st.selectbox(
        label, list(range(len(names))), key=key, persist_state="session", format_func=lambda i: f"{names[i]} (#{i})"
    )
