"""Who wins on a 2-D surface? Runs every racer with its real `torch.optim` class from the same start.

A race is limited by steps or by function/gradient evaluations (one LBFGS step may use 20), and a racer that
blows up (non-finite values, leaving the domain, loss blow-up) stops with a message that relates it to the
local curvature while the others go on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from core.race.curvature import eigenvalues_2d, stability_note
from core.race.racers import Racer, RacerError
from core.race.stepper import LoopConfig, Stepper
from core.race.surfaces import Surface
from core.work import checkpoint

Progress = Callable[[float], None]  # progress(fraction done)
Report = Callable[[float, str], None]  # progress(fraction done, what it is doing now)

REPORT_EVERY = 100  # steps between two progress reports of a racer: a report costs little, a step under a millisecond
ESCAPE_MARGIN = 0.5  # a racer may wander half the domain's width outside the plot before it counts as escaped
BLOW_UP = 1e6  # loss above start loss + BLOW_UP·(1 + |start loss|) counts as a blow-up


@dataclass(frozen=True)
class RaceConfig(LoopConfig):
    """LoopConfig plus the budget: at most `steps` steps and, if set, at most `max_evals` evaluations."""

    max_evals: int | None = None


@dataclass(frozen=True)
class Stop:
    """Why a racer stopped early: at `step`, for `reason` (diverged / budget), with a message for the page."""

    step: int
    reason: str
    message: str


@dataclass(frozen=True)
class RacerRun:
    """One racer's trajectory. points [n+1, 2]; losses, grad_norms, evals [n+1] (cumulative); lrs [n]."""

    racer: Racer
    label: str
    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    evals: np.ndarray
    lrs: np.ndarray
    stop: Stop | None

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    @property
    def diverged(self) -> bool:
        return self.stop is not None and self.stop.reason == "diverged"

    def distances(self, minima: tuple[tuple[float, float], ...]) -> np.ndarray:
        """Distance of each point to the nearest known minimum [n+1] (NaN without minima)."""
        if not minima:
            return np.full(len(self.points), np.nan)
        m = np.asarray(minima, dtype=float)
        return np.min(np.linalg.norm(self.points[:, None, :] - m[None, :, :], axis=-1), axis=1)


@dataclass(frozen=True)
class RaceResult:
    surface: Surface
    start: tuple[float, float]
    config: RaceConfig
    runs: tuple[RacerRun, ...]
    errors: tuple[str, ...]  # racers that could not start (torch refused their settings)


def standings(result: RaceResult) -> list[dict[str, object]]:
    """One row per racer: steps, evaluations, final f, distance to the nearest minimum, final ‖∇f‖, how it ended."""
    return [
        {
            "racer": run.label,
            "steps": run.steps,
            "evaluations": int(run.evals[-1]),
            "final f": float(run.losses[-1]),
            "distance to minimum": float(run.distances(result.surface.minima)[-1]),
            "final ‖∇f‖": float(run.grad_norms[-1]),
            "ended": run.stop.reason if run.stop else "all steps",
        }
        for run in result.runs
    ]


def _escape(surface: Surface, x: float, y: float) -> str | None:
    """Why the point (x, y) counts as diverged, or None."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return "reached a non-finite value (NaN or ∞)"
    (x0, x1), (y0, y1) = surface.domain
    mx, my = ESCAPE_MARGIN * (x1 - x0), ESCAPE_MARGIN * (y1 - y0)
    if not (x0 - mx <= x <= x1 + mx and y0 - my <= y <= y1 + my):
        return f"left the domain at ({x:.3g}, {y:.3g})"
    return None


def _blow_up(losses: np.ndarray) -> int | None:
    """Index of the first loss that is non-finite or far above the start loss, or None."""
    threshold = losses[0] + BLOW_UP * (1 + abs(losses[0]))
    bad = ~np.isfinite(losses) | (losses > threshold)
    return int(np.argmax(bad)) if bad.any() else None


def unique_labels(racers: tuple[Racer, ...]) -> list[str]:
    """Racer labels, numbered when the same settings race twice."""
    labels = [r.label for r in racers]
    return [f"{lab} #{labels[:i].count(lab) + 1}" if labels.count(lab) > 1 else lab for i, lab in enumerate(labels)]


def share(progress: Report | None, i: int, n: int, note: str) -> Progress | None:
    """The progress of part i of n equal parts, as a fraction of that part: progress((i + f) / n, note)."""
    return None if progress is None else lambda f: progress((i + f) / n, note)


def report_step(progress: Progress | None, k: int, steps: int) -> None:
    """progress(k / steps) every REPORT_EVERY steps of a loop; a cancelled computation stops here."""
    checkpoint()
    if progress is not None and k % REPORT_EVERY == 0:
        progress(k / steps)


def race_each(racers: tuple[Racer, ...], run_one, progress: Report | None = None) -> tuple[tuple, tuple[str, ...]]:
    """`run_one(racer, label, progress)` for every racer (labels numbered when settings repeat), its progress a
    share of the whole; a racer torch refuses is reported as "label: why" in the second tuple instead of stopping
    the others."""
    runs, errors = [], []
    for i, (racer, label) in enumerate(zip(racers, unique_labels(racers), strict=True)):
        try:
            runs.append(run_one(racer, label, share(progress, i, len(racers), f"racing {label}")))
        except RacerError as e:
            errors.append(f"{label}: {e}")
    return tuple(runs), tuple(errors)


def losses_and_grad_norms(surface: Surface, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and the true (noise-free) ‖∇f‖ at points [n, 2], in one batched autograd call."""
    xy = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    f = surface.fn(xy[:, 0], xy[:, 1])
    (grad,) = torch.autograd.grad(f.sum(), xy)
    return f.detach().numpy(), torch.linalg.vector_norm(grad, dim=1).numpy()


