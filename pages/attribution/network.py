"""A network on 2-D data: the point, the output and the baseline, then the features' attributions at the point and
as maps over the plane, with their checks. The network is the one trained in the Network builder, or a default."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core.attribution.network import (
    NetworkUnderStudy,
    from_builder,
    network_problem,
    train_default_network,
)
from core.attribution.sanity import network_sanity_check
from core.attribution.setup import NET_BASELINES, AttributionSetup
from core.figures import attribution as figures
from core.markdown_literal import literal
from core.models import ModelSnapshot
from pages.attribution import maps, tabs
from pages.attribution.data import Explained
from pages.attribution.methods import method_controls
from pages.attribution.run import completeness_panel, precision_panel, run_explain
from pages.attribution.state import OPENED_NETWORK, STATE, current
from pages.kit import TRAINED_NETWORK

FEATURES = "Each input feature is one feature for the perturbation methods."


@st.cache_resource(show_spinner="Training the default network (once per server)…")
def default_network() -> NetworkUnderStudy:
    return train_default_network()


def session_network() -> tuple[NetworkUnderStudy, str]:
    """The network of an export opened here, or the one built in this session's Network builder, or the default
    one, and which it is."""
    opened = OPENED_NETWORK.get()
    if opened is not None:
        st.button(
            "Back to the session's network",
            key=STATE.key("close_export"),
            on_click=OPENED_NETWORK.put,
            args=(None,),
            icon=":material/undo:",
        )
        return opened, f"the network {literal(opened.source)}"
    trained = TRAINED_NETWORK.get()
    if trained is not None:
        try:
            return from_builder(trained), "the network you trained in the Network builder"
        except (AttributeError, KeyError, ValueError) as error:
            st.warning(f"The Network builder's network could not be read ({literal(error)}); showing the default one.")
    return default_network(), "a default network (train one in the Network builder to explain yours)"


def render() -> None:
    maps.take_click()
    network, where = session_network()
    st.caption(
        f"Explaining {where}: features {', '.join(network.feature_names)} → "
        f"{', '.join(network.output_names)} ({network.task})."
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        cols = st.columns(2)
        STATE.widget("point_x", cols[0])
        STATE.widget("point_y", cols[1])
        cols = st.columns(2)
        STATE.widget(
            "net_output", cols[0], choices=range(len(network.output_names)), names=lambda i: network.output_names[i]
        )
        if network.output_activation != "identity":
            STATE.widget("net_scale", cols[1])
        cols = st.columns([2, 1, 1])
        if STATE.widget("net_baseline", cols[0]) == "point":
            STATE.widget("baseline_x", cols[1])
            STATE.widget("baseline_y", cols[2])
    with right:
        method_controls(FEATURES)
        STATE.widget("resolution")
    show(network, current())


def show(network: NetworkUnderStudy, setup: AttributionSetup) -> None:
    """The attributions at the point for `setup`, the maps over the plane, and the checks under them."""
    target = setup.network_target()
    point = np.array([[setup.point_x, setup.point_y]], dtype=np.float32)
    base = (setup.baseline_x, setup.baseline_y)

    def problem_with(net: NetworkUnderStudy = network, baseline: str = setup.net_baseline):
        return network_problem(net, torch.from_numpy(point), target, baseline, base)

    try:
        problem = problem_with()
    except ValueError as error:
        st.error(literal(error))
        return
    weights = ModelSnapshot.of(network.model).weights  # results stay valid exactly as long as the weights do
    key = ("net", weights, target, setup.net_baseline, base, setup.point_x, setup.point_y)
    result = run_explain(problem, setup, None, key)
    if result is None:
        return
    st.subheader(f"Attributions to the {literal(result.target_label)} at ({setup.point_x:g}, {setup.point_y:g})")
    bars, checks = st.columns([3, 2], gap="large")
    with bars:
        st.plotly_chart(figures.score_bars(network.feature_names, result.scores[0]), key=STATE.key("net_bars"))
    with checks:
        completeness_panel(result)
        precision_panel(problem, setup, key, result)
        st.caption(
            "With a few features you can check by eye: the bars add up to f(x) − f(baseline) for the "
            "methods that promise completeness."
        )
    drawn, grid = maps.render(network, setup, target, weights, base)
    tabs.render(
        Explained(
            setup,
            problem,
            result,
            key,
            lambda kind: problem_with(baseline=kind),
            NET_BASELINES,
            lambda report: network_sanity_check(
                network, problem_with, setup.method, setup.settings, setup.settings.seed, report
            ),
            network.described,
            point=point,
            map=drawn,
            grid=grid,
            network=network,
        )
    )
