"""Network builder page through AppTest: controls change the real network, stepping and resetting, the link."""

from __future__ import annotations

import threading

import pytest
import torch
from streamlit.testing.v1 import AppTest

from core.builder.setup import BuilderSetup
from core.builder.trained import TrainedNetwork
from core.builder.trainer import Trainer
from core.catalog import ROOT
from core.work import default_queue
from pages.builder import live
from pages.builder.share import page_link
from pages.kit import TRAINED_NETWORK
from tests.markdown import shown

PAGE = str(ROOT / "pages" / "network_builder.py")
P = "builder."


def run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def trainer(at: AppTest):
    return at.session_state[P + "trainer"]


@pytest.fixture(scope="module")
def page() -> AppTest:
    return run({"n_points": "100"})


def test_page_shares_its_trained_network_for_other_tools(page):
    net = page.session_state[TRAINED_NETWORK.key]
    assert isinstance(net, TrainedNetwork) and net.task == "binary"
    assert net.model(net.to_features(net.points[:3])).shape == (3, 1)
    assert not page.error


def test_step_trains_one_epoch_and_reset_restores_the_same_initial_weights(page):
    w0 = trainer(page).model.linears[0].weight.detach().clone()
    page.button(key=P + "step").click().run()
    assert trainer(page).epoch == 1
    assert not torch.equal(trainer(page).model.linears[0].weight, w0)
    page.button(key=P + "reset").click().run()
    assert trainer(page).epoch == 0
    torch.testing.assert_close(trainer(page).model.linears[0].weight.detach(), w0)
    page.button(key=P + "new_weights").click().run()
    assert trainer(page).init_seed == 1
    assert not torch.equal(trainer(page).model.linears[0].weight, w0)


def test_add_layer_neurons_and_change_activation(page):
    page.button(key=P + "add_layer").click().run()
    assert trainer(page).model.spec.sizes == (2, 4, 2, 2, 1)
    page.button(key=P + "more.2").click().run()
    assert trainer(page).model.spec.sizes == (2, 4, 2, 3, 1)
    page.selectbox(key=P + "activation").select("relu").run()
    assert trainer(page).model.spec.activations == ("relu", "relu", "relu", "sigmoid")
    assert page.query_params["activation"] == ["relu"] or page.query_params["activation"] == "relu"
    page.button(key=P + "remove_layer").click().run()
    assert trainer(page).model.spec.sizes == (2, 4, 2, 1)


def test_stepper_walks_forward_and_backward_and_predict_hides_numbers():
    at = run({"n_points": "60"})
    for _ in range(4):  # forward 1-3, loss → backward 3
        at.button(key=P + "next").click().run()
    assert at.session_state[P + "stage"] == 4
    assert any("partial L" in x.value for x in at.latex)  # the backward formulas are shown
    at.toggle(key=P + "predict").set_value(True).run()
    assert any("guess" in i.value for i in at.info)
    assert not any("partial L" in x.value for x in at.latex)  # hidden until the student guesses
    at.radio(key=P + "guess.live.3").set_value("positive").run()
    assert len(at.success) + len(at.error) == 1  # the verdict
    assert any("partial L" in x.value for x in at.latex)  # then the numbers
    for _ in range(4):  # backward 2, 1 → update
        at.button(key=P + "next").click().run()
    assert at.session_state[P + "stage"] == 7
    assert any("guess" in i.value for i in at.info)  # the update's sign is asked for too
    assert not any("**Update**" in m.value for m in at.markdown)
    at.radio(key=P + "guess.live.update").set_value("zero").run()
    verdicts = [m.value for m in at.error if "update of W1[0, 0]" in m.value]  # an SGD step is never exactly 0 here
    assert len(verdicts) == 1 and ("it is positive" in verdicts[0] or "it is negative" in verdicts[0])
    assert any("**Update**" in m.value for m in at.markdown)  # then the numbers


