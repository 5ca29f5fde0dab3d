"""The trace's every number against torch.autograd in float64, and its update against the real torch.optim step."""

import copy

import pytest
import torch

from core.builder.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.builder.losses import HEADS, LOSSES, REGULARIZATIONS
from core.builder.model import NetSpec, build_model
from core.builder.optimizers import OPTIMIZERS
from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trace import trace_step
from core.builder.trainer import Trainer

# every task head, plus output/loss pairs hand mode allows (no shortcut: the chain rule through f′)
OUTPUTS = [(h.activation, h.loss) for h in HEADS.values()] + [
    ("sigmoid", "half_squared"),
    ("sigmoid", "cross_entropy"),
    ("linear", "half_squared"),
    ("tanh", "half_squared"),
]


def _targets(act: str, loss: str, b: int, k: int, gen) -> torch.Tensor:
    if act == "softmax":
        return torch.eye(k, dtype=torch.float64)[torch.randint(0, k, (b,), generator=gen)]
    if loss in ("bce", "cross_entropy"):
        return torch.randint(0, 2, (b, k), generator=gen).double()
    return torch.randn(b, k, generator=gen, dtype=torch.float64)


def _autograd(model, x, y, loss, reg, rate):
    """Reference: the same network run by torch ops, loss from the activated output, gradients by autograd."""
    x = x.clone().requires_grad_()
    a, zs, as_ = x, [], []
    for lin, act in zip(model.linears, model.spec.activations, strict=True):
        z = lin(a)
        z.retain_grad()
        a = ACTIVATIONS[act].f(z)
        a.retain_grad()
        zs.append(z)
        as_.append(a)
    data = LOSSES[loss].value(a, y)
    penalty = sum(REGULARIZATIONS[reg].penalty(lin.weight, rate) for lin in model.linears)
    model.zero_grad()
    (data + penalty).backward()
    return x, zs, as_, float(data.detach()), float(penalty.detach() if torch.is_tensor(penalty) else penalty)


@pytest.mark.parametrize("reg", list(REGULARIZATIONS))
@pytest.mark.parametrize(("out_act", "loss"), OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_every_traced_quantity_matches_float64_autograd(hidden, out_act, loss, reg):
    gen = torch.Generator().manual_seed(7)
    k = 3
    model = build_model(NetSpec((3, 4, 3, k), (hidden, hidden, out_act)), 11, torch.float64)
    with torch.no_grad():  # non-zero biases, so b and dL/db are exercised
        for lin in model.linears:
            lin.bias.uniform_(-0.5, 0.5, generator=gen)
    x = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    y = _targets(out_act, loss, 5, k, gen)
    t = trace_step(model, x, y, loss, reg, 0.1)
    xr, zs, as_, data, penalty = _autograd(model, x, y, loss, reg, 0.1)
    close = dict(rtol=1e-9, atol=1e-12)
    assert t.data_loss == pytest.approx(data, rel=1e-9)
    assert t.reg_loss == pytest.approx(penalty, rel=1e-9, abs=1e-12)
    for i, (layer, lin) in enumerate(zip(t.layers, model.linears, strict=True)):
        torch.testing.assert_close(layer.z, zs[i].detach(), **close)
        torch.testing.assert_close(layer.a, as_[i].detach(), **close)
        torch.testing.assert_close(layer.dL_dz, zs[i].grad, **close)
        if layer.dL_da is not None:
            torch.testing.assert_close(layer.dL_da, as_[i].grad, **close)
        torch.testing.assert_close(layer.dL_dW, lin.weight.grad, **close)
        torch.testing.assert_close(layer.dL_db, lin.bias.grad, **close)
        torch.testing.assert_close(layer.dL_da_prev, (as_[i - 1] if i else xr).grad, **close)
    assert (t.layers[-1].dL_da is None) == (t.shortcut is not None)


@pytest.mark.parametrize("name", list(HIDDEN_ACTIVATIONS))
def test_activation_derivatives_match_autograd(name):
    z = torch.linspace(-4, 4, 101, dtype=torch.float64).requires_grad_()
    a = ACTIVATIONS[name].f(z)
    (grad,) = torch.autograd.grad(a.sum(), z)
    torch.testing.assert_close(ACTIVATIONS[name].df(z.detach(), a.detach()), grad)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_traced_update_is_the_live_optimizers_next_step(optimizer):
    setup = BuilderSetup(
        optimizer=optimizer, learning_rate=0.1, regularization="l2", reg_rate=0.01, n_points=60, batch_size=6
    )
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(2)  # momentum / Adam state is non-trivial now
    x, y = trainer.x_train[:6], trainer.y_train[:6]
    before = copy.deepcopy(trainer.model.state_dict())
    state_before = copy.deepcopy(trainer.optimizer.state_dict())
    t = trace_step(trainer.model, x, y, trainer.head.loss, "l2", 0.01, trainer.optimizer, optimizer, 0.1)
    for k, v in trainer.model.state_dict().items():  # the trace changed nothing live
        torch.testing.assert_close(v, before[k], rtol=0, atol=0)
    assert str(trainer.optimizer.state_dict()) == str(state_before)
    trainer.optimizer.zero_grad()
    trainer.loss(x, y).backward()
    trainer.optimizer.step()
    for layer, lin in zip(t.layers, trainer.model.linears, strict=True):
        torch.testing.assert_close(layer.W_after, lin.weight.detach(), rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(layer.b_after, lin.bias.detach(), rtol=1e-5, atol=1e-6)


def test_sgd_update_is_minus_lr_times_gradient():
    model = build_model(NetSpec((2, 3, 1), ("tanh", "sigmoid")), 0, torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    t = trace_step(model, x, torch.ones(1, 1, dtype=torch.float64), "bce", optimizer=opt, optimizer_name="sgd")
    for layer in t.layers:
        torch.testing.assert_close(layer.W_after, layer.W - 0.5 * layer.dL_dW)
        torch.testing.assert_close(layer.b_after, layer.b - 0.5 * layer.dL_db)


def test_the_stages_walk_forward_up_the_loss_and_backward_down_then_the_update():
    from core.builder.trace import Stage, stages

    walk = stages(3)
    assert [(s.kind, s.layer) for s in walk] == [
        ("forward", 1),
        ("forward", 2),
        ("forward", 3),
        ("loss", None),
        ("backward", 3),
        ("backward", 2),
        ("backward", 1),
        ("update", None),
    ]
    assert [s.title for s in walk[2:5]] == ["Forward: layer 3", "Loss", "Backward: layer 3"]
    assert Stage("update").title == "Update" and len(stages(1)) == 4
