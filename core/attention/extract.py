"""What every head of the model attends to for one input: one eager forward pass, all layers at once.

The result keeps the attention probabilities the model itself computed (`output_attentions=True`) and the hidden
states that entered each layer, so every later view (neuron view, norm-based weighting, statistics) works from the
same numbers without running the model again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.models import LoadedModel
from core.tokens import Encoded


class AttentionUnavailableError(RuntimeError):
    """The model returned no attention probabilities (e.g. a fused attention kernel)."""


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # results are cached and shared between sessions
    return array


@dataclass(frozen=True, eq=False)
class AttentionResult:
    """All attention maps of one input.

    attentions: [layers, heads, T, T] float32, row i = how query token i spreads its attention over the keys.
    hidden_states: [layers + 1, T, hidden] float32; hidden_states[l] is the input of layer l.
    """

    attentions: np.ndarray
    hidden_states: np.ndarray
    encoded: Encoded
    provenance: dict[str, str]

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.encoded.tokens

    @property
    def num_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def num_heads(self) -> int:
        return self.attentions.shape[1]

    @property
    def length(self) -> int:
        return self.attentions.shape[-1]

    @property
    def segments(self) -> np.ndarray:
        """[T] int: 0 for text A (and its [CLS]/[SEP]), 1 for text B."""
        seg = np.zeros(self.length, dtype=int)
        if self.encoded.segment_b_start is not None:
            seg[self.encoded.segment_b_start :] = 1
        return seg


def provenance_of(loaded: LoadedModel, encoded: Encoded) -> dict[str, str]:
    """What an export must say about where its numbers came from."""
    info = loaded.provenance.as_dict()
    info["truncation"] = (
        f"truncated from {encoded.untruncated_length} to {encoded.length} tokens"
        if encoded.truncated
        else f"none ({encoded.length} tokens, limit {encoded.max_length})"
    )
    return info


@torch.no_grad()
def extract(loaded: LoadedModel, encoded: Encoded) -> AttentionResult:
    """Run the encoder once and keep every layer's attention probabilities and input hidden states."""
    out = loaded.encoder(**encoded.model_inputs(), output_attentions=True, output_hidden_states=True)
    if not out.attentions:
        raise AttentionUnavailableError(
            f"The model ran with attention implementation '{loaded.config._attn_implementation}', which returns no "
            "attention probabilities. Load it with attn_implementation='eager'."
        )
    attentions = torch.cat(out.attentions, dim=0)  # [layers, heads, T, T]
    hidden = torch.cat(out.hidden_states, dim=0)  # [layers + 1, T, hidden]
    return AttentionResult(
        attentions=_frozen(attentions.float().cpu().numpy()),
        hidden_states=_frozen(hidden.float().cpu().numpy()),
        encoded=encoded,
        provenance=provenance_of(loaded, encoded),
    )
