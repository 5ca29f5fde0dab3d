"""Which learning-rate schedules a race can use: `torch.optim.lr_scheduler` classes, stepped once per step."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.optim import lr_scheduler

Factory = Callable[[torch.optim.Optimizer, int], lr_scheduler.LRScheduler]

SCHEDULES: dict[str, Factory | None] = {
    "none": None,
    # halve the rate at each quarter of the race
    "step": lambda opt, n: lr_scheduler.StepLR(opt, step_size=max(1, n // 4), gamma=0.5),
    # down to 1 % of the rate by the last step
    "exponential": lambda opt, n: lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1 / max(1, n))),
    "cosine": lambda opt, n: lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, n)),
    # the racer's lr is the peak; momentum is left as the user set it (no silent momentum cycling)
    "one-cycle": lambda opt, n: lr_scheduler.OneCycleLR(
        opt, max_lr=[g["lr"] for g in opt.param_groups], total_steps=max(2, n) + 1, cycle_momentum=False
    ),
}


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, steps: int) -> lr_scheduler.LRScheduler | None:
    """The scheduler `name` over a race of `steps` steps (None for a constant rate)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule '{name}'; choose from {', '.join(SCHEDULES)}.")
    factory = SCHEDULES[name]
    return None if factory is None else factory(optimizer, steps)
