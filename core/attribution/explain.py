"""Run one method on one problem and check it: attributions per feature, the completeness check, timing, device.

`explain` is the one entry point the page calls for every method; out-of-memory is handled by `run_with_fallback`
(smaller internal batch, then the CPU when the caller can rebuild the problem there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from core.attribution.methods import DEFAULT_SETTINGS, METHODS, MethodSettings, attribute
from core.attribution.problem import Problem
from core.device import run_with_fallback

TOLERANCE = {"exact": 0.01, "approximate": 0.10}  # relative gap under which completeness holds
ABSOLUTE_TOLERANCE = 1e-5  # float32 rounding: a gap this small holds whatever f(x) − f(x′) is


@dataclass(frozen=True)
class Completeness:
    """Σ attributions against f(x) − f(baseline), per explained input (arrays [N])."""

    promise: str  # the method's promise: "exact", "approximate" or "" (no promise)
    total: np.ndarray  # Σ_i attribution_i
    difference: np.ndarray  # f(x) − f(x′)
    delta: np.ndarray | None  # Captum's convergence delta, where the method returns one

    @property
    def relative_gap(self) -> np.ndarray:
        """|Σ attributions − (f(x) − f(x′))| / |f(x) − f(x′)|.

        Over many inputs (a map), a difference near 0 would make any rounding look huge: the denominator is at
        least 1% of the largest difference in the batch.
        """
        scale = np.maximum(np.abs(self.difference), 0.01 * np.abs(self.difference).max(initial=0.0))
        return np.abs(self.total - self.difference) / np.maximum(scale, 1e-9)

    @property
    def absolute_gap(self) -> np.ndarray:
        return np.abs(self.total - self.difference)

    @property
    def holds(self) -> bool | None:
        if not self.promise:
            return None
        return self.share_holding == 1.0

    @property
    def share_holding(self) -> float:
        """Share of the explained inputs (map points) where completeness holds; 1.0 for a method without promise."""
        if not self.promise:
            return 1.0
        ok = (self.relative_gap <= TOLERANCE[self.promise]) | (self.absolute_gap <= ABSOLUTE_TOLERANCE)
        return float(ok.mean())

    @property
    def verdict(self) -> str:
        gap = float(self.relative_gap.max())
        if not self.promise:
            return (
                f"Not expected: this method does not promise Σ = f(x) − f(x′) (here the gap is {gap:.1%}), "
                "so its scores are not shares of the output change."
            )
        limit = TOLERANCE[self.promise]
        if self.holds and gap > limit:
            return (
                f"Complete up to float32 rounding: Σ attributions and f(x) − f(x′) differ by at most "
                f"{self.absolute_gap.max():.1e} (f(x) − f(x′) itself is tiny here)."
            )
        if self.holds:
            return f"Complete: Σ attributions matches f(x) − f(x′) within {gap:.2%} (tolerance {limit:.0%})."
        hint = "raise n_steps (or use adaptive steps)" if self.promise == "exact" else "raise the sample count"
        return f"Not complete: Σ attributions is off by {gap:.1%} of f(x) − f(x′) (tolerance {limit:.0%}): {hint}."


@dataclass(frozen=True, eq=False)
class Attribution:
    """One method's result on one problem. scores: [N, n_features] (tokens or features, signed)."""

    method: str
    settings: MethodSettings
    scores: np.ndarray
    raw: torch.Tensor  # per-element attributions [N, *shape], for the metrics that need them
    completeness: Completeness
    f_input: np.ndarray  # [N]
    f_baseline: np.ndarray  # [N]
    feature_names: tuple[str, ...]
    target_label: str
    baseline_label: str
    reduce: str
    seconds: float
    device: str
    batch_size: int
    messages: tuple[str, ...]

    @property
    def title(self) -> str:
        return METHODS[self.method].title


def _initial_batch(settings: MethodSettings) -> int:
    return settings.internal_batch_size or max(settings.n_steps, settings.n_samples)


