"""The real network landscape: Li et al.'s filter-normalised slice around θ*, the top Hessian eigenvalue, and the
racers training the network, their paths projected on a plane."""

from __future__ import annotations

import streamlit as st

from core.figures.race import landscape as land_fig
from core.markdown_literal import literal
from core.race.landscape import EXTENTS, curvature_around, fitting_extent, slice_around
from core.race.network_race import own_plane, plane_view, race_network, shared_plane
from core.race.networks import SOURCES, LandscapeNetwork, default_network, landscape_network
from core.race.race import share
from core.race.racers import parse_racer, racers_from_lines
from core.race.setup import MAX_RACERS
from core.race.sharpness import sharpness_note
from core.race.stepper import LoopConfig
from pages.heavy import run_heavy, shelf
from pages.kit import TRAINED_NETWORK
from pages.race.state import STATE, Race
from pages.session import session_fragment

NET_RACERS = "SGD lr=0.5\nSGD lr=0.1 momentum=0.9\nAdam lr=0.01\nRMSprop lr=0.003"
PLANES = {
    "shared": "one plane for all: PCA of all paths, through the common start",
    "own": "one racer's own PCA plane, through its final point (Li et al.)",
}
# Results that depend on net.key alone (a fingerprint of the weights, data and loss) are shared by every session.
CURVATURES, NETWORK_RACES = shelf("race.curvatures", 8), shelf("race.network_races", 16)


@st.cache_resource(show_spinner="Training the default network (full-batch Adam, 300 steps)…")
def _shared_default() -> LandscapeNetwork:
    """The default MLP on two moons, trained once per process; never computed on (see _default)."""
    return default_network()


def _default() -> LandscapeNetwork:
    """This session's own copy of the default network (computing on it swaps its module's parameters)."""
    return STATE.memo("default_net", None, lambda: _shared_default().own_copy())


def _network() -> LandscapeNetwork:
    """The Network builder's network (a detached copy of its current weights) when the session has one and the user
    keeps it chosen, else the default."""
    trained = TRAINED_NETWORK.get()
    if trained is None:
        st.caption("Train a network in the Network builder to see its landscape here; until then, the default MLP.")
        source = "default"
    else:
        source = st.radio(
            "Network",
            list(SOURCES),
            horizontal=True,
            key=STATE.key("net_source"),
            persist_state="session",
            format_func=SOURCES.get,
        )
    net, note = landscape_network(trained, source, _default)
    if note:
        st.warning(note)
    return net


@session_fragment
def render(data: Race) -> None:
    net = _network()
    st.markdown(
        f"**{net.title}** — {net.n_params} parameters; {net.loss_name} {net.trained_loss:.4f} at the "
        "trained point θ* (the loss its training minimises). Li et al. (2018) plot the loss along "
        "**filter-normalised** random directions: each row (neuron) of each weight matrix of the direction is "
        "rescaled to the norm of the same row of θ*; biases get 0."
    )
    _slice(net)
    _racers(net)


