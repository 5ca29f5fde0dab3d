"""Attributions for a small network on 2-D data: which input features (X1, X2 and engineered ones) drive an output.

Generic over any `torch.nn.Module` mapping features [N, F] → outputs [N, K] plus a function mapping raw points
[N, 2] → features [N, F] (the Network builder's trained network, or the default trained here). An attribution is
explained at one point, or at every point of a grid over the plane to draw one map per feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.attribution.problem import Problem

BASELINE_KINDS = ("zero", "mean", "point")


@dataclass(frozen=True, eq=False)
class NetworkUnderStudy:
    """A trained network on 2-D points: what the attribution page needs to know about it."""

    model: torch.nn.Module  # features [N, F] → pre-activation outputs z [N, K] (logits)
    features: Callable[[torch.Tensor], torch.Tensor]  # raw points [N, 2] → features [N, F]
    feature_names: tuple[str, ...]
    output_names: tuple[str, ...]
    task: str  # "binary" | "multiclass" | "regression"
    points: np.ndarray  # the dataset's points [M, 2]
    labels: np.ndarray  # [M] class ids or values
    output_activation: str = "sigmoid"  # key of OUTPUT_ACTIVATIONS: what turns z into the network's output
    source: str = "default"  # where it came from, for exports
    layered: bool = True  # model is built from nn.Linear and activation modules (DeepLift's rules apply)
    # What lets an export carry the network and rebuild it (core.attribution.network_file): the features as keys of
    # core.data.features, and the builder's activation after each linear layer (the last: the output's). Empty
    # for a network built otherwise, whose export then holds no weights.
    feature_keys: tuple[str, ...] = ()
    activations: tuple[str, ...] = ()

    @property
    def described(self) -> dict[str, Any]:
        """What an export says about the network, in place of a model's provenance."""
        return {
            "network": self.source,
            "features": list(self.feature_names),
            "outputs": list(self.output_names),
            "task": self.task,
        }


@dataclass(frozen=True)
class NetworkTarget:
    """Which output to explain: an output index and logit (raw score) or probability (sigmoid / softmax)."""

    output: int = 0
    scale: str = "logit"  # "logit" | "probability"


class ScalarOutput(torch.nn.Module):
    """The network followed by its squashing and the chosen output: features [N, F] → [N].

    A module (not a closure), so DeepLift's rules see the network's own layers and the sigmoid/softmax.
    """

    def __init__(self, net: torch.nn.Module, squash: torch.nn.Module, index: int):
        super().__init__()
        self.net, self.squash, self.index = net, squash, index

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.squash(self.net(features))[:, self.index]


OUTPUT_ACTIVATIONS: dict[str, Callable[[], torch.nn.Module]] = {
    "sigmoid": torch.nn.Sigmoid,
    "softmax": lambda: torch.nn.Softmax(dim=1),
    "tanh": torch.nn.Tanh,
    "identity": torch.nn.Identity,
}


def _squash(network: NetworkUnderStudy, scale: str) -> torch.nn.Module:
    if scale == "logit":
        return torch.nn.Identity()
    return OUTPUT_ACTIVATIONS[network.output_activation]()


def target_label(network: NetworkUnderStudy, target: NetworkTarget) -> str:
    name = network.output_names[target.output]
    if network.output_activation == "identity":
        return f"predicted value ({name})"
    return f"{'output' if target.scale == 'probability' else 'logit z'} of {name}"


def network_problem(
    network: NetworkUnderStudy,
    points: torch.Tensor,
    target: NetworkTarget,
    baseline: str = "zero",
    baseline_point: tuple[float, float] = (0.0, 0.0),
) -> Problem:
    """The Problem of explaining `target` at raw `points` [N, 2] in feature space [N, F].

    Baselines: "zero" (all features 0), "mean" (the dataset's mean feature vector), "point" (the features of
    `baseline_point`, e.g. a clicked point).
    """
    if not 0 <= target.output < len(network.output_names):
        raise ValueError(f"Output {target.output} does not exist: the network has {len(network.output_names)}.")
    if baseline not in BASELINE_KINDS:
        raise ValueError(f"Unknown baseline '{baseline}': pick one of {', '.join(BASELINE_KINDS)}.")
    dtype = next(network.model.parameters()).dtype
    device = next(network.model.parameters()).device
    with torch.no_grad():
        inputs = network.features(points.to(device, dtype)).detach()
        if baseline == "zero":
            reference = torch.zeros_like(inputs[:1])
        elif baseline == "mean":
            data = torch.as_tensor(network.points, dtype=dtype, device=device)
            reference = network.features(data).mean(0, keepdim=True)
        else:
            reference = network.features(torch.tensor([baseline_point], dtype=dtype, device=device))
    module = ScalarOutput(network.model, _squash(network, target.scale), target.output)
    return Problem(
        module,
        inputs,
        reference.expand_as(inputs).contiguous(),
        network.feature_names,
        "tabular",
        target_label(network, target),
        module=module if network.layered else None,
        baseline_label=baseline,
    )


@dataclass(frozen=True)
class Grid:
    """A square grid over the plane: xs [R], ys [R] and its points [R·R, 2] (row-major: y outer, x inner)."""

    xs: np.ndarray
    ys: np.ndarray

    @property
    def points(self) -> torch.Tensor:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)


def grid_over(network: NetworkUnderStudy, resolution: int = 30, margin: float = 0.1) -> Grid:
    """A grid covering the dataset's points with a margin."""
    lo, hi = network.points.min(0), network.points.max(0)
    pad = (hi - lo) * margin + 1e-6
    return Grid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution), np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    )


