"""Whose loss landscape is drawn: the Network builder's trained network when the user has one, else a default
MLP (Li et al.'s plots need a trained point θ*, the racers a common start θ₀).

The builder's network is read through `core.builder.trained.training_copy`: a detached copy, so the builder keeps
training its own model while this tool differentiates and vmaps over copies of the parameters.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor, nn

from core.builder.losses import HEADS, REGULARIZATIONS
from core.builder.model import MLP, build_model
from core.builder.trained import TrainedNetwork, training_copy
from core.race.landscape import Params, Problem, flatten, toy_problem, train

DEFAULT_STEPS = 300
SOURCES = {"builder": "the one you trained in the Network builder", "default": "the default MLP"}
DIVERGED = (
    "The Network builder's network has diverged (its loss is not finite), so it has no landscape to show: "
    "showing the default MLP. Reset the network in the builder with a lower learning rate."
)


class Logits(nn.Module):
    """An MLP's output layer pre-activation z [N, K]: the losses take z for their numerically stable form."""

    def __init__(self, mlp: MLP):
        super().__init__()
        self.mlp = mlp

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp.logits(x)


@dataclass(frozen=True, eq=False)
class LandscapeNetwork:
    """A network ready for the landscape tab: its loss over all parameters, θ₀ and θ*.

    `key` fingerprints the weights, data and loss: equal keys give equal landscapes (a safe shared-cache key).
    """

    title: str  # e.g. "Network builder's network: 2-4-2-1 tanh, circle, 120 epochs"
    loss_name: str
    problem: Problem
    start: Params  # where the racers start: the network's initialisation
    trained: Params  # θ*, the centre of the slices
    key: str

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.trained.values())

    @property
    def trained_loss(self) -> float:
        """The loss at θ* (the loss its training minimises)."""
        return self.problem.loss(self.trained).item()

    def own_copy(self) -> LandscapeNetwork:
        """The same network on a module of its own: calls on one module take turns (functional_call swaps its
        parameters while it runs; see `Problem.lock`), so sessions that share a LandscapeNetwork each compute on a
        copy instead of waiting for each other."""
        problem = dataclasses.replace(self.problem, model=copy.deepcopy(self.problem.model))
        return dataclasses.replace(self, problem=problem)


def default_network() -> LandscapeNetwork:
    """MLP 2 → 16 → 16 → 1 (ReLU) on 128 points of two moons, sigmoid + binary cross-entropy (the builder's
    two-class head), θ* after 300 full-batch Adam steps."""
    problem = toy_problem()
    return LandscapeNetwork(
        f"default MLP: 2-16-16-1 ReLU, two moons (128 points), {DEFAULT_STEPS} full-batch Adam steps",
        HEADS["sigmoid_bce"].title,
        problem,
        problem.params(),
        train(problem, DEFAULT_STEPS),
        "default",
    )


def builder_network(trained: TrainedNetwork) -> LandscapeNetwork:
    """The builder's network with the loss its trainer reports: the head's loss on the training points plus the
    regularization penalty on the weight matrices; racers start from the builder's initialisation (its seed)."""
    data = training_copy(trained)
    weights = [f"mlp.linears.{i}.weight" for i in range(len(data.model.linears))]
    penalty = None if data.regularization == "none" else (lambda p: data.penalty([p[n] for n in weights]))
    problem = Problem(Logits(data.model), data.inputs, data.targets, data.data_loss, penalty)
    spec, setup = data.model.spec, trained.setup
    init = Logits(build_model(spec, setup.init_seed, data.inputs.dtype))
    loss_name = HEADS[data.head].title
    if data.regularization != "none":
        loss_name += f" + {REGULARIZATIONS[data.regularization].title} penalty (λ = {data.reg_rate:g})"
    theta = problem.params()
    digest = hashlib.sha256()
    for t in (flatten(theta), data.inputs, data.targets):
        digest.update(t.contiguous().numpy().tobytes())
    digest.update(f"{spec}|{data.head}|{data.regularization}|{data.reg_rate!r}|{setup.init_seed}".encode())
    hidden = setup.activation if len(spec.sizes) > 2 else "no hidden layer"
    sizes = "-".join(map(str, spec.sizes))
    title = f"Network builder's network: {sizes} {hidden}, {setup.dataset}, {trained.epochs} epochs"
    return LandscapeNetwork(
        title,
        loss_name,
        problem,
        {n: p.detach().clone() for n, p in init.named_parameters()},
        theta,
        digest.hexdigest(),
    )


def landscape_network(
    trained: TrainedNetwork | None, source: str, default: Callable[[], LandscapeNetwork]
) -> tuple[LandscapeNetwork, str | None]:
    """The network whose landscape is drawn, and a note when it is not the one asked for: the builder's network
    when there is one and `source` is "builder", else `default()`; a builder's network whose loss is not finite
    (it diverged) has no landscape, so the default is drawn instead."""
    if trained is None or source != "builder":
        return default(), None
    net = builder_network(trained)
    if not math.isfinite(net.trained_loss):
        return default(), DIVERGED
    return net, None
