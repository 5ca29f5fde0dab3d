"""Which input features the network sees: TF Playground's seven functions of the point (x1, x2)."""

from __future__ import annotations

from collections.abc import Callable

import torch

FEATURES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: torch.sin(x1),
    "sin(x2)": lambda x1, x2: torch.sin(x2),
}

LABELS = {
    "x1": "X₁",
    "x2": "X₂",
    "x1^2": "X₁²",
    "x2^2": "X₂²",
    "x1*x2": "X₁·X₂",
    "sin(x1)": "sin X₁",
    "sin(x2)": "sin X₂",
}


def feature_matrix(points: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    """Features `[N, F]` of raw points `[N, 2]`, one column per name in `names`, in that order."""
    x1, x2 = points[:, 0], points[:, 1]
    return torch.stack([FEATURES[n](x1, x2) for n in names], dim=1)
