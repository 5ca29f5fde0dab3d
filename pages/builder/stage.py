"""One stage of a training step, formula and numbers: a layer's forward pass, the loss, a layer's backward pass or
the update (core.builder.trace.Stage). Drawn for the live network's step-through and for hand mode; with
"Predict, then reveal" on, a gradient's or an update's sign is asked for before its numbers are shown."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st
import torch

from core.builder.activations import ACTIVATIONS
from core.builder.losses import LOSSES
from core.builder.trace import Stage, StepTrace
from core.figures.builder.matrix import matrix_figure
from pages.builder.state import STATE


def render(trace: StepTrace, stage: Stage, key: str) -> None:
    """Formula and numbers of `stage` of the step `trace`; `key` tells the step-through's and hand mode's apart."""
    VIEWS[stage.kind](trace, stage, key)


def _m(t: torch.Tensor | None) -> np.ndarray:
    return np.atleast_2d(t.detach().numpy()) if t is not None else np.zeros((0, 0))


def _grid(items: list[tuple[np.ndarray, str, str, str]], key: str, per_row: int = 3) -> None:
    cols = st.columns(per_row)
    for i, (values, title, rn, cn) in enumerate(items):
        with cols[i % per_row]:
            st.plotly_chart(
                matrix_figure(values, title, rn, cn),
                key=STATE.key(f"mx.{key}.{title}.{i}"),
                config={"displayModeBar": False},
            )


def _loss(trace: StepTrace, stage: Stage, key: str) -> None:
    last = trace.layers[-1]
    st.markdown(
        f"**Loss** · {LOSSES[trace.loss_name].title}: `{LOSSES[trace.loss_name].formula}`, averaged "
        f"over the {len(trace.x)} sample(s) · data loss **{trace.data_loss:.6g}** + regularization "
        f"{trace.reg_loss:.6g} = **{trace.loss:.6g}**"
    )
    _grid([(_m(last.a), "ŷ = a (output)", "sample", "output"), (_m(trace.y), "y (target)", "sample", "output")], key, 2)


def _update(trace: StepTrace, stage: Stage, key: str) -> None:
    first = trace.layers[0]
    if _hidden_until_predicted(
        float(first.W_after[0, 0] - first.W[0, 0]),
        "the update of W1[0, 0]",
        f"{key}.update",
        f"dL/dW1[0, 0] = {float(first.dL_dW[0, 0]):.6g}; plain SGD "
        "steps against the gradient's sign (momentum and Adam also carry earlier steps).",
    ):
        return
    st.markdown(
        "**Update** with the real optimizer (its momentum/Adam state included): "
        "step = W_after − W_before. For plain SGD, step = −lr · dL/dW."
    )
    for t in trace.layers:
        st.caption(f"Layer {t.index}")
        _grid(
            [
                (_m(t.W), f"W{t.index} before", "neuron", "input"),
                (_m(t.W_after - t.W), f"step W{t.index}", "neuron", "input"),
                (_m(t.W_after), f"W{t.index} after", "neuron", "input"),
                (_m(t.b), f"b{t.index} before", "", "neuron"),
                (_m(t.b_after - t.b), f"step b{t.index}", "", "neuron"),
                (_m(t.b_after), f"b{t.index} after", "", "neuron"),
            ],
            key,
        )


def _forward(trace: StepTrace, stage: Stage, key: str) -> None:
    t = trace.layers[stage.layer - 1]
    f, i = ACTIVATIONS[t.activation], t.index
    st.latex(
        rf"z^{{({i})}} = a^{{({i - 1})}} W^{{({i})\top}} + b^{{({i})}}, \quad a^{{({i})}} = "
        rf"\mathrm{{{t.activation.replace('_', ' ')}}}(z^{{({i})}})"
    )
    st.caption(f"f(z) = {f.formula}. Rows are samples; a⁽⁰⁾ is the input features.")
    _grid(
        [
            (_m(t.a_prev), f"a{i - 1} (input to layer {i})", "sample", "input"),
            (_m(t.W), f"W{i}", "neuron", "input"),
            (_m(t.b), f"b{i}", "", "neuron"),
            (_m(t.z), f"z{i}", "sample", "neuron"),
            (_m(t.a), f"a{i} = f(z{i})", "sample", "neuron"),
        ],
        key,
    )


def _backward(trace: StepTrace, stage: Stage, key: str) -> None:
    t = trace.layers[stage.layer - 1]
    f, i = ACTIVATIONS[t.activation], t.index
    if _hidden_until_predicted(
        float(t.dL_dW[0, 0]),
        f"dL/dW{i}[0, 0]",
        f"{key}.{i}",
        "Look at the sign of dL/dz and of the input a that it multiplies.",
    ):
        return
    if t.dL_da is None:
        st.latex(rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} = (\hat y - y)\,/\,B")
        st.caption(
            f"The {f.title} + {LOSSES[trace.loss_name].title} shortcut: f′ and dL/da cancel into ŷ − y; "
            f"B = {len(trace.x)} sample(s) in the batch."
        )
    else:
        st.latex(
            rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} = \frac{{\partial L}}{{\partial a^{{({i})}}}}"
            rf"\odot f'(z^{{({i})}}),\quad f'(z) = \text{{{f.derivative}}}"
        )
    st.latex(
        rf"\frac{{\partial L}}{{\partial W^{{({i})}}}} = \Big(\frac{{\partial L}}{{\partial z^{{({i})}}}}"
        rf"\Big)^{{\!\top}} a^{{({i - 1})}} + \text{{reg}},\quad \frac{{\partial L}}{{\partial b^{{({i})}}}} = "
        rf"\sum_{{\text{{batch}}}} \frac{{\partial L}}{{\partial z^{{({i})}}}},\quad"
        rf"\frac{{\partial L}}{{\partial a^{{({i - 1})}}}} = "
        rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} W^{{({i})}}"
    )
    items = []
    if t.dL_da is not None:
        items += [(_m(t.dL_da), f"dL/da{i}", "sample", "neuron"), (_m(f.df(t.z, t.a)), f"f′(z{i})", "sample", "neuron")]
    items += [
        (_m(t.dL_dz), f"dL/dz{i}", "sample", "neuron"),
        (_m(t.dL_dW), f"dL/dW{i}", "neuron", "input"),
        (_m(t.dL_db), f"dL/db{i}", "", "neuron"),
        (_m(t.dL_da_prev), f"dL/da{i - 1}", "sample", "input"),
    ]
    if float(t.dL_dW_reg.abs().sum()):
        items.append((_m(t.dL_dW_reg), f"regularization part of dL/dW{i}", "neuron", "input"))
    _grid(items, key)


VIEWS: dict[str, Callable[[StepTrace, Stage, str], None]] = {
    "forward": _forward,
    "loss": _loss,
    "backward": _backward,
    "update": _update,
}


def _hidden_until_predicted(value: float, name: str, key: str, hint: str) -> bool:
    """Predict-then-reveal: ask for the sign of `value` (called `name`) before the numbers are shown."""
    if not st.session_state.get(STATE.key("predict")):
        return False
    truth = "positive" if value > 0 else "negative" if value < 0 else "zero"
    guess = st.radio(
        f"Predict first: what sign will {name} have?",
        ["positive", "negative", "zero"],
        index=None,
        horizontal=True,
        key=STATE.key(f"guess.{key}"),
    )
    if guess is None:
        st.info("Make your guess to reveal the numbers.")
        return True
    (st.success if guess == truth else st.error)(
        f"{name} = {value:.6g}: it is {truth}. " + ("Correct." if guess == truth else hint)
    )
    return False
