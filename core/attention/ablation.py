"""What the model's output loses when heads are switched off.

transformers 5's BertModel has no `head_mask`. Switching off head h of a layer is done by zeroing the rows of that
layer's value projection that produce head h's values (weights and bias): then softmax(QKᵀ/√d)·V_h = 0, exactly what
a head mask of 0 did. This happens on the session's own copy of the model (`LoadedModel.session_copy()`); the shared
cached model is only read, so other sessions never see an ablated head. The copy lives in the server's `CopyPool`,
which bounds how many copies exist at once: a copy dropped there is made again on next use.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import torch

from core.copies import CopyPool, default_copies
from core.models import LoadedModel
from core.tokens import Encoded

Head = tuple[int, int]  # (layer, head), counted from 0
_numbers = itertools.count()  # each ablator's own name in the pool: an id() is reused once its object is gone


@dataclass(frozen=True)
class Outcome:
    """One output of the model with and without the ablated heads: label i has value before[i] and after[i].

    `before` is empty when the measure compares the two runs itself (a cosine between them)."""

    title: str
    labels: tuple[str, ...]
    before: tuple[float, ...]
    after: tuple[float, ...]
    headline: str  # one sentence for the page


def _value_rows(loaded: LoadedModel, head: int) -> slice:
    d = loaded.config.hidden_size // loaded.num_heads
    return slice(head * d, (head + 1) * d)


class HeadAblator:
    """A session's private copy of the model in which any set of heads can be switched off.

    `owner` is whose copy it is in the pool (a session id; `release_owner` frees it when the session ends).
    Switching heads and running the copy happen under `lock`: two overlapping runs of one session would otherwise
    switch each other's heads off between the switch and the forward pass."""

    def __init__(self, loaded: LoadedModel, owner: Hashable | None = None, pool: CopyPool | None = None):
        self.shared = loaded
        self.number = next(_numbers)
        self.owner = ("ablator", self.number) if owner is None else owner
        self.pool = default_copies() if pool is None else pool  # an empty pool is falsy
        self.lock = threading.RLock()
        self.off: frozenset[Head] = frozenset()

    @property
    def private(self) -> LoadedModel:
        """The copy (made again, with every head on, if the pool dropped it)."""
        with self.lock:
            copy, fresh = self.pool.get(self.owner, ("ablation", self.number), self.shared.session_copy)
            if fresh:
                self.off = frozenset()
            return copy

    def switch_off(self, heads: frozenset[Head]) -> LoadedModel:
        """Restore every layer's value projection from the shared model, then zero the rows of `heads`; returns
        the copy in that state."""
        with self.lock:
            private = self.private
            if heads == self.off:
                return private
            for layer in {layer for layer, _ in heads | self.off}:
                original = self.shared.encoder.encoder.layer[layer].attention.self.value
                value = private.encoder.encoder.layer[layer].attention.self.value
                with torch.no_grad():
                    value.weight.copy_(original.weight)
                    value.bias.copy_(original.bias)
                    for _layer, head in (h for h in heads if h[0] == layer):
                        rows = _value_rows(self.shared, head)
                        value.weight[rows] = 0.0
                        value.bias[rows] = 0.0
            self.off = heads
            return private

    @torch.no_grad()
    def outputs(self, encoded: Encoded, heads: frozenset[Head]):
        """The private model's forward output with `heads` switched off."""
        with self.lock:
            return self.switch_off(heads).model(**encoded.model_inputs())

    def effect(self, encoded: Encoded, heads: frozenset[Head]) -> Outcome:
        """How the output changes when `heads` are off, measured as suits the model's head (see EFFECTS)."""
        with self.lock:
            before = self.outputs(encoded, frozenset())
            after = self.outputs(encoded, heads)
        return EFFECTS[self.shared.head](self.shared, encoded, before, after)


def sentence_embedding(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over tokens of the last hidden states ([1, T, hidden] → [hidden]), as sentence-transformers pools MiniLM."""
    weights = mask[0].to(hidden.dtype)[:, None]
    return (hidden[0] * weights).sum(0) / weights.sum()


def _encoder_effect(loaded: LoadedModel, encoded: Encoded, before, after) -> Outcome:
    h0, h1 = before.last_hidden_state, after.last_hidden_state
    cos = float(
        torch.nn.functional.cosine_similarity(
            sentence_embedding(h0, encoded.attention_mask), sentence_embedding(h1, encoded.attention_mask), dim=0
        )
    )
    per_token = torch.nn.functional.cosine_similarity(h0[0], h1[0], dim=-1)
    return Outcome(
        "cosine between each token's final vector with and without the heads",
        tuple(encoded.tokens),
        (),
        tuple(per_token.tolist()),
        f"Sentence embedding (mean pooling) keeps cosine {cos:.4f} with the original.",
    )


def _classifier_effect(loaded: LoadedModel, encoded: Encoded, before, after) -> Outcome:
    p0 = torch.softmax(before.logits[0], -1)
    p1 = torch.softmax(after.logits[0], -1)
    top0, top1 = int(p0.argmax()), int(p1.argmax())
    verdict = "unchanged" if top0 == top1 else f"changes from {loaded.labels[top0]} to {loaded.labels[top1]}"
    return Outcome(
        "class probabilities",
        loaded.labels,
        tuple(p0.tolist()),
        tuple(p1.tolist()),
        f"Predicted class {verdict} ({loaded.labels[top1]}: {float(p0[top1]):.3f} → {float(p1[top1]):.3f}).",
    )


TOP_K = 5


def _masked_lm_effect(loaded: LoadedModel, encoded: Encoded, before, after) -> Outcome:
    mask_id = loaded.tokenizer.mask_token_id
    positions = (encoded.input_ids[0] == mask_id).nonzero().flatten().tolist()
    if not positions:
        return Outcome(
            "top predictions at [MASK]",
            (),
            (),
            (),
            f"Put {loaded.tokenizer.mask_token} in the text to see the masked-word predictions change.",
        )
    pos = positions[0]
    p0 = torch.softmax(before.logits[0, pos], -1)
    p1 = torch.softmax(after.logits[0, pos], -1)
    ids = list(dict.fromkeys(p0.topk(TOP_K).indices.tolist() + p1.topk(TOP_K).indices.tolist()))
    words = tuple(loaded.tokenizer.convert_ids_to_tokens(ids))
    best0, best1 = words[0], loaded.tokenizer.convert_ids_to_tokens(int(p1.argmax()))
    return Outcome(
        f"probabilities at the first {loaded.tokenizer.mask_token} (position {pos})",
        words,
        tuple(p0[ids].tolist()),
        tuple(p1[ids].tolist()),
        f"Top prediction: '{best0}' → '{best1}'.",
    )


EFFECTS: dict[str, Callable[..., Outcome]] = {
    "encoder": _encoder_effect,
    "sequence-classification": _classifier_effect,
    "masked-lm": _masked_lm_effect,
}


def as_array(heads: frozenset[Head], layers: int, num_heads: int) -> np.ndarray:
    """[layers, heads] bool mask of the switched-off heads (for the grid figure)."""
    mask = np.zeros((layers, num_heads), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return mask
