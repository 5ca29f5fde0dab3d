"""Text tasks on the real MiniLM and tiny saved checkpoints: targets, baselines, completeness, perturbation by ids."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.attribution.explain import adaptive_steps, explain
from core.attribution.methods import METHODS, MethodSettings, refusal
from core.attribution.text import BASELINES, TASKS, TextTarget, resolve_target, tasks_for, text_problem, top_predictions
from core.models import ModelSnapshot
from core.tokens import TextInputError, encode
from tests.threads import run_together

TEXT = "The cat sat on the mat."


def test_tasks_offered_follow_the_checkpoint_head(minilm, classifier, masked_lm):
    assert tasks_for(minilm) == ["similarity"]
    assert tasks_for(classifier)[0] == "classification"
    assert tasks_for(masked_lm)[:2] == ["masked-lm", "masked-lm-contrast"]


# A second value for each target field; with the first ones below, each changes the scalar of a task that reads it.
CHANGED = {"label": 1, "output": "probability", "token": "dog", "token_b": "mat", "text_b": "a dog ran ."}


@pytest.mark.parametrize("task", list(TASKS))
def test_a_tasks_scalar_changes_with_the_target_fields_it_reads_and_with_no_other(task, classifier, masked_lm):
    loaded = classifier if task == "classification" else masked_lm
    first = TextTarget(task, token="cat", token_b="movie", text_b="the good movie")
    value = text_problem(loaded, "the cat [MASK] on the mat", first)[0].endpoints[0].item()
    for name, other in CHANGED.items():
        changed = text_problem(loaded, "the cat [MASK] on the mat", replace(first, **{name: other}))[0]
        assert (changed.endpoints[0].item() != pytest.approx(value, abs=1e-7)) == (name in TASKS[task].reads), name


def test_similarity_target_equals_the_cosine_of_sentence_embeddings_computed_from_ids(minilm):
    problem, enc = text_problem(minilm, TEXT, TextTarget(text_b="A dog runs."))
    with torch.no_grad():
        a = minilm.model(**enc.model_inputs()).last_hidden_state.mean(1)
        b_inputs = minilm.tokenizer("A dog runs.", return_tensors="pt")
        b = minilm.model(**b_inputs).last_hidden_state.mean(1)
    expected = torch.nn.functional.cosine_similarity(a, b).item()
    assert problem.evaluate(problem.inputs).item() == pytest.approx(expected, abs=1e-5)


def test_integrated_gradients_on_minilm_is_complete_with_a_small_delta(minilm):
    problem, enc = text_problem(minilm, TEXT, TextTarget())
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=50))
    assert result.completeness.holds
    assert abs(result.completeness.delta[0]) < 1e-3
    assert result.scores.shape == (1, enc.length)
    assert result.scores[0][0] == 0 and result.scores[0][-1] == 0  # [CLS]/[SEP] are kept in the baseline


def test_adaptive_steps_double_until_the_relative_delta_is_under_tolerance(minilm):
    problem, _ = text_problem(minilm, TEXT, TextTarget())
    convergence = adaptive_steps(problem, tolerance=1e-3, start=4)
    assert convergence.converged
    assert list(convergence.steps) == [4 * 2**i for i in range(len(convergence.steps))]
    assert convergence.chosen.settings.n_steps == convergence.steps[-1]


def test_removing_a_token_by_embedding_row_equals_feeding_the_pad_id(classifier):
    problem, enc = text_problem(classifier, "the good movie", TextTarget("classification", label=1))
    result = explain(problem, "feature-ablation")
    ids = enc.input_ids.clone()
    ids[0, 2] = classifier.tokenizer.pad_token_id
    with torch.no_grad():
        full = classifier.model(**enc.model_inputs()).logits[0, 1]
        ablated = classifier.model(
            input_ids=ids, attention_mask=enc.attention_mask, token_type_ids=enc.token_type_ids
        ).logits[0, 1]
    assert result.scores[0][2] == pytest.approx((full - ablated).item(), abs=1e-5)


@pytest.mark.parametrize("output", ["logit", "probability"])
def test_classifier_target_matches_the_model_output_on_ids(classifier, output):
    problem, enc = text_problem(classifier, "the dog was bad", TextTarget("classification", output, label=0))
    with torch.no_grad():
        logits = classifier.model(**enc.model_inputs()).logits[0]
    expected = logits.softmax(-1)[0] if output == "probability" else logits[0]
    assert problem.evaluate(problem.inputs).item() == pytest.approx(expected.item(), abs=1e-6)
    assert explain(problem, "integrated-gradients", MethodSettings(n_steps=64)).completeness.holds


def test_masked_lm_scores_the_chosen_token_and_keeps_the_mask_fixed(masked_lm):
    text = "the cat [MASK] on the mat"
    target = resolve_target(masked_lm, text, TextTarget("masked-lm"))
    assert target.token == top_predictions(masked_lm, text_problem(masked_lm, text, target)[1], 1)[0][0]
    problem, enc = text_problem(masked_lm, text, TextTarget("masked-lm", token="sat"))
    position = enc.tokens.index("[MASK]")
    assert problem.fixed[position]
    with torch.no_grad():
        logits = masked_lm.model(**enc.model_inputs()).logits[0, position]
    sat = masked_lm.tokenizer.convert_tokens_to_ids("sat")
    assert problem.evaluate(problem.inputs).item() == pytest.approx(logits[sat].item(), abs=1e-5)
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=64))
    assert result.completeness.holds and result.scores[0][position] == 0


def test_contrastive_masked_lm_is_the_logit_difference(masked_lm):
    problem, enc = text_problem(
        masked_lm, "the [MASK] ran", TextTarget("masked-lm-contrast", token="dog", token_b="cat")
    )
    position = enc.tokens.index("[MASK]")
    with torch.no_grad():
        logits = masked_lm.model(**enc.model_inputs()).logits[0, position]
    ids = masked_lm.tokenizer.convert_tokens_to_ids(["dog", "cat"])
    assert problem.evaluate(problem.inputs).item() == pytest.approx((logits[ids[0]] - logits[ids[1]]).item(), abs=1e-5)


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("the cat sat", TextTarget("masked-lm", token="cat"), "put \\[MASK\\] in the text"),
        ("the [MASK] sat", TextTarget("masked-lm", token="zebra"), "not one token"),
        ("the [MASK] sat", TextTarget("masked-lm-contrast", token="cat"), "needs two tokens"),
        ("the [MASK] sat", TextTarget("classification"), "cannot compute"),
        ("   ", TextTarget("masked-lm"), "empty"),
    ],
)
def test_bad_targets_and_texts_raise_a_message_for_the_page(masked_lm, text, target, message):
    with pytest.raises(TextInputError, match=message):
        text_problem(masked_lm, text, target)


def test_deeplift_is_refused_on_bert_with_the_reason(minilm):
    problem, _ = text_problem(minilm, TEXT, TextTarget())
    assert "GELU" in refusal("deeplift", problem)
    assert all(refusal(k, problem) is None for k in METHODS if k != "deeplift")


@pytest.mark.parametrize("kind", list(BASELINES))
def test_every_baseline_keeps_special_tokens_and_changes_the_others(classifier, kind):
    problem, _ = text_problem(classifier, "the cat sat", TextTarget("classification"), baseline=kind)
    same = (problem.inputs == problem.baselines).all(-1)[0]
    assert same[0] and same[-1]
    assert not same[1:-1].any()


def test_every_method_gives_one_finite_score_per_token_on_the_tiny_classifier(classifier):
    problem, enc = text_problem(classifier, "the good movie was bad", TextTarget("classification", label=1))
    for key in METHODS:
        if refusal(key, problem):
            continue
        result = explain(problem, key, MethodSettings(n_steps=16, n_samples=16))
        assert result.scores.shape == (1, enc.length) and np.isfinite(result.scores).all(), key
        if METHODS[key].completeness == "exact":
            assert result.completeness.holds, key


def test_l2_reduction_is_the_norm_of_each_token_attribution(classifier):
    problem, _ = text_problem(classifier, "the good movie", TextTarget("classification"))
    signed = explain(problem, "saliency")
    norm = explain(problem, "saliency", reduce="l2")
    np.testing.assert_allclose(norm.scores[0], signed.raw[0].double().norm(dim=-1).numpy(), rtol=1e-6)


def test_sampling_methods_repeat_exactly_with_the_same_seed(classifier):
    problem, _ = text_problem(classifier, "the good movie was bad", TextTarget("classification"))
    for key in ("gradient-shap", "smoothgrad", "shapley-value-sampling", "kernel-shap"):
        a = explain(problem, key, MethodSettings(n_samples=10, seed=3)).scores
        b = explain(problem, key, MethodSettings(n_samples=10, seed=3)).scores
        np.testing.assert_array_equal(a, b)


def test_two_threads_attributing_on_one_shared_model_leave_it_untouched_and_agree(minilm):
    before = ModelSnapshot.of(minilm.model)
    texts = ["The cat sat on the mat.", "A dog ran in the park."]
    alone = [
        explain(text_problem(minilm, t, TextTarget())[0], "integrated-gradients", MethodSettings(n_steps=16)).scores
        for t in texts
    ]
    results: dict[int, np.ndarray] = {}

    def work(i):
        for _ in range(2):
            problem = text_problem(minilm, texts[i], TextTarget())[0]
            results[i] = explain(problem, "integrated-gradients", MethodSettings(n_steps=16)).scores

    errors = run_together(lambda: work(0), lambda: work(1))
    assert not errors
    for i in range(2):
        np.testing.assert_allclose(results[i], alone[i], rtol=1e-5, atol=1e-7)
    assert ModelSnapshot.of(minilm.model) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=60),
    n_steps=st.integers(2, 40),
    integration=st.sampled_from(["gausslegendre", "riemann_trapezoid", "riemann_left"]),
    baseline=st.sampled_from(list(BASELINES)),
)
def test_any_text_and_settings_give_finite_scores_or_a_clear_message(classifier, text, n_steps, integration, baseline):
    try:
        problem, enc = text_problem(classifier, text, TextTarget("classification"), baseline=baseline)
    except TextInputError as error:
        assert str(error)
        return
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=n_steps, integration=integration))
    assert result.scores.shape == (1, enc.length) and np.isfinite(result.scores).all()


def test_ig_on_inputs_embeds_equals_captums_layer_ig_on_the_word_embeddings_of_a_copy(classifier):
    """Our hook-free IG is Captum's LayerIntegratedGradients on the embedding table (run on a private copy)."""
    from captum.attr import LayerIntegratedGradients

    problem, enc = text_problem(classifier, "the good movie was bad", TextTarget("classification", label=1))
    ours = explain(problem, "integrated-gradients", MethodSettings(n_steps=32)).scores[0]
    copy = classifier.session_copy().model
    baseline_ids = torch.where(
        torch.tensor(problem.fixed), enc.input_ids[0], classifier.tokenizer.pad_token_id
    ).unsqueeze(0)

    def logits(ids):
        return copy(
            input_ids=ids,
            attention_mask=enc.attention_mask.expand(len(ids), -1),
            token_type_ids=enc.token_type_ids.expand(len(ids), -1),
        ).logits[:, 1]

    layer = LayerIntegratedGradients(logits, copy.get_input_embeddings())
    theirs = layer.attribute(enc.input_ids, baseline_ids, n_steps=32).sum(-1)[0].numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)


