"""How much does an explanation depend on things it should not, and does it predict the model's response?

- Baseline sensitivity: the same method under several reference inputs ([PAD], [MASK], [UNK], zero, random),
  compared by rank correlation and top-k overlap with the first.
- Infidelity (Yeh et al. 2019, `captum.metrics.infidelity`): E[(Iᵀ·Φ − (f(x) − f(x − I)))²] for random token
  removals I; here a perturbation removes a random half of the movable features (sets them to the baseline), so
  Iᵀ·Φ is the sum of the removed features' scores: 0 means the scores add up like the model does.
- Max-sensitivity (`captum.metrics.sensitivity_max`): the largest relative change of the explanation when the
  input moves by uniform noise of radius r: small means stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from captum.metrics import infidelity, sensitivity_max

from core.attribution.agreement import spearman, top_k_overlap
from core.attribution.explain import Attribution, explain
from core.attribution.methods import DEFAULT_SETTINGS, METHODS, MethodSettings, attribute
from core.attribution.problem import Problem


@dataclass(frozen=True)
class BaselineSensitivity:
    """Per-feature scores under each baseline, and their agreement with the first baseline's."""

    baselines: tuple[str, ...]
    results: tuple[Attribution, ...]
    spearman: tuple[float, ...]  # vs the first baseline
    top_k: tuple[float, ...]
    k: int


def baseline_sensitivity(
    make_problem: Callable[[str], Problem],
    kinds: tuple[str, ...],
    method: str,
    settings: MethodSettings = DEFAULT_SETTINGS,
    k: int = 3,
    progress: Callable[[float, str], None] | None = None,
) -> BaselineSensitivity:
    """Run `method` with each baseline kind (make_problem(kind) builds the problem with that reference)."""
    results = []
    for i, kind in enumerate(kinds):
        if progress:
            progress(i / len(kinds), f"{METHODS[method].title} with the {kind} baseline")
        results.append(explain(make_problem(kind), method, settings))
    problem = make_problem(kinds[0])
    movable = np.array([not f for f in problem.fixed]) if problem.fixed else np.ones(problem.n_features, bool)
    first = results[0].scores[0][movable]
    return BaselineSensitivity(
        tuple(kinds),
        tuple(results),
        tuple(spearman(first, r.scores[0][movable]) for r in results),
        tuple(top_k_overlap(first, r.scores[0][movable], k) for r in results),
        k,
    )


def feature_infidelity(problem: Problem, scores: np.ndarray, n_perturb: int = 32, seed: int = 0) -> float:
    """Captum's infidelity of per-feature `scores` [n_features] under random removals of half the features."""
    movable = torch.tensor(
        [not f for f in problem.fixed] if problem.fixed else [True] * problem.n_features, device=problem.device
    )

    def forward(present: torch.Tensor) -> torch.Tensor:  # present [B, n_features] in {0, 1}
        return problem.forward(problem.perturbed(present))

    generator = torch.Generator().manual_seed(seed)

    def perturb(present: torch.Tensor):
        removed = (torch.rand(present.shape, generator=generator) < 0.5).to(present.device, present.dtype)
        removed = removed * movable.to(present.dtype)
        return removed, present - removed

    present = torch.ones(1, problem.n_features, dtype=problem.inputs.dtype, device=problem.device)
    attributions = torch.as_tensor(scores, dtype=present.dtype, device=present.device).reshape(1, -1)
    with torch.no_grad():
        value = infidelity(
            forward, perturb, present, attributions, n_perturb_samples=n_perturb, max_examples_per_batch=n_perturb
        )
    return float(value[0])


def max_sensitivity(
    problem: Problem, method: str, settings: MethodSettings, radius: float = 0.02, n_perturb: int = 5, seed: int = 0
) -> float:
    """Captum's sensitivity_max of `method` at the problem's input: max ‖Φ(x + δ) − Φ(x)‖ / ‖Φ(x)‖, |δ| ≤ radius."""

    def explanation(inputs, **_):  # Captum passes a tuple of tensors
        x = inputs[0] if isinstance(inputs, tuple) else inputs
        moved = replace(problem, inputs=x, baselines=problem.baselines[:1].expand_as(x)).counted(0, None)
        result = attribute(method, moved, settings)[0]
        return (result,) if isinstance(inputs, tuple) else result

    with torch.random.fork_rng(devices=[problem.device] if problem.device.type == "cuda" else []):
        torch.manual_seed(seed)
        value = sensitivity_max(
            explanation, problem.inputs, perturb_radius=radius, n_perturb_samples=n_perturb, max_examples_per_batch=1
        )
    return float(value[0])
