"""Network builder: build a small network on 2-D data, train it live, step through forward and backward passes.

Thin page: widgets → `BuilderSetup` → core (trainer, trace, hand mode) → `core.figures.builder` → layout.
The live view (training, plane, network, curves) is one `st.fragment` that reruns on a timer while playing.
"""

from __future__ import annotations

import copy
import dataclasses
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
import torch

from core.builder.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.builder.evaluate import dead_relus, evaluate_plane, gradient_warning, grid_points, metrics
from core.builder.export import history_csv, trace_csv, training_script, weights_safetensors
from core.builder.hand import EXAMPLES, HandProblem, check, compare_losses, sign_demo, solve
from core.builder.losses import BINARY_HEADS, HEADS, LOSSES, REGULARIZATIONS
from core.builder.optimizers import LEARNING_RATES, OPTIMIZERS, REG_RATES
from core.builder.setup import (
    CUSTOM,
    HIDEABLE,
    MAX_LAYERS,
    MAX_NEURONS,
    BuilderSetup,
    build_dataset,
    net_spec,
    own_points,
)
from core.builder.trace import StepTrace, trace_step
from core.builder.trained import from_trainer
from core.builder.trainer import Trainer
from core.data.csv_io import CsvProblem, Points, parse_points, points_csv
from core.data.datasets import DATASETS
from core.data.features import FEATURES, LABELS, feature_matrix
from core.device import configure_threads
from core.figures.builder.curves import confusion_figure, grad_norm_figure, loss_figure, thin
from core.figures.builder.matrix import matrix_figure
from core.figures.builder.network import network_figure, normalise
from core.figures.builder.plane import GRID_TRACE, plane_figure
from core.figures.builder.raster import jpeg, loss_raster, network_raster, plane_raster
from core.markdown_literal import literal
from core.setup_state import SetupError, from_json, from_query, left_out_of_link, to_json, to_query
from core.work import default_queue
from pages.common import KEPT
from pages.session import session_fragment, session_id

P = "network_builder."  # every key of this page starts with the tool key
TRAINED_KEY = "network_builder.trained"  # read by the Attributions page: a core.builder.trained.TrainedNetwork
ss = st.session_state
FIELDS = [f.name for f in dataclasses.fields(BuilderSetup)]
DISPLAY_ONLY = ("learning_rate", "max_epochs", "target_loss", "discretize", "show_test", "hide")
SPEEDS = (1, 2, 5, 8, 10, 20, 50, 100)
FPS = 15  # refreshes asked for while playing; slower frames queue (a fragment rerun never interrupts another)
NET_EVERY = 4  # the neuron thumbnails and weight lines are redrawn every 4th frame while playing
FRAME_TRAIN_S = 0.15  # the most CPU time a frame trains: a slow epoch is cut short, goes on in the next frame


def k(name: str) -> str:
    return P + name


# ---------------------------------------------------------------- set-up ⇄ session state
def _put(setup: BuilderSetup) -> None:
    """Write a set-up into the widgets' state (before they are drawn)."""
    for name in FIELDS:
        if name not in ("features", "hidden"):
            ss[k(name)] = list(getattr(setup, name)) if name == "hide" else getattr(setup, name)
    for f in FEATURES:
        ss[k("feat." + f)] = f in setup.features
    ss[k("hidden")] = list(setup.hidden)
    ss[k("setup")] = setup


def _read() -> BuilderSetup:
    """The set-up the widgets describe (values of hidden classroom widgets come from the last set-up)."""
    last: BuilderSetup = ss[k("setup")]
    values = {n: ss.get(k(n), getattr(last, n)) for n in FIELDS if n not in ("features", "hidden")}
    values["hide"] = tuple(values["hide"])
    values["features"] = tuple(f for f in FEATURES if ss.get(k("feat." + f), f in last.features))
    values["hidden"] = tuple(ss[k("hidden")])
    return BuilderSetup(**values)


configure_threads()
if k("setup") not in ss:
    first, link_warnings = from_query(BuilderSetup, st.query_params.to_dict())
    _put(first)
    ss[k("link_warnings")] = link_warnings
    ss[k("playing")] = False
    ss[k("speed")] = 5
if k("pending") in ss:  # changes requested by the live view or an import, applied before any widget exists
    _put(ss.pop(k("pending")))


# ---------------------------------------------------------------- callbacks
def _set_playing(on: bool):
    """Play or pause: sets the state the button showed, so a click Streamlit delivers twice cannot undo itself."""
    ss[k("playing")] = on
    ss[k("epochs_asked")] = 0


def _step_epoch():
    """Counted here, trained by the live view frame by frame: a callback runs before the session's turn (see
    pages.session), so training in it would race the frame an overlapping run may still be training."""
    ss[k("playing")] = False
    ss[k("epochs_asked")] = ss.get(k("epochs_asked"), 0) + 1


def _animating() -> bool:
    """Frames follow each other while playing, and while epochs asked for by Step are still being trained."""
    return bool(ss[k("playing")] or ss.get(k("epochs_asked")))


def _reset(new_weights: bool = False):
    ss[k("playing")] = False
    if new_weights:
        ss[k("init_seed")] = (int(ss[k("init_seed")]) + 1) % 2**31
    ss.pop(k("trainer"), None)


def _add_layer():
    if len(ss[k("hidden")]) < MAX_LAYERS:
        ss[k("hidden")].append(2)
        _reset()


