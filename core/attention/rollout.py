"""How attention composes through the layers: attention rollout (Abnar & Zuidema 2020).

Heads of a layer are fused into one matrix Ā_l (mean, max or min over heads); the residual connection is modelled by
adding the identity and renormalising rows, Â_l = (Ā_l + I) / rowsum; rollout multiplies them bottom-up,
R_l = Â_l · R_{l−1} with R_0 = Â_0. Row i of R_l says how much of token i's representation after layer l comes from
each input token.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# head fusion: [layers, heads, T, T] → [layers, T, T]
FUSIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mean": lambda a: a.mean(axis=1),
    "max": lambda a: a.max(axis=1),
    "min": lambda a: a.min(axis=1),
}


def with_residual(fused: np.ndarray) -> np.ndarray:
    """Â = (Ā + I) / rowsum for each layer; fused: [layers, T, T] → [layers, T, T], rows summing to 1."""
    eye = np.eye(fused.shape[-1])
    augmented = fused.astype(np.float64) + eye
    return augmented / augmented.sum(axis=-1, keepdims=True)


def residual_attention(attentions: np.ndarray, fusion: str = "mean") -> np.ndarray:
    """[layers, heads, T, T] → Â [layers, T, T]: heads fused by `fusion`, residual added, rows renormalised."""
    return with_residual(FUSIONS[fusion](np.asarray(attentions, dtype=np.float64)))


def rollout(attentions: np.ndarray, fusion: str = "mean") -> np.ndarray:
    """Rollout after every layer: [layers, heads, T, T] → [layers, T, T]; entry l is R_l (float64)."""
    hat = residual_attention(attentions, fusion)
    out = np.empty_like(hat)
    current = np.eye(hat.shape[-1])
    for layer, matrix in enumerate(hat):
        current = matrix @ current
        out[layer] = current
    return out