def boundary_level(network: NetworkUnderStudy, target: NetworkTarget) -> float | None:
    """The explained output's value on the decision boundary: 0 for a logit or a tanh output, 0.5 for a sigmoid or
    softmax probability; None for a regression, which has no boundary."""
    if network.output_activation == "identity":
        return None
    return 0.0 if target.scale == "logit" or network.output_activation == "tanh" else 0.5


def decision_values(network: NetworkUnderStudy, grid: Grid, target: NetworkTarget) -> np.ndarray:
    """The explained output over the grid [R, R] (for the decision boundary drawn under the maps)."""
    problem = network_problem(network, grid.points, target)
    return problem.evaluate(problem.inputs, batch_size=4096).cpu().numpy().reshape(len(grid.ys), len(grid.xs))


# ---- the Network builder's network -------------------------------------------------------------------------------

# Builder activation name → the nn.Module with the same function (Captum's DeepLift has rules for these modules).
LAYER_MODULES: dict[str, Callable[[], torch.nn.Module]] = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "linear": torch.nn.Identity,
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
    "softplus": torch.nn.Softplus,
}
OUTPUT_OF = {"sigmoid": "sigmoid", "softmax": "softmax", "tanh": "tanh", "linear": "identity"}


class _Activation(torch.nn.Module):
    """A builder activation without a module twin (e.g. GELU as the builder computes it): correct for gradient
    and perturbation methods, but DeepLift has no rule for it."""

    def __init__(self, f: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.f = f

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.f(z)


def layered_model(linears: list[torch.nn.Linear], names: tuple[str, ...]) -> tuple[torch.nn.Sequential, bool]:
    """(features [N, F] → the output layer's pre-activation z [N, K], whether DeepLift's rules apply): the linear
    layers with the builder's activation `names[i]` after each but the last (names[-1] is the output's).

    Standard activation modules where one has the same function, so DeepLift's rules apply where Captum has them."""
    from core.builder.activations import ACTIVATIONS

    layers: list[torch.nn.Module] = []
    layered = True
    for i, linear in enumerate(linears):
        layers.append(linear)
        if i < len(names) - 1:
            module = LAYER_MODULES.get(names[i])
            layered &= module is not None
            layers.append(module() if module else _Activation(ACTIVATIONS[names[i]].f))
    if names[-1] not in OUTPUT_OF:
        raise ValueError(f"the output activation '{names[-1]}' is not one the attribution page knows")
    return torch.nn.Sequential(*layers).float().eval().requires_grad_(False), layered


def from_builder(trained) -> NetworkUnderStudy:
    """The Network builder's `TrainedNetwork` (core.builder.trained) as a NetworkUnderStudy.

    Its MLP (linears + activation names) is copied into an nn.Sequential (`layered_model`): a copy, so the builder
    can keep training and no hook ever touches its model.
    """
    from core.builder.trained import detached_model

    mlp = detached_model(trained)
    names = tuple(mlp.spec.activations)
    model, layered = layered_model(list(mlp.linears), names)
    return NetworkUnderStudy(
        model,
        trained.to_features,
        tuple(trained.feature_labels),
        tuple(trained.output_names),
        trained.task,
        np.asarray(trained.points),
        np.asarray(trained.labels),
        OUTPUT_OF[names[-1]],
        source=f"Network builder ({' → '.join(str(s) for s in mlp.spec.sizes)}, {', '.join(names)}; "
        f"{trained.epochs} epochs)",
        layered=layered,
        feature_keys=tuple(trained.feature_names),
        activations=names,
    )


# ---- the default network, used when the builder has not trained one in this session ------------------------------

DEFAULT_FEATURES = ("X1", "X2", "X1²", "X2²", "X1·X2")
DEFAULT_FEATURE_KEYS = ("x1", "x2", "x1^2", "x2^2", "x1*x2")  # the same, as keys of core.data.features


def default_features(points: torch.Tensor) -> torch.Tensor:
    """Raw points [N, 2] → [X1, X2, X1², X2², X1·X2] [N, 5]."""
    x1, x2 = points[:, 0], points[:, 1]
    return torch.stack([x1, x2, x1 * x1, x2 * x2, x1 * x2], 1)


def train_default_network(seed: int = 0, n: int = 200, epochs: int = 300) -> NetworkUnderStudy:
    """A small MLP (5 → 8 → 8 → 1, tanh) trained with Adam to separate an inner disc from an outer ring."""
    g = torch.Generator().manual_seed(seed)
    radius = torch.cat([torch.rand(n // 2, generator=g) * 2.0, 3.0 + torch.rand(n - n // 2, generator=g) * 2.0])
    angle = torch.rand(n, generator=g) * 2 * np.pi
    points = torch.stack([radius * angle.cos(), radius * angle.sin()], 1)
    labels = (radius > 2.5).float()
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    features = default_features(points)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(features)[:, 0], labels)
        loss.backward()
        optimizer.step()
    model.requires_grad_(False)
    model.eval()
    return NetworkUnderStudy(
        model,
        default_features,
        DEFAULT_FEATURES,
        ("outer ring",),
        "binary",
        points.numpy(),
        labels.numpy(),
        "sigmoid",
        source="default (disc vs ring, 5→8→8→1 tanh)",
        feature_keys=DEFAULT_FEATURE_KEYS,
        activations=("tanh", "tanh", "sigmoid"),
    )