def test_link_reopens_the_same_setup_and_garbage_warns():
    at = run({"hidden": "3,3,3", "activation": "gelu", "dataset": "spiral3", "n_points": "90"})
    s: BuilderSetup = at.session_state[P + "setup"]
    assert (s.hidden, s.activation, s.dataset) == ((3, 3, 3), "gelu", "spiral3")
    assert trainer(at).model.spec.sizes == (2, 3, 3, 3, 3)
    bad = run({"hidden": "0,99", "learning_rate": "nan", "features": "x9", "optimizer": "<script>"})
    assert bad.session_state[P + "setup"] == BuilderSetup()
    assert len(bad.warning) >= 4


def test_huge_learning_rate_stops_with_a_message_and_reset_recovers():
    at = run({"dataset": "plane", "n_points": "100", "learning_rate": "10", "activation": "linear", "hidden": "8,8"})
    for _ in range(20):
        at.button(key=P + "step").click().run()
        if trainer(at).status == "diverged":
            break
    assert trainer(at).status == "diverged"
    assert any("learning rate" in e.value for e in at.error)
    at.button(key=P + "reset").click().run()
    assert trainer(at).status == "ready" and trainer(at).epoch == 0 and not at.exception


def test_classroom_link_hides_controls_and_hand_mode_renders():
    at = run({"hide": "network,training", "n_points": "60"})
    keys = {b.key for b in at.button}
    assert P + "add_layer" not in keys and P + "step" in keys
    assert not any(s.key == P + "activation" for s in at.selectbox)
    at.session_state[P + "tab"] = "Hand mode"  # tabs run only when open
    at.run()
    assert any("0.03" in str(m.value) or "Loss" in str(m.value) for m in at.markdown)


def test_a_student_on_a_classroom_link_cannot_unhide_and_a_teacher_picks_groups_by_name():
    student = run({"hide": "data,network", "n_points": "60"})
    student.session_state[P + "tab"] = "Share and export"
    student.run()
    assert not any(m.key == P + "hide" for m in student.multiselect)
    assert any("hides Data and your own points, Hidden layers" in c.value for c in student.caption)
    teacher = run({"n_points": "60"})
    teacher.session_state[P + "tab"] = "Share and export"
    teacher.run()
    hide = teacher.multiselect(key=P + "hide")
    assert "Hidden layers" in hide.options and "network" not in hide.options
    teacher.multiselect(key=P + "hide").select("network").run()
    assert teacher.query_params["hide"] == "network"
    assert any(m.key == P + "hide" for m in teacher.multiselect)  # the teacher can go on choosing


def test_the_link_to_copy_is_the_whole_address_with_the_set_up():
    query = {"dataset": "xor", "hidden": "3"}
    assert page_link("http://class.example:8501/network-builder", query) == (
        "http://class.example:8501/network-builder?dataset=xor&hidden=3"
    )
    assert page_link(None, query) == "?dataset=xor&hidden=3"  # no browser told the address: the query alone
    assert page_link("http://h/network-builder", {}) == "http://h/network-builder"


def test_largest_network_6x8_with_every_feature_renders_and_steps():
    at = run({"hidden": "8,8,8,8,8,8", "features": "x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)", "n_points": "100"})
    assert trainer(at).model.spec.sizes == (7, 8, 8, 8, 8, 8, 8, 1)
    at.button(key=P + "step").click().run()
    assert trainer(at).epoch == 1 and not at.exception and not at.error
    assert at.button(key=P + "add_layer").disabled and at.button(key=P + "more.0").disabled


def test_take_this_step_applies_exactly_the_traced_update():
    at = run({"n_points": "60", "optimizer": "adam"})
    at.button(key=P + "step").click().run()
    t = trainer(at)
    x, y = t.data.features[[0]], t.data.targets(t.head_name)[[0]]
    from core.builder.trace import trace_step

    traced = trace_step(t.model, x, y, t.head.loss, optimizer=t.optimizer, optimizer_name="adam", lr=0.03)
    at.session_state[P + "sample"] = 0
    at.button(key=P + "apply").click().run()
    for layer, lin in zip(traced.layers, trainer(at).model.linears, strict=True):
        torch.testing.assert_close(lin.weight.detach(), layer.W_after, rtol=1e-5, atol=1e-6)


