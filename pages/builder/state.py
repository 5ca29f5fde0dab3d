"""The Network builder's state in a session: its set-up (pages.kit), whether training plays, the epochs Step asked
for, and the trainer the session trains. The buttons' callbacks change it here, before the page's next run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trainer import Trainer
from pages.kit import ToolState

STATE = ToolState("builder", BuilderSetup)
SEEDS = 2**31  # "New weights" counts the weight seed up, modulo this


@dataclass(frozen=True)
class Run:
    """What a page run hands to each tab: the validated set-up, the session's trainer, and whether training plays."""

    setup: BuilderSetup
    trainer: Trainer
    playing: bool


def playing() -> bool:
    return bool(st.session_state.get(STATE.key("playing")))


def animating() -> bool:
    """Frames follow each other while playing, and while epochs asked for by Step are still being trained."""
    return playing() or bool(st.session_state.get(STATE.key("epochs_asked")))


def set_playing(on: bool) -> None:
    """Play or pause: sets the state the button showed, so a click Streamlit delivers twice cannot undo itself."""
    st.session_state[STATE.key("playing")] = on
    st.session_state[STATE.key("epochs_asked")] = 0


def step_epoch() -> None:
    """Counted here, trained by the live view frame by frame: a callback runs before the session's turn (see
    pages.session), so training in it would race the frame an overlapping run may still be training."""
    st.session_state[STATE.key("playing")] = False
    st.session_state[STATE.key("epochs_asked")] = st.session_state.get(STATE.key("epochs_asked"), 0) + 1


def reset(new_weights: bool = False) -> None:
    """Back to epoch 0: the next run builds the network again (with the next weight seed for new weights)."""
    st.session_state[STATE.key("playing")] = False
    if new_weights:
        STATE.set("init_seed", (STATE.value("init_seed") + 1) % SEEDS)
    st.session_state.pop(STATE.key("trainer"), None)


def reshape(change: Callable[..., tuple[int, ...]], *args: int) -> None:
    """Apply `change(hidden, *args)` (core.builder.setup's with_layer, without_layer, resized) to the hidden
    layers; a new shape is a new network."""
    hidden = STATE.value("hidden")
    changed = change(hidden, *args)
    if changed != hidden:
        STATE.set("hidden", changed)
        reset()


def last_trainer() -> Trainer | None:
    """The trainer of the last run (None before the first, or after Reset)."""
    return st.session_state.get(STATE.key("trainer"))


def trainer_for(setup: BuilderSetup) -> Trainer:
    """The session's trainer for `setup`: the same network, retuned, when the change leaves it as it is (a learning
    rate, a stop condition, what is shown); a new one otherwise."""
    trainer = last_trainer()
    if trainer is None or not trainer.accepts(setup):
        trainer = st.session_state[STATE.key("trainer")] = Trainer(setup, build_dataset(setup))
    elif trainer.setup != setup:
        trainer.retune(setup)
    return trainer
