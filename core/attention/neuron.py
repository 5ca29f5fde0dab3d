"""The numbers behind softmax(QKᵀ/√d)V, recomputed in float64 from a layer's own weights and input hidden states.

Independent of the model's forward: only the query/key/value `nn.Linear` weights of the layer and the hidden states
that entered it are used, so agreement with the model's returned attention (to ~1e-6) checks both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.attention.extract import AttentionResult
from core.models import LoadedModel


def attention_module(loaded: LoadedModel, layer: int) -> torch.nn.Module:
    """The self-attention block (with .query/.key/.value) of `layer` in a BERT-layout encoder."""
    return loaded.encoder.encoder.layer[layer].attention.self


def _projection(linear: torch.nn.Linear, x: torch.Tensor, heads: int) -> torch.Tensor:
    """x [T, hidden] float64 → [heads, T, d_head] float64."""
    w = linear.weight.detach().to("cpu", torch.float64)
    b = linear.bias.detach().to("cpu", torch.float64)
    y = x @ w.T + b
    return y.view(x.shape[0], heads, -1).transpose(0, 1)


def additive_mask(result: AttentionResult) -> np.ndarray:
    """[T] float64: 0 where a key may be attended, -inf for padding (none for a single unpadded input)."""
    keep = result.encoded.attention_mask[0].cpu().numpy().astype(bool)
    return np.where(keep, 0.0, -np.inf)


def qkv(loaded: LoadedModel, result: AttentionResult, layer: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Queries, keys, values of `layer` in float64: each [heads, T, d_head]."""
    module = attention_module(loaded, layer)
    x = torch.from_numpy(np.asarray(result.hidden_states[layer], dtype=np.float64))
    heads = loaded.num_heads
    return (_projection(module.query, x, heads), _projection(module.key, x, heads), _projection(module.value, x, heads))


def recompute_layer(loaded: LoadedModel, result: AttentionResult, layer: int) -> np.ndarray:
    """[heads, T, T] float64 attention probabilities of `layer`, from scratch."""
    q, k, _v = qkv(loaded, result, layer)
    scores = q @ k.transpose(1, 2) / np.sqrt(q.shape[-1]) + torch.from_numpy(additive_mask(result))
    return torch.softmax(scores, dim=-1).numpy()


def recompute_all(loaded: LoadedModel, result: AttentionResult) -> np.ndarray:
    """[layers, heads, T, T] float64 attention probabilities of every layer, from scratch."""
    return np.stack([recompute_layer(loaded, result, layer) for layer in range(result.num_layers)])


def max_difference(loaded: LoadedModel, result: AttentionResult) -> float:
    """Largest |float64 recompute − model's returned attention| over all layers, heads and entries."""
    return float(np.abs(recompute_all(loaded, result) - result.attentions).max())


@dataclass(frozen=True)
class NeuronView:
    """Every step of one head's attention for one query token i (d = d_head, T keys).

    q: [d] the query of token i; k: [T, d] keys; v: [T, d] values; qk: [T, d] the products q·k elementwise;
    scores: [T] q·k/√d; mask: [T] additive mask; probs: [T] softmax(scores + mask); weighted: [T, d] probs_j·v_j;
    output: [d] Σ_j probs_j·v_j (the head's output for token i); model_probs: [T] what the model returned;
    max_difference: max |probs − model_probs|.
    """

    layer: int
    head: int
    query: int
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    qk: np.ndarray
    scores: np.ndarray
    mask: np.ndarray
    probs: np.ndarray
    weighted: np.ndarray
    output: np.ndarray
    model_probs: np.ndarray
    max_difference: float

    @property
    def scale(self) -> float:
        return float(np.sqrt(self.q.shape[0]))


def neuron_view(loaded: LoadedModel, result: AttentionResult, layer: int, head: int, query: int) -> NeuronView:
    """All intermediate numbers of `head` in `layer` for query token `query`, in float64."""
    q_all, k_all, v_all = qkv(loaded, result, layer)
    q, k, v = q_all[head, query].numpy(), k_all[head].numpy(), v_all[head].numpy()
    mask = additive_mask(result)
    scores = k @ q / np.sqrt(q.shape[0])
    shifted = scores + mask
    probs = np.exp(shifted - shifted.max())
    probs /= probs.sum()
    weighted = probs[:, None] * v
    model_probs = result.attentions[layer, head, query].astype(np.float64)
    return NeuronView(
        layer,
        head,
        query,
        q,
        k,
        v,
        q[None, :] * k,
        scores,
        mask,
        probs,
        weighted,
        weighted.sum(axis=0),
        model_probs,
        float(np.abs(probs - model_probs).max()),
    )
