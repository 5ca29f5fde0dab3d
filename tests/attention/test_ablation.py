"""Head ablation changes only the session's copy; it equals zeroing the head's output; the shared model is untouched."""

from __future__ import annotations

import numpy as np
import torch

from core.attention.ablation import HeadAblator
from core.attention.extract import extract
from core.copies import CopyPool
from core.models import ModelSnapshot
from core.tokens import encode
from tests.threads import run_together


def _reference_output(loaded, encoded, heads):
    """Independent mechanism on a test-owned copy: a hook zeroes each ablated head's slice of the context vector."""
    model = loaded.session_copy().model
    d = loaded.config.hidden_size // loaded.num_heads
    for layer, head in heads:

        def zero(_module, _inputs, output, head=head):
            context = output[0].clone()
            context[..., head * d : (head + 1) * d] = 0.0
            return (context, *output[1:])

        model.base_model.encoder.layer[layer].attention.self.register_forward_hook(zero)
    with torch.no_grad():
        return model(**encoded.model_inputs())


def test_ablating_a_head_equals_zeroing_its_output(minilm):
    encoded = encode(minilm, "The cat sat on the mat.")
    heads = frozenset({(0, 3), (4, 11), (4, 0)})
    ablator = HeadAblator(minilm)
    ours = ablator.outputs(encoded, heads).last_hidden_state
    reference = _reference_output(minilm, encoded, heads).last_hidden_state
    torch.testing.assert_close(ours, reference, atol=1e-5, rtol=1e-5)
    plain = ablator.outputs(encoded, frozenset()).last_hidden_state  # switching back restores the weights
    with torch.no_grad():
        torch.testing.assert_close(plain, minilm.model(**encoded.model_inputs()).last_hidden_state)


def test_ablation_under_two_threads_leaves_the_shared_model_untouched(minilm):
    encoded = encode(minilm, "The cat sat on the mat.")
    # transformers 5 installs its own inert output-capturing hooks (gated by a ContextVar) on the first
    # output_attentions call and keeps them: take the snapshot after that first call.
    expected = extract(minilm, encoded).attentions.copy()
    before = ModelSnapshot.of(minilm.model)
    ablator = HeadAblator(minilm)
    mismatches = []

    def ablate():
        for i in range(8):
            ablator.effect(encoded, frozenset({(i % 6, i % 12), (5, 5)}))

    def read_shared():
        for _ in range(8):
            mismatches.append(float(np.abs(extract(minilm, encoded).attentions - expected).max()))

    errors = run_together(ablate, read_shared)
    assert not errors
    assert max(mismatches) == 0.0
    assert ModelSnapshot.of(minilm.model) == before


def test_effect_reports_cosine_for_the_encoder(minilm):
    encoded = encode(minilm, "The cat sat on the mat.")
    outcome = HeadAblator(minilm).effect(encoded, frozenset({(0, 0)}))
    assert "cosine" in outcome.headline
    assert len(outcome.after) == encoded.length and all(-1 <= c <= 1 + 1e-6 for c in outcome.after)


def test_effect_reports_class_probabilities_for_a_classifier(tiny):
    loaded = tiny("classifier")
    encoded = encode(loaded, "the movie was good .")
    outcome = HeadAblator(loaded).effect(encoded, frozenset({(0, 0), (1, 2)}))
    assert outcome.labels == ("negative", "positive")
    assert abs(sum(outcome.before) - 1) < 1e-6
    assert abs(sum(outcome.after) - 1) < 1e-6


def test_effect_reports_top_predictions_at_the_mask(tiny):
    loaded = tiny("masked-lm")
    ablator = HeadAblator(loaded)
    outcome = ablator.effect(encode(loaded, "the cat [MASK] on the mat ."), frozenset({(1, 1)}))
    assert len(outcome.labels) >= 5 and "Top prediction" in outcome.headline
    with torch.no_grad():
        logits = loaded.model(**encode(loaded, "the cat [MASK] on the mat .").model_inputs()).logits[0, 3]
    assert outcome.before[0] == max(outcome.before)
    assert abs(outcome.before[0] - float(torch.softmax(logits, -1).max())) < 1e-6
    no_mask = ablator.effect(encode(loaded, "the cat sat ."), frozenset({(1, 1)}))
    assert not no_mask.labels and "[MASK]" in no_mask.headline


def test_two_threads_ablating_different_heads_on_one_copy_each_get_their_own_heads_off(minilm):
    """Two overlapping runs of one session on its ablator: without the lock one thread's forward pass ran with the
    other's heads switched off."""
    encoded = encode(minilm, "The cat sat on the mat.")
    sets = [frozenset({(layer, head) for layer in range(6)}) for head in (0, 7)]
    expected = [_reference_output(minilm, encoded, heads).last_hidden_state for heads in sets]
    ablator = HeadAblator(minilm)
    wrong = []

    def ablate(i):
        for _ in range(15):
            got = ablator.outputs(encoded, sets[i]).last_hidden_state
            wrong.append(float((got - expected[i]).abs().max()) > 1e-4)

    assert not run_together(lambda: ablate(0), lambda: ablate(1))
    assert not any(wrong)


def test_a_copy_the_pool_dropped_comes_back_with_every_head_on(minilm):
    encoded = encode(minilm, "The cat sat on the mat.")
    pool = CopyPool(limit=1)
    ablator = HeadAblator(minilm, owner="student-a", pool=pool)
    heads = frozenset({(2, 5)})
    first = ablator.outputs(encoded, heads).last_hidden_state
    HeadAblator(minilm, owner="student-b", pool=pool).outputs(encoded, frozenset())  # takes the only place
    assert len(pool) == 1
    again = ablator.outputs(encoded, heads).last_hidden_state  # a fresh copy, switched again
    torch.testing.assert_close(again, first)
    with torch.no_grad():
        plain = minilm.model(**encoded.model_inputs()).last_hidden_state
    torch.testing.assert_close(ablator.outputs(encoded, frozenset()).last_hidden_state, plain)


def test_a_new_ablator_never_gets_the_copy_of_one_that_is_gone(minilm, tiny):
    """Copies were named in the pool by the ablator's id(), which Python gives again once an object is gone: a new
    ablator (another model) could get the old one's copy (seen: 'size of tensor a (16) must match … (384)')."""
    small = tiny("encoder")
    pool = CopyPool(limit=4)
    for _ in range(10):
        gone = HeadAblator(small, pool=pool)
        assert gone.private.config.hidden_size == small.config.hidden_size
        del gone
        new = HeadAblator(minilm, pool=pool)
        assert new.private.config.hidden_size == minilm.config.hidden_size
        del new
