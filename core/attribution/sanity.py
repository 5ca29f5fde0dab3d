"""Sanity check (Adebayo et al. 2018, cascading randomisation): does the explanation depend on the model at all?

Starting from the top (the task head), one layer after another is re-initialised with random weights in a
session-local copy, and the method is run again. A faithful explanation changes quickly as the learned weights
disappear (rank correlation with the original falls towards 0); one that stays the same reflects the input, not
the model. The shared model is never touched: everything happens on `LoadedModel.session_copy()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.attribution.agreement import spearman
from core.attribution.explain import explain
from core.attribution.methods import DEFAULT_SETTINGS, MethodSettings
from core.attribution.problem import Problem
from core.models import LoadedModel


@dataclass(frozen=True)
class SanityCheck:
    """Scores after each cumulative randomisation stage; stage 0 is the trained model."""

    stages: tuple[str, ...]
    scores: tuple[np.ndarray, ...]  # [n_features] per stage
    spearman: tuple[float, ...]  # signed-score ρ with the trained model's scores
    spearman_abs: tuple[float, ...]  # |score| ρ (Adebayo et al. report both)


def randomisation_stages(loaded: LoadedModel) -> list[tuple[str, list[torch.nn.Module]]]:
    """(name, modules) top-down: the task head (if any), then encoder layers L−1 … 0 (embeddings are kept, since
    the explained inputs are word embeddings)."""
    model, encoder = loaded.model, loaded.encoder
    stages = []
    head = [m for name, m in model.named_children() if m is not encoder and name not in ("dropout",)]
    if getattr(encoder, "pooler", None) is not None:
        head.append(encoder.pooler)
    if head and loaded.head != "encoder":
        stages.append(("head", head))
    for i in reversed(range(len(encoder.encoder.layer))):
        stages.append((f"layer {i}", [encoder.encoder.layer[i]]))
    return stages


def _randomise(modules: list[torch.nn.Module], std: float, generator: torch.Generator) -> None:
    """Fresh Gaussian weights (σ = the config's initializer_range) and zero biases for every Linear/Embedding."""
    for module in modules:
        for sub in module.modules():
            if isinstance(sub, torch.nn.Linear | torch.nn.Embedding):
                weight = torch.randn(sub.weight.shape, generator=generator) * std
                sub.weight.data.copy_(weight.to(sub.weight))
                if getattr(sub, "bias", None) is not None:
                    sub.bias.data.zero_()


def sanity_check(loaded: LoadedModel, make_problem: Callable[[LoadedModel], Problem], method: str,
                 settings: MethodSettings = DEFAULT_SETTINGS, seed: int = 0,
                 progress: Callable[[float, str], None] | None = None) -> SanityCheck:
    """Cascading randomisation of a session copy of `loaded`; make_problem(model) builds the same task on it."""
    copy = loaded.session_copy()
    stages = randomisation_stages(copy)
    std = float(getattr(copy.config, "initializer_range", 0.02))
    generator = torch.Generator().manual_seed(seed)
    names, all_scores = ["trained"], [explain(make_problem(copy), method, settings).scores[0]]
    problem = make_problem(copy)
    movable = np.array([not f for f in problem.fixed]) if problem.fixed else np.ones(problem.n_features, bool)
    for i, (name, modules) in enumerate(stages):
        if progress:
            progress((i + 1) / (len(stages) + 1), f"randomised down to {name}")
        _randomise(modules, std, generator)
        names.append(f"… {name}")
        all_scores.append(explain(make_problem(copy), method, settings).scores[0])
    first = all_scores[0][movable]
    return SanityCheck(tuple(names), tuple(all_scores),
                       tuple(spearman(first, s[movable]) for s in all_scores),
                       tuple(spearman(np.abs(first), np.abs(s[movable])) for s in all_scores))