def _remove_layer():
    if ss[k("hidden")]:
        ss[k("hidden")].pop()
        _reset()


def _neurons(layer: int, delta: int):
    h = ss[k("hidden")]
    h[layer] = min(max(h[layer] + delta, 1), MAX_NEURONS)
    _reset()


def _stage(delta: int, n: int):
    ss[k("stage")] = min(max(ss.get(k("stage"), 0) + delta, 0), n - 1)


# ---------------------------------------------------------------- page
st.title("Network builder")
setup_now: BuilderSetup = ss[k("setup")]
hidden_groups = set(setup_now.hide)
st.caption("Build a small network on 2-D data, train it live with real PyTorch, and step through every number "
           "of the forward and backward pass."
           + (" · Classroom link: some controls are hidden." if hidden_groups else ""))
for w in ss.pop(k("link_warnings"), []):
    st.warning(literal(w))

# top bar: training controls, in rows that wrap instead of squeezing (on a narrow screen the knobs go under the
# buttons, every label whole)
bar = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
buttons = bar.container(horizontal=True, vertical_alignment="bottom", gap="small", width="content")
knobs = bar.container(horizontal=True, vertical_alignment="bottom", gap="small", width="content")
trainer_now: Trainer | None = ss.get(k("trainer"))
buttons.button("Pause" if ss[k("playing")] else "Play", icon=":material/pause:" if ss[k("playing")] else
               ":material/play_arrow:", key=k("play"), on_click=_set_playing, args=(not ss[k("playing")],),
               type="primary", width=100, disabled=bool(trainer_now and trainer_now.status != "ready"))
buttons.button("Step", key=k("step"), on_click=_step_epoch, help="Train one epoch")
buttons.button("Reset", key=k("reset"), on_click=_reset, help="Back to epoch 0 with the same initial weights")
buttons.button("New weights", key=k("new_weights"), on_click=_reset, kwargs={"new_weights": True},
               help="Draw new initial weights (the weight seed goes up by one)")
knobs.select_slider("Epochs per frame", SPEEDS, key=k("speed"), persist_state="session", width=130,
                    help=f"Training speed: epochs trained per refresh (up to {FPS} refreshes per second)")
if "training" not in hidden_groups:
    lr_options = sorted(set(LEARNING_RATES) | {float(ss[k("learning_rate")])})
    knobs.select_slider("Learning rate", lr_options, key=k("learning_rate"), persist_state="session", width=160)
    knobs.selectbox("Activation", HIDDEN_ACTIVATIONS, key=k("activation"), persist_state="session", width=115,
                    format_func=lambda a: ACTIVATIONS[a].title)
    knobs.selectbox("Optimizer", list(OPTIMIZERS), key=k("optimizer"), persist_state="session", width=125,
                    format_func=lambda o: OPTIMIZERS[o][0])

left, main = st.columns([1, 4.2], gap="medium")
with left:
    if "data" not in hidden_groups:
        st.markdown("**Data**")
        st.selectbox("Dataset", [*DATASETS, CUSTOM], key=k("dataset"), persist_state="session",
                     format_func=lambda d: DATASETS[d].title if d in DATASETS else "Your own points")
        own = ss[k("dataset")] == CUSTOM and bool(ss.get(k("points")))
        generated_only = "Only for generated datasets: your own points are used as they are." if own else None
        st.slider("Noise %", 0, 50, key=k("noise"), persist_state="session", disabled=own, help=generated_only)
        st.slider("Training data %", 10, 90, key=k("train_percent"), persist_state="session",
                  help="The rest are test points (tick 'Show test data' to see them on the plot).")
        st.slider("Points", 10, 2000, step=10, key=k("n_points"), persist_state="session", disabled=own,
                  help=generated_only)
        st.number_input("Data seed", 0, 2**31 - 1, key=k("data_seed"), persist_state="session",
                        help="Same seed, same points" + ("; for your own points, the same train/test split" if own
                                                         else ""))
        st.checkbox("Show test data", key=k("show_test"), persist_state="session")
        st.checkbox("Discretize output", key=k("discretize"), persist_state="session")
    if "features" not in hidden_groups:
        st.markdown("**Features**")
        with st.container(horizontal=True, gap="small"):  # as many per line as fit
            for f in FEATURES:
                st.checkbox(LABELS[f], key=k("feat." + f), persist_state="session")
    if "training" not in hidden_groups:
        with st.expander("Training settings"):
            st.number_input("Batch size", 1, 2000, key=k("batch_size"), persist_state="session",
                            help="Larger than the training set means full batch")
            st.number_input("Weight seed", 0, 2**31 - 1, key=k("init_seed"), persist_state="session",
                            help="Initial weights; separate from the data seed")
            st.selectbox("Two-class output", BINARY_HEADS, key=k("binary_head"), persist_state="session",
                         format_func=lambda h: HEADS[h].title)
            st.number_input("Stop after epochs (0 = never)", 0, 1_000_000, key=k("max_epochs"), persist_state="session")
            st.number_input("Stop below training loss (0 = never)", 0.0, 1e5, key=k("target_loss"),
                            persist_state="session", format="%.4f")
    if "regularization" not in hidden_groups:
        st.selectbox("Regularization", list(REGULARIZATIONS), key=k("regularization"), persist_state="session",
                     format_func=lambda r: REGULARIZATIONS[r].title)
        st.select_slider("Regularization rate λ", sorted(set(REG_RATES) | {float(ss[k("reg_rate")])}),
                         key=k("reg_rate"), persist_state="session")

