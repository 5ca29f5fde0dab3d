"""How text becomes the tokens a model sees: one sentence or a pair, truncated to the model's limit with a warning.

Shared by the attention and attribution tools, so both show the same WordPiece tokens for the same text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import torch

from core.models import EMBEDDED, LoadedModel

MAX_CHARS = 20_000  # longer text is refused before tokenising (it would be truncated to a few hundred tokens anyway)


class TextInputError(ValueError):
    """Text that cannot be turned into tokens; the message says what to type instead."""


@dataclass(frozen=True, eq=False)
class Encoded:
    """A tokenised input of one sequence (batch of 1), on the model's device.

    input_ids, attention_mask, token_type_ids: [1, T]; tokens, special, word_ids: length T.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor | None
    tokens: tuple[str, ...]
    special: tuple[bool, ...]  # [CLS], [SEP], [PAD]… (the tokenizer's special tokens)
    word_ids: tuple[int | None, ...]  # index of the word each token belongs to (None for special tokens)
    segment_b_start: int | None  # first position of text B for a pair (first token_type_ids == 1), else None
    truncated: bool
    untruncated_length: int  # tokens the text would need without truncation
    max_length: int
    warnings: tuple[str, ...]

    @property
    def length(self) -> int:
        return len(self.tokens)

    def model_inputs(self) -> dict[str, torch.Tensor]:
        """Keyword arguments for the model's forward."""
        inputs = {"input_ids": self.input_ids, "attention_mask": self.attention_mask}
        if self.token_type_ids is not None:
            inputs["token_type_ids"] = self.token_type_ids
        return inputs


def _clean(text: str | None, label: str) -> str:
    if text is None:
        raise TextInputError(f"{label} is empty: type a sentence.")
    if len(text) > MAX_CHARS:
        raise TextInputError(
            f"{label} has {len(text):,} characters; the limit is {MAX_CHARS:,}. Models read a few "
            "hundred tokens at most: paste a shorter passage."
        )
    # Control characters (other than whitespace) are invisible in the page and meaningless to the tokenizer.
    cleaned = "".join(ch for ch in text if ch in "\t\n " or unicodedata.category(ch)[0] != "C")
    if not cleaned.strip():
        raise TextInputError(f"{label} is empty or only whitespace: type a sentence.")
    return cleaned


def encode(
    loaded: LoadedModel,
    text: str,
    text_pair: str | None = None,
    max_length: int | None = None,
    name: str | None = None,
) -> Encoded:
    """Tokenise `text` (and `text_pair`) for `loaded`; truncate to `max_length` (default: the model's limit).

    name: what the page calls the text in its messages (default "The text", or "Text A" for a pair)."""
    name = name or ("Text A" if text_pair is not None else "The text")
    text = _clean(text, name)
    pair = _clean(text_pair, "Text B") if text_pair is not None else None
    tokenizer = loaded.tokenizer
    smallest = tokenizer.num_special_tokens_to_add(pair=pair is not None) + (2 if pair is not None else 1)
    if max_length is not None and max_length < smallest:
        raise TextInputError(f"A limit of {max_length} tokens leaves no room for the text: use at least {smallest}.")
    limit = loaded.max_length if max_length is None else min(max_length, loaded.max_length)
    batch = tokenizer(text, pair, truncation=False, return_tensors="pt", return_special_tokens_mask=True)
    untruncated = batch["input_ids"].shape[1]
    if untruncated > limit:  # tokenise again, letting the tokenizer cut (for pairs it trims the longer text first)
        batch = tokenizer(
            text,
            pair,
            truncation="longest_first",
            max_length=limit,
            return_tensors="pt",
            return_special_tokens_mask=True,
        )
    ids = batch["input_ids"]
    n_content = int((1 - batch["special_tokens_mask"]).sum())
    if n_content == 0:
        raise TextInputError("The text has no characters this model's vocabulary can read. Type some words.")
    unk = tokenizer.unk_token_id
    warnings = []
    if untruncated > limit:
        if limit < loaded.max_length:
            why = "the limit you chose"
        elif loaded.provenance.source == EMBEDDED:
            why = "the length all-MiniLM-L6-v2 was trained on"
        else:
            why = "the model's limit"
        if pair is None:
            kept = tokenizer.decode(ids[0][batch["special_tokens_mask"][0] == 0][-6:].tolist()).strip()
            warnings.append(
                f"{name} has {untruncated} tokens; only the first {limit} are used ({why}), up to "
                f"“…{kept[-60:]}”: everything shown is for that part."
            )
        else:
            warnings.append(
                f"The pair has {untruncated} tokens; it was cut to {limit} ({why}) by trimming the end "
                "of the longer text first, so text A, text B or both lost their last tokens."
            )
    if unk is not None and (ids == unk).any():
        n = int((ids == unk).sum())
        warnings.append(f"{n} piece(s) of the text are unknown to the vocabulary and became {tokenizer.unk_token}.")
    token_types = batch.get("token_type_ids")
    b_start = None
    if pair is not None and token_types is not None and (token_types == 1).any():
        b_start = int((token_types[0] == 1).nonzero()[0])
    device = loaded.device
    return Encoded(
        input_ids=ids.to(device),
        attention_mask=batch["attention_mask"].to(device),
        token_type_ids=token_types.to(device) if token_types is not None else None,
        tokens=tuple(tokenizer.convert_ids_to_tokens(ids[0].tolist())),
        special=tuple(bool(s) for s in batch["special_tokens_mask"][0].tolist()),
        word_ids=tuple(batch.word_ids(0)),
        segment_b_start=b_start,
        truncated=untruncated > limit,
        untruncated_length=untruncated,
        max_length=limit,
        warnings=tuple(warnings),
    )