def _slice(net: LandscapeNetwork) -> None:
    """The 2-D slice around θ* beside the loss along the top Hessian eigenvector and a random direction."""
    c1, c2, c3, c4 = st.columns(4)
    n = c1.slider("Grid points per axis", 11, 51, 31, step=2, key=STATE.key("li_n"), persist_state="session")
    seed = int(c3.number_input("Direction seed", 0, 1000, 0, key=STATE.key("li_seed"), persist_state="session"))
    fitted = STATE.memo("li_fitted", (net.key, seed), lambda: fitting_extent(net.problem, net.trained, net.start, seed))
    if st.session_state.get(STATE.key("li_fitted_for")) != (net.key, seed):  # a new network or direction: refit
        st.session_state[STATE.key("li_fitted_for")] = (net.key, seed)
        st.session_state[STATE.key("li_extent")] = fitted
    extent = c2.slider(
        "Extent (± units of the direction)",
        float(EXTENTS[0]),
        float(EXTENTS[-1]),
        key=STATE.key("li_extent"),
        step=0.01,
        persist_state="session",
        help=f"Starts at {fitted:g}: there the loss along the slice's directions has climbed halfway from θ* to "
        "the network's initialisation, so the valley around θ* fills the plot. Li et al. use 1.",
    )
    three_d = c4.toggle("3-D surface", key=STATE.key("li_3d"), persist_state="session")
    grid = run_heavy(
        STATE.key("li_slice"),
        (net.key, n, extent, seed),
        lambda report: slice_around(net.problem, net.trained, n, extent, seed, report),
        label=f"loss on a {n}×{n} grid (batched with torch.func.vmap)",
    )
    curvature = run_heavy(
        STATE.key("curvature"),
        (net.key, extent, seed),
        lambda report: curvature_around(net.problem, net.trained, extent, seed, report=report),
        label="the top Hessian eigenvalue",
        shelf=CURVATURES,
    )
    if grid is None or curvature is None:
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(
        land_fig.slice_figure(grid, three_d, "loss around θ* (filter-normalised directions)"),
        key=STATE.key("li_slice"),
        width="stretch",
    )
    right.metric(
        "top Hessian eigenvalue λ at θ*",
        f"{curvature.eigenvalue:.4g}",
        f"random direction: {curvature.random_curvature:.4g}",
        delta_color="off",
        delta_arrow="off",
        help=f"Power iteration, {curvature.iterations} Hessian-vector products from autograd (double backward); the "
        "Hessian itself is never formed. Below it, d̂ᵀHd̂ for the random direction's unit vector d̂ (one product).",
    )
    right.plotly_chart(
        land_fig.line_figure(
            curvature.a.numpy(),
            {
                "along the top eigenvector": curvature.along_eigenvector.numpy(),
                "along a random direction": curvature.along_random.numpy(),
            },
        ),
        key=STATE.key("li_lines"),
        width="stretch",
    )
    right.caption(f"Both directions have the same length. {sharpness_note(curvature)}")


def _racers(net: LandscapeNetwork) -> None:
    """The racers training every parameter of the network from its initialisation, projected on a plane."""
    st.subheader("Racers on the network's loss")
    st.caption(
        "All racers start from the network's initialisation (before training) and train every parameter "
        f"(full batch). Their paths live in a {net.n_params}-dimensional space: they are drawn projected on a "
        "plane."
    )
    c1, c2 = st.columns([3, 1])
    typed = c1.text_area(
        "Racers, one per line",
        NET_RACERS,
        key=STATE.key("net_racers"),
        persist_state="session",
        height=120,
        help="Like 'Adam lr=0.01 betas=0.9/0.999' — optimizer name, then knob=value.",
    )
    steps = int(c2.number_input("Steps", 10, 1000, 200, step=50, key=STATE.key("net_steps"), persist_state="session"))
    texts, refused = racers_from_lines(typed, MAX_RACERS)
    for why in refused:
        st.warning(f"Skipped racer {literal(why)}")
    if not texts:
        st.info("Add at least one racer, e.g. 'Adam lr=0.01'.")
        return
    raced = run_heavy(
        STATE.key("net_race"),
        (net.key, texts, steps),
        lambda report: race_network(
            net.problem, tuple(parse_racer(t) for t in texts), net.start, LoopConfig(steps=steps), report
        ),
        label=f"{len(texts)} racer(s) × {steps} steps on the network",
        shelf=NETWORK_RACES,
    )
    runs, errors = raced or ((), ())
    for error in errors:
        st.error(f"Not raced — {literal(error)}")
    for run in runs:
        if run.stop:
            st.error(f"**{literal(run.label)}** {literal(run.stop)}")
    if not runs:
        return
    labels = [run.label for run in runs]
    how = st.radio(
        "Plane",
        list(PLANES),
        horizontal=True,
        key=STATE.key("net_plane"),
        persist_state="session",
        format_func=PLANES.get,
    )
    if how == "shared":
        plane, shown, title = shared_plane(runs), runs, "all paths on the shared PCA plane"
    else:
        i = st.selectbox("Racer", range(len(runs)), format_func=labels.__getitem__, key=STATE.key("net_own"))
        plane, shown, title = own_plane(runs[i]), (runs[i],), f"{labels[i]} on its own PCA plane"
    view = run_heavy(
        STATE.key("net_plane_view"),
        (net.key, texts, steps, how, tuple(run.label for run in shown)),
        lambda report: plane_view(net.problem, plane, shown, progress=share(report, 0, 1, "loss on the plane")),
        label="the loss on the plane of the paths",
    )
    if view is None:
        return
    st.plotly_chart(
        land_fig.plane_race_figure(view, shown, title),
        key=STATE.key("net_fig"),
        width="stretch",
    )
