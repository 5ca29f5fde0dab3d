"""Which optimizer updates the weights: the real `torch.optim` classes, by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

OPTIMIZERS: dict[str, tuple[str, Callable[[Iterable, float], torch.optim.Optimizer]]] = {
    "sgd": ("SGD", lambda p, lr: torch.optim.SGD(p, lr=lr)),
    "momentum": ("SGD + momentum 0.9", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    "nesterov": ("SGD + Nesterov 0.9", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True)),
    "rmsprop": ("RMSprop", lambda p, lr: torch.optim.RMSprop(p, lr=lr)),
    "adam": ("Adam", lambda p, lr: torch.optim.Adam(p, lr=lr)),
    "adamw": ("AdamW (decay 0.01)", lambda p, lr: torch.optim.AdamW(p, lr=lr)),
}

# TF Playground's learning-rate ladder.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """A new `torch.optim` optimizer of kind `name` over `params`."""
    return OPTIMIZERS[name][1](params, lr)


def ladder(rates: tuple[float, ...], rate: float) -> list[float]:
    """A rate slider's stops: the ladder `rates`, plus `rate` in its place when a link brought one off the ladder."""
    return sorted({*rates, float(rate)})
