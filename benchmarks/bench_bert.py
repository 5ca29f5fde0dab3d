"""BERT attention rows: extraction through our code vs the bare eager forward, and the analyses on top of it."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from benchmarks.common import Row, compare
from core.attention.extract import extract
from core.attention.rollout import rollout
from core.attention.stats import head_statistics
from core.models import load_model
from core.tokens import encode

TEXT = "The quick brown fox jumps over the lazy dog, and the dog does not seem to mind at all."


def rows():
    loaded = load_model("embedded")
    encoded = encode(loaded, TEXT)
    inputs = encoded.model_inputs()

    def bare():
        with torch.no_grad():
            out = loaded.encoder(**inputs, output_attentions=True)
        return out.attentions

    def analysed():
        result = extract(loaded, encoded)
        rollout(result.attentions)
        return head_statistics(result.attentions, result.tokens, result.encoded.special)

    note = f"MiniLM, {encoded.length} tokens"
    yield compare(
        "bert",
        "extract all attentions vs bare eager forward",
        lambda: extract(loaded, encoded),
        bare,
        "<= 1.2",
        repeat=30,
        note=note + "; ours also keeps hidden states as numpy",
    )
    yield compare(
        "bert",
        "extract + rollout + Clark statistics vs extract",
        analysed,
        lambda: extract(loaded, encoded),
        "<= 1.1",
        repeat=30,
        note=note,
    )


if __name__ == "__main__":
    for row in rows():
        assert isinstance(row, Row)
        print(row)
