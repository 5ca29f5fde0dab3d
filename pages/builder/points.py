"""The user's own points: uploaded as CSV, added by clicking the plane, downloaded; and a click on a point picks the
step-through's sample. New points become the set-up's `points` (dataset "custom"), so they travel in the link."""

from __future__ import annotations

import streamlit as st

from core.builder.setup import CUSTOM, BuilderSetup, Dataset, own_points, points_with
from core.data.csv_io import CsvProblem, parse_points, points_csv
from core.figures.builder.plane import GRID_TRACE
from core.markdown_literal import literal
from core.setup_state import left_out_of_link
from pages.builder.state import STATE, playing


def render(setup: BuilderSetup, data: Dataset, hidden: set[str]) -> None:
    """In the left column: a note while there are no own points yet, the expander to add them (unless the data
    controls are hidden), and where they travel."""
    state = st.session_state
    custom = own_points(setup.points) if setup.dataset == CUSTOM and setup.points else None
    if setup.dataset == CUSTOM and custom is None:
        st.info("No points of your own yet: upload a CSV below or click on the plot; showing the circle for now.")
    if "data" not in hidden:
        with st.expander("Your own points"):
            upload = st.file_uploader("Upload CSV (x1, x2, label or target)", type=["csv"], key=STATE.key("upload"))
            if upload is not None and state.get(STATE.key("upload_done")) != upload.file_id:
                try:
                    parsed = parse_points(upload.getvalue())
                except CsvProblem as e:
                    st.error(f"Could not use {literal(upload.name)}: {literal(e)}")
                else:
                    state[STATE.key("upload_done")] = upload.file_id
                    STATE.ask(dataset=CUSTOM, points=points_csv(parsed.points, parsed.labels, parsed.task))
                    for w in parsed.warnings:
                        st.toast(literal(w))
                    st.rerun()
            st.toggle("Click on the plot adds a point", key=STATE.key("click_add"), persist_state="session")
            st.radio(
                "Class of clicked points",
                list(range(max(data.n_classes, 2))),
                horizontal=True,
                key=STATE.key("click_class"),
                persist_state="session",
                disabled=data.task == "regression",
            )
            st.download_button(
                "Download points (CSV)",
                points_csv(data.points, data.labels, data.task),
                "points.csv",
                "text/csv",
                key=STATE.key("dl_points"),
                on_click="ignore",
            )
    if custom is not None:
        st.caption(
            f"Your {len(custom.points)} points are too many for a link (over 8 KB even compressed): share "
            "'Download points' with it; the set-up JSON holds them."
            if "points" in left_out_of_link(setup)
            else f"Your {len(custom.points)} points travel in the page's link and in the set-up JSON."
        )


def clicked(event, data: Dataset) -> None:
    """A click on a point picks the step-through sample; on empty plane (with adding on) adds a point."""
    state = st.session_state
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return
    pt = points[0]
    sig = (pt.get("curve_number"), round(float(pt.get("x", 0)), 4), round(float(pt.get("y", 0)), 4))
    if state.get(STATE.key("last_click")) == sig:
        return
    state[STATE.key("last_click")] = sig
    if pt.get("curve_number") == GRID_TRACE:
        if not state.get(STATE.key("click_add")):
            return
        label = 0.0 if data.task == "regression" else int(state.get(STATE.key("click_class"), 0))
        STATE.ask(dataset=CUSTOM, points=points_with(data, (pt["x"], pt["y"]), label))
    else:
        index = pt.get("customdata")
        if index is None:
            return
        state[STATE.key("sample")] = int(index[0] if isinstance(index, list) else index)
        STATE.ask()  # the widgets drawn again as they are
    if not playing():
        st.rerun(scope="app")
