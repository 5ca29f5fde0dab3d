"""Tiny saved checkpoints with a working vocabulary for the attribution tests.

transformers 5 ignores `BertTokenizerFast(vocab_file=...)` (the tokenizer then knows only the special tokens), so
the vocabulary is passed as `vocab=`; models are seeded so every run sees the same weights.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import BertForMaskedLM, BertForSequenceClassification, BertTokenizer

from core.models import load_model
from tests.checkpoints import SPECIAL, WORDS, tiny_config

BUILDERS = {
    "classifier": lambda: BertForSequenceClassification(tiny_config(
        num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})),
    "masked-lm": lambda: BertForMaskedLM(tiny_config()),
}


def save_tiny_with_vocab(folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(SPECIAL + WORDS + ["##s", "##ing"]) + "\n")
    torch.manual_seed(0)
    BUILDERS[kind]().save_pretrained(folder)
    BertTokenizer(vocab=str(vocab), do_lower_case=True).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def classifier(tmp_path_factory):
    return load_model(str(save_tiny_with_vocab(tmp_path_factory.mktemp("classifier"), "classifier")))


@pytest.fixture(scope="session")
def masked_lm(tmp_path_factory):
    return load_model(str(save_tiny_with_vocab(tmp_path_factory.mktemp("masked_lm"), "masked-lm")))
