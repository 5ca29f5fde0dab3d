"""The user's own points: drawn from nothing on a blank canvas, uploaded as CSV, added by clicking the plane,
downloaded, cleared; and a click on a point picks the step-through's sample. Points that can train a network become
the set-up's `points` (dataset "custom"), so they travel in the link; a canvas's first points (one class so far)
wait in the session (core.builder.canvas)."""

from __future__ import annotations

import streamlit as st

from core.builder.canvas import CANVAS_CLASSES, Canvas
from core.builder.setup import CUSTOM, BuilderSetup, Dataset, own_points, points_with
from core.data.csv_io import CsvProblem, parse_points, points_csv
from core.figures.builder.plane import GRID_TRACE, canvas_figure
from core.markdown_literal import literal
from core.setup_state import left_out_of_link
from pages.builder.state import STATE, playing
from pages.widgets import download


def blank(setup: BuilderSetup) -> bool:
    """Dataset "custom" without points: the canvas is shown instead of a network."""
    return setup.dataset == CUSTOM and not setup.points


def canvas() -> Canvas:
    """The points clicked on the blank canvas so far (kept in the session until they can train a network)."""
    return st.session_state.get(STATE.key("canvas")) or Canvas.blank()


def start_blank() -> None:
    """A callback: dataset "custom" with no points (the blank canvas), clicks adding points."""
    STATE.ask(dataset=CUSTOM, points="")
    st.session_state[STATE.key("canvas")] = Canvas.blank()
    st.session_state[STATE.key("click_add")] = True


def render_canvas() -> None:
    """In the main column instead of the live network: the points drawn so far and what to add next."""
    drawn = canvas()
    missing = drawn.missing()
    st.info(missing or f"{len(drawn.points)} points of two classes: add more, or train a network on them.")
    st.button(
        "Train a network on these points",
        icon=":material/play_arrow:",
        type="primary",
        key=STATE.key("use_canvas"),
        on_click=_train_on_canvas,
        disabled=missing is not None,
    )
    st.container(key=STATE.key("canvas_box")).plotly_chart(
        canvas_figure(drawn.points, drawn.labels),
        key=STATE.key("canvas_fig"),
        on_select=_canvas_clicked,
        selection_mode="points",
        config={"modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )


def render(setup: BuilderSetup, data: Dataset | None, hidden: set[str]) -> None:
    """In the left column: the expander to add, download and clear points (unless the data controls are hidden),
    and where they travel. `data` is None on the blank canvas."""
    state = st.session_state
    custom = own_points(setup.points) if setup.dataset == CUSTOM and setup.points else None
    if "data" not in hidden:
        with st.expander("Your own points", expanded=data is None):
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
            if data is not None:  # on the canvas every click adds a point
                st.toggle("Click on the plot adds a point", key=STATE.key("click_add"), persist_state="session")
            st.radio(
                "Class of clicked points",
                list(range(CANVAS_CLASSES if data is None else max(data.n_classes, 2))),
                horizontal=True,
                key=STATE.key("click_class"),
                persist_state="session",
                disabled=data is not None and data.task == "regression",
            )
            on_canvas = data is None
            st.button(
                "Clear all points" if custom is not None or on_canvas else "Start from a blank canvas",
                icon=":material/ink_eraser:",
                key=STATE.key("blank"),
                on_click=start_blank,
                help="Dataset 'Your own points' with no points: draw a data set class by class",
                disabled=on_canvas and not len(canvas().points),
            )
            shown = canvas() if data is None else data
            download(
                None,
                "Download points (CSV)",
                points_csv(shown.points, shown.labels, "binary" if data is None else data.task),
                "points.csv",
                "text/csv",
                STATE.key("dl_points"),
            )
    if custom is not None:
        st.caption(
            f"Your {len(custom.points)} points are too many for a link (over 8 KB even compressed): share "
            "'Download points' with it; the set-up JSON holds them."
            if "points" in left_out_of_link(setup)
            else f"Your {len(custom.points)} points travel in the page's link and in the set-up JSON."
        )


def _new_click(event) -> dict | None:
    """The point a chart's selection event reports, unless it is the click already handled (a selection stays in
    the chart's state over the following reruns)."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return None
    pt = points[0]
    sig = (pt.get("curve_number"), round(float(pt.get("x", 0)), 4), round(float(pt.get("y", 0)), 4))
    if st.session_state.get(STATE.key("last_click")) == sig:
        return None
    st.session_state[STATE.key("last_click")] = sig
    return pt


def _canvas_clicked() -> None:
    """A callback: a click on the canvas adds a point of the chosen class."""
    pt = _new_click(st.session_state.get(STATE.key("canvas_fig")))
    if pt is not None:
        drawn = canvas().with_point((pt["x"], pt["y"]), int(st.session_state.get(STATE.key("click_class"), 0)))
        st.session_state[STATE.key("canvas")] = drawn


def _train_on_canvas() -> None:
    """A callback (before the run, so it may switch adding on): the canvas's points become the set-up's, and
    clicks go on adding points on the trained plane."""
    STATE.ask(dataset=CUSTOM, points=canvas().csv())
    st.session_state.pop(STATE.key("canvas"))
    st.session_state[STATE.key("click_add")] = True


def clicked(event, data: Dataset) -> None:
    """A click on a point picks the step-through sample; on empty plane (with adding on) adds a point."""
    state = st.session_state
    pt = _new_click(event)
    if pt is None:
        return
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
