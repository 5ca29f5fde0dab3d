"""Tokenisation shared by the text tools: pairs, truncation, odd input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.tokens import MAX_CHARS, TextInputError, encode


def test_pair_is_split_at_first_token_type_one(minilm):
    enc = encode(minilm, "The cat sat.", "It was tired.")
    assert enc.tokens[0] == "[CLS]" and enc.tokens[enc.segment_b_start - 1] == "[SEP]"
    assert enc.tokens[enc.segment_b_start] == "it"
    assert int(enc.token_type_ids[0, enc.segment_b_start]) == 1
    assert int(enc.token_type_ids[0, enc.segment_b_start - 1]) == 0


def test_long_text_is_truncated_to_the_trained_length_with_a_warning(minilm):
    enc = encode(minilm, "word " * 1000)
    assert enc.length == 256 and enc.truncated and enc.untruncated_length == 1002
    assert "256" in enc.warnings[0]


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x07"])
def test_empty_text_is_refused_with_a_message(minilm, text):
    with pytest.raises(TextInputError, match="empty"):
        encode(minilm, text)


def test_too_many_characters_is_refused(minilm):
    with pytest.raises(TextInputError, match="characters"):
        encode(minilm, "a" * (MAX_CHARS + 1))


def test_unknown_pieces_are_reported(minilm):
    enc = encode(minilm, "robots 🤖 dream")
    assert "[UNK]" in enc.tokens and any("unknown" in w for w in enc.warnings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_unicode_text_either_encodes_or_gives_a_clear_error(minilm, text):
    try:
        enc = encode(minilm, text)
    except TextInputError as e:
        assert str(e)
    else:
        assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
        assert enc.input_ids.shape == (1, enc.length) == enc.attention_mask.shape
        assert len(enc.word_ids) == len(enc.special) == enc.length


@pytest.mark.parametrize("limit", [-5, 0, 1, 2])
def test_a_limit_too_small_for_any_text_is_refused(minilm, limit):
    with pytest.raises(TextInputError, match="no room"):
        encode(minilm, "the cat sat", max_length=limit)


@pytest.mark.parametrize(("pair", "limit"), [(None, 3), (None, 6), ("it was tired", 5), ("it was tired", 9)])
def test_a_chosen_limit_is_obeyed_and_named_in_the_warning(minilm, pair, limit):
    enc = encode(minilm, "the cat sat on the mat", pair, max_length=limit)
    assert enc.length == limit and enc.truncated
    assert enc.input_ids.shape[1] == limit
    assert "the limit you chose" in enc.warnings[0]


def test_a_truncated_pair_says_that_the_longer_text_was_trimmed(minilm):
    enc = encode(minilm, "word " * 300, "short second text")
    assert enc.length == 256 and enc.segment_b_start is not None
    assert "longer text" in enc.warnings[0]
    assert enc.tokens[enc.segment_b_start : enc.segment_b_start + 3] == ("short", "second", "text")