def run_racer(
    surface: Surface,
    racer: Racer,
    start: tuple[float, float],
    config: RaceConfig,
    label: str | None = None,
    progress: Progress | None = None,
) -> RacerRun:
    """Race one optimizer from `start`; raises RacerError if torch refuses its settings.

    Per step only the point is read back (to catch NaN and escapes at once); losses and gradients along the
    path are computed afterwards in one batched call, so the loop costs little more than a bare
    torch.optim loop. progress(fraction of the steps) every REPORT_EVERY steps.
    """
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    stepper = Stepper(racer, [point], lambda: surface.fn(point[0], point[1]), config, record=False)
    points, evals, lrs = [point.detach().clone()], [0], []
    why, budget = None, None
    for k in range(config.steps):
        report_step(progress, k, config.steps)  # a race of 10 racers × 5,000 steps takes half a minute
        remaining = None if config.max_evals is None else config.max_evals - stepper.evals
        if remaining is not None and remaining <= 0:
            budget = Stop(k, "budget", f"used its budget of {config.max_evals} evaluations after {k} steps.")
            break
        lrs.append(stepper.step(remaining))
        evals.append(stepper.evals)
        points.append(point.detach().clone())
        why = _escape(surface, *points[-1].tolist())
        if why is not None:
            break
    return finish_run(surface, racer, label or racer.label, torch.stack(points).numpy(), evals, lrs, why, budget)


def first_escape(surface: Surface, path: np.ndarray) -> tuple[int, str] | None:
    """The first step of path [n+1, 2] that counts as diverged (non-finite or off the domain), with why."""
    for i, (x, y) in enumerate(path):
        why = _escape(surface, float(x), float(y))
        if why is not None:
            return i, why
    return None


def finish_run(
    surface: Surface,
    racer: Racer,
    label: str,
    path: np.ndarray,
    evals: list[int],
    lrs: list[float],
    why: str | None,
    budget: Stop | None,
) -> RacerRun:
    """A RacerRun from a recorded path [n+1, 2]: losses and true gradient norms in one batched call, the
    path cut at a loss blow-up, and a curvature message for a racer that diverged (`why` says how)."""
    losses, norms = losses_and_grad_norms(surface, path)
    first_bad = _blow_up(losses)
    n = len(path) - 1
    if why is None and first_bad is not None:
        why, n = f"blew up (loss {losses[first_bad]:.3g})", first_bad
    stop = budget
    if why is not None:
        bx, by = path[max(n - 1, 0)]
        lam_min, lam_max = eigenvalues_2d(surface.fn, float(bx), float(by))
        stop = Stop(n, "diverged", f"stopped at step {n}: it {why}. {stability_note(lam_min, lam_max, lrs[n - 1])}")
    return RacerRun(
        racer,
        label,
        path[: n + 1],
        losses[: n + 1],
        norms[: n + 1],
        np.asarray(evals[: n + 1]),
        np.asarray(lrs[:n]),
        stop,
    )


def run_race(
    surface: Surface,
    racers: tuple[Racer, ...],
    start: tuple[float, float],
    config: RaceConfig,
    progress: Report | None = None,
) -> RaceResult:
    """All racers from the same start with the same config; a racer torch refuses is reported, not raced."""
    runs, errors = race_each(
        racers, lambda racer, label, part: run_racer(surface, racer, start, config, label, part), progress
    )
    return RaceResult(surface, start, config, runs, errors)


STEP_S = 5e-4  # one racer step on this project's 2-core CPU: 0.16-0.8 ms measured over the optimizers and surfaces


def estimated_seconds(config: RaceConfig, racers: int) -> float:
    """A rough guide to a race's duration (for asking before a long one starts): steps × racers × STEP_S."""
    return config.steps * racers * STEP_S


def noise_fan(
    surface: Surface,
    racer: Racer,
    start: tuple[float, float],
    config: RaceConfig,
    seeds: int,
    progress: Report | None = None,
) -> list[np.ndarray]:
    """One racer's paths [n_k+1, 2] under `seeds` different noise seeds (config.seed, config.seed+1, ...)."""
    return [
        run_racer(
            surface,
            racer,
            start,
            replace(config, seed=config.seed + s),
            progress=share(progress, s, seeds, f"seed {s + 1} of {seeds}"),
        ).points
        for s in range(seeds)
    ]