def test_bf16_autocast_keeps_ig_close_to_fp32_and_reports_a_larger_delta(minilm):
    from core.attribution.agreement import precision_agreement

    problem, _ = text_problem(minilm, TEXT, TextTarget())
    fp32 = explain(problem, "integrated-gradients", MethodSettings(n_steps=32))
    bf16 = explain(problem, "integrated-gradients", MethodSettings(n_steps=32, precision="bf16"))
    assert bf16.scores.dtype == np.float64 and bf16.completeness.holds
    rho, gap = precision_agreement(bf16.scores[0], fp32.scores[0])
    assert rho > 0.9 and 0 < gap < 0.05
    assert abs(bf16.completeness.delta[0]) > abs(fp32.completeness.delta[0])


def test_rollout_scores_are_the_read_rows_of_the_attention_pages_rollout(minilm, classifier):
    from core.attention.extract import extract
    from core.attention.rollout import rollout
    from core.attribution.rollout import read_positions, rollout_agreement, rollout_scores

    problem, enc = text_problem(minilm, TEXT, TextTarget())
    scores = rollout_scores(minilm, enc, "similarity")
    expected = rollout(extract(minilm, encode(minilm, TEXT)).attentions)[-1].mean(0)
    np.testing.assert_allclose(scores, expected)
    assert read_positions(
        classifier, text_problem(classifier, "the cat", TextTarget("classification"))[1], "classification"
    ) == [0]
    ig = explain(problem, "integrated-gradients").scores[0]
    movable = ~np.array(problem.fixed)
    rho = rollout_agreement({"IG": ig, "same": scores}, scores, movable)
    assert rho["same"] == pytest.approx(1.0) and -1 <= rho["IG"] <= 1


def test_a_truncated_text_b_is_said_and_the_reference_is_what_was_kept(minilm):
    long_b = "the dog lay on the rug " * 120
    problem, enc = text_problem(minilm, TEXT, TextTarget(text_b=long_b))
    (warning,) = enc.warnings
    assert warning.startswith("Text B has 722 tokens; only the first 256 are used")
    kept = minilm.tokenizer(long_b, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        a = minilm.model(**enc.model_inputs()).last_hidden_state.mean(1)
        b = minilm.model(**kept).last_hidden_state.mean(1)
    assert problem.evaluate(problem.inputs).item() == pytest.approx(
        torch.nn.functional.cosine_similarity(a, b).item(), abs=1e-5
    )
    with pytest.raises(TextInputError, match=r"^Text B has 25,000 characters"):
        text_problem(minilm, TEXT, TextTarget(text_b="word " * 5000))
