"""Extraction keeps the model's own attention; the float64 recompute from weights and hidden states agrees with it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.attention.extract import extract
from core.attention.neuron import max_difference, neuron_view, recompute_all
from core.tokens import encode


def test_attention_has_one_map_per_layer_and_head(minilm, cat):
    assert cat.attentions.shape == (minilm.num_layers, minilm.num_heads, cat.length, cat.length)
    assert cat.hidden_states.shape == (minilm.num_layers + 1, cat.length, minilm.config.hidden_size)


def test_attention_rows_are_probability_distributions(cat):
    assert (cat.attentions >= 0).all()
    np.testing.assert_allclose(cat.attentions.sum(-1), 1.0, atol=1e-5)


def test_results_are_read_only_because_sessions_share_them(cat):
    with pytest.raises(ValueError):
        cat.attentions[0, 0, 0, 0] = 1.0


def test_float64_recompute_matches_the_model(minilm, cat):
    recomputed = recompute_all(minilm, cat)
    assert recomputed.dtype == np.float64
    np.testing.assert_allclose(recomputed, cat.attentions, atol=1e-5)
    assert max_difference(minilm, cat) <= 1e-5


def test_hidden_states_are_the_inputs_of_each_layer(minilm, cat):
    """Running layer l's own module on hidden_states[l] gives hidden_states[l + 1]."""
    layer = minilm.encoder.encoder.layer[2]
    x = torch.from_numpy(np.array(cat.hidden_states[2]))[None]
    with torch.no_grad():
        out = layer(x)
    out = out[0] if isinstance(out, tuple) else out
    np.testing.assert_allclose(out[0].numpy(), cat.hidden_states[3], atol=1e-4)


def test_neuron_view_steps_are_consistent(minilm, cat):
    view = neuron_view(minilm, cat, layer=3, head=5, query=2)
    d = view.q.shape[0]
    assert d == minilm.config.hidden_size // minilm.num_heads
    np.testing.assert_allclose(view.qk.sum(-1) / np.sqrt(d), view.scores, atol=1e-12)
    np.testing.assert_allclose(view.probs, np.exp(view.scores) / np.exp(view.scores).sum(), atol=1e-12)
    np.testing.assert_allclose(view.output, view.probs @ view.v, atol=1e-12)
    np.testing.assert_allclose(view.probs, cat.attentions[3, 5, 2], atol=1e-5)
    assert view.max_difference <= 1e-5


def test_neuron_view_output_is_the_models_context_vector(minilm, cat):
    """Σ_j α_ij v_j of one head equals that head's slice of the attention block's output (model in float32)."""
    view = neuron_view(minilm, cat, layer=1, head=7, query=4)
    x = torch.from_numpy(np.array(cat.hidden_states[1]))[None]
    with torch.no_grad():
        context, _ = minilm.encoder.encoder.layer[1].attention.self(x)
    d = view.q.shape[0]
    np.testing.assert_allclose(view.output, context[0, 4, 7 * d : 8 * d].numpy(), atol=1e-5)


def test_pair_is_split_at_the_first_token_of_text_b(minilm):
    result = extract(minilm, encode(minilm, "The cat sat.", "It was happy."))
    b = result.encoded.segment_b_start
    assert result.tokens[b - 1] == "[SEP]" and result.tokens[b] == "it"
    assert result.segments.tolist() == [0] * b + [1] * (result.length - b)


def test_truncation_keeps_the_limit_and_says_so(minilm):
    encoded = encode(minilm, "word " * 400)
    result = extract(minilm, encoded)
    assert result.length == minilm.max_length == 256
    assert encoded.truncated and "only the first 256" in encoded.warnings[0]
    assert "truncated from 402 to 256" in result.provenance["truncation"]


@pytest.mark.parametrize("text", ["🙂 emoji and 漢字 mixed with русский", "a" * 10_000])
def test_odd_text_still_gives_stochastic_maps(minilm, text):
    result = extract(minilm, encode(minilm, text))
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("kind", ["encoder", "classifier", "masked-lm"])
def test_tiny_checkpoints_of_every_head_kind_extract_and_recompute(tiny, kind):
    loaded = tiny(kind)
    result = extract(loaded, encode(loaded, "the cat sat on the mat .", "a dog ran ."))
    assert result.attentions.shape == (2, 4, result.length, result.length)
    assert max_difference(loaded, result) <= 1e-5
    assert result.provenance["source"] == loaded.provenance.source
