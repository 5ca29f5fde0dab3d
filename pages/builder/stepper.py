"""The step-through: one training step of the live network, stage by stage (forward, loss, backward, update), on
one sample or the mini-batch training takes next, with the network drawing's current layer highlighted. While paused
only: while training plays, the numbers would be stale at once."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.builder.evaluate import evaluate_plane
from core.builder.export import trace_csv
from core.builder.trace import stages
from core.figures.builder.network import network_drawing, network_figure
from pages.builder import stage as stage_view
from pages.builder.state import STATE, Run
from pages.widgets import download


def _move(delta: int, n: int) -> None:
    key = STATE.key("stage")
    st.session_state[key] = min(max(st.session_state.get(key, 0) + delta, 0), n - 1)


def render(run: Run) -> None:
    if run.playing:
        st.info("Training is playing: pause to step through the current network, number by number.")
        return
    state, setup, trainer = st.session_state, run.setup, run.trainer
    d = trainer.data
    c = st.container(horizontal=True, vertical_alignment="bottom")  # wraps on a narrow screen, labels whole
    which = c.radio(
        "Trace", ["one sample", "the mini-batch"], key=STATE.key("trace_what"), persist_state="session", horizontal=True
    )
    sample = STATE.key("sample")
    if sample not in state or not 0 <= int(state[sample]) < len(d.points):
        state[sample] = int(np.flatnonzero(d.is_train)[0])
    c.number_input(
        "Sample index (or click a point)",
        0,
        len(d.points) - 1,
        key=sample,
        persist_state="session",
        disabled=which != "one sample",
        width=220,
    )
    c.toggle(
        "Predict, then reveal",
        key=STATE.key("predict"),
        persist_state="session",
        help="Guess the sign of each weight gradient, and of the update, before the numbers are shown",
    )
    if which == "one sample":
        i = int(state[sample])
        x, y = trainer.sample(i)
        c.caption(
            f"Sample #{i}: x₁ = {d.points[i, 0]:.3f}, x₂ = {d.points[i, 1]:.3f}, "
            f"label {d.labels[i]:.3g} ({'train' if d.is_train[i] else 'test'} point)"
        )
    else:
        x, y = trainer.next_batch()
        i, n = trainer.batch_index
        c.caption(
            f"The mini-batch training takes next: batch {i} of {n} of epoch {trainer.epoch + 1:,}, "
            f"{len(x)} training points drawn shuffled with the weight seed (batch size {trainer.batch_size})."
        )
    trace = trainer.trace(x, y)  # the optimizer's state as it is now
    walk = stages(len(trace.layers))
    at = state[STATE.key("stage")] = min(state.get(STATE.key("stage"), 0), len(walk) - 1)
    nav = st.container(horizontal=True, vertical_alignment="center")
    nav.button("◀ Prev", key=STATE.key("prev"), on_click=_move, args=(-1, len(walk)))
    nav.button("Next ▶", key=STATE.key("next"), on_click=_move, args=(1, len(walk)))
    nav.progress((at + 1) / len(walk), text=f"Step {at + 1} of {len(walk)}: **{walk[at].title}**")
    if nav.button(
        "Take this step",
        key=STATE.key("apply"),
        help="Apply this update to the live network: the mini-batch's step is the one training takes next (the "
        "epoch goes on); a sample's is an extra step outside the epoch's batches",
        disabled=not trainer.ready,
    ):
        change = trainer.step_on(x, y) if which == "one sample" else trainer.step()
        state[STATE.key("step_taken")] = change.sentence
        st.rerun()
    taken = state.pop(STATE.key("step_taken"), None)
    if taken:
        st.success(f"Step taken. {taken}")
    dcol, ncol = st.columns([1, 2.6])
    with dcol:
        drawing = network_drawing(
            trainer.model, evaluate_plane(trainer.model, d.feature_names, 60), d.feature_names, trainer.head_name
        )
        st.plotly_chart(
            network_figure(
                drawing.columns,
                drawing.titles,
                drawing.labels,
                drawing.weights,
                highlight=walk[at].layer,
                height=300 + 12 * max(0, max(setup.hidden, default=0) - 4),
            ),
            key=STATE.key("step_net"),
            config={"displayModeBar": False},
        )
    with ncol:
        stage_view.render(trace, walk[at], "live")
    download(None, "Download this step's numbers (CSV)", trace_csv(trace), "step.csv", "text/csv", STATE.key("dl_step"))
