"""One racer's optimisation loop, step by step: the real `torch.optim` step with a closure, counted.

Shared by the race on a 2-D surface, the inside-one-update inspector and the race on a real network, so all
three run exactly the same loop: closure = zero_grad → loss → backward → (seeded gradient noise) → (optional
clipping); `optimizer.step(closure)`; then the scheduler's step. Every closure call is one function+gradient
evaluation (LBFGS calls it up to max_eval times per step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core.race.racers import Racer
from core.race.schedules import make_scheduler


@dataclass(frozen=True)
class LoopConfig:
    """What every racer shares: noise σ on each gradient (seeded), clipping (off unless > 0), schedule."""

    steps: int = 200
    schedule: str = "none"
    noise: float = 0.0
    seed: int = 0
    clip: float = 0.0  # max gradient norm; 0 means no clipping


class Stepper:
    """A racer's live optimizer over `params`, with `loss_fn()` giving the loss of their current values."""

    def __init__(
        self,
        racer: Racer,
        params: Sequence[Tensor],
        loss_fn: Callable[[], Tensor],
        config: LoopConfig,
        record: bool = True,
        lrs: Sequence[float] | None = None,
    ):
        """With `lrs`, each param is its own run: its own param group and lr, its own noise generator (same
        seed, so the same noise as a run alone) and its own clipping; the loss must be a sum over params."""
        self.racer, self.params, self.loss_fn, self.config = racer, list(params), loss_fn, config
        self.record = record  # keep the loss and true gradient where each step starts
        if lrs is None:
            self.optimizer = racer.build(self.params)
            self.runs = [self.params]
        else:
            self.optimizer = racer.build([{"params": [p], "lr": lr} for p, lr in zip(self.params, lrs, strict=True)])
            self.runs = [[p] for p in self.params]
        self.scheduler = make_scheduler(config.schedule, self.optimizer, config.steps)
        seed = config.seed
        self.generators = [torch.Generator().manual_seed(seed) for _ in self.runs] if config.noise > 0 else None
        self.evals = 0
        self._step_start = 0
        self.first_loss: Tensor | None = None  # loss at the point where the last step started (detached)
        self.first_grads: list[Tensor] = []  # the true (noise-free) gradient there, one tensor per param

    def closure(self) -> Tensor:
        self.optimizer.zero_grad()
        loss = self.loss_fn()
        loss.backward()
        if self.record and self.evals == self._step_start:  # values are read later, in bulk: no .item() sync per step
            self.first_loss = loss.detach()
            self.first_grads = [p.grad.clone() for p in self.params]
        if self.generators is not None:
            for run, gen in zip(self.runs, self.generators, strict=True):
                for p in run:
                    p.grad.add_(torch.randn(p.shape, generator=gen, dtype=p.dtype), alpha=self.config.noise)
        if self.config.clip > 0:
            for run in self.runs:
                torch.nn.utils.clip_grad_norm_(run, self.config.clip)
        self.evals += 1
        return loss

    def step(self, max_evals: int | None = None) -> float:
        """One optimizer step; returns its learning rate. LBFGS gets at most `max_evals` evaluations."""
        self._step_start = self.evals
        group = self.optimizer.param_groups[0]
        lr = float(group["lr"])
        if max_evals is not None and "max_eval" in group:
            group["max_eval"] = max(1, min(group["max_eval"], max_evals))
        self.optimizer.step(self.closure)
        if self.scheduler is not None:
            self.scheduler.step()
        return lr

    def evaluate(self) -> tuple[Tensor, list[Tensor]]:
        """Loss and true gradient at the current point, not counted as an evaluation (for the last point)."""
        loss = self.loss_fn()
        grads = torch.autograd.grad(loss, self.params, allow_unused=True)
        return loss.detach(), [torch.zeros_like(p) if g is None else g for p, g in zip(self.params, grads, strict=True)]
