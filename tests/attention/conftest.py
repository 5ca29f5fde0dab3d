"""Shared inputs for the attention tests: one MiniLM extraction and tiny checkpoints of each head kind."""

from __future__ import annotations

import pytest

from core.attention.extract import extract
from core.models import load_model
from core.tokens import encode


@pytest.fixture(scope="session")
def cat(minilm):
    """MiniLM's attention for a short sentence with punctuation and a two-piece word."""
    return extract(minilm, encode(minilm, "The cat sat on the mat, unhappily."))


@pytest.fixture(scope="session")
def tiny(tiny_folder):
    """`tiny(kind)` → a LoadedModel of a tiny saved checkpoint ("encoder", "classifier", "masked-lm")."""
    loaded = {}

    def make(kind: str = "encoder"):
        if kind not in loaded:
            loaded[kind] = load_model(str(tiny_folder(kind)))
        return loaded[kind]

    return make
