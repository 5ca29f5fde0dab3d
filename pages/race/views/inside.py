"""Inside one update: one racer's real `optimizer.state` before and after a step, beside the textbook formulas; and
the weight-decay lab (Adam's L2 vs AdamW's decoupled decay)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures.race import race as race_fig
from core.race.inside import inspect_update, telling, weight_decay_lab
from core.race.race import share
from pages.heavy import run_heavy
from pages.race.state import STATE, Race
from pages.session import session_fragment


def _fmt(value) -> str:
    """A scalar or a vector of the update, six significant digits."""
    if value is None:
        return "—"
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    return "(" + ", ".join(f"{v:.6g}" for v in arr) + ")" if arr.size > 1 else f"{arr[0]:.6g}"


@session_fragment
def render(data: Race) -> None:
    runs, labels = data.result.runs, data.labels
    c1, c2 = st.columns([2, 1])
    pick = c1.selectbox(
        "Racer",
        range(len(labels)),
        format_func=labels.__getitem__,
        key=STATE.key("inside_racer"),
        index=telling([run.racer for run in runs]),
    )
    run = runs[pick]
    if run.steps == 0:
        st.info("This racer made no step.")
    else:
        step = c2.number_input(
            "Step",
            1,
            run.steps,
            min(1, run.steps),
            key=STATE.key("inside_step"),
            help="Step 1 shows the bias-correction effects; later steps the steady state.",
        )
        _update(data, run, int(step))
    with st.expander("Weight-decay lab: Adam's L2 vs AdamW's decoupled decay on a flat loss"):
        c1, c2 = st.columns(2)
        lr = c1.number_input("lr", 1e-4, 1.0, 0.01, format="%.4g", key=STATE.key("wd_lr"))
        wd = c2.number_input("weight decay λ", 0.0, 10.0, 0.1, key=STATE.key("wd_lambda"))
        st.plotly_chart(
            race_fig.weight_decay_figure(weight_decay_lab(lr=lr, weight_decay=wd)),
            key=STATE.key("wd_fig"),
            width="stretch",
        )
        st.caption(
            "On f ≡ 0 the only force is weight decay. Adam adds λθ to the gradient and then divides by "
            "√v̂ ≈ |λθ|: every weight moves by about lr per step, big or small. AdamW multiplies θ by "
            "(1 − lr·λ): big weights shrink in proportion, like textbook weight decay."
        )


def _update(data: Race, run, step: int) -> None:
    start, config = data.result.start, data.setup.config()
    update = run_heavy(
        STATE.key("update"),
        (data.setup, run.racer, step),
        lambda report: inspect_update(data.surface, run.racer, start, config, step, share(report, 0, 1, "replaying")),
        label=f"{run.label} replayed to step {step:,}",
    )
    if update is None:
        return
    st.markdown(
        f"`torch.optim.{run.racer.optimizer}` at step **{update.step}**, lr = {update.lr:.4g}: "
        f"θ = {_fmt(update.before)}, gradient received g = {_fmt(update.grad)}, "
        f"update Δθ = {_fmt(update.update)}."
    )
    left, right = st.columns(2)
    left.markdown("**`optimizer.state` before the step**")
    left.dataframe(
        [{"state": n, "value": _fmt(v)} for n, v in update.state_before.items()]
        or [{"state": "(empty: the state is created by the first step)", "value": ""}],
        hide_index=True,
        width="stretch",
    )
    right.markdown("**after the step**")
    right.dataframe(
        [{"state": n, "value": _fmt(v)} for n, v in update.state_after.items()], hide_index=True, width="stretch"
    )
    if not update.rows:
        st.info(
            f"No textbook comparison is written for {run.racer.optimizer} with these settings; the state "
            "above is what PyTorch keeps."
        )
    for row in update.rows:
        with st.container(border=True):
            a, b = st.columns([2, 3])
            a.markdown(f"**{row.quantity}**")
            a.latex(row.formula)
            b.markdown(f"textbook formula: `{_fmt(row.textbook)}`  \nPyTorch: `{_fmt(row.pytorch)}`")
            if row.note:
                b.caption(row.note)
