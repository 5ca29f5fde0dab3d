"""How wrong the output is: losses, the output heads (activation + loss) each task uses, and regularization.

All losses average over the batch of B samples and sum over the K outputs, so dL/da carries a 1/B factor.
Targets are always `[B, K]`: 0/1 (sigmoid), ±1 (tanh), one-hot (softmax), numbers (linear).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core.builder.activations import ACTIVATIONS


@dataclass(frozen=True)
class Loss:
    """L(a, y) averaged over the batch, and dL/da `[B, K]`."""

    title: str
    formula: str
    value: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    dL_da: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


LOSSES: dict[str, Loss] = {
    "half_squared": Loss(
        "squared error",
        "L = ½ Σₖ (aₖ − yₖ)²",
        lambda a, y: 0.5 * ((a - y) ** 2).sum() / a.shape[0],
        lambda a, y: (a - y) / a.shape[0],
    ),
    "bce": Loss(
        "binary cross-entropy",
        "L = −Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)]",
        lambda a, y: -(y * torch.log(a) + (1 - y) * torch.log1p(-a)).sum() / a.shape[0],
        lambda a, y: (a - y) / (a * (1 - a)) / a.shape[0],
    ),
    "cross_entropy": Loss(
        "cross-entropy",
        "L = −Σₖ yₖ log aₖ",
        lambda a, y: -(y * torch.log(a)).sum() / a.shape[0],
        lambda a, y: -y / a / a.shape[0],
    ),
}


@dataclass(frozen=True)
class Shortcut:
    """An (activation, loss) pair whose dL/dz simplifies; `value(z, y)` is the numerically stable loss."""

    formula: str
    value: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    dL_dz: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


SHORTCUTS: dict[tuple[str, str], Shortcut] = {
    ("sigmoid", "bce"): Shortcut(
        "dL/dz = ŷ − y",
        lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum") / z.shape[0],
        lambda z, a, y: (a - y) / z.shape[0],
    ),
    # With Σₖ yₖ = 1 (one-hot) this is ŷ − y; written in general so hand-typed targets stay exact.
    ("softmax", "cross_entropy"): Shortcut(
        "dL/dz = ŷ − y",
        lambda z, y: -(y * torch.log_softmax(z, dim=-1)).sum() / z.shape[0],
        lambda z, a, y: (a * y.sum(dim=-1, keepdim=True) - y) / z.shape[0],
    ),
}


def loss_from_z(activation: str, loss: str, z: torch.Tensor, y: torch.Tensor, f) -> torch.Tensor:
    """The data loss from the output layer's pre-activation `z [B, K]` (stable form where a shortcut exists)."""
    shortcut = SHORTCUTS.get((activation, loss))
    return shortcut.value(z, y) if shortcut else LOSSES[loss].value(f(z), y)


@dataclass(frozen=True)
class Head:
    """A task's output layer: activation + loss, how labels become targets, how outputs become classes."""

    title: str
    task: str
    activation: str
    loss: str
    targets: Callable[[np.ndarray, int], np.ndarray]  # labels [N], n_classes → targets [N, K]
    predict: Callable[[torch.Tensor], torch.Tensor]  # output a [N, K] → class ids [N] (or values [N])


HEADS: dict[str, Head] = {
    "sigmoid_bce": Head(
        "sigmoid + binary cross-entropy",
        "binary",
        "sigmoid",
        "bce",
        lambda lab, k: lab.reshape(-1, 1).astype(np.float64),
        lambda a: (a[:, 0] > 0.5).long(),
    ),
    "tanh_mse": Head(
        "tanh + squared error (TF Playground)",
        "binary",
        "tanh",
        "half_squared",
        lambda lab, k: (2.0 * lab - 1).reshape(-1, 1),
        lambda a: (a[:, 0] > 0).long(),
    ),
    "softmax_ce": Head(
        "softmax + cross-entropy",
        "multiclass",
        "softmax",
        "cross_entropy",
        lambda lab, k: np.eye(k)[lab.astype(np.int64)],
        lambda a: a.argmax(dim=1),
    ),
    "linear_mse": Head(
        "linear + squared error",
        "regression",
        "linear",
        "half_squared",
        lambda lab, k: lab.reshape(-1, 1).astype(np.float64),
        lambda a: a[:, 0],
    ),
}

BINARY_HEADS = ("sigmoid_bce", "tanh_mse")


def head_for(task: str, binary_head: str) -> str:
    """The head name a task uses: the chosen binary head, softmax for several classes, linear for regression."""
    return {"binary": binary_head, "multiclass": "softmax_ce", "regression": "linear_mse"}[task]


@dataclass(frozen=True)
class Regularization:
    """A penalty on the weights (not the biases), rate λ: `penalty(W, λ)` and its gradient `grad(W, λ)`."""

    title: str
    formula: str
    penalty: Callable[[torch.Tensor, float], torch.Tensor]
    grad: Callable[[torch.Tensor, float], torch.Tensor]


REGULARIZATIONS: dict[str, Regularization] = {
    "none": Regularization("none", "0", lambda w, r: w.new_zeros(()), lambda w, r: torch.zeros_like(w)),
    "l1": Regularization("L1", "λ Σ|W|", lambda w, r: r * w.abs().sum(), lambda w, r: r * torch.sign(w)),
    "l2": Regularization("L2", "λ ½ Σ W²", lambda w, r: 0.5 * r * (w * w).sum(), lambda w, r: r * w),
}


def weight_penalty(regularization: str, rate: float, weights: Iterable[torch.Tensor]) -> torch.Tensor:
    """λ·penalty summed over the weight matrices `weights` (the biases are never penalised)."""
    return sum(REGULARIZATIONS[regularization].penalty(w, rate) for w in weights)


def training_loss(
    head: str, regularization: str, rate: float, z: torch.Tensor, y: torch.Tensor, weights: Iterable[torch.Tensor]
) -> torch.Tensor:
    """What the trainer minimises and reports as "loss": head `head`'s data loss from the logits `z [B, K]` and
    targets `y [B, K]`, plus the weight penalty (none: the data loss alone, without an extra op per step)."""
    h = HEADS[head]
    data = loss_from_z(h.activation, h.loss, z, y, ACTIVATIONS[h.activation].f)
    return data if regularization == "none" else data + weight_penalty(regularization, rate, weights)
