"""The checks shown with every result, each against a case whose answer is known or an independent computation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import spearmanr

from core.attribution.agreement import agreement_matrix, spearman, top_k_overlap
from core.attribution.explain import explain
from core.attribution.export import export_record, to_csv, to_json
from core.attribution.faithfulness import BINS, faithfulness
from core.attribution.methods import MethodSettings
from core.attribution.network import NetworkTarget, NetworkUnderStudy, network_problem
from core.attribution.problem import Problem
from core.attribution.robustness import baseline_sensitivity, feature_infidelity, max_sensitivity
from core.attribution.sanity import network_sanity_check, randomisation_stages, sanity_check
from core.attribution.text import TextTarget, text_problem
from core.models import ModelSnapshot
from core.settings import problems
from core.setup_state import from_query

WEIGHTS = torch.tensor([3.0, -1.0, 0.5, 2.0, 0.0, 1.0])


def toy_problem() -> Problem:
    """f(x) = w·x at x = 1, baseline 0: feature i contributes w_i, and the best order is known."""
    layer = torch.nn.Linear(6, 1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(WEIGHTS[None])
    network = NetworkUnderStudy(
        layer,
        lambda p: p,
        tuple(f"x{i}" for i in range(6)),
        ("y",),
        "regression",
        np.zeros((2, 6)),
        np.zeros(2),
        "identity",
    )
    return network_problem(network, torch.ones(1, 6), NetworkTarget(), "zero")


def test_deletion_and_insertion_curves_on_a_linear_toy_follow_the_known_order():
    problem = toy_problem()
    result = faithfulness(problem, WEIGHTS.numpy(), n_random=20)
    w_sorted = np.sort(WEIGHTS.numpy())[::-1]
    expected_deletion = WEIGHTS.sum().item() - np.concatenate([[0], np.cumsum(w_sorted)])
    np.testing.assert_allclose(result.deletion, expected_deletion, atol=1e-5)
    np.testing.assert_allclose(result.insertion, np.concatenate([[0], np.cumsum(w_sorted)]), atol=1e-5)
    assert result.deletion_area < result.random_deletion_area
    assert result.insertion_area > result.random_insertion_area
    # AOPC by hand: removing the top ceil(k·6) features drops f by the sum of the largest weights.
    counts = [int(np.ceil(k * 6)) for k in BINS]
    assert result.comprehensiveness == pytest.approx(np.mean([w_sorted[:c].sum() for c in counts]), abs=1e-5)
    assert result.sufficiency == pytest.approx(
        np.mean([WEIGHTS.sum().item() - w_sorted[:c].sum() for c in counts]), abs=1e-5
    )
    assert result.comprehensiveness > result.random_comprehensiveness
    metrics = result.metrics()  # what an export records: the areas by the trapezoid rule, by hand
    widths, deletion = np.diff(result.fractions), result.deletion
    assert metrics["deletion_area"] == pytest.approx(float((widths * (deletion[1:] + deletion[:-1]) / 2).sum()))
    assert metrics["aopc_comprehensiveness"] == result.comprehensiveness
    assert list(metrics) == [
        "deletion_area",
        "insertion_area",
        "random_deletion_area",
        "random_insertion_area",
        "aopc_comprehensiveness",
        "aopc_sufficiency",
    ]


def test_a_reversed_explanation_is_less_faithful_than_the_true_one():
    problem = toy_problem()
    good, bad = faithfulness(problem, WEIGHTS.numpy()), faithfulness(problem, -WEIGHTS.numpy())
    assert good.deletion_area < bad.deletion_area and good.comprehensiveness > bad.comprehensiveness


def test_only_a_problems_fixed_features_are_kept_out_of_agreement(classifier):
    problem, enc = text_problem(classifier, "the good movie", TextTarget("classification"))
    np.testing.assert_array_equal(problem.movable, [not s for s in enc.special])
    assert problem.movable[0] == problem.movable[-1] == False  # noqa: E712 - [CLS] and [SEP]
    assert toy_problem().movable is None  # a network's features: none is fixed


def test_faithfulness_never_removes_fixed_tokens(classifier):
    problem, enc = text_problem(classifier, "the good movie was bad", TextTarget("classification"))
    result = faithfulness(problem, explain(problem, "integrated-gradients").scores[0], n_random=3)
    assert result.fractions[-1] == 1.0 and len(result.fractions) == enc.length - 2 + 1
    # everything movable removed = the baseline with [CLS]/[SEP] kept, which is exactly f(baseline)
    assert result.deletion[-1] == pytest.approx(problem.evaluate(problem.baselines).item(), abs=1e-6)


@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=30),
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=30, max_size=30),
)
def test_spearman_matches_scipy_including_ties(a, b):
    a, b = np.array(a), np.array(b[: len(a)])
    expected = spearmanr(a, b).statistic
    ours = spearman(a, b)
    if np.isnan(expected):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(expected, abs=1e-9)


def test_top_k_overlap_and_agreement_matrix():
    a, b = np.array([5.0, -4.0, 1.0, 0.1]), np.array([-6.0, 0.2, 3.0, 0.0])
    assert top_k_overlap(a, b, 2) == 0.5
    matrix = agreement_matrix({"a": a, "b": b, "a again": a})
    assert matrix.shape == (3, 3) and matrix[0, 2] == pytest.approx(1.0) and matrix[0, 1] == matrix[1, 0]


def test_infidelity_is_zero_for_exact_contributions_of_a_linear_model_and_not_for_wrong_ones():
    problem = toy_problem()
    assert feature_infidelity(problem, WEIGHTS.numpy()) == pytest.approx(0.0, abs=1e-8)
    assert feature_infidelity(problem, -WEIGHTS.numpy()) > 1.0


def test_max_sensitivity_of_saliency_on_a_linear_model_is_zero():
    problem = toy_problem()
    assert max_sensitivity(problem, "saliency", MethodSettings(), radius=0.1) == pytest.approx(0.0, abs=1e-6)
    assert max_sensitivity(problem, "input-x-gradient", MethodSettings(), radius=0.1) > 0


def test_baseline_sensitivity_compares_every_baseline_with_the_first(classifier):
    text = "the good movie was bad"
    result = baseline_sensitivity(
        lambda kind: text_problem(classifier, text, TextTarget("classification"), baseline=kind)[0],
        ("pad", "mask", "zero"),
        "integrated-gradients",
        MethodSettings(n_steps=16),
    )
    assert result.spearman[0] == pytest.approx(1.0) and result.top_k[0] == 1.0
    assert [r.baseline_label for r in result.results] == ["pad", "mask", "zero"]


def test_sanity_check_randomises_a_copy_top_down_and_the_attributions_move(classifier):
    before = ModelSnapshot.of(classifier.model)
    text = "the good movie was bad"
    stages = [name for name, _, _ in randomisation_stages(classifier)]
    assert stages == ["head", "layer 1", "layer 0"]
    result = sanity_check(
        classifier,
        lambda m: text_problem(m, text, TextTarget("classification"))[0],
        "integrated-gradients",
        MethodSettings(n_steps=16),
    )
    assert result.stages[0] == "trained" and len(result.stages) == 4
    assert result.spearman[0] == pytest.approx(1.0)
    assert not np.allclose(result.scores[0], result.scores[-1])
    assert ModelSnapshot.of(classifier.model) == before


def test_network_sanity_check_randomises_a_copy_from_the_output_layer_down():
    from core.attribution.network import train_default_network

    network = train_default_network(epochs=30)
    before = ModelSnapshot.of(network.model)
    points = torch.tensor([[2.0, 1.5]])
    result = network_sanity_check(
        network, lambda n: network_problem(n, points, NetworkTarget()), "integrated-gradients"
    )
    assert result.stages == ("trained", "… output layer", "… hidden layer 2", "… hidden layer 1")
    assert result.spearman[0] == pytest.approx(1.0)
    assert not np.allclose(result.scores[0], result.scores[1])
    assert ModelSnapshot.of(network.model) == before


def test_export_records_everything_to_rerun_and_rerunning_gives_the_same_numbers(classifier):
    settings = MethodSettings(n_samples=12, seed=7)
    problem, _ = text_problem(classifier, "the good movie", TextTarget("classification", label=1))
    result = explain(problem, "kernel-shap", settings)
    record = export_record(
        result, classifier.provenance.as_dict(), {"text": "the good movie", "label": 1}, metrics={"infidelity": 0.5}
    )
    doc = json.loads(to_json(record))
    assert doc["model"]["revision"].startswith("sha256:")
    assert {"torch", "transformers", "captum"} <= set(doc["versions"])
    assert doc["method"]["settings"]["seed"] == 7 and doc["baseline"] == "pad"
    again, warnings = from_query(MethodSettings, {k: str(v) for k, v in doc["method"]["settings"].items()})
    assert not warnings and again == settings
    rerun = explain(
        text_problem(classifier, doc["setup"]["text"], TextTarget("classification", label=1))[0],
        doc["method"]["key"],
        again,
    )
    np.testing.assert_allclose(rerun.scores, np.array(doc["attributions"]), rtol=1e-6, atol=1e-9)
    csv_text = to_csv(record)
    assert csv_text.startswith("# app:") and "\n# model:" in csv_text
    assert "input,position,feature,attribution" in csv_text
    assert len([line for line in csv_text.splitlines() if not line.startswith("#")]) == 1 + len(result.scores[0])


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "n_steps",
                "integration",
                "internal_batch_size",
                "n_samples",
                "stdevs",
                "window",
                "seed",
                "perturbations_per_eval",
            ]
        ),
        st.text(max_size=12),
    )
)
def test_garbage_settings_from_a_link_fall_back_to_valid_defaults(params):
    settings, _warnings = from_query(MethodSettings, params)
    assert problems(settings) == []


def test_a_text_export_opens_again_to_its_setup_and_re_runs_to_the_same_numbers(classifier):
    from core.attribution.export import read_export
    from core.attribution.setup import AttributionSetup
    from core.settings import flat_values

    setup = AttributionSetup(
        source=classifier.provenance.source,
        text="the good movie",
        task="classification",
        label=1,
        method="kernel-shap",
        settings=MethodSettings(n_samples=12, seed=7),
    )
    problem, _ = text_problem(classifier, setup.text, setup.text_target(), setup.text_baseline)
    result = explain(problem, setup.method, setup.settings)
    opened = read_export(to_json(export_record(result, classifier.provenance.as_dict(), flat_values(setup))))
    assert opened.setup == setup and opened.network is None and not opened.warnings
    again = text_problem(classifier, opened.setup.text, opened.setup.text_target(), opened.setup.text_baseline)[0]
    rerun = explain(again, opened.setup.method, opened.setup.settings)
    np.testing.assert_allclose(rerun.scores, result.scores, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "text", ["", "{", "[1, 2]", '{"setup": {}}', '{"setup": {"subject": "network"}, "attributions": []}']
)
def test_anything_but_an_export_is_refused_with_a_message(text):
    from core.attribution.export import read_export

    with pytest.raises(ValueError, match=r"export|network"):
        read_export(text)


def test_a_field_an_export_cannot_hold_is_left_at_its_default_with_a_warning():
    from core.attribution.export import read_export

    opened = read_export('{"setup": {"n_steps": "many", "text": "a dog"}, "attributions": []}')
    assert opened.setup.text == "a dog" and opened.setup.settings.n_steps == MethodSettings().n_steps
    assert any("n_steps" in w for w in opened.warnings)