def explain(
    problem: Problem,
    method: str,
    settings: MethodSettings = DEFAULT_SETTINGS,
    reduce: str = "sum",
    rebuild: Callable[[torch.device], Problem] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Attribution:
    """Attributions of `problem` by `method`, checked for completeness.

    reduce: "sum" (signed, the default) or "l2" (magnitude) over each token's embedding values; completeness is
    always checked on the signed sums. rebuild(device): the same problem on another device, for the CPU fallback.
    progress(fraction, note): called after each of the method's forward passes, each also a `core.work`
    cancellation point. Raises ValueError when the method does not apply (the message says why).
    """
    spec = METHODS[method]
    started = time.perf_counter()
    problem = problem.counted(spec.evaluations(settings, problem.n_features) * len(problem.inputs), progress)

    def compute(device: torch.device, batch_size: int):
        if device == problem.device:
            current = problem
        elif rebuild is not None:
            current = rebuild(device)
        else:
            raise MemoryError(
                "Out of memory, and this problem cannot be moved to the CPU: use a shorter input, "
                "fewer steps or a smaller internal batch."
            )
        return current, attribute(method, current, _with_batch(settings, batch_size))

    outcome = run_with_fallback(compute, _initial_batch(settings), problem.device)
    current, (raw, delta) = outcome.value
    signed = current.to_features(raw, spec.grouped, "sum")
    scores = signed if reduce == "sum" or spec.grouped else current.to_features(raw, False, "l2")
    f_x, f_b = current.endpoints
    completeness = Completeness(
        spec.completeness, _np(signed.sum(1)), _np(f_x - f_b), _np(delta) if delta is not None else None
    )
    return Attribution(
        method,
        settings,
        _np(scores),
        raw,
        completeness,
        _np(f_x),
        _np(f_b),
        current.feature_names,
        current.target_label,
        current.baseline_label,
        reduce,
        time.perf_counter() - started,
        str(outcome.device),
        outcome.batch_size,
        tuple(outcome.messages),
    )


def _with_batch(settings: MethodSettings, batch_size: int) -> MethodSettings:
    """The settings with the internal batch the fallback chose (unchanged on the first, untroubled try)."""
    if not settings.internal_batch_size and batch_size == _initial_batch(settings):
        return settings
    return replace(
        settings,
        internal_batch_size=batch_size,
        perturbations_per_eval=min(settings.perturbations_per_eval, batch_size),
    )


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().double().cpu().numpy()


@dataclass(frozen=True)
class Convergence:
    """Adaptive steps: IG's |delta| / |f(x) − f(x′)| at each n_steps tried, and the first that met `tolerance`."""

    steps: tuple[int, ...]
    relative_delta: tuple[float, ...]
    tolerance: float
    chosen: Attribution

    @property
    def converged(self) -> bool:
        return self.relative_delta[-1] <= self.tolerance


def adaptive_steps(
    problem: Problem,
    settings: MethodSettings = DEFAULT_SETTINGS,
    tolerance: float = 0.01,
    start: int = 8,
    limit: int = 512,
    progress: Callable[[float, str], None] | None = None,
) -> Convergence:
    """Double IG's n_steps from `start` until |delta| / |f(x) − f(x′)| ≤ tolerance (or `limit` is reached)."""
    steps, gaps, n = [], [], start
    while True:
        if progress:
            progress(len(steps) / max(1, int(np.log2(limit / start)) + 1), f"Integrated Gradients with {n} steps")
        result = explain(problem, "integrated-gradients", replace(settings, n_steps=n))
        c = result.completeness
        gap = float(np.max(np.abs(c.delta) / np.maximum(np.abs(c.difference), 1e-6)))
        steps.append(n)
        gaps.append(gap)
        if gap <= tolerance or n * 2 > limit:
            return Convergence(tuple(steps), tuple(gaps), tolerance, result)
        n *= 2