def test_own_points_in_a_link_are_the_data_and_a_broken_list_warns():
    csv = "x1,x2,label\n1,1,0\n-1,-1,1\n2,-2,0\n-2,2,1\n0.5,0.25,1\n"
    at = run({"dataset": "custom", "points": csv})
    data = trainer(at).data
    assert data.points.tolist() == [[1, 1], [-1, -1], [2, -2], [-2, 2], [0.5, 0.25]]
    assert data.labels.tolist() == [0, 1, 0, 1, 1]
    assert any("5 points travel in the page's link" in c.value for c in at.caption)
    assert at.query_params["points"] == csv
    broken = run({"dataset": "custom", "points": "x1,x2,label\n1,nan,0\n"})
    assert any("points" in w.value for w in broken.warning)
    assert any("Click on the plane to add points" in i.value for i in broken.info)  # the blank canvas


def test_own_points_start_from_a_blank_canvas_with_no_network_until_there_are_points():
    at = run({"dataset": "custom"})
    assert any("Click on the plane to add points of class 0" in i.value for i in at.info)
    assert P + "trainer" not in at.session_state  # nothing to train: no circle behind the canvas
    assert at.button(key=P + "blank").disabled  # already blank
    assert at.button(key=P + "use_canvas").disabled  # no points of two classes yet
    assert not at.tabs  # the step-through, hand mode… need a network
    assert at.slider(key=P + "noise").disabled and at.slider(key=P + "n_points").disabled  # nothing generated


def test_start_from_a_blank_canvas_clears_the_points_of_a_generated_dataset():
    at = run({"n_points": "100"})
    assert at.button(key=P + "blank").label == "Start from a blank canvas"
    at.button(key=P + "blank").click().run()
    assert at.query_params["dataset"] == "custom"
    assert any("Click on the plane to add points of class 0" in i.value for i in at.info)
    assert at.session_state[P + "click_add"]


def test_link_values_quoted_in_warnings_are_shown_literally():
    at = run({"dataset": "custom", "points": "__import__,*1*,2"})
    warnings = [shown(w.value) for w in at.warning]
    assert any("The header is '__import__, *1*, 2'" in w for w in warnings), warnings


def _train_until_stopped(at: AppTest) -> None:
    for _ in range(30):
        if not trainer(at).ready:
            return
        at.button(key=P + "step").click().run()
    raise AssertionError("training did not stop")


@pytest.mark.parametrize(
    ("query", "change"),
    [
        ({"max_epochs": "2"}, lambda at: at.selectbox(key=P + "activation").select("relu")),  # a new network
        ({"max_epochs": "2"}, lambda at: at.number_input(key=P + "max_epochs").set_value(5)),  # retuned
        ({"target_loss": "0.9"}, lambda at: at.number_input(key=P + "target_loss").set_value(0.001)),
        (
            {"learning_rate": "10", "activation": "linear", "hidden": "8,8", "dataset": "plane"},
            lambda at: at.selectbox(key=P + "activation").select("tanh"),
        ),
    ],
    ids=["max-epochs-then-activation", "max-epochs-then-max-epochs", "target-loss", "diverged-then-activation"],
)
def test_play_is_enabled_on_the_run_that_makes_a_stopped_network_trainable_again(query, change):
    at = run({"dataset": "xor", "n_points": "60"} | query)
    _train_until_stopped(at)
    assert at.button(key=P + "play").disabled
    change(at).run()
    assert trainer(at).ready
    assert not at.button(key=P + "play").disabled  # on this run, not after a second change


