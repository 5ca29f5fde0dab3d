"""How two inputs' attention differ: the difference of their maps and each head's Jensen–Shannon divergence.

Both need the maps to be the same size (a minimal pair that swaps one word for one word); rows are compared
query by query. JS divergence is in bits, so it lies in [0, 1]: 0 for identical rows, 1 for rows with disjoint
support.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class ShapeMismatchError(ValueError):
    """The two inputs have different numbers of tokens, so their maps cannot be compared entry by entry."""


def _kl_bits(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / q), 0.0)
    return terms.sum(axis=-1)


def js_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen–Shannon divergence in bits between distributions along the last axis: [..., n] → [...]."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)
    return np.clip(0.5 * _kl_bits(p, m) + 0.5 * _kl_bits(q, m), 0.0, 1.0)


@dataclass(frozen=True)
class Comparison:
    """difference: [layers, heads, n, n] = B − A; js: [layers, heads], JS divergence averaged over query rows."""

    difference: np.ndarray
    js: np.ndarray


def compare(maps_a: np.ndarray, maps_b: np.ndarray) -> Comparison:
    """Compare attention maps [layers, heads, n, n] of two inputs of equal length."""
    if maps_a.shape != maps_b.shape:
        raise ShapeMismatchError(
            f"The two inputs have {maps_a.shape[-1]} and {maps_b.shape[-1]} tokens; the difference and the JS "
            "divergence need the same number (e.g. a minimal pair that swaps one word for another word that is "
            "one token too). Their maps are still shown side by side."
        )
    rows = js_divergence(maps_a, maps_b)  # [layers, heads, n]
    return Comparison(np.asarray(maps_b, dtype=np.float64) - maps_a, rows.mean(axis=-1))
