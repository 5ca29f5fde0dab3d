"""The Optimizer race's state: its set-up from the link and the widgets (pages.kit), the widgets that show it in
another form (the start toggle, the domain text, the racer editor's rows), and the record every view draws from."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.race.race import RaceResult
from core.race.setup import CUSTOM, RaceSetup, domain_text
from core.race.surfaces import Surface
from core.race.tune import with_best_rates
from pages.kit import ToolState

ROW_IDS = itertools.count()  # a racer row's id keys its knob widgets: unique in the process is enough


def raced(racers: tuple[str, ...]) -> tuple[str, ...]:
    """The editor's racers as they race: with their tuned learning rates when the user asked for them."""
    if not st.session_state.get(STATE.key("use_tuned")):
        return racers
    return with_best_rates(racers, st.session_state.get(STATE.key("tuned"), {}))


def racer_rows(setup: RaceSetup) -> list[list[Any]]:
    """The editor's rows [id, racer text] for a set-up put on the page: the same rows when they race as it says (a
    click moved the start), new rows from its racers otherwise (a link, racers added from another tab)."""
    held = st.session_state.get(STATE.key("racers"))
    if held is not None and raced(tuple(text for _, text in held)) == setup.racers:
        return held
    return [[next(ROW_IDS), text] for text in setup.racers]


def _start(name: str, value: float | None) -> float:
    """A start number: the set-up's, or while the start is the surface's own (None), what the widget held (0 at
    first)."""
    return value if value is not None else st.session_state.get(STATE.key(name), 0.0)


def _domain(setup: RaceSetup) -> str:
    """The domain as typed text; only a custom formula uses it, so for another surface the text keeps what it held."""
    if setup.surface == CUSTOM or STATE.key("domain") not in st.session_state:
        return domain_text(setup.domain)
    return st.session_state[STATE.key("domain")]


STATE = ToolState(
    "race",
    RaceSetup,
    follow={
        "own_start": lambda s: s.start_x is not None and s.start_y is not None,  # the 'Choose the start' toggle
        "start_x": lambda s: _start("start_x", s.start_x),
        "start_y": lambda s: _start("start_y", s.start_y),
        "domain": _domain,
        "racers": racer_rows,
    },
)


@dataclass(frozen=True)
class Race:
    """What every view draws from: the set-up, its race, and the racers as the editor holds them (each with its own
    learning rate, before any tuned one)."""

    setup: RaceSetup
    result: RaceResult
    racers: tuple[str, ...]

    @property
    def surface(self) -> Surface:
        return self.result.surface

    @property
    def longest(self) -> int:
        """The steps of the longest run."""
        return max(run.steps for run in self.result.runs)

    @property
    def labels(self) -> list[str]:
        return [run.label for run in self.result.runs]
