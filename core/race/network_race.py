"""Who wins on a real network's loss? The racers train all parameters of a network from the same start,
and their trajectories are projected on planes of the landscape (a shared PCA plane; each path's own PCA plane
as in Li et al. 2018).

A projection drops what is off the plane, so the loss on the plane at a projected point is not the loss of the
path: both are returned, for a plot side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.race.curvature import stability_note
from core.race.landscape import (
    Params,
    Problem,
    Progress,
    Slice2D,
    flatten,
    plane_losses,
    span_losses,
    top_hessian_eigen,
    unflatten,
)
from core.race.race import BLOW_UP, race_each, report_step
from core.race.racers import Racer
from core.race.stepper import LoopConfig, Stepper


@dataclass(frozen=True)
class NetRun:
    """One racer on the network: thetas [n+1, P] (flat parameters), losses [n+1], and why it stopped early."""

    label: str
    thetas: Tensor
    losses: np.ndarray
    stop: str | None


def run_network_racer(
    problem: Problem, racer: Racer, start: Params, config: LoopConfig, label: str, progress: Progress | None = None
) -> NetRun:
    """Train all parameters from `start` with the real optimizer (full batch); stops on non-finite / blow-up.
    progress(fraction of the steps) every REPORT_EVERY steps."""
    live = {n: p.detach().clone().requires_grad_(True) for n, p in start.items()}
    stepper = Stepper(racer, list(live.values()), lambda: problem.loss(live), config)
    thetas, losses, stop = [flatten(live).detach().clone()], [], None
    for k in range(config.steps):
        report_step(progress, k, config.steps)
        lr = stepper.step()
        losses.append(stepper.first_loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > losses[0] + BLOW_UP * (1 + abs(losses[0])):
            thetas.pop()
            losses.pop()
            # the curvature where it last was finite, from power iteration with Hessian-vector products
            lam, _, _ = top_hessian_eigen(problem, unflatten(thetas[-1], start), iters=50)
            stop = f"diverged at step {k} (loss {stepper.first_loss.item():.3g}). {stability_note(0.0, lam, lr)}"
            break
        thetas.append(flatten(live).detach().clone())
    if stop is None:
        with torch.no_grad():
            losses.append(problem.loss(live).item())
    return NetRun(label, torch.stack(thetas), np.asarray(losses), stop)


def race_network(
    problem: Problem,
    racers: tuple[Racer, ...],
    start: Params,
    config: LoopConfig,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[tuple[NetRun, ...], tuple[str, ...]]:
    """All racers from the same start; racers torch refuses are reported in the second tuple."""
    return race_each(
        racers, lambda racer, label, part: run_network_racer(problem, racer, start, config, label, part), progress
    )


@dataclass(frozen=True)
class Plane:
    """origin [P] and orthonormal directions d1, d2 [P]; explained = share of the variance each captures."""

    origin: Tensor
    d1: Tensor
    d2: Tensor
    explained: tuple[float, float]

    def coords(self, thetas: Tensor) -> np.ndarray:
        """Projected coordinates [n, 2] of thetas [n, P] (orthogonal projection onto the plane)."""
        diff = thetas - self.origin
        return torch.stack([diff @ self.d1, diff @ self.d2], 1).numpy()

    @property
    def span(self) -> Tensor:
        """[2, P]: the directions as rows (origin + coords @ span is the point at plane coordinates [n, 2])."""
        return torch.stack([self.d1, self.d2])


def pca_plane(thetas: Tensor, origin: Tensor) -> Plane:
    """The plane through `origin` spanned by the top-2 principal directions of thetas [n, P] − origin
    (Li et al. take origin = the trajectory's final point)."""
    diff = thetas - origin
    _, s, vh = torch.linalg.svd(diff, full_matrices=False)
    var = s**2
    total = float(var.sum()) or 1.0
    d1 = vh[0]
    d2 = vh[1] if len(vh) > 1 else torch.zeros_like(d1)
    return Plane(origin, d1, d2, (float(var[0]) / total, float(var[1]) / total if len(var) > 1 else 0.0))


def shared_plane(runs: tuple[NetRun, ...]) -> Plane:
    """One plane for all paths: the PCA of all of them, through their common start."""
    return pca_plane(torch.cat([run.thetas for run in runs]), runs[0].thetas[0])


def own_plane(run: NetRun) -> Plane:
    """One path's own PCA plane, through its final point (Li et al.)."""
    return pca_plane(run.thetas, run.thetas[-1])


@dataclass(frozen=True)
class PlaneView:
    """A loss slice on a plane with paths projected on it: coords[i] [n_i+1, 2], plane_loss[i] [n_i+1]
    (the loss at the projected point) beside each run's true loss."""

    plane: Plane
    grid: Slice2D
    coords: tuple[np.ndarray, ...]
    plane_loss: tuple[np.ndarray, ...]


def plane_view(
    problem: Problem,
    plane: Plane,
    runs: tuple[NetRun, ...],
    n: int = 31,
    margin: float = 0.25,
    progress: Progress | None = None,
) -> PlaneView:
    """Loss on an n×n grid covering all projected paths (plus a margin), and the plane loss along each path."""
    coords = tuple(plane.coords(run.thetas) for run in runs)
    every = np.concatenate(coords)
    lo, hi = every.min(0), every.max(0)
    pad = margin * np.maximum(hi - lo, 1e-3)
    a = torch.linspace(float(lo[0] - pad[0]), float(hi[0] + pad[0]), n)
    b = torch.linspace(float(lo[1] - pad[1]), float(hi[1] + pad[1]), n)
    grid = plane_losses(problem, plane.origin, plane.d1, plane.d2, a, b, progress)
    on_plane = tuple(span_losses(problem, plane.origin, torch.as_tensor(c), plane.span).numpy() for c in coords)
    return PlaneView(plane, grid, coords, on_plane)
