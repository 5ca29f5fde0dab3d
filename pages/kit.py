"""How a tool page holds its state: one `ToolState` per tool, as TensorFlow Playground's `state.ts` does.

A tool's set-up is one frozen dataclass whose fields are declared once with `core.settings.setting` (label, help,
bounds or choices, widget kind); a group of fields (a field whose type is a set-up dataclass) is seen by its own
fields' names. A page asks its ToolState for:

- `start()` first thing on every run: on the session's first visit the set-up comes from the page's link (what
  was wrong in it is said once), and changes asked for with `ask()` (a callback, a click on a chart, an imported
  JSON) are applied before any widget exists;
- `widget(name)` for each setting it shows: the declared widget, keyed `<tool>.<name>`, keeping its value when the
  user visits another page;
- `current()` once the widgets are drawn: the validated set-up they describe (a bad value reset, with a warning),
  and the link written for it (once per run, only when it changed);
- `tabs(labels)`: tabs that reopen on the same tab after another page;
- `matrix(name, values)`: a number matrix editor whose edits outlive a visit to another page or tab.

Values that several pages share are declared here once (`TRAINED_NETWORK`). Per-session results go through
`pages.heavy` (long work) or `memo` (quick). Nothing here computes: pages call core.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from core.markdown_literal import literal
from core.settings import Setting, build, flat_types, flat_values, problems, settings
from core.setup_state import from_query, left_out_of_link, to_query
from pages.widgets import draw

S = TypeVar("S")
T = TypeVar("T")
MEMO_SIZE = 24  # quick results kept per session and tool


@dataclass(frozen=True)
class Shared:
    """A value one page makes and other pages read, under one session-state key."""

    key: str
    what: str

    def get(self) -> Any:
        return st.session_state.get(self.key)

    def put(self, value: Any) -> None:
        st.session_state[self.key] = value


TRAINED_NETWORK = Shared(
    "shared.trained_network",
    "the Network builder's network: a frozen copy, as a "
    "core.builder.trained.TrainedNetwork (read by Attributions and the race's landscape)",
)


def show_warnings(warnings: Iterable[str]) -> None:
    """Core's warnings, one box each, shown literally (they quote what users typed)."""
    for warning in warnings:
        st.warning(literal(warning), icon=":material/warning:")


def left_out_warnings(setup: object, names: dict[str, str]) -> list[str]:
    """A message for each set-up field too long for the page link even compressed; `names` reads field names."""
    return [
        f"The {names.get(n, n)} ({len(str(getattr(setup, n))):,} characters) is too long for the page link even "
        f"compressed: the link carries the rest of the set-up and the default {names.get(n, n)}. The model reads "
        "only its first few hundred tokens anyway."
        for n in left_out_of_link(setup)
    ]