setup = _read()
problems = setup.validate()
if problems:
    for p in problems:
        st.warning(f"Cannot use this set-up: {literal(p)}.")
    if any(p.startswith("features") for p in problems):
        st.info("Tick at least one input feature on the left.")
    st.stop()
ss[k("setup")] = setup
query = to_query(setup)  # compresses your own points when long: once per run
if query != st.query_params.to_dict():
    st.query_params.from_dict(query)

custom: Points | None = own_points(setup.points) if setup.dataset == CUSTOM and setup.points else None
if setup.dataset == CUSTOM and custom is None:
    with left:
        st.info("No points of your own yet: upload a CSV below or click on the plot; showing the circle for now.")
data = build_dataset(setup)
trainer_key = dataclasses.replace(setup, **{n: getattr(BuilderSetup(), n) for n in DISPLAY_ONLY})
if ss.get(k("trainer_key")) != trainer_key or k("trainer") not in ss:
    ss[k("trainer")] = Trainer(setup, data)
    ss[k("trainer_key")] = trainer_key
trainer: Trainer = ss[k("trainer")]
if trainer.setup != setup:  # learning rate or stop condition changed: keep training the same network
    trainer.retune(setup)

with left:
    if "data" not in hidden_groups:
        with st.expander("Your own points"):
            upload = st.file_uploader("Upload CSV (x1, x2, label or target)", type=["csv"], key=k("upload"))
            if upload is not None and ss.get(k("upload_done")) != upload.file_id:
                try:
                    parsed = parse_points(upload.getvalue())
                except CsvProblem as e:
                    st.error(f"Could not use {literal(upload.name)}: {literal(e)}")
                else:
                    ss[k("upload_done")] = upload.file_id
                    ss[k("pending")] = dataclasses.replace(
                        setup, dataset=CUSTOM, points=points_csv(parsed.points, parsed.labels, parsed.task))
                    for w in parsed.warnings:
                        st.toast(literal(w))
                    st.rerun()
            st.toggle("Click on the plot adds a point", key=k("click_add"), persist_state="session")
            n_cls = max(data.n_classes, 2)
            st.radio("Class of clicked points", list(range(n_cls)), horizontal=True, key=k("click_class"),
                     persist_state="session", disabled=data.task == "regression")
            st.download_button("Download points (CSV)", points_csv(data.points, data.labels, data.task),
                               "points.csv", "text/csv", key=k("dl_points"), on_click="ignore")

    if custom is not None:
        st.caption(f"Your {len(custom.points)} points are too many for a link (over 8 KB even compressed): share "
                   "'Download points' with it; the set-up JSON holds them." if "points" in left_out_of_link(setup)
                   else f"Your {len(custom.points)} points travel in the page's link and in the set-up JSON.")

with main:
    if "network" not in hidden_groups:
        head = st.columns([1.6] + [1] * (len(setup.hidden) + 1) + [max(0.1, 5 - len(setup.hidden))])
        with head[0]:
            st.markdown(f"**{len(setup.hidden)} hidden layer{'s' if len(setup.hidden) != 1 else ''}**")
            b1, b2 = st.columns(2)
            b1.button("", icon=":material/add:", key=k("add_layer"), on_click=_add_layer,
                      help="Add a hidden layer", disabled=len(setup.hidden) >= MAX_LAYERS)
            b2.button("", icon=":material/remove:", key=k("remove_layer"), on_click=_remove_layer,
                      help="Remove the last hidden layer", disabled=not setup.hidden)
        for i, n in enumerate(setup.hidden):
            with head[i + 1]:
                st.caption(f"Layer {i + 1}: {n}")
                c1, c2 = st.columns(2)
                c1.button("", icon=":material/add:", key=k(f"more.{i}"), on_click=_neurons, args=(i, 1),
                          help=f"Layer {i + 1}: add a neuron", disabled=n >= MAX_NEURONS)
                c2.button("", icon=":material/remove:", key=k(f"less.{i}"), on_click=_neurons, args=(i, -1),
                          help=f"Layer {i + 1}: remove a neuron", disabled=n <= 1)


