"""Do two explanations rank the features alike? Spearman rank correlation and top-k overlap.

Used across methods (the comparison table), across baselines (baseline sensitivity) and across randomised models
(the sanity check). Fixed features ([CLS], [SEP]) are left out: they are 0 by construction and would inflate
agreement.
"""

from __future__ import annotations

import numpy as np


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n−1 with ties given their average rank (as Spearman's definition needs)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    ranked = np.empty(len(values), dtype=float)
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or sorted_values[end] != sorted_values[start]:
            ranked[order[start:end]] = (start + end - 1) / 2
            start = end
    return ranked


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's ρ: Pearson correlation of the ranks; nan when either side is constant."""
    ra, rb = ranks(np.asarray(a, float)), ranks(np.asarray(b, float))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / denominator) if denominator > 0 else float("nan")


def top_k_overlap(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Share of the k largest-|score| features the two explanations have in common (0..1)."""
    k = max(1, min(k, len(a)))
    top_a = set(np.argsort(-np.abs(a), kind="stable")[:k].tolist())
    top_b = set(np.argsort(-np.abs(b), kind="stable")[:k].tolist())
    return len(top_a & top_b) / k


def precision_agreement(low: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(Spearman ρ, largest |difference| relative to the reference's largest |score|) between scores computed in
    a lower precision and the fp32 reference."""
    scale = float(np.abs(reference).max()) or 1.0
    return spearman(low, reference), float(np.abs(low - reference).max()) / scale


def agreement_matrix(scores: dict[str, np.ndarray], movable: np.ndarray | None = None) -> np.ndarray:
    """Spearman ρ between every pair of named score vectors [n_features] → [n, n], on the movable features."""
    names = list(scores)
    pick = movable if movable is not None else slice(None)
    matrix = np.eye(len(names))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            matrix[i, j] = matrix[j, i] = spearman(scores[a][pick], scores[names[j]][pick])
    return matrix
