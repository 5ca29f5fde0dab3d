"""Which learning rate is best for a racer on this surface? A sweep of real runs, scored, with the best kept.

Each learning rate is a full race of the same racer (same start, noise, schedule); a run that diverges scores
+∞, so the sensitivity curve shows where the rate becomes unstable. All rates run at once in one optimizer
with one param group per rate (each group is an independent run: the loss is a sum of per-group terms, and
noise and clipping are per group); LBFGS, which allows a single group, runs rate by rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from core.race.race import RaceConfig, RacerRun, finish_run, first_escape, run_racer, share
from core.race.racers import Racer, parse_racer, with_lr
from core.race.stepper import Stepper
from core.race.surfaces import Surface

MAX_TUNE_STEPS = 500


def _final_loss(run: RacerRun, surface: Surface) -> float:
    return float(run.losses[-1] - (surface.min_value or 0.0))


def _mean_loss(run: RacerRun, surface: Surface) -> float:
    return float(np.mean(run.losses - (surface.min_value or 0.0)))


def _distance(run: RacerRun, surface: Surface) -> float:
    return float(run.distances(surface.minima)[-1])


SCORES: dict[str, Callable[[RacerRun, Surface], float]] = {
    "final loss": _final_loss,  # f − f_min at the end (f itself on surfaces without a minimum)
    "mean loss": _mean_loss,  # area under the loss curve: rewards getting low early
    "distance to the minimum": _distance,  # only on surfaces with known minima
}


@dataclass(frozen=True)
class Sweep:
    """Scores [n] of one racer at learning rates lrs [n] (log-spaced); best = the lowest finite score."""

    racer: Racer
    lrs: np.ndarray
    scores: np.ndarray
    score: str

    @property
    def best_lr(self) -> float | None:
        finite = np.isfinite(self.scores)
        return float(self.lrs[finite][np.argmin(self.scores[finite])]) if finite.any() else None

    @property
    def best_score(self) -> float:
        return (
            float(np.nanmin(np.where(np.isfinite(self.scores), self.scores, np.nan)))
            if np.isfinite(self.scores).any()
            else float("inf")
        )


def lr_sweep(
    surface: Surface,
    racer: Racer,
    start: tuple[float, float],
    config: RaceConfig,
    score: str,
    lrs: np.ndarray | None = None,
    progress: Callable[[float], None] | None = None,
) -> Sweep:
    """Race `racer` at each learning rate (default: 19 rates from 1e-4 to 10) and score each run.

    Runs have at most 500 steps and as many function evaluations as steps, so LBFGS is tuned on the same
    budget as the others. `progress(fraction done)` is called after each LBFGS rate (its sweep takes seconds:
    torch's two-loop recursion over a history of 100 pairs dominates, not our loop) and once at the end."""
    if score == "distance to the minimum" and not surface.minima:
        raise ValueError("this surface has no known minimum: score by final or mean loss instead.")
    lrs = np.logspace(-4, 1, 19) if lrs is None else np.asarray(lrs, dtype=float)
    steps = min(config.steps, MAX_TUNE_STEPS)
    # a fair, bounded budget: as many function evaluations as steps (an LBFGS step may use 25)
    config = replace(config, steps=steps, max_evals=min(config.max_evals or steps, steps))
    if racer.optimizer == "LBFGS":
        runs = []
        for lr in lrs:
            runs.append(run_racer(surface, with_lr(racer, float(lr)), start, config))
            if progress is not None:
                progress(len(runs) / len(lrs))
    else:
        runs = _runs_in_groups(surface, racer, start, config, lrs)
        if progress is not None:
            progress(1.0)
    scores = [np.inf if run.diverged else SCORES[score](run, surface) for run in runs]
    return Sweep(racer, lrs, np.asarray(scores), score)


def scores_for(surface: Surface) -> list[str]:
    """The scores a sweep on `surface` can use (the distance only where the minima are known)."""
    return [name for name in SCORES if surface.minima or name != "distance to the minimum"]


def sweep_racers(
    surface: Surface,
    racers: tuple[str, ...],
    start: tuple[float, float],
    config: RaceConfig,
    score: str,
    progress: Callable[[float, str], None] | None = None,
) -> list[Sweep]:
    """`lr_sweep` of each racer (given as racer text), with progress(fraction of all sweeps, which racer)."""
    parsed = [parse_racer(text) for text in racers]
    return [
        lr_sweep(
            surface, racer, start, config, score, progress=share(progress, i, len(parsed), f"sweeping {racer.label}")
        )
        for i, racer in enumerate(parsed)
    ]


def best_rates(racers: tuple[str, ...], sweeps: list[Sweep]) -> dict[str, float]:
    """Each racer's (racer text's) best learning rate, where its sweep found one."""
    return {text: sweep.best_lr for text, sweep in zip(racers, sweeps, strict=True) if sweep.best_lr is not None}


def with_best_rates(racers: tuple[str, ...], best: dict[str, float]) -> tuple[str, ...]:
    """The racers with their best learning rate where one is known (the others as they are)."""
    return tuple(text if text not in best else with_lr(parse_racer(text), best[text]).to_text() for text in racers)


def sweep_table(sweeps: list[Sweep]) -> list[dict[str, object]]:
    """One row per racer: its own learning rate, the best one and its score."""
    return [
        {"racer": s.racer.label, "your lr": s.racer.lr, "best lr": s.best_lr, f"best {s.score}": s.best_score}
        for s in sweeps
    ]


def _runs_in_groups(
    surface: Surface, racer: Racer, start: tuple[float, float], config: RaceConfig, lrs: np.ndarray
) -> list[RacerRun]:
    """One run per learning rate, all stepped together by one optimizer with a param group per rate."""
    steps = config.steps if config.max_evals is None else min(config.steps, config.max_evals)  # 1 eval per step
    points = [torch.tensor(start, dtype=torch.float64, requires_grad=True) for _ in lrs]

    def loss():
        xy = torch.stack(points)
        return surface.fn(xy[:, 0], xy[:, 1]).sum()

    stepper = Stepper(racer, points, loss, replace(config, steps=steps), record=False, lrs=[float(v) for v in lrs])
    path = [torch.stack(points).detach().clone()]
    group_lrs = []
    for _ in range(steps):
        stepper.step()
        group_lrs.append([g["lr"] for g in stepper.optimizer.param_groups])
        path.append(torch.stack(points).detach().clone())
        if not torch.isfinite(path[-1]).any():
            break
    paths = torch.stack(path).numpy()  # [n+1, rates, 2]
    runs = []
    for j, lr in enumerate(lrs):
        one = paths[:, j]
        escape = first_escape(surface, one)
        n = len(one) - 1 if escape is None else escape[0]
        lr_path = [float(row[j]) for row in group_lrs]
        runs.append(
            finish_run(
                surface,
                with_lr(racer, float(lr)),
                "",
                one[: n + 1],
                list(range(n + 1)),
                lr_path,
                None if escape is None else escape[1],
                None,
            )
        )
    return runs
