"""Norm-based attention (Kobayashi et al. 2020): weigh α_ij by how big the vector it mixes in actually is.

A head's output for token i is Σ_j α_ij f(x_j) with f(x) = (x W_V + b_V) W_O (the head's slice of the output
projection; the output bias is the same for every j and is left out). A large α on a token whose f(x) is tiny moves
little, so ‖α_ij f(x_j)‖ = α_ij ‖f(x_j)‖ says more about what the head passes on than α alone.
"""

from __future__ import annotations

import numpy as np
import torch

from core.attention.extract import AttentionResult
from core.attention.neuron import qkv
from core.models import LoadedModel


def transformed_values(loaded: LoadedModel, result: AttentionResult, layer: int) -> np.ndarray:
    """f(x_j) for every head and token of `layer`: [heads, T, hidden] float64."""
    _q, _k, v = qkv(loaded, result, layer)  # [heads, T, d]
    dense = loaded.encoder.encoder.layer[layer].attention.output.dense
    w_out = dense.weight.detach().to("cpu", torch.float64)  # [hidden, heads·d]
    heads, _t, d = v.shape
    w_heads = w_out.view(w_out.shape[0], heads, d).permute(1, 2, 0)  # [heads, d, hidden]
    return (v @ w_heads).numpy()


def norm_weights(loaded: LoadedModel, result: AttentionResult) -> np.ndarray:
    """‖α_ij f(x_j)‖ for every layer and head: [layers, heads, T, T] float64 (rows do not sum to 1)."""
    layers = []
    for layer in range(result.num_layers):
        f_norm = np.linalg.norm(transformed_values(loaded, result, layer), axis=-1)  # [heads, T]
        layers.append(result.attentions[layer].astype(np.float64) * f_norm[:, None, :])
    return np.stack(layers)


def row_normalised(weights: np.ndarray) -> np.ndarray:
    """Rows rescaled to sum to 1, so norm-based weights can feed rollout, flow and the statistics."""
    return weights / weights.sum(axis=-1, keepdims=True)


def _raw(loaded: LoadedModel, result: AttentionResult) -> np.ndarray:
    return result.attentions


def _norm(loaded: LoadedModel, result: AttentionResult) -> np.ndarray:
    weights = row_normalised(norm_weights(loaded, result))
    weights.flags.writeable = False  # cached and shared between sessions, like the attention itself
    return weights


# What the maps show: the softmax weights α, or Kobayashi's ‖α f(x)‖ rescaled per row. → [layers, heads, T, T]
WEIGHTINGS = {"attention": _raw, "norm": _norm}
WEIGHTING_LABELS = {"attention": "attention weights α", "norm": "norm-based ‖α f(x)‖ (Kobayashi), rows rescaled"}
