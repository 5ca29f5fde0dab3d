"""Tiny checkpoints saved with `save_pretrained` into a folder, so loader tests never touch the network."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    BertModel,
    BertTokenizer,
    ElectraConfig,
    ElectraForPreTraining,
    GPT2Config,
    GPT2Model,
)

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "good", "bad", "movie", "is", "was", "it", "."]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_tokenizer(folder: Path) -> BertTokenizer:
    """A WordPiece tokenizer over WORDS (transformers 5 ignores `BertTokenizerFast(vocab_file=...)`; `vocab=` works)."""
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(SPECIAL + WORDS + ["##s", "##ing"]) + "\n")
    return BertTokenizer(vocab=str(vocab), do_lower_case=True)


def tiny_config(**extra) -> BertConfig:
    return BertConfig(
        vocab_size=len(SPECIAL) + len(WORDS) + 2,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=64,
        **extra,
    )


# kind → how to build the model (seeded so tests see the same weights every run)
BUILDERS = {
    "encoder": lambda: BertModel(tiny_config()),
    "classifier": lambda: BertForSequenceClassification(
        tiny_config(num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
    ),
    "masked-lm": lambda: BertForMaskedLM(tiny_config()),
    # A discriminator: its config says ...ForPreTraining but it has no masked-LM head.
    "electra-discriminator": lambda: ElectraForPreTraining(
        ElectraConfig(
            vocab_size=len(SPECIAL) + len(WORDS) + 2,
            embedding_size=16,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=32,
            max_position_embeddings=64,
        )
    ),
}


def save_tiny(folder: Path, kind: str = "encoder") -> Path:
    """Save a tiny model of `kind` (see BUILDERS, or "pickle-only", "gpt2", "headless-classifier": a bare encoder
    whose config claims a classifier) with its tokenizer into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    if kind == "gpt2":
        GPT2Model(GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=50, n_positions=32)).save_pretrained(folder)
        return folder
    tokenizer = tiny_tokenizer(folder)
    if kind == "pickle-only":
        model = BertModel(tiny_config())
        model.config.save_pretrained(folder)
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    elif kind == "headless-classifier":
        model = BertModel(tiny_config())
        model.config.architectures = ["BertForSequenceClassification"]
        model.save_pretrained(folder)
    else:
        BUILDERS[kind]().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def save_to_fake_hub_cache(cache: Path, repo_id: str, source: Path, commit: str = "a" * 40) -> str:
    """Lay out `source`'s files as the Hugging Face cache holds a downloaded repo, so a hub id loads offline."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for f in source.iterdir():
        (snapshot / f.name).write_bytes(f.read_bytes())
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return commit
