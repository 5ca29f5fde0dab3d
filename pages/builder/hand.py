"""Hand mode: type W, b, x and y of a 1-3 layer network (a worked example to start from) and see every
intermediate of one gradient-descent step, with the note the example carries. A fragment: its editors rerun only
itself."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.builder.activations import ACTIVATIONS
from core.builder.hand import EXAMPLES, HandProblem, check, solve
from core.builder.losses import LOSSES
from core.builder.trace import stages
from core.markdown_literal import literal
from pages.builder import stage as stage_view
from pages.builder.state import STATE, Run
from pages.session import session_fragment


@session_fragment
def render(run: Run) -> None:
    st.markdown(
        "Type the weights, biases, input and target of a 1-3 layer network and get every "
        "intermediate of one gradient-descent step, computed by the same tested code as the live "
        "network (float64). Rows of x and y are samples."
    )
    name = st.selectbox("Worked example", list(EXAMPLES), key=STATE.key("hand_example"), persist_state="session")
    example = EXAMPLES[name]
    printed = example.problem
    n = list(EXAMPLES).index(name)  # each example's widgets are its own: keyed by its place in the list
    top = st.columns([1, 1, 1])
    n_layers = top[0].number_input(
        "Layers", 1, 3, value=len(printed.weights), key=STATE.key(f"hand_layers.{n}"), persist_state="session"
    )
    loss = top[1].selectbox(
        "Loss",
        list(LOSSES),
        index=list(LOSSES).index(printed.loss),
        format_func=lambda loss_name: LOSSES[loss_name].title,
        key=STATE.key(f"hand_loss.{n}"),
        persist_state="session",
    )
    lr = top[2].number_input(
        "Learning rate",
        0.0,
        10.0,
        value=printed.lr,
        format="%.4f",
        key=STATE.key(f"hand_lr.{n}"),
        persist_state="session",
    )
    cols = st.columns(2 + n_layers)
    with cols[0]:
        st.caption("x (samples × inputs)")
        x = STATE.matrix(f"hand_x.{n}", printed.x)
    with cols[1]:
        st.caption("y (samples × outputs)")
        y = STATE.matrix(f"hand_y.{n}", printed.y)
    weights, biases, activations = [], [], []
    for i in range(n_layers):
        w0, b0, f0 = printed.layer_start(i)
        with cols[2 + i]:
            activations.append(
                st.selectbox(
                    f"f{i + 1}",
                    list(ACTIVATIONS),
                    index=list(ACTIVATIONS).index(f0),
                    key=STATE.key(f"hand_act.{n}.{i}"),
                    persist_state="session",
                )
            )
            st.caption(f"W{i + 1} (outputs × inputs)")
            weights.append(STATE.matrix(f"hand_W.{n}.{i}", w0))
            st.caption(f"b{i + 1}")
            biases.append(STATE.matrix(f"hand_b.{n}.{i}", b0.reshape(1, -1)).reshape(-1))
    typed = HandProblem(tuple(weights), tuple(biases), tuple(activations), x, y, loss, float(lr))
    problems = check(typed)
    for problem in problems:
        st.error(literal(problem))
    if not problems:
        step = solve(typed)
        st.markdown(f"**Loss** {LOSSES[loss].formula} (averaged over {len(x)} sample(s)): **{step.loss:.6g}**")
        for stage in stages(len(step.layers)):
            with st.expander(stage.title, expanded=stage.layer is None):
                stage_view.render(step, stage, "hand")
    note = example.note(typed, printed)
    if note is not None:
        (st.info if note.boxed else st.markdown)(note.text)
        if note.curves:
            st.line_chart(pd.DataFrame(dict(note.curves)), x_label=note.axes[0], y_label=note.axes[1], height=220)
