"""Optimizer race: real torch.optim optimizers racing on 2-D test surfaces and on a real network's loss."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core.figures.race import goh as goh_fig
from core.figures.race import landscape as land_fig
from core.figures.race import race as race_fig
from core.figures.race.race_gif import MAX_FRAMES, SECONDS, race_gif
from core.markdown_literal import literal
from core.race.export import race_csv
from core.race.expression import ExpressionError
from core.race.goh import momentum_map
from core.race.inside import TEXTBOOK, inspect_update, weight_decay_lab
from core.race.landscape import (
    filter_normalized_direction,
    flatten,
    line_losses,
    plane_losses,
    top_hessian_eigen,
)
from core.race.network_race import pca_plane, plane_view, race_network
from core.race.networks import LandscapeNetwork, builder_network, default_network
from core.race.race import RaceResult, estimated_seconds, noise_fan, run_race
from core.race.racers import OPTIMIZERS, RacerError, make_racer, parse_racer, with_lr
from core.race.schedules import SCHEDULES
from core.race.setup import CUSTOM, MAX_RACERS, MAX_SEED, MAX_STEPS, RaceSetup
from core.race.stepper import LoopConfig
from core.race.surfaces import SURFACES
from core.race.tune import SCORES, lr_sweep
from core.setup_state import from_query, to_query
from pages.common import remember
from pages.heavy import run_heavy, shelf
from pages.kit import TRAINED_NETWORK
from pages.session import session_fragment

KEY = "optimizer-race"


def k(name: str) -> str:
    """A widget / session-state key, prefixed by the tool key."""
    return f"{KEY}:{name}"


RACES = shelf("optimizer-race.races", 64)  # finished races shared read-only by every session: a set-up decides its race


# ---- set-up: link → session state (first visit), widgets → RaceSetup (every run) ----
if k("racers") not in st.session_state:
    first, st.session_state[k("link_warnings")] = from_query(RaceSetup, st.query_params.to_dict())
    st.session_state[k("last_setup")] = first
    st.session_state[k("racers")] = [[i, t] for i, t in enumerate(first.racers)]
    st.session_state[k("next_id")] = len(first.racers)
# Streamlit drops the state of widgets that were not drawn (another page was open): refill it from the last
# set-up, which is plain session state and survives.
last = st.session_state[k("last_setup")]
for field in ("surface", "kappa", "formula", "steps", "max_evals", "schedule", "noise", "seed", "clip"):
    st.session_state.setdefault(k(field), getattr(last, field))
st.session_state.setdefault(k("domain"), ", ".join(f"{v:g}" for v in last.domain))
st.session_state.setdefault(k("own_start"), last.start_x is not None and last.start_y is not None)
st.session_state.setdefault(k("start_x"), last.start_x if last.start_x is not None else 0.0)
st.session_state.setdefault(k("start_y"), last.start_y if last.start_y is not None else 0.0)
if k("pending") in st.session_state:  # changes asked for by a click or a button, applied before the widgets exist
    for field, value in st.session_state.pop(k("pending")).items():
        if field == "racers":
            st.session_state[k("racers")] += [[st.session_state[k("next_id")] + i, t] for i, t in enumerate(value)]
            st.session_state[k("racers")] = st.session_state[k("racers")][-MAX_RACERS:]
            st.session_state[k("next_id")] += len(value)
        else:
            st.session_state[k(field)] = value

st.title("Optimizer race")
st.caption(
    "The real `torch.optim` classes race on a 2-D surface from the same start. Every step is the "
    "optimizer's own `step()`; nothing is re-implemented."
)
for w in st.session_state[k("link_warnings")]:
    st.warning(literal(w))

SURFACE_NAMES = {key: s.title for key, s in SURFACES.items()} | {CUSTOM: "Your formula f(x, y)"}
with st.sidebar:
    st.subheader("Race set-up")
    surface_key = st.selectbox("Surface", list(SURFACE_NAMES), format_func=SURFACE_NAMES.get, key=k("surface"))
    if surface_key == "quadratic":
        st.slider("Condition number κ", 1.0, 1000.0, key=k("kappa"), help="f = ½(x² + κy²): eigenvalues 1 and κ.")
    if surface_key == CUSTOM:
        st.text_input(
            "f(x, y) =",
            key=k("formula"),
            max_chars=300,
            help="x, y, numbers, pi, e, + - * / ** % and sin cos tan exp log sqrt abs tanh ...",
        )
        st.text_input("Domain x_min, x_max, y_min, y_max", key=k("domain"))
    own_start = st.toggle("Choose the start", key=k("own_start"), help="Or click on the contour plot to start there.")
    c1, c2 = st.columns(2)
    c1.number_input("start x", key=k("start_x"), disabled=not own_start, format="%.3f", step=0.1)
    c2.number_input("start y", key=k("start_y"), disabled=not own_start, format="%.3f", step=0.1)
    st.number_input("Steps", 1, MAX_STEPS, key=k("steps"), step=50)
    st.number_input(
        "Evaluation budget (0 = none)",
        0,
        20 * MAX_STEPS,
        key=k("max_evals"),
        step=100,
        help="Function+gradient evaluations per racer. One LBFGS step may use up to 25.",
    )
    st.selectbox(
        "Learning-rate schedule",
        list(SCHEDULES),
        key=k("schedule"),
        help="torch.optim.lr_scheduler, stepped after every optimizer step. One-cycle peaks at each "
        "racer's lr and leaves its momentum alone.",
    )
    st.number_input(
        "Gradient noise σ",
        0.0,
        1000.0,
        key=k("noise"),
        step=0.1,
        format="%.3g",
        help="Gaussian noise added to every gradient, like a mini-batch's; seeded.",
    )
    st.number_input("Noise seed", 0, MAX_SEED, key=k("seed"))
    st.number_input("Clip gradient norm (0 = off)", 0.0, 1e6, key=k("clip"), step=1.0, format="%.3g")
    if st.session_state.get(k("tuned")):
        st.toggle(
            "Race with the tuned learning rates",
            key=k("use_tuned"),
            help="From the 'Tune the learning rate' tab; off: the rates set in each racer's knobs.",
        )


def _racer_editor() -> list[str]:
    """One row per racer with its knobs (read from the torch class signature) in a popover."""
    texts = []
    rows = st.session_state[k("racers")]
    for i, (uid, text) in enumerate(list(rows)):
        try:
            racer = parse_racer(text)
        except RacerError:
            racer = make_racer("SGD")
        row = st.container(horizontal=True, vertical_alignment="center")  # buttons keep their labels when narrow
        dot = race_fig.color(i)
        row.markdown(f"<span style='color:{dot};font-size:1.3em'>●</span> `{racer.label}`", unsafe_allow_html=True,
                     width="stretch")
        values = {}
        with row.popover("Knobs", icon=":material/tune:"):
            st.caption(f"`torch.optim.{racer.optimizer}` — defaults from its signature")
            for knob in racer.spec.knobs:
                wkey = k(f"r{uid}:{knob.name}")
                current = racer.value(knob.name)
                if knob.kind == "bool":
                    values[knob.name] = st.checkbox(knob.name, value=current, key=wkey)
                elif knob.kind == "choice":
                    values[knob.name] = st.selectbox(
                        knob.name, ("none", "strong_wolfe"), key=wkey, index=0 if current == "none" else 1
                    )
                elif knob.kind == "pair":
                    a, b = st.columns(2)
                    values[knob.name] = (
                        a.number_input(
                            f"{knob.name}[0]", knob.low, knob.high, float(current[0]), key=wkey + "0", format="%.6g"
                        ),
                        b.number_input(
                            f"{knob.name}[1]", knob.low, knob.high, float(current[1]), key=wkey + "1", format="%.6g"
                        ),
                    )
                elif knob.kind in ("int", "optional_int"):
                    v = st.number_input(
                        knob.name + (" (0 = torch default)" if knob.kind == "optional_int" else ""),
                        0 if knob.kind == "optional_int" else int(knob.low),
                        int(knob.high),
                        int(current or 0),
                        key=wkey,
                    )
                    values[knob.name] = None if knob.kind == "optional_int" and v == 0 else v
                else:
                    values[knob.name] = st.number_input(
                        knob.name, float(knob.low), float(knob.high), float(current), key=wkey, format="%.6g"
                    )
        try:
            new = make_racer(racer.optimizer, **values)
            rows[i][1] = new.to_text()
        except RacerError as e:
            st.warning(literal(f"{racer.label}: {e}"))
        if row.button(
            "Twin",
            key=k(f"dup{uid}"),
            icon=":material/content_copy:",
            help="Race the same optimizer again (change its knobs).",
            disabled=len(rows) >= MAX_RACERS,
        ):
            rows.insert(i + 1, [st.session_state[k("next_id")], rows[i][1]])
            st.session_state[k("next_id")] += 1
            st.rerun()
        if row.button(
            "",
            key=k(f"del{uid}"),
            icon=":material/delete:",
            help="Remove this racer",
            disabled=len(rows) == 1,
        ):
            rows.pop(i)
            st.rerun()
        texts.append(rows[i][1])
    add1, add2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = add1.selectbox("Add a racer", OPTIMIZERS, key=k("add_choice"), label_visibility="collapsed")
    if add2.button("Add racer", icon=":material/add:", key=k("add"), disabled=len(rows) >= MAX_RACERS, width="stretch"):
        rows.append([st.session_state[k("next_id")], make_racer(choice).to_text()])
        st.session_state[k("next_id")] += 1
        st.rerun()
    return texts


with st.expander(f"Racers ({len(st.session_state[k('racers')])} of at most {MAX_RACERS})", expanded=True):
    racer_texts = _racer_editor()


def _tuned(text: str) -> str:
    """The racer with its tuned learning rate, when the user asked for tuned rates and one is known."""
    best = st.session_state.get(k("tuned"), {}).get(text)
    if not st.session_state.get(k("use_tuned")) or best is None:
        return text
    return with_lr(parse_racer(text), best).to_text()


def _domain() -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in st.session_state[k("domain")].split(","))
    except ValueError:
        return (-1.0,)
    return values


setup = RaceSetup(
    surface=surface_key,
    kappa=float(st.session_state[k("kappa")]),
    formula=st.session_state[k("formula")],
    domain=_domain() if surface_key == CUSTOM else RaceSetup().domain,
    start_x=float(st.session_state[k("start_x")]) if own_start else None,
    start_y=float(st.session_state[k("start_y")]) if own_start else None,
    racers=tuple(_tuned(t) for t in racer_texts),
    steps=int(st.session_state[k("steps")]),
    max_evals=int(st.session_state[k("max_evals")]),
    schedule=st.session_state[k("schedule")],
    noise=float(st.session_state[k("noise")]),
    seed=int(st.session_state[k("seed")]),
    clip=float(st.session_state[k("clip")]),
)
problems = setup.validate()
if problems:
    for p in problems:
        st.error(f"Set-up problem — {literal(p)}. Change it in the sidebar.")
    st.stop()
try:
    race_surface = setup.build_surface()
except ExpressionError as e:
    st.error(f"Your formula cannot be used: {literal(e)}")
    st.stop()
st.query_params.from_dict(to_query(setup))  # the link reproduces this race
st.session_state[k("last_setup")] = setup
result: RaceResult | None = run_heavy(
    k("race"), setup,
    lambda report: run_race(race_surface, setup.build_racers(), setup.start(race_surface), setup.config(), report),
    label=f"a race of {len(setup.racers)} racer(s) × {setup.steps:,} steps",
    seconds=estimated_seconds(setup.config(), len(setup.racers)), shelf=RACES)
if result is None:
    st.stop()

for error in result.errors:
    st.error(f"Not raced — {literal(error)}")
if not result.runs:
    st.stop()
surface = result.surface
if not surface.contains(*result.start):
    st.warning(f"The start {result.start} is outside the plotted domain; racers may count as escaped at once.")
longest = max(run.steps for run in result.runs)


# ---- the race: contour with animation, metrics, 3-D ----
def _advance():
    """One animation tick: about 60 ticks from the start to the end of the longest race."""
    st.session_state[k("step")] = min(longest, st.session_state.get(k("step"), 0) + max(1, longest // 60))


def _rewind():
    """Play pressed at the end of the race starts it again from step 0."""
    if st.session_state.get(k("playing")) and st.session_state.get(k("step"), 0) >= longest:
        st.session_state[k("step")] = 0


# Lazy tabs: only the open tab's script runs (a network or an (α, β) map is not computed until asked for).
remember([k("tab")])  # back from another page, the same tab is open
tab_race, tab_inside, tab_tune, tab_theory, tab_net = st.tabs(
    ["Race", "Inside one update", "Tune the learning rate", "Momentum on the quadratic", "Real network landscape"],
    key=k("tab"),
    on_change="rerun",
)

if tab_race.open:
    with tab_race:
        st.markdown(f"**{literal(surface.title)}** — {surface.lesson}")
        if surface.formula:
            st.latex(surface.formula)
        if st.session_state.get(k("step"), longest) > longest or k("step") not in st.session_state:
            st.session_state[k("step")] = longest
        play_col, info_col = st.columns([1, 4], vertical_alignment="center")
        playing = play_col.toggle("Play", key=k("playing"), on_change=_rewind, help="Animate the race step by step.")
        info_col.caption(
            "Click anywhere on the contour to start the race there. Stars: known minima; × : a racer "
            "that diverged (hover it for why)."
        )

        @session_fragment(run_every=0.25 if playing else None)
        def race_view():
            if playing:
                _advance()
                if st.session_state[k("step")] >= longest:
                    st.session_state[k("playing")] = False
                    st.rerun()
            step = st.slider("Step", 0, longest, key=k("step"))
            event = st.plotly_chart(
                race_fig.contour_figure(result, step),
                key=k("contour"),
                on_select="rerun",
                selection_mode="points",
                width="stretch",
            )
            points = event.selection.points if event and event.selection else []
            if points:
                click = (float(points[0]["x"]), float(points[0]["y"]))
                if click != st.session_state.get(k("last_click")):
                    st.session_state[k("last_click")] = click
                    st.session_state[k("pending")] = {
                        "own_start": True,
                        "start_x": round(click[0], 3),
                        "start_y": round(click[1], 3),
                    }
                    st.rerun()
            st.plotly_chart(race_fig.metrics_figure(result, step), key=k("metrics"), width="stretch")

        race_view()
        for run in result.runs:
            if run.diverged:
                st.error(f"**{literal(run.label)}** {literal(run.stop.message)}")
        table = [
            {
                "racer": run.label,
                "steps": run.steps,
                "evaluations": int(run.evals[-1]),
                "final f": float(run.losses[-1]),
                "distance to minimum": float(run.distances(surface.minima)[-1]),
                "final ‖∇f‖": float(run.grad_norms[-1]),
                "ended": run.stop.reason if run.stop else "all steps",
            }
            for run in result.runs
        ]
        st.dataframe(table, hide_index=True, width="stretch")
        csv_col, gif_col = st.columns(2)
        csv_col.download_button(
            "Paths and per-step values (CSV)",
            lambda: race_csv(result),  # made on click, not on every rerun
            file_name="optimizer_race.csv",
            mime="text/csv",
            icon=":material/download:",
            key=k("csv"),
            on_click="ignore",
        )
        gif_col.download_button(
            "Animated race (GIF)",
            lambda: race_gif(result),
            file_name="optimizer_race.gif",
            mime="image/gif",
            icon=":material/gif_box:",
            key=k("gif"),
            help=f"Up to {MAX_FRAMES} frames over about {SECONDS:g} s, the paths in the plot's colours.",
            on_click="ignore",
        )
        with st.expander("3-D surface with the paths"):
            st.plotly_chart(race_fig.surface3d_figure(result, longest), key=k("surface3d"), width="stretch")
        with st.expander("Noise fan: one racer under several noise seeds"):
            if setup.noise <= 0:
                st.info("Set a gradient noise σ > 0 in the sidebar to see how mini-batch-like noise spreads a path.")
            else:
                labels = [run.label for run in result.runs]
                pick = st.selectbox("Racer", range(len(labels)), format_func=labels.__getitem__, key=k("fan_racer"))
                seeds = st.slider("Seeds", 2, 20, 8, key=k("fan_seeds"))
                paths = noise_fan(surface, result.runs[pick].racer, result.start, setup.config(), seeds)
                st.plotly_chart(
                    race_fig.noise_fan_figure(surface, result.start, paths, labels[pick]), key=k("fan"), width="stretch"
                )


def _fmt(value) -> str:
    if value is None:
        return "—"
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    return "(" + ", ".join(f"{v:.6g}" for v in arr) + ")" if arr.size > 1 else f"{arr[0]:.6g}"


if tab_inside.open:
    with tab_inside:
        labels = [run.label for run in result.runs]
        c1, c2 = st.columns([2, 1])
        # start on a racer whose update differs from the textbook's (momentum or an adaptive method)
        telling = [
            i
            for i, r in enumerate(result.runs)
            if r.racer.optimizer in TEXTBOOK and (r.racer.optimizer != "SGD" or r.racer.value("momentum"))
        ]
        pick = c1.selectbox(
            "Racer",
            range(len(labels)),
            format_func=labels.__getitem__,
            key=k("inside_racer"),
            index=telling[0] if telling else 0,
        )
        run = result.runs[pick]
        if run.steps == 0:
            st.info("This racer made no step.")
        else:
            step = c2.number_input(
                "Step",
                1,
                run.steps,
                min(1, run.steps),
                key=k("inside_step"),
                help="Step 1 shows the bias-correction effects; later steps the steady state.",
            )
            update = inspect_update(surface, run.racer, result.start, setup.config(), int(step))
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
                [{"state": n, "value": _fmt(v)} for n, v in update.state_after.items()],
                hide_index=True,
                width="stretch",
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
        with st.expander("Weight-decay lab: Adam's L2 vs AdamW's decoupled decay on a flat loss"):
            c1, c2 = st.columns(2)
            lr = c1.number_input("lr", 1e-4, 1.0, 0.01, format="%.4g", key=k("wd_lr"))
            wd = c2.number_input("weight decay λ", 0.0, 10.0, 0.1, key=k("wd_lambda"))
            lab = weight_decay_lab(lr=lr, weight_decay=wd)
            st.plotly_chart(race_fig.weight_decay_figure(lab), key=k("wd_fig"), width="stretch")
            st.caption(
                "On f ≡ 0 the only force is weight decay. Adam adds λθ to the gradient and then divides by "
                "√v̂ ≈ |λθ|: every weight moves by about lr per step, big or small. AdamW multiplies θ by "
                "(1 − lr·λ): big weights shrink in proportion, like textbook weight decay."
            )


@st.cache_resource(max_entries=16, show_spinner="Running real torch.optim.SGD over the (α, β) grid…")
def _momentum_map(kappa: float):
    return momentum_map(kappa)


if tab_theory.open:
    with tab_theory:
        st.markdown(
            "On **f = ½(x² + κy²)** (eigenvalues λ_min = 1, λ_max = κ) Goh's *Why Momentum Really Works* "
            "gives the best settings in closed form. Each cell of the map is a real `torch.optim.SGD` run; "
            "its colour is the measured rate ρ in ‖w_k‖ ~ ρᵏ."
        )
        kappa = st.slider(
            "Condition number κ", 2.0, 200.0, float(min(max(setup.kappa, 2.0), 200.0)), key=k("goh_kappa")
        )
        m = _momentum_map(kappa)
        c = st.columns(4)
        c[0].metric("best plain step 2/(λ_min+λ_max)", f"{m.plain.alpha:.4g}")
        c[1].metric(
            "rate (κ−1)/(κ+1)",
            f"{m.plain.rate:.4f}",
            f"measured {m.measured_plain:.4f}",
            delta_color="off",
            delta_arrow="off",
        )
        c[2].metric("best momentum α*, β*", f"{m.momentum.alpha:.4g}, {m.momentum.beta:.4g}")
        c[3].metric(
            "rate (√κ−1)/(√κ+1)",
            f"{m.momentum.rate:.4f}",
            f"measured {m.measured_momentum:.4f}",
            delta_color="off",
            delta_arrow="off",
        )
        st.plotly_chart(goh_fig.momentum_map_figure(m), key=k("goh_map"), width="stretch")
        st.caption(
            f"Plain descent converges iff 0 < αλ < 2, momentum iff 0 < αλ < 2 + 2β (black edge). Inside a "
            f"dotted/dashed region the eigenvalues of the iteration are complex and the rate is √β: at β* that "
            f"is √β* = {np.sqrt(m.momentum.beta):.4f}, the measured rate. (A well-known article prints 2√β, "
            f"which would be {2 * np.sqrt(m.momentum.beta):.4f} here: more than 1, i.e. divergence.)"
        )
        if st.button(
            "Race these on the quadratic",
            icon=":material/sports_score:",
            key=k("goh_fill"),
            help="Switches the surface to the quadratic with this κ and adds SGD with α* and with (α*, β*).",
        ):
            st.session_state[k("pending")] = {
                "surface": "quadratic",
                "kappa": kappa,
                "racers": [
                    make_racer("SGD", lr=m.plain.alpha).to_text(),
                    make_racer("SGD", lr=m.momentum.alpha, momentum=m.momentum.beta).to_text(),
                ],
            }
            st.rerun()


NET_RACERS = "SGD lr=0.5\nSGD lr=0.1 momentum=0.9\nAdam lr=0.01\nRMSprop lr=0.003"


@st.cache_resource(show_spinner="Training the default network (full-batch Adam, 300 steps)…")
def _shared_default() -> LandscapeNetwork:
    """The default MLP on two moons, trained once per process; never computed on (see _default_network)."""
    return default_network()


def _default_network() -> LandscapeNetwork:
    """This session's own copy of the default network (computing on it swaps its module's parameters)."""
    if k("default_net") not in st.session_state:
        st.session_state[k("default_net")] = _shared_default().own_copy()
    return st.session_state[k("default_net")]


def _landscape_network() -> LandscapeNetwork:
    """The Network builder's network (a detached copy of its current weights) when the session has one and the
    user keeps it chosen, else the default."""
    trained = TRAINED_NETWORK.get()
    if trained is None:
        st.caption("Train a network in the Network builder to see its landscape here; until then, the default MLP.")
        return _default_network()
    source = st.radio(
        "Network",
        ["builder", "default"],
        horizontal=True,
        key=k("net_source"),
        persist_state="session",
        format_func={"builder": "the one you trained in the Network builder", "default": "the default MLP"}.get,
    )
    if source == "default":
        return _default_network()
    net = builder_network(trained)
    if not torch.isfinite(net.problem.loss(net.trained)):
        st.warning(
            "The Network builder's network has diverged (its loss is not finite), so it has no landscape to show: "
            "showing the default MLP. Reset the network in the builder with a lower learning rate."
        )
        return _default_network()
    return net


def _li_slice(net: LandscapeNetwork, n: int, extent: float, seed: int, report):
    """The 2-D slice around θ* (on the session's own network: its Problem swaps parameters under its lock)."""
    center = flatten(net.trained)
    d1 = flatten(filter_normalized_direction(net.trained, seed))
    d2 = flatten(filter_normalized_direction(net.trained, seed + 1))
    a = torch.linspace(-extent, extent, n)
    return plane_losses(net.problem, center, d1, d2, a, a, lambda f: report(f, f"loss on a {n}×{n} grid"))


def _curvature(net: LandscapeNetwork, extent: float, seed: int, report):
    report(0.0, "power iteration with Hessian-vector products")
    lam, vec, iters = top_hessian_eigen(net.problem, net.trained)
    center = flatten(net.trained)
    rand = flatten(filter_normalized_direction(net.trained, seed))
    eig = vec * rand.norm()  # same length as the random direction, so the two slices share an x axis
    a = torch.linspace(-extent, extent, 81)
    report(0.8, "the loss along both directions")
    return lam, iters, a, line_losses(net.problem, center, eig, a), line_losses(net.problem, center, rand, a)


# Results that depend on net.key alone (a fingerprint of the weights, data and loss) are shared by every session.
CURVATURES, NETWORK_RACES = shelf("optimizer-race.curvatures", 8), shelf("optimizer-race.network_races", 16)


if tab_net.open:  # its settings outlive a visit to another tab or page (persist_state)
    with tab_net:
        net = _landscape_network()
        st.markdown(
            f"**{net.title}** — {net.n_params} parameters; {net.loss_name} "
            f"{net.problem.loss(net.trained).item():.4f} at the trained point θ* (the loss its training minimises). "
            "Li et al. (2018) plot the loss along **filter-normalised** random directions: each row (neuron) of each "
            "weight matrix of the direction is rescaled to the norm of the same row of θ*; biases get 0."
        )
        c1, c2, c3, c4 = st.columns(4)
        n_grid = c1.slider("Grid points per axis", 11, 51, 31, step=2, key=k("li_n"), persist_state="session")
        extent = c2.slider("Extent (± units of the direction)", 0.1, 2.0, 1.0, key=k("li_extent"),
                           persist_state="session")
        li_seed = c3.number_input("Direction seed", 0, 1000, 0, key=k("li_seed"), persist_state="session")
        three_d = c4.toggle("3-D surface", key=k("li_3d"), persist_state="session")
        grid = run_heavy(k("li_slice"), (net.key, n_grid, extent, int(li_seed)),
                         lambda report: _li_slice(net, n_grid, extent, int(li_seed), report),
                         label=f"loss on a {n_grid}×{n_grid} grid (batched with torch.func.vmap)")
        curvature = run_heavy(k("curvature"), (net.key, extent, int(li_seed)),
                              lambda report: _curvature(net, extent, int(li_seed), report),
                              label="the top Hessian eigenvalue", shelf=CURVATURES)
        if grid is not None and curvature is not None:
            left, right = st.columns([3, 2])
            left.plotly_chart(
                land_fig.slice_figure(grid, three_d, "loss around θ* (filter-normalised directions)"),
                key=k("li_slice"),
                width="stretch",
            )
            lam, iters, a_line, along_eig, along_rand = curvature
            right.metric(
                "top Hessian eigenvalue at θ*",
                f"{lam:.4g}",
                help=f"Power iteration, {iters} Hessian-vector "
                "products from autograd (double backward); the Hessian itself is never formed.",
            )
            right.plotly_chart(
                land_fig.line_figure(
                    a_line.numpy(),
                    {
                        "along the top eigenvector": along_eig.numpy(),
                        "along a random filter-normalised direction": along_rand.numpy(),
                    },
                ),
                key=k("li_lines"),
                width="stretch",
            )
            right.caption(
                "Both directions have the same length. The top eigenvector is the sharpest way out of the minimum"
                + (
                    f": with plain gradient descent, lr > 2/λ = {2 / lam:.3g} would be unstable here."
                    if lam > 0
                    else "; here the loss does not curve upward along it (λ ≤ 0), so no step size is limited by it."
                )
            )

        st.subheader("Racers on the network's loss")
        st.caption(
            "All racers start from the network's initialisation (before training) and train every parameter "
            f"(full batch). Their paths live in a {net.n_params}-dimensional space: they are drawn projected on a "
            "plane."
        )
        c1, c2 = st.columns([3, 1])
        net_text = c1.text_area(
            "Racers, one per line",
            NET_RACERS,
            key=k("net_racers"),
            persist_state="session",
            height=120,
            help="Like 'Adam lr=0.01 betas=0.9/0.999' — optimizer name, then knob=value.",
        )
        net_steps = c2.number_input("Steps", 10, 1000, 200, step=50, key=k("net_steps"), persist_state="session")
        texts, bad = [], []
        for line in net_text.splitlines()[:MAX_RACERS]:
            if line.strip():
                try:
                    texts.append(parse_racer(line).to_text())
                except RacerError as e:
                    bad.append(f"'{line.strip()}': {e}")
        for b in bad:
            st.warning(f"Skipped racer {literal(b)}")
        if not texts:
            st.info("Add at least one racer, e.g. 'Adam lr=0.01'.")
        else:
            raced = run_heavy(
                k("net_race"), (net.key, tuple(texts), int(net_steps)),
                lambda report: race_network(net.problem, tuple(parse_racer(t) for t in texts), net.start,
                                            LoopConfig(steps=int(net_steps)), report),
                label=f"{len(texts)} racer(s) × {int(net_steps)} steps on the network", shelf=NETWORK_RACES)
            runs, errors = raced or ((), ())
            for e in errors:
                st.error(f"Not raced — {literal(e)}")
            for run in runs:
                if run.stop:
                    st.error(f"**{literal(run.label)}** {literal(run.stop)}")
            if runs:
                labels = [r.label for r in runs]
                how = st.radio(
                    "Plane",
                    ["shared", "own"],
                    horizontal=True,
                    key=k("net_plane"),
                    persist_state="session",
                    format_func={
                        "shared": "one plane for all: PCA of all paths, through the common start",
                        "own": "one racer's own PCA plane, through its final point (Li et al.)",
                    }.get,
                )
                if how == "shared":
                    plane = pca_plane(torch.cat([r.thetas for r in runs]), runs[0].thetas[0])
                    shown, title = runs, "all paths on the shared PCA plane"
                else:
                    i = st.selectbox("Racer", range(len(runs)), format_func=labels.__getitem__, key=k("net_own"))
                    plane = pca_plane(runs[i].thetas, runs[i].thetas[-1])
                    shown, title = (runs[i],), f"{labels[i]} on its own PCA plane"
                view = plane_view(net.problem, plane, shown)
                st.plotly_chart(land_fig.plane_race_figure(view, shown, title), key=k("net_fig"), width="stretch")


if tab_tune.open:
    with tab_tune:
        st.markdown(
            "Each racer is raced again at 19 learning rates from 10⁻⁴ to 10 (same start, noise and "
            "schedule; at most 500 steps and as many evaluations) and each run is scored. A run that diverges "
            "scores ∞. Other optimizers run all 19 rates at once in one optimizer; LBFGS allows one parameter "
            "group only, so it runs rate by rate and takes several seconds (its two-loop recursion over 100 "
            "history pairs is the cost)."
        )
        scores = [n for n in SCORES if surface.minima or n != "distance to the minimum"]
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        score = c1.selectbox("Score (lower is better)", scores, key=k("tune_score"))

        def sweep_all(report) -> list:
            originals = [parse_racer(t) for t in racer_texts]
            return [lr_sweep(surface, racer, result.start, setup.config(), score,
                             progress=lambda f, i=i, label=racer.label: report((i + f) / len(originals),
                                                                               f"sweeping {label}"))
                    for i, racer in enumerate(originals)]

        with c2:
            sweeps = run_heavy(k("tune"), (setup, tuple(racer_texts), score), sweep_all,
                               label=f"learning-rate sweeps of {len(racer_texts)} racer(s)", ask=True,
                               button="Tune all racers")
        if sweeps is not None and (st.session_state.get(k("sweeps")) or (None, None))[1] is not sweeps:
            st.session_state[k("sweeps")] = (setup, sweeps)
            st.session_state[k("tuned")] = {
                t: s.best_lr for t, s in zip(racer_texts, sweeps, strict=True) if s.best_lr is not None
            }
            st.rerun()
        stored = st.session_state.get(k("sweeps"))
        if stored is None:
            st.info("Press 'Tune all racers'. Then switch 'Race with the tuned learning rates' on in the sidebar.")
        else:
            tuned_setup, sweeps = stored
            if tuned_setup.surface != setup.surface or tuned_setup.start(surface) != result.start:
                st.warning("These sweeps were made for another surface or start: tune again.")
            st.plotly_chart(
                race_fig.sensitivity_figure(sweeps, [s.racer.lr for s in sweeps]), key=k("tune_fig"), width="stretch"
            )
            st.dataframe(
                [
                    {
                        "racer": s.racer.label,
                        "your lr": s.racer.lr,
                        "best lr": s.best_lr,
                        f"best {s.score}": s.best_score,
                    }
                    for s in sweeps
                ],
                hide_index=True,
                width="stretch",
            )
