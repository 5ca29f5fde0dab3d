"""Sanity check (Adebayo et al. 2018, cascading randomisation): does the explanation depend on the model at all?

Starting from the top (the task head), one layer after another is re-initialised with random weights in a
session-local copy, and the method is run again. A faithful explanation changes quickly as the learned weights
disappear (rank correlation with the original falls towards 0); one that stays the same reflects the input, not
the model. The shared model is never touched: everything happens on `LoadedModel.session_copy()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

import numpy as np
import torch

from core.attribution.agreement import spearman
from core.attribution.explain import explain
from core.attribution.methods import DEFAULT_SETTINGS, MethodSettings
from core.attribution.network import NetworkUnderStudy
from core.attribution.problem import Problem
from core.models import LoadedModel


@dataclass(frozen=True)
class SanityCheck:
    """Scores after each cumulative randomisation stage; stage 0 is the trained model."""

    stages: tuple[str, ...]
    scores: tuple[np.ndarray, ...]  # [n_features] per stage
    spearman: tuple[float, ...]  # signed-score ρ with the trained model's scores
    spearman_abs: tuple[float, ...]  # |score| ρ (Adebayo et al. report both)


Stage = tuple[str, list[torch.nn.Module], float]  # name, modules re-initialised, σ of the fresh weights


def randomisation_stages(loaded: LoadedModel) -> list[Stage]:
    """Top-down stages of a BERT-family model: the task head (if any), then encoder layers L−1 … 0 (embeddings are
    kept, since the explained inputs are word embeddings); σ = the config's initializer_range."""
    model, encoder = loaded.model, loaded.encoder
    std = float(getattr(loaded.config, "initializer_range", 0.02))
    stages: list[Stage] = []
    head = [m for name, m in model.named_children() if m is not encoder and name not in ("dropout",)]
    if getattr(encoder, "pooler", None) is not None:
        head.append(encoder.pooler)
    if head and loaded.head != "encoder":
        stages.append(("head", head, std))
    for i in reversed(range(len(encoder.encoder.layer))):
        stages.append((f"layer {i}", [encoder.encoder.layer[i]], std))
    return stages


def network_stages(model: torch.nn.Module) -> list[Stage]:
    """Top-down stages of a small network: its nn.Linear layers from the output back, σ = Glorot's for each."""
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    names = ["output layer"] + [f"hidden layer {i}" for i in range(len(linears) - 1, 0, -1)]
    return [
        (name, [m], (2.0 / (m.in_features + m.out_features)) ** 0.5)
        for name, m in zip(names, reversed(linears), strict=True)
    ]


def _randomise(modules: list[torch.nn.Module], std: float, generator: torch.Generator) -> None:
    """Fresh Gaussian weights (σ = std) and zero biases for every Linear/Embedding in `modules`."""
    for module in modules:
        for sub in module.modules():
            if isinstance(sub, torch.nn.Linear | torch.nn.Embedding):
                weight = torch.randn(sub.weight.shape, generator=generator) * std
                sub.weight.data.copy_(weight.to(sub.weight))
                if getattr(sub, "bias", None) is not None:
                    sub.bias.data.zero_()


def cascading_randomisation(
    stages: list[Stage],
    make_problem: Callable[[], Problem],
    method: str,
    settings: MethodSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> SanityCheck:
    """Re-initialise `stages` one after another (modules of a private copy!) and re-explain after each."""
    generator = torch.Generator().manual_seed(seed)
    problem = make_problem()
    movable = np.array([not f for f in problem.fixed]) if problem.fixed else np.ones(problem.n_features, bool)
    names, all_scores = ["trained"], [explain(problem, method, settings).scores[0]]
    for i, (name, modules, std) in enumerate(stages):
        if progress:
            progress((i + 1) / (len(stages) + 1), f"randomised down to {name}")
        _randomise(modules, std, generator)
        names.append(f"… {name}")
        all_scores.append(explain(make_problem(), method, settings).scores[0])
    first = all_scores[0][movable]
    return SanityCheck(
        tuple(names),
        tuple(all_scores),
        tuple(spearman(first, s[movable]) for s in all_scores),
        tuple(spearman(np.abs(first), np.abs(s[movable])) for s in all_scores),
    )


def sanity_check(
    loaded: LoadedModel,
    make_problem: Callable[[LoadedModel], Problem],
    method: str,
    settings: MethodSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> SanityCheck:
    """Cascading randomisation of a session copy of `loaded`; make_problem(model) builds the same task on it."""
    copy = loaded.session_copy()
    return cascading_randomisation(
        randomisation_stages(copy), lambda: make_problem(copy), method, settings, seed, progress
    )


def network_sanity_check(
    network: NetworkUnderStudy,
    make_problem: Callable[[NetworkUnderStudy], Problem],
    method: str,
    settings: MethodSettings = DEFAULT_SETTINGS,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> SanityCheck:
    """The same for a 2-D network: its layers re-initialised top-down in a copy."""
    copy = dataclasses.replace(network, model=deepcopy(network.model))
    return cascading_randomisation(
        network_stages(copy.model), lambda: make_problem(copy), method, settings, seed, progress
    )
