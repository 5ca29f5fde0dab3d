"""Do attributions agree with attention rollout (the attention page's view of which tokens feed the output)?

Rollout (core.attention.rollout, Abnar & Zuidema 2020) gives, after the last layer, how much of each position's
representation comes from each input token. The row(s) the task reads are those of the explained output: [CLS]
for a classifier's head, the [MASK] for a masked-LM target, every token for a mean-pooled sentence embedding.
Rollout is non-negative, so it is compared with |attribution| by Spearman's ρ.
"""

from __future__ import annotations

import numpy as np

from core.attention.extract import extract
from core.attention.rollout import rollout
from core.attribution.agreement import spearman
from core.models import LoadedModel
from core.tokens import Encoded


def read_positions(loaded: LoadedModel, enc: Encoded, task: str) -> list[int]:
    """Positions whose final representation the task's output reads."""
    if task == "classification":
        return [0]
    if task.startswith("masked-lm"):
        return [int((enc.input_ids[0] == loaded.tokenizer.mask_token_id).nonzero()[0])]
    return list(range(enc.length))  # mean pooling reads every (unpadded) token


def rollout_scores(loaded: LoadedModel, enc: Encoded, task: str, fusion: str = "mean") -> np.ndarray:
    """Token scores [T]: the last layer's rollout rows of the read positions, averaged."""
    final = rollout(extract(loaded, enc).attentions, fusion)[-1]  # [T, T]
    return final[read_positions(loaded, enc, task)].mean(0)


def rollout_agreement(scores: dict[str, np.ndarray], rollout_row: np.ndarray, movable: np.ndarray) -> dict[str, float]:
    """Spearman ρ between |scores| of each method and the rollout scores, over the movable tokens."""
    return {name: spearman(np.abs(s[movable]), rollout_row[movable]) for name, s in scores.items()}
