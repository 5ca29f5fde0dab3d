"""The live view: the network, the output over the plane, the loss curves and the metrics, as one fragment that
reruns on a timer while training plays (or while epochs Step asked for are left), training a frame each time.

While frames follow each other they are drawn light (JPEG images, the network redrawn every NET_EVERY frames);
paused, the interactive Plotly figures come back (hover, click a point)."""

from __future__ import annotations

import streamlit as st

from core.builder.evaluate import dead_relus, evaluate_plane, gradient_warning, metrics
from core.builder.trained import from_trainer
from core.builder.trainer import Trainer
from core.device import configure_threads
from core.figures.builder.curves import confusion_figure, grad_norm_figure, loss_figure, thin
from core.figures.builder.network import NetworkDrawing, network_drawing, network_figure
from core.figures.builder.plane import plane_figure
from core.figures.builder.raster import jpeg, loss_raster, network_raster, plane_raster
from core.work import default_queue
from pages.builder import points
from pages.builder.state import STATE, animating
from pages.kit import TRAINED_NETWORK
from pages.session import session_fragment, session_id

FPS = 15  # refreshes asked for while playing; slower frames queue (a fragment rerun never interrupts another)
NET_EVERY = 4  # the neuron thumbnails and weight lines are redrawn every 4th frame while playing
FRAME_TRAIN_S = 0.15  # the most CPU time a frame trains: a slow epoch is cut short, goes on in the next frame


def render(trainer: Trainer) -> None:
    """Train this run's frame (before the view is declared: a Step that is done within this run needs no timer),
    then the view, refreshing itself while frames follow each other."""
    train_frame(trainer)
    st.session_state[STATE.key("frame_trained")] = True
    session_fragment(live_view, run_every=1 / FPS if animating() else None)()


def train_frame(trainer: Trainer) -> None:
    """One frame's training, while playing or while epochs asked for by Step are left. One line for every
    student's heavy work: frames take turns on the cores; a frame trains at most FRAME_TRAIN_S, so a slow set-up
    (batch 1, 2,000 points) shows its progress within the epoch and a click is answered between frames."""
    state = st.session_state
    asked = state.get(STATE.key("epochs_asked"), 0)
    if not animating() or not trainer.ready:
        return
    note = st.empty()  # while other students' frames hold the server's cores: this one's place in line
    with default_queue().turn(
        owner=session_id(), label="live training", on_wait=lambda place: note.caption(waiting(place))
    ):
        note.empty()
        done = trainer.run(asked or int(state.get(STATE.key("speed"), 5)), seconds=FRAME_TRAIN_S)
    if asked:
        state[STATE.key("epochs_asked")] = max(0, state.get(STATE.key("epochs_asked"), 0) - done)


def waiting(place: int) -> str:
    """What a frame that waits for a free core says (`place` 1 = next)."""
    ahead = f"{place - 1:,} other training frame(s) ahead" if place > 1 else "next in line"
    return f"Training waits for a free core on the server: {ahead}. Pause stops it."


def _network_frame(drawing: NetworkDrawing) -> str:
    """The network drawing while playing, redrawn every NET_EVERY frames (the plane and curves every frame)."""
    n, frame = st.session_state.get(STATE.key("net_frame"), (0, None))
    if frame is None or n % NET_EVERY == 0:
        frame = jpeg(network_raster(drawing.columns, drawing.weights))
    st.session_state[STATE.key("net_frame")] = (n + 1, frame)
    return frame


