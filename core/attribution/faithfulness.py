"""Do the highest-scored features matter to the model? Deletion/insertion curves and AOPC.

Features are removed (set to the baseline) or restored in the order of their attribution, most positive first,
and the explained output is recorded after each step; the same is done for random orders to draw a band of what
chance gives. Fixed features ([CLS], [SEP], the scored [MASK]) are never moved.

- Deletion: start from x, remove the top features one by one: a faithful explanation makes f fall fast (small area).
- Insertion: start from the baseline, restore the top features: f should rise fast (large area).
- AOPC comprehensiveness (DeYoung et al. 2020): mean over k ∈ BINS of f(x) − f(x without the top-k share).
- AOPC sufficiency: mean over k ∈ BINS of f(x) − f(only the top-k share kept): small when the top features suffice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.attribution.problem import Problem

BINS = (0.1, 0.2, 0.3, 0.4, 0.5)
MAX_POINTS = 20  # steps along a curve; long texts are removed in chunks


@dataclass(frozen=True)
class Faithfulness:
    """Curves over the share of movable features removed/restored; arrays [S] (random: [R, S])."""

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray
    random_deletion: np.ndarray
    random_insertion: np.ndarray
    comprehensiveness: float
    sufficiency: float
    random_comprehensiveness: float
    random_sufficiency: float

    @staticmethod
    def area(curve: np.ndarray, fractions: np.ndarray) -> float:
        return float(np.trapezoid(curve, fractions))

    @property
    def deletion_area(self) -> float:
        return self.area(self.deletion, self.fractions)

    @property
    def insertion_area(self) -> float:
        return self.area(self.insertion, self.fractions)

    @property
    def random_deletion_area(self) -> float:
        return float(np.mean([self.area(c, self.fractions) for c in self.random_deletion]))

    @property
    def random_insertion_area(self) -> float:
        return float(np.mean([self.area(c, self.fractions) for c in self.random_insertion]))

    def metrics(self) -> dict[str, float]:
        """The numbers an export records: the areas under the curves (attribution and random orders) and AOPC."""
        return {
            "deletion_area": self.deletion_area,
            "insertion_area": self.insertion_area,
            "random_deletion_area": self.random_deletion_area,
            "random_insertion_area": self.random_insertion_area,
            "aopc_comprehensiveness": self.comprehensiveness,
            "aopc_sufficiency": self.sufficiency,
        }


def _keep_masks(order: torch.Tensor, counts: list[int], n: int, insertion: bool) -> torch.Tensor:
    """[len(counts), n] bool: for each k, the top-k of `order` removed (deletion) or the only ones kept (insertion).

    Features outside `order` (fixed ones) are kept by `Problem.perturbed` whatever the mask says.
    """
    rank = torch.full((n,), n, dtype=torch.long)
    rank[order] = torch.arange(len(order))
    top = rank.unsqueeze(0) < torch.tensor(counts).unsqueeze(1)
    return top if insertion else ~top


def _curves(problem: Problem, order: torch.Tensor, counts: list[int], bins: list[int]) -> tuple[np.ndarray, ...]:
    n = problem.n_features
    keeps = torch.cat(
        [
            _keep_masks(order, counts, n, False),
            _keep_masks(order, counts, n, True),
            _keep_masks(order, bins, n, False),
            _keep_masks(order, bins, n, True),
        ]
    ).to(problem.device)
    values = problem.evaluate(problem.perturbed(keeps)).double().cpu().numpy()
    s, b = len(counts), len(bins)
    return values[:s], values[s : 2 * s], values[2 * s : 2 * s + b], values[2 * s + b :]


def _steps(problem: Problem) -> tuple[np.ndarray, list[int], list[int]]:
    """Movable feature indices, the removal counts along a curve, and the counts of the AOPC bins."""
    movable = np.array([not f for f in problem.fixed] if problem.fixed else [True] * problem.n_features)
    index = np.flatnonzero(movable)
    m = len(index)
    counts = sorted({round(c) for c in np.linspace(0, m, min(m, MAX_POINTS) + 1)})
    bins = [max(1, int(np.ceil(k * m))) for k in BINS]
    return index, counts, bins


def faithfulness_evaluations(problem: Problem, n_random: int = 10) -> int:
    """Forward passes `faithfulness` will run (for the page's decision to run it on request)."""
    _index, counts, bins = _steps(problem)
    return (1 + n_random) * 2 * (len(counts) + len(bins)) + 1


def faithfulness(
    problem: Problem,
    scores: np.ndarray,
    n_random: int = 10,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> Faithfulness:
    """Deletion/insertion curves and AOPC for per-feature `scores` [n_features] of a one-input problem;
    progress(fraction, note) after each of the 1 + n_random orders."""
    index, counts, bins = _steps(problem)
    if len(index) == 0:
        raise ValueError("There is nothing to remove: every token is fixed ([CLS], [SEP], the [MASK]).")
    m = len(index)
    f_x = float(problem.evaluate(problem.inputs)[0])
    order = torch.as_tensor(index[np.argsort(-scores[index], kind="stable")])
    deletion, insertion, removed, kept = _curves(problem, order, counts, bins)
    g = torch.Generator().manual_seed(seed)
    random = []
    for i in range(n_random):
        if progress is not None:
            progress((i + 1) / (n_random + 1), f"random order {i + 1} of {n_random}")
        random.append(_curves(problem, torch.as_tensor(index)[torch.randperm(m, generator=g)], counts, bins))
    return Faithfulness(
        fractions=np.array(counts, dtype=float) / m,
        deletion=deletion,
        insertion=insertion,
        random_deletion=np.stack([r[0] for r in random]),
        random_insertion=np.stack([r[1] for r in random]),
        comprehensiveness=float(np.mean(f_x - removed)),
        sufficiency=float(np.mean(f_x - kept)),
        random_comprehensiveness=float(np.mean([np.mean(f_x - r[2]) for r in random])),
        random_sufficiency=float(np.mean([np.mean(f_x - r[3]) for r in random])),
    )