def _columns_for(trainer: Trainer, plane, res_thumb: int = 20):
    """Thumbnail planes per column (inputs, hidden layers, output), titles and node labels for the drawing."""
    stride = max(plane.resolution // res_thumb, 1)
    feats = feature_matrix(grid_points(plane.resolution), trainer.data.feature_names).T
    inputs = normalise(feats.reshape(-1, plane.resolution, plane.resolution).numpy()[:, ::stride, ::stride])
    hidden = [normalise(h[:, ::stride, ::stride]) for h in plane.layers[:-1]]
    out = plane.output[:, ::stride, ::stride]
    out = 2 * out - 1 if trainer.head_name in ("softmax_ce", "sigmoid_bce") else np.clip(out, -1, 1)
    acts = trainer.model.spec.activations
    titles = ["Inputs"] + [f"Layer {i + 1}<br>{len(h)} {ACTIVATIONS[acts[i]].title}" for i, h in enumerate(hidden)]
    titles.append(f"Output<br>{ACTIVATIONS[acts[-1]].title}")
    labels = [[LABELS[f] for f in trainer.data.feature_names]]
    labels += [[f"layer {i + 1} neuron {j}" for j in range(len(h))] for i, h in enumerate(hidden)]
    labels.append([f"output {j}" for j in range(len(out))])
    return [inputs, *hidden, out], titles, labels


def _weights(trainer: Trainer) -> list[np.ndarray]:
    return [lin.weight.detach().numpy().copy() for lin in trainer.model.linears]


def _network_frame(trainer: Trainer, cols: list[np.ndarray]) -> str:
    """The network drawing while playing, redrawn every NET_EVERY frames (the plane and curves every frame)."""
    n, frame = ss.get(k("net_frame"), (0, None))
    if frame is None or n % NET_EVERY == 0:
        frame = jpeg(network_raster(cols, _weights(trainer)))
    ss[k("net_frame")] = (n + 1, frame)
    return frame


def _handle_plane_click(event, data) -> None:
    """A click on a point picks the step-through sample; on empty plane (with adding on) adds a point."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return
    pt = points[0]
    sig = (pt.get("curve_number"), round(float(pt.get("x", 0)), 4), round(float(pt.get("y", 0)), 4))
    if ss.get(k("last_click")) == sig:
        return
    ss[k("last_click")] = sig
    if pt.get("curve_number") == GRID_TRACE:
        if not ss.get(k("click_add")):
            return
        label = 0.0 if data.task == "regression" else int(ss.get(k("click_class"), 0))
        points = np.vstack([data.points, [[pt["x"], pt["y"]]]])
        labels = np.append(data.labels, label).astype(data.labels.dtype)
        ss[k("pending")] = dataclasses.replace(ss[k("setup")], dataset=CUSTOM,
                                               points=points_csv(points, labels, data.task))
    else:
        index = pt.get("customdata")
        if index is None:
            return
        ss[k("sample")] = int(index[0] if isinstance(index, list) else index)
        ss[k("pending")] = ss[k("setup")]
    if not ss[k("playing")]:
        st.rerun(scope="app")


def _train_frame(trainer: Trainer) -> None:
    """One frame's training, while playing or while epochs asked for by Step are left. One line for every
    student's heavy work: frames take turns on the cores; a frame trains at most FRAME_TRAIN_S, so a slow set-up
    (batch 1, 2,000 points) shows its progress within the epoch and a click is answered between frames."""
    asked = ss.get(k("epochs_asked"), 0)
    if not _animating() or trainer.status != "ready":
        return
    with default_queue().turn(owner=session_id(), label="live training"):
        done = trainer.run(asked or int(ss.get(k("speed"), 5)), seconds=FRAME_TRAIN_S)
    if asked:
        ss[k("epochs_asked")] = max(0, ss.get(k("epochs_asked"), 0) - done)


def live_view() -> None:
    """Train a frame (on the view's own reruns; a full run trained it already), then redraw the network, the
    plane, the curves and the metrics."""
    configure_threads()  # torch's thread count is per thread, and every (fragment) rerun runs in a new thread
    trainer: Trainer = ss[k("trainer")]
    animating = _animating()
    if not ss.pop(k("frame_trained"), False):
        _train_frame(trainer)
    if animating and (trainer.status != "ready" or not _animating()):
        ss[k("playing")], ss[k("epochs_asked")] = False, 0
        st.rerun(scope="app")  # stops the refresh timer
    model, d = trainer.model, trainer.data
    ss[TRAINED_KEY] = from_trainer(trainer)
    plane = evaluate_plane(model, d.feature_names, 100)
    ncol, ocol = st.columns([1.35, 1], gap="small")
    playing = _animating()  # frames are drawn light (images) while they follow each other
    with ncol:
        cols, titles, labels = _columns_for(trainer, plane)
        if playing:
            st.markdown(" · ".join(t.replace("<br>", " ") for t in titles))
            st.image(_network_frame(trainer, cols), width="stretch")
        else:
            ss.pop(k("net_frame"), None)
            st.plotly_chart(network_figure(cols, titles, labels, _weights(trainer)), key=k("net_fig"),
                            config={"displayModeBar": False})
        st.caption("Each square is a neuron's output over the input plane (orange −, blue +). Lines are weights: "
                   "blue positive, orange negative, thicker = larger |w|. "
                   + ("Pause to hover for values." if playing else "Hover for values."))
    with ocol:
        h = trainer.history
        m = metrics(model, trainer.head_name, d.features, d.labels, d.is_train, d.n_classes)
        part = trainer.epoch_progress  # a slow epoch is trained over several frames
        st.markdown(f"#### Epoch {trainer.epoch:,}")
        st.markdown(f"Training loss **{h.train_loss[-1]:.4f}** · test loss **{h.test_loss[-1]:.4f}**  \n"
                    f"<small>weight seed {trainer.init_seed} · data seed {trainer.setup.data_seed}"
                    + (f" · epoch {trainer.epoch + 1:,}: {part:.0%} trained" if part else "") + "</small>",
                    unsafe_allow_html=True)
        if trainer.status == "diverged":
            st.error(trainer.message)
        elif trainer.message:
            st.success(trainer.message)
        if playing:
            st.image(jpeg(plane_raster(trainer.head_name, d.task, plane.output, d.points, d.labels, d.is_train,
                                       trainer.setup.show_test, trainer.setup.discretize)), width="stretch")
        else:
            fig = plane_figure(trainer.head_name, d.task, plane.output, d.points, d.labels, d.is_train,
                               trainer.setup.show_test, trainer.setup.discretize, ss.get(k("sample")), height=380)
            event = st.plotly_chart(fig, key=k("plane_fig"), on_select="rerun", selection_mode="points",
                                    config={"displayModeBar": True,
                                            "modeBarButtonsToRemove": ["select2d", "lasso2d"]})
            _handle_plane_click(event, d)
        if d.task == "regression":
            st.caption(f"R²: train {m.train_r2:.3f} · test {m.test_r2:.3f}")
        else:
            st.caption(f"Accuracy: train {m.train_accuracy:.1%} · test {m.test_accuracy:.1%}")
        if playing:
            st.image(jpeg(loss_raster(*thin(h.train_loss, h.test_loss))), width="stretch",
                     caption="Loss (log scale): training dark, test grey. Pause for the confusion matrix and "
                             "gradient health.")
        else:
            st.plotly_chart(loss_figure([("run", h.epochs, h.train_loss, h.test_loss)], height=200),
                            key=k("loss_fig"), config={"displayModeBar": False})
        warn = gradient_warning(h.grad_norms[-1])
        if warn:
            st.warning(warn)
        if playing:  # fewer elements per frame; the expander comes back on pause
            return
        with st.expander("Confusion matrix and gradient health"):
            if m.confusion is not None:
                st.plotly_chart(confusion_figure(m.confusion), key=k("confusion_fig"))
            dead = dead_relus(model, trainer.x_train)
            if any(a == "relu" for a in model.spec.activations):
                st.caption("Dead ReLUs (zero on every training point) per layer: "
                           + ", ".join(f"layer {i + 1}: {n}" for i, n in enumerate(dead)))
            if len(h.epochs) > 1:
                st.plotly_chart(grad_norm_figure(h.epochs[1:], h.grad_norms[1:]), key=k("grad_fig"))
            else:
                st.caption("Gradient norms appear after the first epoch.")


_train_frame(trainer)  # before the view is declared: a Step that is done within this run needs no timer
ss[k("frame_trained")] = True
with main:
    session_fragment(live_view, run_every=1 / FPS if _animating() else None)()

# ---------------------------------------------------------------- below the live view
d = trainer.data
tab_names = ["Step through one training step", "Hand mode", "Compare two runs", "Share and export"]
visible = [t for t, g in zip(tab_names, ("stepper", "hand", "compare", "export"), strict=True)
           if g not in hidden_groups]
tabs = dict(zip(visible, st.tabs(visible), strict=True))


def _m(t: torch.Tensor | None) -> np.ndarray:
    return np.atleast_2d(t.detach().numpy()) if t is not None else np.zeros((0, 0))


def _stage_names(n_layers: int) -> list[str]:
    return ([f"Forward: layer {i}" for i in range(1, n_layers + 1)] + ["Loss"]
            + [f"Backward: layer {i}" for i in range(n_layers, 0, -1)] + ["Update"])


def _grid(items: list[tuple[np.ndarray, str, str, str]], key: str, per_row: int = 3) -> None:
    cols = st.columns(per_row)
    for i, (values, title, rn, cn) in enumerate(items):
        with cols[i % per_row]:
            st.plotly_chart(matrix_figure(values, title, rn, cn), key=k(f"mx.{key}.{title}.{i}"),
                            config={"displayModeBar": False})


def show_stage(trace: StepTrace, stage: str, key: str) -> None:
    """Formula and numbers of one stage of the step (forward l / loss / backward l / update)."""
    if stage == "Loss":
        last = trace.layers[-1]
        st.markdown(f"**Loss** · {LOSSES[trace.loss_name].title}: `{LOSSES[trace.loss_name].formula}`, averaged "
                    f"over the {len(trace.x)} sample(s) · data loss **{trace.data_loss:.6g}** + regularization "
                    f"{trace.reg_loss:.6g} = **{trace.loss:.6g}**")
        _grid([(_m(last.a), "ŷ = a (output)", "sample", "output"), (_m(trace.y), "y (target)", "sample", "output")],
              key, 2)
        return
    if stage == "Update":
        first = trace.layers[0]
        if _hidden_until_predicted(float(first.W_after[0, 0] - first.W[0, 0]), "the update of W1[0, 0]",
                                   f"{key}.update", f"dL/dW1[0, 0] = {float(first.dL_dW[0, 0]):.6g}; plain SGD "
                                   "steps against the gradient's sign (momentum and Adam also carry earlier steps)."):
            return
        st.markdown("**Update** with the real optimizer (its momentum/Adam state included): "
                    "step = W_after − W_before. For plain SGD, step = −lr · dL/dW.")
        for t in trace.layers:
            st.caption(f"Layer {t.index}")
            _grid([(_m(t.W), f"W{t.index} before", "neuron", "input"),
                   (_m(t.W_after - t.W), f"step W{t.index}", "neuron", "input"),
                   (_m(t.W_after), f"W{t.index} after", "neuron", "input"),
                   (_m(t.b), f"b{t.index} before", "", "neuron"),
                   (_m(t.b_after - t.b), f"step b{t.index}", "", "neuron"),
                   (_m(t.b_after), f"b{t.index} after", "", "neuron")], key)
        return
    kind, layer_no = stage.split(": layer ")
    t = trace.layers[int(layer_no) - 1]
    f = ACTIVATIONS[t.activation]
    i = t.index
    if kind == "Forward":
        st.latex(rf"z^{{({i})}} = a^{{({i - 1})}} W^{{({i})\top}} + b^{{({i})}}, \quad a^{{({i})}} = "
                 rf"\mathrm{{{t.activation.replace('_', ' ')}}}(z^{{({i})}})")
        st.caption(f"f(z) = {f.formula}. Rows are samples; a⁽⁰⁾ is the input features.")
        _grid([(_m(t.a_prev), f"a{i - 1} (input to layer {i})", "sample", "input"),
               (_m(t.W), f"W{i}", "neuron", "input"), (_m(t.b), f"b{i}", "", "neuron"),
               (_m(t.z), f"z{i}", "sample", "neuron"), (_m(t.a), f"a{i} = f(z{i})", "sample", "neuron")], key)
        return
    if _hidden_until_predicted(float(t.dL_dW[0, 0]), f"dL/dW{i}[0, 0]", f"{key}.{i}",
                               "Look at the sign of dL/dz and of the input a that it multiplies."):
        return
    if t.dL_da is None:
        st.latex(rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} = (\hat y - y)\,/\,B")
        st.caption(f"The {f.title} + {LOSSES[trace.loss_name].title} shortcut: f′ and dL/da cancel into ŷ − y; "
                   f"B = {len(trace.x)} sample(s) in the batch.")
    else:
        st.latex(rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} = \frac{{\partial L}}{{\partial a^{{({i})}}}}"
                 rf"\odot f'(z^{{({i})}}),\quad f'(z) = \text{{{f.derivative}}}")
    st.latex(rf"\frac{{\partial L}}{{\partial W^{{({i})}}}} = \Big(\frac{{\partial L}}{{\partial z^{{({i})}}}}"
             rf"\Big)^{{\!\top}} a^{{({i - 1})}} + \text{{reg}},\quad \frac{{\partial L}}{{\partial b^{{({i})}}}} = "
             rf"\sum_{{\text{{batch}}}} \frac{{\partial L}}{{\partial z^{{({i})}}}},\quad"
             rf"\frac{{\partial L}}{{\partial a^{{({i - 1})}}}} = "
             rf"\frac{{\partial L}}{{\partial z^{{({i})}}}} W^{{({i})}}")
    items = []
    if t.dL_da is not None:
        items += [(_m(t.dL_da), f"dL/da{i}", "sample", "neuron"),
                  (_m(f.df(t.z, t.a)), f"f′(z{i})", "sample", "neuron")]
    items += [(_m(t.dL_dz), f"dL/dz{i}", "sample", "neuron"), (_m(t.dL_dW), f"dL/dW{i}", "neuron", "input"),
              (_m(t.dL_db), f"dL/db{i}", "", "neuron"), (_m(t.dL_da_prev), f"dL/da{i - 1}", "sample", "input")]
    if float(t.dL_dW_reg.abs().sum()):
        items.append((_m(t.dL_dW_reg), f"regularization part of dL/dW{i}", "neuron", "input"))
    _grid(items, key)


def _hidden_until_predicted(value: float, name: str, key: str, hint: str) -> bool:
    """Predict-then-reveal: ask for the sign of `value` (called `name`) before the numbers are shown."""
    if not ss.get(k("predict")):
        return False
    truth = "positive" if value > 0 else "negative" if value < 0 else "zero"
    guess = st.radio(f"Predict first: what sign will {name} have?", ["positive", "negative", "zero"],
                     index=None, horizontal=True, key=k(f"guess.{key}"))
    if guess is None:
        st.info("Make your guess to reveal the numbers.")
        return True
    (st.success if guess == truth else st.error)(
        f"{name} = {value:.6g}: it is {truth}. " + ("Correct." if guess == truth else hint))
    return False


def step_through() -> None:
    """The step-through of one training step of the current network (while paused: playing, it is stale)."""
    c = st.container(horizontal=True, vertical_alignment="bottom")  # wraps on a narrow screen, labels whole
    which = c.radio("Trace", ["one sample", "the mini-batch"], key=k("trace_what"), persist_state="session",
                    horizontal=True)
    if k("sample") not in ss or not 0 <= int(ss[k("sample")]) < len(d.points):
        ss[k("sample")] = int(np.flatnonzero(d.is_train)[0])
    c.number_input("Sample index (or click a point)", 0, len(d.points) - 1, key=k("sample"), persist_state="session",
                   disabled=which != "one sample", width=220)
    c.toggle("Predict, then reveal", key=k("predict"), persist_state="session",
             help="Guess the sign of each weight gradient, and of the update, before the numbers are shown")
    targets = d.targets(trainer.head_name)
    if which == "one sample":
        idx = torch.tensor([int(ss[k("sample")])])
        x, y = d.features[idx], targets[idx]
        c.caption(f"Sample #{int(idx)}: x₁ = {d.points[int(idx), 0]:.3f}, x₂ = {d.points[int(idx), 1]:.3f}, "
                  f"label {d.labels[int(idx)]:.3g} ({'train' if d.is_train[int(idx)] else 'test'} point)")
    else:
        x, y = trainer.x_train[: trainer.batch_size], trainer.y_train[: trainer.batch_size]
        c.caption(f"The first {len(x)} training points (batch size {trainer.batch_size}).")
    with trainer.lock:  # the optimizer's state is read as it is now
        model64 = copy.deepcopy(trainer.model).double()
        trace = trace_step(model64, x.double(), y.double(), trainer.head.loss, setup.regularization,
                           setup.reg_rate, trainer.optimizer, setup.optimizer, setup.learning_rate)
    names = _stage_names(len(trace.layers))
    ss[k("stage")] = min(ss.get(k("stage"), 0), len(names) - 1)
    nav = st.container(horizontal=True, vertical_alignment="center")
    nav.button("◀ Prev", key=k("prev"), on_click=_stage, args=(-1, len(names)))
    nav.button("Next ▶", key=k("next"), on_click=_stage, args=(1, len(names)))
    nav.progress((ss[k("stage")] + 1) / len(names), text=f"Step {ss[k('stage')] + 1} of {len(names)}: "
                 f"**{names[ss[k('stage')]]}**")
    if nav.button("Take this step", key=k("apply"), help="Apply this update to the live network",
                  disabled=trainer.status != "ready"):
        trainer.step_on(x, y)
        st.rerun()
    stage = names[ss[k("stage")]]
    dcol, ncol2 = st.columns([1, 2.6])
    with dcol:
        layer_hl = None if stage in ("Loss", "Update") else int(stage.split("layer ")[1])
        plane = evaluate_plane(trainer.model, d.feature_names, 60)
        cols, titles, labels = _columns_for(trainer, plane)
        st.plotly_chart(network_figure(cols, titles, labels, _weights(trainer), highlight=layer_hl,
                                       height=300 + 12 * max(0, max(setup.hidden, default=0) - 4)),
                        key=k("step_net"), config={"displayModeBar": False})
    with ncol2:
        show_stage(trace, stage, "live")
    st.download_button("Download this step's numbers (CSV)", trace_csv(trace), "step.csv", "text/csv",
                       key=k("dl_step"), on_click="ignore")


if "Step through one training step" in tabs:
    with tabs["Step through one training step"]:
        if ss[k("playing")]:
            st.info("Training is playing: pause to step through the current network, number by number.")
        else:
            step_through()


def _editor(values: np.ndarray, key: str) -> np.ndarray:
    """A matrix editor whose edits survive a visit to another page or tab: Streamlit keeps a data editor's edits
    as changes to the data it was given, drops them when a run does not draw it, and cannot have them written back;
    so an editor drawn again starts from the last matrix it returned."""
    state, base, last = st.session_state, f"{KEPT}{key}.base", f"{KEPT}{key}.last"
    if key not in state:
        state[base] = state.get(last, np.atleast_2d(values))
    df = pd.DataFrame(state[base])
    df.columns = [str(c) for c in df.columns]
    out = st.data_editor(df, key=key, num_rows="dynamic", width="stretch")
    state[last] = out.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return state[last]


if "Hand mode" in tabs:
    with tabs["Hand mode"]:
        st.markdown("Type the weights, biases, input and target of a 1-3 layer network and get every "
                    "intermediate of one gradient-descent step, computed by the same tested code as the live "
                    "network (float64). Rows of x and y are samples.")
        ex_name = st.selectbox("Worked example", list(EXAMPLES), key=k("hand_example"), persist_state="session")
        ex = EXAMPLES[ex_name]
        ex_id = list(EXAMPLES).index(ex_name)
        hc = st.columns([1, 1, 1])
        n_layers = hc[0].number_input("Layers", 1, 3, value=len(ex.weights), key=k(f"hand_layers.{ex_id}"),
                                      persist_state="session")
        loss_name = hc[1].selectbox("Loss", list(LOSSES), index=list(LOSSES).index(ex.loss),
                                    format_func=lambda n: LOSSES[n].title, key=k(f"hand_loss.{ex_id}"),
                                    persist_state="session")
        lr = hc[2].number_input("Learning rate", 0.0, 10.0, value=ex.lr, format="%.4f", key=k(f"hand_lr.{ex_id}"),
                                persist_state="session")
        ecols = st.columns(2 + n_layers)
        with ecols[0]:
            st.caption("x (samples × inputs)")
            hx = _editor(ex.x, k(f"hand_x.{ex_id}"))
        with ecols[1]:
            st.caption("y (samples × outputs)")
            hy = _editor(ex.y, k(f"hand_y.{ex_id}"))
        ws, bs, acts = [], [], []
        for i in range(n_layers):
            w0 = ex.weights[i] if i < len(ex.weights) else np.zeros((2, ex.weights[-1].shape[0]))
            b0 = ex.biases[i] if i < len(ex.biases) else np.zeros(2)
            a0 = ex.activations[i] if i < len(ex.activations) else "sigmoid"
            with ecols[2 + i]:
                acts.append(st.selectbox(f"f{i + 1}", list(ACTIVATIONS), index=list(ACTIVATIONS).index(a0),
                                         key=k(f"hand_act.{ex_id}.{i}"), persist_state="session"))
                st.caption(f"W{i + 1} (outputs × inputs)")
                ws.append(_editor(w0, k(f"hand_W.{ex_id}.{i}")))
                st.caption(f"b{i + 1}")
                bs.append(_editor(b0.reshape(1, -1), k(f"hand_b.{ex_id}.{i}")).reshape(-1))
        problem = HandProblem(tuple(ws), tuple(bs), tuple(acts), hx, hy, loss_name, float(lr))
        issues = check(problem)
        if issues:
            for issue in issues:
                st.error(literal(issue))
        else:
            hand = solve(problem)
            st.markdown(f"**Loss** {LOSSES[loss_name].formula} (averaged over {len(hx)} sample(s)): "
                        f"**{hand.loss:.6g}**")
            for stage in _stage_names(len(hand.layers)):
                with st.expander(stage, expanded=stage in ("Loss", "Update")):
                    show_stage(hand, stage, "hand")
        if ex_id == 1 and hx.shape[0] == 1 and hy.shape == hx.shape:
            losses = compare_losses(hy[0], hx[0])
            as_printed = np.array_equal(hx, ex.x) and np.array_equal(hy, ex.y)  # the note is about these numbers
            st.info(f"With ŷ = x typed above: ½·Σ(ŷ − y)² = **{losses['half_squared']:.4g}**, "
                    f"−Σ y log ŷ = **{losses['cross_entropy']:.4g}**, binary cross-entropy "
                    f"{losses['bce']:.4g}." + (" (Some tutorials print 0.45 and 0.2231 for this example: the values "
                                               "are 0.03 and 0.3285.)" if as_printed else ""))
        if ex_id == 2 and not issues and hx.shape[1] == 1 and hy.shape[1] == 1 and len(ws) == 1:
            demo = sign_demo(hx[:, 0], hy[:, 0], float(ws[0][0, 0]), float(bs[0][0]), float(lr))
            st.markdown("**The sign of the gradient.** dL/dW = Xᵀ(ŷ − y)/B. A loop that computes Xᵀ(y − ŷ) "
                        "and still does `w -= lr * dw` walks uphill:")
            st.line_chart(pd.DataFrame({"w -= lr·Xᵀ(ŷ − y)/B (correct)": demo.right,
                                        "w -= lr·Xᵀ(y − ŷ)/B (flipped sign)": demo.flipped}),
                          x_label="step", y_label="loss", height=220)

if "Compare two runs" in tabs:
    with tabs["Compare two runs"]:
        st.markdown("Pin the current run, change something (activation, optimizer, learning rate…), train again, "
                    "and compare on the same data.")
        if st.button("Pin the current run as run A", icon=":material/push_pin:", key=k("pin")):
            h = trainer.history
            ss[k("pinned")] = {
                "name": f"A: {setup.activation}, {OPTIMIZERS[setup.optimizer][0]}, lr {setup.learning_rate:g}",
                "data_key": (setup.dataset, setup.n_points, setup.noise, setup.train_percent, setup.data_seed),
                "history": (list(h.epochs), list(h.train_loss), list(h.test_loss)),
                "output": evaluate_plane(trainer.model, d.feature_names, 100).output, "head": trainer.head_name,
                "epoch": trainer.epoch}
        pinned = ss.get(k("pinned"))
        if pinned is None:
            st.caption("Nothing pinned yet.")
        else:
            same = pinned["data_key"] == (setup.dataset, setup.n_points, setup.noise, setup.train_percent,
                                          setup.data_seed)
            if not same:
                st.warning("Run A was trained on different data; the comparison is not like for like.")
            h = trainer.history
            name_b = f"B: {setup.activation}, {OPTIMIZERS[setup.optimizer][0]}, lr {setup.learning_rate:g}"
            st.plotly_chart(loss_figure([(pinned["name"], *pinned["history"]),
                                         (name_b, h.epochs, h.train_loss, h.test_loss)], height=260),
                            key=k("cmp_loss"))
            pc = st.columns(2)
            for col, (title, out, head_name) in zip(pc, [
                    (f"{pinned['name']} (epoch {pinned['epoch']})", pinned["output"], pinned["head"]),
                    (f"{name_b} (epoch {trainer.epoch})",
                     evaluate_plane(trainer.model, d.feature_names, 100).output, trainer.head_name)], strict=True):
                col.caption(title)
                col.plotly_chart(plane_figure(head_name, d.task, out, d.points, d.labels, d.is_train, height=340),
                                 key=k(f"cmp_{title[:1]}"))

if "Share and export" in tabs:
    with tabs["Share and export"]:
        sc = st.columns(2)
        with sc[0]:
            st.markdown("**Share**: the page address already holds the whole set-up; copy it from the browser. "
                        "Query part:")
            st.code("?" + urlencode(query) if query else "(all defaults)")
            st.multiselect("Classroom mode: hide these controls in the link", HIDEABLE, key=k("hide"),
                           persist_state="session")
            st.download_button("Set-up as JSON", to_json(setup), "network_builder_setup.json", "application/json",
                               key=k("dl_json"), on_click="ignore")
            up = st.file_uploader("Load a set-up JSON", type=["json"], key=k("json_upload"))
            if up is not None and ss.get(k("json_done")) != up.file_id:
                try:
                    loaded, warns = from_json(BuilderSetup, up.getvalue().decode("utf-8", errors="replace"))
                except SetupError as e:
                    st.error(f"Could not load {literal(up.name)}: {literal(e)}.")
                else:
                    ss[k("json_done")] = up.file_id
                    ss[k("pending")] = loaded
                    ss[k("link_warnings")] = warns
                    st.rerun()
        with sc[1]:
            st.markdown("**Export**")
            st.download_button("Loss history (CSV)", history_csv(trainer.history), "loss_history.csv", "text/csv",
                               key=k("dl_hist"), on_click="ignore")
            st.download_button("Trained weights (safetensors)", weights_safetensors(trainer.model),
                               "network.safetensors", "application/octet-stream", key=k("dl_weights"),
                               on_click="ignore")
            st.download_button("Runnable PyTorch script", training_script(
                setup, trainer.data, trainer.head_name, net_spec(setup, trainer.data).sizes,
                max(trainer.epoch, 100)), "nn_explorer_network.py", "text/x-python", key=k("dl_script"),
                on_click="ignore")
            st.caption("The script needs only torch and retrains the same network on the same points with the "
                       "same initial weights and batch order. Plotly's toolbar on each chart saves a PNG.")