def test_the_steppers_mini_batch_is_the_one_training_takes_next_and_its_step_is_trainings_step():
    at = run({"dataset": "xor", "n_points": "60", "batch_size": "10", "optimizer": "momentum"})
    at.radio(key=P + "trace_what").set_value("the mini-batch").run()
    reference = Trainer(trainer(at).setup, trainer(at).data)
    x, _ = reference.next_batch()
    assert any("batch 1 of" in c.value and "shuffled" in c.value for c in at.caption)
    torch.testing.assert_close(trainer(at).next_batch()[0], x, rtol=0, atol=0)
    change = reference.step()
    at.button(key=P + "apply").click().run()
    for p, q in zip(trainer(at).model.parameters(), reference.model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert any("batch 2 of" in c.value for c in at.caption)
    assert any("trained (the losses are epoch 0's)" in m.value for m in at.markdown)  # not the stepped network's
    (said,) = [s.value for s in at.success if "Step taken" in s.value]
    assert f"({change.batch_after - change.batch_before:+.3g})" in said  # the change itself, not 4 rounded decimals


def test_confusion_matrix_says_it_counts_the_test_points(page):
    n_test = int((~trainer(page).data.is_train).sum())
    assert any(f"Confusion matrix on the {n_test:,} test points" in c.value for c in page.caption)


def test_a_slow_epoch_asked_for_by_step_shows_its_progress_and_pause_stops_it():
    """Issue 14: 6×8 hidden, 2,000 points, batch 1: an epoch takes several frames; each shows how much of it is
    trained, and Pause (shown while Step's epochs train) stops them."""
    at = run({"hidden": "8,8,8,8,8,8", "n_points": "2000", "batch_size": "1"})
    at.button(key=P + "step").click().run()
    assert trainer(at).epoch == 0 and 0 < trainer(at).epoch_progress < 1  # a frame's worth of the epoch
    assert any("epoch 1:" in m.value and "% trained" in m.value for m in at.markdown)
    assert at.button(key=P + "play").label == "Pause"
    at.button(key=P + "play").click().run()
    part = trainer(at).epoch_progress
    at.run()
    assert trainer(at).epoch_progress == part and at.button(key=P + "play").label == "Play"


def test_a_frame_waiting_for_a_free_core_says_so(monkeypatch):
    """Training frames take turns on the server's cores: one that waits says so (with a class playing, a wait can
    last seconds) instead of leaving a greyed page."""
    queue = default_queue()
    held, release = threading.Barrier(queue.slots + 1), threading.Event()

    def hold(i: int) -> None:
        with queue.turn(owner=f"another student {i}", label="live training"):
            held.wait()
            release.wait(60)

    others = [threading.Thread(target=hold, args=(i,)) for i in range(queue.slots)]
    for t in others:
        t.start()
    held.wait()
    said, waiting = [], live.waiting

    def seen(place: int) -> str:
        said.append(waiting(place))
        release.set()
        return said[-1]

    monkeypatch.setattr(live, "waiting", seen)
    try:
        at = run({"n_points": "60"})
        at.button(key=P + "step").click().run()
    finally:
        release.set()
        for t in others:
            t.join()
    assert said and said[0].startswith("Training waits for a free core on the server: next in line")
    assert trainer(at).epoch == 1 and not at.exception  # then it trained


def test_with_no_feature_ticked_play_is_there_but_greyed():
    at = run({"n_points": "60", "features": "x1"})
    at.checkbox(key=P + "features.x1").uncheck().run()
    assert any("Tick at least one input feature" in i.value for i in at.info)
    assert at.button(key=P + "play").disabled


def test_share_says_what_a_reload_loses_once_there_is_training_to_lose():
    at = run({"n_points": "60"})
    at.session_state[P + "tab"] = "Share and export"
    at.run()
    assert not any("Reloading the page" in c.value for c in at.caption)  # nothing trained yet
    at.button(key=P + "step").click().run()
    at.run()  # the live view trains Step's epoch frame by frame
    assert trainer(at).epoch >= 1
    assert any("Reloading the page (F5) starts afresh" in c.value for c in at.caption)
