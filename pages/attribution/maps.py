"""Maps over the plane: each feature's attribution at every point of a grid, over the decision boundary; a click on
a map sets the explained point or the baseline."""

from __future__ import annotations

import streamlit as st

from core.attribution.explain import Attribution
from core.attribution.methods import refusal
from core.attribution.network import (
    Grid,
    NetworkTarget,
    NetworkUnderStudy,
    boundary_level,
    decision_values,
    grid_over,
    network_problem,
)
from core.attribution.setup import CLICK_SETS, NET_BASELINES, AttributionSetup, apply_click
from core.figures import attribution as figures
from pages.attribution.run import run_explain
from pages.attribution.state import STATE

CLICK_LABELS = {"point": "the explained point", "baseline": "the baseline"}


def take_click() -> None:
    """A click on a map (its invisible grid of markers) sets the explained point or the baseline, as the "Click
    sets" control says, before the inputs are drawn."""
    chart = st.session_state.get(STATE.key("maps"))
    selected = chart.selection.points if chart is not None and "selection" in chart else []
    sets = st.session_state.get(STATE.key("click_sets")) or "point"
    last, fields = apply_click(selected, st.session_state.get(STATE.key("clicked")), sets)
    st.session_state[STATE.key("clicked")] = last
    for name, value in fields.items():
        STATE.set(name, value)


def render(
    network: NetworkUnderStudy, setup: AttributionSetup, target: NetworkTarget, weights: str, base: tuple[float, float]
) -> tuple[Attribution | None, Grid]:
    """The maps for `setup` (None while there are none, or when the method does not apply to a grid) and their
    grid. weights: the network's weights digest (maps stay valid exactly as long as the weights do)."""
    grid = grid_over(network, setup.resolution)
    problem = network_problem(network, grid.points, target, setup.net_baseline, base)
    key = ("grid", weights, target, setup.net_baseline, base, setup.resolution)
    st.subheader("Maps over the plane: each feature's attribution at every point")
    if refusal(setup.method, problem) is not None:
        return None, grid
    maps = run_explain(problem, setup, None, key, slot="maps")
    if maps is None:
        return None, grid
    r = len(grid.ys)
    st.segmented_control(
        "Click on a map sets",
        tuple(CLICK_SETS),
        key=STATE.key("click_sets"),
        persist_state="session",
        required=True,
        default="point",
        format_func=CLICK_LABELS.get,
        help="Typing the coordinates above works too.",
    )
    st.plotly_chart(
        figures.plane_maps(
            grid.xs,
            grid.ys,
            maps.scores.reshape(r, r, -1),
            network.feature_names,
            decision_values(network, grid, target),
            boundary_level(network, target),
            network.points,
            network.labels,
            (setup.point_x, setup.point_y),
            base if setup.net_baseline == "point" else None,
        ),
        key=STATE.key("maps"),
        on_select="rerun",
        selection_mode="points",
    )
    c = maps.completeness
    check = (
        (
            f"completeness holds at {c.share_holding:.0%} of the {len(c.total):,} points (largest gap "
            f"{c.relative_gap.max():.1%}; raise n_steps where it does not)"
        )
        if c.promise
        else "this method does not promise completeness"
    )
    where_baseline = (
        ""
        if setup.net_baseline == "point"
        else (
            f" The baseline ({NET_BASELINES[setup.net_baseline]}) is a feature vector, not a point of the plane, so "
            "no map marks it."
        )
    )
    st.caption(f"Black line: the decision boundary. Over the map, {check}.{where_baseline}")
    return maps, grid
