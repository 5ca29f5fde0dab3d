"""Which Streamlit widget asks for a declared setting (`core.settings.Setting.kind`), and how it is drawn; and the
one way a page offers a file for download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.settings import Setting


def draw(declared: Setting, key: str, where: Any = None, whole: bool = False, **options: Any) -> Any:
    """Draw the widget that `declared` says (in `where`, default the current container) under `key`; returns its
    value. For a widget that is no set-up field, such as a racer's knob; `whole`: its numbers are ints."""
    number = int if whole else float  # Streamlit's number widgets infer int or float from the bounds and step
    numbers = {
        k: number(v)
        for k, v in (("min_value", declared.low), ("max_value", declared.high), ("step", declared.step))
        if v is not None
    }
    return DRAW[declared.kind](where or st, declared, numbers, key=key, help=declared.help or None, **options)


def download(where: Any, label: str, data: Any, file_name: str, mime: str, key: str, **options: Any) -> None:
    """A download button (in `where`, default the current container) whose click leaves the page alone: a rerun on
    the click replaced the file the browser was fetching (MediaFileStorageError: no file on a first click) and closed
    an open tab. `data`: the file, or a callable that makes it when clicked (only for data that no later run
    changes: it runs outside the session's turn)."""
    (where or st).download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore", **options)


def _choices(where: Any, draw: str, declared: Setting, numbers: dict, **kwargs: Any) -> Any:
    return getattr(where, draw)(declared.label, declared.allowed(), format_func=declared.name, **kwargs)


def _checkboxes(
    where: Any, declared: Setting, numbers: dict, *, key: str, persist_state: str | None = None, **kwargs: Any
) -> None:
    """The label in bold, then one checkbox per choice (keyed `<key>.<choice>`), as many per line as fit. The ticked
    choices are kept under `key` (a plain value, so it outlives the page), which each box follows."""
    state = st.session_state
    choices = declared.allowed()

    def ticked() -> None:
        state[key] = [choice for choice in choices if state[f"{key}.{choice}"]]

    where.markdown(f"**{declared.label}**")
    row = where.container(horizontal=True, gap="small")
    for choice in choices:
        state[f"{key}.{choice}"] = choice in state.get(key, ())
        row.checkbox(declared.name(choice), key=f"{key}.{choice}", on_change=ticked, **kwargs)


DRAW: dict[str, Callable[..., Any]] = {  # Setting.kind → the Streamlit call that asks for it
    "number": lambda where, d, numbers, **kw: where.number_input(d.label, format=d.number_format, **numbers, **kw),
    "slider": lambda where, d, numbers, **kw: where.slider(d.label, **numbers, **kw),
    "select_slider": lambda where, d, numbers, **kw: where.select_slider(
        d.label, d.allowed(), format_func=d.name, **kw
    ),
    "select": lambda where, d, numbers, **kw: _choices(where, "selectbox", d, numbers, **kw),
    "radio": lambda where, d, numbers, **kw: _choices(where, "radio", d, numbers, **({"horizontal": True} | kw)),
    "segmented": lambda where, d, numbers, **kw: _choices(
        where, "segmented_control", d, numbers, **({"required": True} | kw)
    ),
    "multiselect": lambda where, d, numbers, **kw: _choices(where, "multiselect", d, numbers, **kw),
    "checkboxes": _checkboxes,
    "checkbox": lambda where, d, numbers, **kw: where.checkbox(d.label, **kw),
    "toggle": lambda where, d, numbers, **kw: where.toggle(d.label, **kw),
    "text": lambda where, d, numbers, **kw: where.text_input(d.label, **kw),
    "text_area": lambda where, d, numbers, **kw: where.text_area(d.label, **kw),
}
