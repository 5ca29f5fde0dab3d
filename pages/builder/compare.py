"""Compare two runs: pin the current run as A, change something, train again, and see both loss curves and both
outputs over the plane. A fragment: pinning reruns only itself."""

from __future__ import annotations

import streamlit as st

from core.builder.compare import snapshot
from core.figures.builder.curves import loss_figure
from core.figures.builder.plane import plane_figure
from pages.builder.state import STATE, Run
from pages.session import session_fragment


@session_fragment
def render(run: Run) -> None:
    st.markdown(
        "Pin the current run, change something (activation, optimizer, learning rate…), train again, "
        "and compare on the same data."
    )
    if st.button("Pin the current run as run A", icon=":material/push_pin:", key=STATE.key("pin")):
        st.session_state[STATE.key("pinned")] = snapshot(run.trainer, "A")
    a = st.session_state.get(STATE.key("pinned"))
    if a is None:
        st.caption("Nothing pinned yet.")
        return
    b = snapshot(run.trainer, "B")
    if a.data != b.data:
        st.warning("Run A was trained on different data; the comparison is not like for like.")
    st.plotly_chart(loss_figure([a.curves, b.curves], height=260), key=STATE.key("cmp_loss"))
    d = run.trainer.data
    for col, shown in zip(st.columns(2), (a, b), strict=True):
        col.caption(f"{shown.name} (epoch {shown.epoch})")
        col.plotly_chart(
            plane_figure(shown.head, d.task, shown.output, d.points, d.labels, d.is_train, height=340),
            key=STATE.key(f"cmp_{shown.name[:1]}"),
        )
