"""Which activations a layer can use: each is f(z) and its derivative f′(z) written out (the trace shows f′).

`f` is what the network runs (autograd differentiates it); `df` is the textbook derivative the trace multiplies
by, `dL/dz = dL/da ⊙ f′(z)`. Tests check `df` against autograd, so the two cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """f(z) elementwise (softmax: over the last axis), and f′ given z and a = f(z); `df` None for softmax."""

    title: str
    formula: str  # f(z) as the page writes it
    derivative: str  # f′(z) as the page writes it
    f: Callable[[torch.Tensor], torch.Tensor]
    df: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None


def _gelu_df(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """d/dz [z Φ(z)] = Φ(z) + z φ(z) (exact GELU, as torch's default)."""
    phi = torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return 0.5 * (1 + torch.erf(z / math.sqrt(2))) + z * phi


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("ReLU", "max(0, z)", "1 if z > 0 else 0", torch.relu, lambda z, a: (z > 0).to(z.dtype)),
    "tanh": Activation("tanh", "tanh z", "1 − a²", torch.tanh, lambda z, a: 1 - a * a),
    "sigmoid": Activation("sigmoid", "1 / (1 + e^−z)", "a (1 − a)", torch.sigmoid, lambda z, a: a * (1 - a)),
    "linear": Activation("linear", "z", "1", lambda z: z, lambda z, a: torch.ones_like(z)),
    "leaky_relu": Activation(
        "leaky ReLU",
        f"z if z > 0 else {LEAKY_SLOPE} z",
        f"1 if z > 0 else {LEAKY_SLOPE}",
        lambda z: F.leaky_relu(z, LEAKY_SLOPE),
        lambda z, a: torch.where(z > 0, torch.ones_like(z), torch.full_like(z, LEAKY_SLOPE)),
    ),
    "gelu": Activation("GELU", "z Φ(z)", "Φ(z) + z φ(z)", F.gelu, _gelu_df),
    "softmax": Activation(
        "softmax",
        "e^z_k / Σ_j e^z_j",
        "(Jacobian; used with cross-entropy only)",
        lambda z: torch.softmax(z, dim=-1),
        None,
    ),
}

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "gelu")
