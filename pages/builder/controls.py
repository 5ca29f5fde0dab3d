"""The Network builder's controls: the training bar on top, data, features and training settings on the left, the
hidden layers' + and − buttons over the live view. Each group a classroom link may hide (`hide`) is left out."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.builder.optimizers import LEARNING_RATES, REG_RATES, ladder
from core.builder.setup import CUSTOM, MAX_LAYERS, MAX_NEURONS, resized, with_layer, without_layer
from core.builder.trainer import Trainer
from pages.builder.live import FPS
from pages.builder.state import STATE, animating, reset, reshape, set_playing, step_epoch
from pages.icon_button import icon_button

SPEEDS = (1, 2, 5, 8, 10, 20, 50, 100)  # the choices of "Epochs per frame"


def training_bar(hidden: set[str]) -> DeltaGenerator:
    """Play/Pause, Step, Reset, New weights and the knobs, in rows that wrap instead of squeezing (on a narrow
    screen the knobs go under the buttons, every label whole). Returns Play's place: `play` draws it there once this
    run's network is known and trained (a change that builds or retunes a stopped network lets it play again)."""
    bar = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    buttons = bar.container(horizontal=True, vertical_alignment="bottom", gap="small", width="content")
    knobs = bar.container(horizontal=True, vertical_alignment="bottom", gap="small", width="content")
    slot = buttons.empty()
    buttons.button("Step", key=STATE.key("step"), on_click=step_epoch, help="Train one epoch")
    buttons.button(
        "Reset", key=STATE.key("reset"), on_click=reset, help="Back to epoch 0 with the same initial weights"
    )
    buttons.button(
        "New weights",
        key=STATE.key("new_weights"),
        on_click=reset,
        kwargs={"new_weights": True},
        help="Draw new initial weights (the weight seed goes up by one)",
    )
    st.session_state.setdefault(STATE.key("speed"), 5)
    knobs.select_slider(
        "Epochs per frame",
        SPEEDS,
        key=STATE.key("speed"),
        persist_state="session",
        width=130,
        help=f"Training speed: epochs trained per refresh (up to {FPS} refreshes per second)",
    )
    if "training" not in hidden:
        STATE.widget("learning_rate", knobs, choices=ladder(LEARNING_RATES, STATE.value("learning_rate")), width=160)
        STATE.widget("activation", knobs, width=115)
        STATE.widget("optimizer", knobs, width=125)
    return slot


def play(slot: DeltaGenerator, trainer: Trainer | None) -> None:
    """Play or Pause, in `slot`, for the network this run shows: greyed when there is none or it is stopped (a stop
    condition, a diverged loss). Pause while frames train, for Play or for epochs Step asked for (a slow epoch takes
    several frames): it stops both."""
    on = animating()
    slot.button(
        "Pause" if on else "Play",
        icon=":material/pause:" if on else ":material/play_arrow:",
        key=STATE.key("play"),
        on_click=set_playing,
        args=(not on,),
        type="primary",
        width=100,
        disabled=trainer is None or not trainer.ready,
    )


def settings(hidden: set[str]) -> None:
    """The left column's settings: data, features, training settings, regularization."""
    if "data" not in hidden:
        st.markdown("**Data**")
        STATE.widget("dataset")
        own = STATE.value("dataset") == CUSTOM  # own points, or the blank canvas: nothing generated
        generated_only = "Only for generated datasets: your own points are used as they are." if own else None
        STATE.widget("noise", disabled=own, help=generated_only)
        STATE.widget("train_percent")
        STATE.widget("n_points", disabled=own, help=generated_only)
        STATE.widget(
            "data_seed",
            help="Same seed, same points" + ("; for your own points, the same train/test split" if own else ""),
        )
        STATE.widget("show_test")
        STATE.widget("discretize")
    if "features" not in hidden:
        STATE.widget("features")
    if "training" not in hidden:
        with st.expander("Training settings"):
            for name in ("batch_size", "init_seed", "binary_head", "max_epochs", "target_loss"):
                STATE.widget(name)
    if "regularization" not in hidden:
        STATE.widget("regularization")
        STATE.widget("reg_rate", choices=ladder(REG_RATES, STATE.value("reg_rate")))


def layers(hidden: tuple[int, ...]) -> None:
    """At the top of the left column: the hidden layers' count with + and −, then each layer's neuron count with
    + and −, a short line each (on a 1024-pixel screen six layers' buttons stay clear of the network and the plane)."""
    n = len(hidden)
    box = st.container(gap="xxsmall")
    _plus_minus(
        box,
        f"**{n} hidden layer{'s' if n != 1 else ''}**",
        ("add_layer", "Add a hidden layer", (with_layer,), n >= MAX_LAYERS),
        ("remove_layer", "Remove the last hidden layer", (without_layer,), not n),
    )
    for i, neurons in enumerate(hidden):
        _plus_minus(
            box,
            f"Layer {i + 1}: {neurons}",
            (f"more.{i}", f"Layer {i + 1}: add a neuron", (resized, i, 1), neurons >= MAX_NEURONS),
            (f"less.{i}", f"Layer {i + 1}: remove a neuron", (resized, i, -1), neurons <= 1),
        )


def _plus_minus(box, label: str, more: tuple, fewer: tuple) -> None:
    """A label with a + and a − button; each of `more` and `fewer` is (key, what it does, reshape's arguments,
    disabled)."""
    group = box.container(horizontal=True, vertical_alignment="center", gap="xxsmall", wrap=False)
    group.markdown(label, width="content")
    for (key, does, args, disabled), icon in ((more, ":material/add:"), (fewer, ":material/remove:")):
        icon_button(group, does, icon, STATE.key(key), on_click=reshape, args=args, disabled=disabled, type="tertiary")