class ToolState(Generic[S]):
    """One tool's set-up in one session: from the link, through its declared widgets, to the link again."""

    def __init__(self, tool: str, cls: type[S], follow: Mapping[str, Callable[[S], Any]] | None = None) -> None:
        """`follow`: the page's widgets that show the set-up in another form than one widget per field (a toggle
        saying whether an optional value is set, numbers typed as one text, an editor's rows), by name: each is
        given `follow[name](setup)` whenever a set-up is put (the link's on a first visit, a change `ask`ed for);
        a declared field named there is set only through it."""
        self.tool, self.cls = tool, cls
        self.declared: dict[str, Setting] = settings(cls)
        self.follow = dict(follow or {})
        self._types = flat_types(cls)

    def key(self, name: str) -> str:
        """The session-state key of one of this tool's values: `<tool>.<name>`."""
        return f"{self.tool}.{name}"

    @property
    def last(self) -> S:
        """The set-up of the last run (the link's on a first visit)."""
        return st.session_state[self.key("setup")]

    def start(self) -> S:
        """On every run, before any widget: the link's set-up on a first visit (its warnings shown once), then any
        change `ask`ed for since the last run. Returns the set-up the widgets start from."""
        state = st.session_state
        if self.key("setup") not in state:
            setup, warnings = from_query(self.cls, st.query_params.to_dict())
            self._put(setup)
            state[self.key("link_warnings")] = warnings
        pending = state.pop(self.key("pending"), None)
        if pending is not None:
            self._put(pending)
        show_warnings(state.pop(self.key("link_warnings"), ()))
        return self.last

    def ask(self, warnings: Iterable[str] = (), **changes: Any) -> None:
        """Change fields for the next run, before its widgets are drawn (from a callback, a click, an import);
        `warnings` are shown then, once. A group's fields are changed by their own names."""
        state = st.session_state
        base = state.get(self.key("pending")) or self.last
        state[self.key("pending")] = build(self.cls, flat_values(base) | changes)
        state[self.key("link_warnings")] = [*state.get(self.key("link_warnings"), ()), *warnings]

    def replace(self, setup: S, warnings: Iterable[str] = ()) -> None:
        """Take a whole set-up (a loaded JSON) on the next run."""
        self.ask(warnings, **flat_values(setup))

    def _put(self, setup: S) -> None:
        values = flat_values(setup)
        for name in [n for n in self.declared if n not in self.follow]:
            self.set(name, values[name])
        for name, shown in self.follow.items():
            st.session_state[self.key(name)] = shown(setup)
        st.session_state[self.key("setup")] = setup

    def set(self, name: str, value: Any) -> None:
        """Give a field's widget this value: in a callback, or in a run before the widget is drawn."""
        declared = self.declared.get(name)
        if declared is not None and declared.kind == "checkboxes":  # ticked boxes have no order but the choices'
            value = [choice for choice in declared.allowed() if choice in value]
        st.session_state[self.key(name)] = list(value) if isinstance(value, tuple) else value

    def value(self, name: str) -> Any:
        """A field's value as its widget holds it now (the last set-up's when the widget has not been drawn)."""
        state = st.session_state
        if name not in self.declared or self.key(name) not in state:
            return flat_values(self.last)[name]
        value = state[self.key(name)]
        return tuple(value) if isinstance(value, list) else value

    def widget(self, name: str, where: Any = None, **options: Any) -> Any:
        """Draw field `name`'s declared widget (in `where`, default the current container); returns its value.

        `options` override the declaration for this drawing (`choices` of the model at hand, `label`, `help`,
        `kind`) or pass on to Streamlit (`width`, `disabled`, `height`, `on_change`…)."""
        own = {f.name for f in dataclasses.fields(Setting)}
        declared = dataclasses.replace(self.declared[name], **{k: v for k, v in options.items() if k in own})
        extra = {k: v for k, v in options.items() if k not in own}
        state = st.session_state
        key = self.key(name)
        allowed = declared.allowed()
        if allowed is not None and key in state:  # a choice that no longer exists (another model) is reset
            held = state[key] if isinstance(state[key], list) else [state[key]]
            if any(v not in allowed for v in held):
                default = flat_values(self.cls())[name]
                state[key] = (
                    [v for v in held if v in allowed]
                    if isinstance(state[key], list)
                    else (default if default in allowed else allowed[0])
                )
        draw(declared, key, where, whole=self._types[name] is int, persist_state="session", **extra)
        return self.value(name)

    def current(self, **fixed: Any) -> S:
        """The validated set-up the widgets describe (plus `fixed` fields the page decides), and its link.

        A value that fails validation is reset to its default and the page runs again at once, saying which value
        and why (a widget cannot change once drawn, and the page must never show results for other values than
        the ones on screen)."""
        values = {name: self.value(name) for name in self._types} | fixed
        setup = build(self.cls, values)
        found = problems(setup)
        if found:
            default = flat_values(self.cls())
            bad = {p.split(":", 1)[0] for p in found} & set(values)
            self.ask(
                [f"This setting was out of range and was reset: {p}." for p in dict.fromkeys(found)],
                **{n: default[n] for n in bad},
            )
            st.rerun()
        st.session_state[self.key("setup")] = setup
        self.publish(setup)
        return setup

    @staticmethod
    def publish(setup: Any) -> None:
        """Write the page's link for `setup` when it differs from the address (long texts travel compressed)."""
        query = to_query(setup)
        if st.query_params.to_dict() != query:
            st.query_params.from_dict(query)

    def tabs(self, name: str, labels: Iterable[str]) -> dict[str, Any]:
        """Tabs keyed `<tool>.<name>` that run only the open tab's code (`tab.open`) and reopen on the same tab
        after a visit to another page (st.tabs has no persist_state: its value is kept under a plain key)."""
        key = self.key(name)
        state = st.session_state
        if key not in state and f"kept.{key}" in state:
            state[key] = state[f"kept.{key}"]
        labels = list(labels)
        made = st.tabs(labels, key=key, on_change="rerun")
        if key in state:
            state[f"kept.{key}"] = state[key]
        return dict(zip(labels, made, strict=True))

    def memo(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        """A quick result kept for this session (the last MEMO_SIZE of this tool), recomputed when `key` changes."""
        store: OrderedDict = st.session_state.setdefault(self.key("memo"), OrderedDict())
        full = (name, key)
        if full in store:
            store.move_to_end(full)
        else:
            store[full] = compute()
            while len(store) > MEMO_SIZE:
                store.popitem(last=False)
        return store[full]

    def matrix(self, name: str, values: np.ndarray, where: Any = None) -> np.ndarray:
        """A number matrix editor keyed `<tool>.<name>`, starting from `values`; returns the matrix it shows (NaN
        in a cell left empty or not a number).

        Its edits survive a visit to another page or tab: Streamlit keeps a data editor's edits as changes to the
        data it was given, drops them when a run does not draw it, and cannot have them written back; so an editor
        drawn again starts from the last matrix it returned (kept under `kept.<tool>.<name>.last`)."""
        state, key = st.session_state, self.key(name)
        base, last = f"kept.{key}.base", f"kept.{key}.last"
        if key not in state:
            state[base] = state.get(last, np.atleast_2d(values))
        table = pd.DataFrame(state[base])
        table.columns = [str(c) for c in table.columns]
        edited = (where or st).data_editor(table, key=key, num_rows="dynamic", width="stretch")
        state[last] = edited.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return state[last]
