"""The racer editor: one row per racer with its knobs in a popover (read from the torch class signature, each drawn
as core's knob table says), a twin, a remove button, and a racer to add."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.figures.race.race import color
from core.markdown_literal import literal
from core.race.knobs import Knob
from core.race.racers import OPTIMIZERS, RacerError, make_racer, parse_racer
from core.race.setup import MAX_RACERS
from pages.icon_button import icon_button
from pages.race.state import ROW_IDS, STATE
from pages.widgets import draw


def render() -> tuple[str, ...]:
    """Draw the editor; returns the racers as it holds them (racer text)."""
    rows = st.session_state[STATE.key("racers")]
    with st.expander(f"Racers ({len(rows)} of at most {MAX_RACERS})", expanded=True):
        texts = tuple(_racer(i, row, len(rows)) for i, row in enumerate(list(rows)))
        add, button = st.columns([3, 1], vertical_alignment="bottom")
        add.selectbox("Add a racer", OPTIMIZERS, key=STATE.key("add_choice"), label_visibility="collapsed")
        button.button(
            "Add racer",
            icon=":material/add:",
            key=STATE.key("add"),
            disabled=len(rows) >= MAX_RACERS,
            width="stretch",
            on_click=_add,
        )
    return texts


def _racer(i: int, row: list[Any], count: int) -> str:
    """One racer's row; its knobs' values go into the row's text (row = [id, text], changed in place)."""
    uid, text = row
    try:
        racer = parse_racer(text)
    except RacerError:
        racer = make_racer("SGD")
    line = st.container(horizontal=True, vertical_alignment="center")  # buttons keep their labels when narrow
    line.markdown(
        f"<span style='color:{color(i)};font-size:1.3em'>●</span> `{racer.label}`",
        unsafe_allow_html=True,
        width="stretch",
    )
    with line.popover("Knobs", icon=":material/tune:"):
        st.caption(f"`torch.optim.{racer.optimizer}` — defaults from its signature")
        values = {
            knob.name: _knob(knob, racer.value(knob.name), STATE.key(f"r{uid}.{knob.name}"))
            for knob in racer.spec.knobs
        }
    try:
        row[1] = make_racer(racer.optimizer, **values).to_text()
    except RacerError as e:
        st.warning(literal(f"{racer.label}: {e}"))
    line.button(
        "Twin",
        key=STATE.key(f"twin{uid}"),
        icon=":material/content_copy:",
        help="Race the same optimizer again (change its knobs).",
        disabled=count >= MAX_RACERS,
        on_click=_twin,
        args=(uid,),
    )
    icon_button(
        line,
        "Remove this racer",
        ":material/delete:",
        STATE.key(f"remove{uid}"),
        disabled=count == 1,
        on_click=_remove,
        args=(uid,),
    )
    return row[1]


def _knob(knob: Knob, value: Any, key: str) -> Any:
    """A knob's widgets (one per part, side by side), starting from `value`; returns the value they hold."""
    asked, held = knob.asked(), knob.held(value)
    places = st.columns(len(asked)) if len(asked) > 1 else [st]
    parts = []
    for n, (widget, start, where) in enumerate(zip(asked, held, places, strict=True)):
        part = key + (str(n) if len(asked) > 1 else "")
        st.session_state.setdefault(part, start)  # a new racer's widget starts from its racer text
        parts.append(draw(widget, part, where, whole=knob.how.whole))
    return knob.read(tuple(parts))


def _index(uid: int) -> int:
    return next(i for i, (row_id, _) in enumerate(st.session_state[STATE.key("racers")]) if row_id == uid)


def _twin(uid: int) -> None:
    rows = st.session_state[STATE.key("racers")]
    i = _index(uid)
    rows.insert(i + 1, [next(ROW_IDS), rows[i][1]])


def _remove(uid: int) -> None:
    st.session_state[STATE.key("racers")].pop(_index(uid))


def _add() -> None:
    rows = st.session_state[STATE.key("racers")]
    rows.append([next(ROW_IDS), make_racer(st.session_state[STATE.key("add_choice")]).to_text()])
