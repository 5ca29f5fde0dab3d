"""The landscape of the Network builder's network is the loss its trainer reports, for every task, and reading it
leaves the builder's model untouched."""

from __future__ import annotations

import pytest
import torch

from core.builder.model import build_model
from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trained import from_trainer, train_default_network, training_copy
from core.builder.trainer import Trainer
from core.models import ModelSnapshot
from core.race.landscape import (
    filter_normalized_direction,
    flatten,
    line_losses,
    plane_losses,
    top_hessian_eigen,
)
from core.race.network_race import race_network
from core.race.networks import builder_network, default_network, landscape_network
from core.race.racers import make_racer
from core.race.stepper import LoopConfig

SETUPS = {
    "binary": BuilderSetup(),
    "binary, tanh head, L1": BuilderSetup(binary_head="tanh_mse", regularization="l1", reg_rate=0.01),
    "3 classes, L2": BuilderSetup(dataset="blobs", regularization="l2", reg_rate=0.03, features=("x1", "x2", "x1*x2")),
    "regression, relu": BuilderSetup(dataset="plane", activation="relu", hidden=(3,)),
    "no hidden layer": BuilderSetup(hidden=()),
}


def trained_trainer(setup: BuilderSetup, epochs: int = 15) -> Trainer:
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(epochs)
    return trainer


@pytest.mark.parametrize("name", list(SETUPS))
def test_loss_at_the_centre_is_the_trainers_reported_loss(name):
    trainer = trained_trainer(SETUPS[name])
    net = builder_network(from_trainer(trainer))
    center = flatten(net.trained)
    reported = trainer.history.train_loss[-1]
    assert net.problem.loss(net.trained).item() == pytest.approx(reported, rel=1e-6)
    with torch.no_grad():
        assert net.problem.loss(net.trained).item() == pytest.approx(
            trainer.loss(trainer.x_train, trainer.y_train).item(), rel=1e-6
        )
    # the batched slices and the curvature run on it, and the slice's centre is that loss too
    d1, d2 = (flatten(filter_normalized_direction(net.trained, s)) for s in (0, 1))
    a = torch.linspace(-1, 1, 5)
    assert plane_losses(net.problem, center, d1, d2, a, a).loss[2, 2].item() == pytest.approx(reported, rel=1e-5)
    assert line_losses(net.problem, center, d1, a)[2].item() == pytest.approx(reported, rel=1e-5)
    lam, vec, _ = top_hessian_eigen(net.problem, net.trained, iters=30)
    assert torch.isfinite(vec).all() and lam == lam


def test_the_penalty_is_on_weights_only_as_the_trainer_counts_it():
    trainer = trained_trainer(SETUPS["3 classes, L2"])
    net = builder_network(from_trainer(trainer))
    weights = [lin.weight.detach() for lin in trainer.model.linears]
    expected = 0.5 * 0.03 * sum(float((w * w).sum()) for w in weights)
    data_only = net.problem.criterion(net.problem.model(net.problem.inputs), net.problem.targets)
    assert net.problem.loss(net.trained).item() - data_only.item() == pytest.approx(expected, rel=1e-4)
    assert "L2 penalty" in net.loss_name and "softmax" in net.loss_name


def test_reading_the_builders_network_leaves_it_untouched():
    trainer = trained_trainer(BuilderSetup(), epochs=5)
    trained = from_trainer(trainer)
    before = ModelSnapshot.of(trained.model)
    state = {n: t.clone() for n, t in trained.model.state_dict().items()}
    net = builder_network(trained)
    runs, errors = race_network(net.problem, (make_racer("Adam", lr=0.05),), net.start, LoopConfig(steps=10))
    top_hessian_eigen(net.problem, net.trained, iters=5)
    assert not errors and runs[0].thetas.shape == (11, net.n_params)
    assert ModelSnapshot.of(trained.model) == before
    for n, t in trained.model.state_dict().items():
        assert torch.equal(t, state[n])
    trainer.run(2)  # the builder keeps training its own model; the copy does not follow
    assert not torch.equal(trainer.model.linears[0].weight, net.trained["mlp.linears.0.weight"])


def test_racers_start_from_the_builders_initialisation():
    setup = BuilderSetup(init_seed=7)
    net = builder_network(train_default_network(setup, epochs=3))
    fresh = build_model(training_copy(train_default_network(setup, epochs=1)).model.spec, 7)
    torch.testing.assert_close(net.start["mlp.linears.0.weight"], fresh.linears[0].weight.detach())
    assert net.title == "Network builder's network: 2-4-2-1 tanh, circle, 3 epochs"


def test_key_changes_with_the_weights_and_the_default_is_named():
    trainer = trained_trainer(BuilderSetup(), epochs=2)
    first = builder_network(from_trainer(trainer)).key
    assert builder_network(from_trainer(trainer)).key == first
    trainer.run(1)
    assert builder_network(from_trainer(trainer)).key != first
    assert default_network().title.startswith("default MLP: 2-16-16-1 ReLU")


def test_own_copy_computes_the_same_loss_on_another_module():
    net = default_network()
    mine = net.own_copy()
    assert mine.problem.model is not net.problem.model and mine.key == net.key
    assert mine.problem.loss(mine.trained).item() == net.problem.loss(net.trained).item()


def test_a_detached_copy_has_the_same_outputs_no_gradients_and_draws_no_random_numbers():
    from core.builder.trained import detached_model

    trained = train_default_network(BuilderSetup(n_points=60), epochs=2)
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    copy = detached_model(trained)
    assert torch.equal(torch.rand(3), expected_next)  # the global RNG stream of the session is untouched
    x = trained.to_features(trained.points[:5])
    assert torch.equal(copy(x), trained.model(x))
    assert all(p.grad is None and not p.requires_grad for p in copy.parameters())
    assert copy.linears[0].weight.data_ptr() != trained.model.linears[0].weight.data_ptr()


def test_the_landscape_is_the_builders_network_when_asked_for_and_sane_else_the_default_with_why():
    trained = train_default_network(BuilderSetup(n_points=60), epochs=2)
    default = default_network()
    net, note = landscape_network(trained, "builder", lambda: default)
    assert net.title.startswith("Network builder's network") and note is None
    assert net.trained_loss == net.problem.loss(net.trained).item()
    assert landscape_network(trained, "default", lambda: default) == (default, None)
    assert landscape_network(None, "builder", lambda: default) == (default, None)
    with torch.no_grad():
        trained.model.linears[0].weight.fill_(float("nan"))  # this test's own network, as after a blow-up
    net, note = landscape_network(trained, "builder", lambda: default)
    assert net is default and "diverged" in note and "lower learning rate" in note