def live_view() -> None:
    """Train a frame (on the view's own reruns; a full run trained it already), then redraw the network, the
    plane, the curves and the metrics."""
    configure_threads()  # torch's thread count is per thread, and every (fragment) rerun runs in a new thread
    state = st.session_state
    trainer: Trainer = state[STATE.key("trainer")]
    was_animating = animating()
    if not state.pop(STATE.key("frame_trained"), False):
        train_frame(trainer)
    if was_animating and (not trainer.ready or not animating()):
        state[STATE.key("playing")], state[STATE.key("epochs_asked")] = False, 0
        st.rerun(scope="app")  # stops the refresh timer
    model, d = trainer.model, trainer.data
    TRAINED_NETWORK.put(from_trainer(trainer))
    plane = evaluate_plane(model, d.feature_names, 100)
    ncol, ocol = st.columns([1.35, 1], gap="small")
    light = animating()  # frames are drawn light (images) while they follow each other
    with ncol:
        drawing = network_drawing(model, plane, d.feature_names, trainer.head_name)
        if light:
            st.markdown(drawing.heading)
            st.image(_network_frame(drawing), width="stretch")
        else:
            state.pop(STATE.key("net_frame"), None)
            st.plotly_chart(
                network_figure(drawing.columns, drawing.titles, drawing.labels, drawing.weights),
                key=STATE.key("net_fig"),
                config={"displayModeBar": False},
            )
        st.caption(
            "Each square is a neuron's output over the input plane (orange −, blue +). Lines are weights: "
            "blue positive, orange negative, thicker = larger |w|. "
            + ("Pause to hover for values." if light else "Hover for values.")
        )
    with ocol:
        h = trainer.history
        m = metrics(model, trainer.head_name, d.features, d.labels, d.is_train, d.n_classes)
        part = trainer.epoch_progress  # a slow epoch is trained over several frames
        st.markdown(f"#### Epoch {trainer.epoch:,}")
        st.markdown(
            f"Training loss **{h.train_loss[-1]:.4g}** · test loss **{h.test_loss[-1]:.4g}**  \n"
            f"<small>weight seed {trainer.init_seed} · data seed {trainer.setup.data_seed}"
            + (
                f" · epoch {trainer.epoch + 1:,}: {part:.0%} trained (the losses are epoch {trainer.epoch:,}'s)"
                if part
                else ""
            )
            + "</small>",
            unsafe_allow_html=True,
        )
        if trainer.diverged:
            st.error(trainer.message)
        elif trainer.message:
            st.success(trainer.message)
        shown = trainer.setup
        # what the plane shows, the same in a playing frame's image and in the chart
        drawn = (
            trainer.head_name,
            d.task,
            plane.output,
            d.points,
            d.labels,
            d.is_train,
            shown.show_test,
            shown.discretize,
        )
        if light:
            st.image(jpeg(plane_raster(*drawn)), width="stretch")
        else:
            fig = plane_figure(
                *drawn,
                state.get(STATE.key("sample")),
                height=380,
                adding=bool(state.get(STATE.key("click_add"))),
            )
            event = st.plotly_chart(
                fig,
                key=STATE.key("plane_fig"),
                on_select="rerun",
                selection_mode="points",
                config={"displayModeBar": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
            )
            points.clicked(event, d)
        if d.task == "regression":
            st.caption(f"R²: train {m.train_r2:.3f} · test {m.test_r2:.3f}")
        else:
            st.caption(f"Accuracy: train {m.train_accuracy:.1%} · test {m.test_accuracy:.1%}")
        if light:
            st.image(
                jpeg(loss_raster(*thin(h.train_loss, h.test_loss))),
                width="stretch",
                caption="Loss (log scale): training dark, test grey. Pause for the confusion matrix and "
                "gradient health.",
            )
        else:
            st.plotly_chart(
                loss_figure([("run", h.epochs, h.train_loss, h.test_loss)], height=200),
                key=STATE.key("loss_fig"),
                config={"displayModeBar": False},
            )
        warn = gradient_warning(h.grad_norms[-1], h.train_loss[-1], shown.activation, shown.learning_rate)
        if warn:
            st.warning(warn)
        if light:  # fewer elements per frame; the expander comes back on pause
            return
        with st.expander("Confusion matrix and gradient health"):
            if m.confusion is not None:
                n_test = int(m.confusion.sum())
                st.caption(
                    f"Confusion matrix on the {n_test:,} test points (not trained on): rows the true class, "
                    "columns the predicted one; the test accuracy above is its diagonal's share."
                    if n_test
                    else "No test points for a confusion matrix: lower the training data %."
                )
                if n_test:
                    st.plotly_chart(
                        confusion_figure(m.confusion),
                        key=STATE.key("confusion_fig"),
                        config={"displayModeBar": False},  # it covered the "predicted" axis title
                    )
            dead = dead_relus(model, trainer.x_train)
            if any(a == "relu" for a in model.spec.activations):
                st.caption(
                    "Dead ReLUs (zero on every training point) per layer: "
                    + ", ".join(f"layer {i + 1}: {n}" for i, n in enumerate(dead))
                )
            if len(h.epochs) > 1:
                st.plotly_chart(grad_norm_figure(h.epochs[1:], h.grad_norms[1:]), key=STATE.key("grad_fig"))
            else:
                st.caption("Gradient norms appear after the first epoch.")
