"""Compute: out-of-memory falls back to smaller internal batches with messages; the estimate sizes the batch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.attribution import cost
from core.attribution.explain import explain
from core.attribution.methods import MethodSettings
from core.attribution.network import NetworkTarget, network_problem, train_default_network
from core.attribution.problem import Problem


@pytest.fixture(scope="module")
def network():
    return train_default_network(epochs=20)


def limited(problem: Problem, largest_batch: int) -> Problem:
    """The same problem whose forward fails like CUDA does when given more than `largest_batch` rows."""

    def forward(x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] > largest_batch:
            raise RuntimeError(f"CUDA out of memory. Tried to allocate {x.shape[0]} rows")
        return problem.forward(x)

    return Problem(
        forward, problem.inputs, problem.baselines, problem.feature_names, problem.kind, problem.target_label
    )


def test_out_of_memory_halves_the_internal_batch_and_gives_the_same_numbers(network):
    problem = network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    settings = MethodSettings(n_steps=40)
    reference = explain(problem, "integrated-gradients", settings)
    result = explain(limited(problem, 12), "integrated-gradients", settings)
    assert result.batch_size == 10
    assert [m.split(";")[0] for m in result.messages] == [
        "Out of memory on CPU with batch size 40",
        "Out of memory on CPU with batch size 20",
    ]
    np.testing.assert_allclose(result.scores, reference.scores, rtol=1e-5, atol=1e-7)


def test_out_of_memory_even_at_batch_one_says_what_to_do(network):
    problem = network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    with pytest.raises(MemoryError, match="fewer steps"):
        explain(limited(problem, 0), "integrated-gradients", MethodSettings(n_steps=8))


def test_the_estimate_picks_an_internal_batch_that_fits_the_work_queues_share(network, monkeypatch, minilm):
    from core.attribution.text import TextTarget, text_problem
    from core.work import WorkQueue

    problem, enc = text_problem(minilm, "The cat sat on the mat.", TextTarget())
    per_eval = cost.bytes_per_evaluation(minilm.config, enc.length)
    queue = WorkQueue(slots=2, memory_budget=20 * per_eval)  # two runs at once may each plan for 10 evaluations
    monkeypatch.setattr(cost, "default_queue", lambda: queue)
    estimate = cost.estimate(problem, "integrated-gradients", MethodSettings(n_steps=64), minilm.config)
    assert estimate.evaluations == 64 and estimate.internal_batch_size == 10
    assert estimate.memory == 10 * per_eval
    assert estimate.seconds > 0 and "64 model evaluations" in estimate.describe()
    # the page passes that batch on where the user left it to the free memory: the same result as in one batch
    assert estimate.settings_for(MethodSettings(n_steps=64)) == MethodSettings(n_steps=64, internal_batch_size=10)
    assert estimate.settings_for(MethodSettings(n_steps=64, internal_batch_size=7)).internal_batch_size == 7
    assert replace(estimate, internal_batch_size=64).settings_for(MethodSettings(n_steps=64)) == MethodSettings(
        n_steps=64
    )  # all at once fits
    fits = explain(problem, "integrated-gradients", MethodSettings(n_steps=64, internal_batch_size=10))
    whole = explain(problem, "integrated-gradients", MethodSettings(n_steps=64))
    np.testing.assert_allclose(fits.scores, whole.scores, rtol=1e-4, atol=1e-6)


def test_progress_counts_the_methods_model_evaluations_up_to_all_of_them(network):
    problem = network_problem(network, torch.tensor([[2.0, 1.5], [0.5, -1.0]]), NetworkTarget())
    seen = []
    result = explain(
        problem,
        "kernel-shap",
        MethodSettings(n_samples=60, perturbations_per_eval=7),
        progress=lambda fraction, note: seen.append(fraction),
    )
    plain = explain(problem, "kernel-shap", MethodSettings(n_samples=60, perturbations_per_eval=7))
    np.testing.assert_array_equal(result.scores, plain.scores)  # watching changes nothing
    assert seen == sorted(seen) and len(seen) > 10 and seen[-1] == pytest.approx(1.0)


def test_a_cancelled_run_stops_at_its_next_model_evaluation(network):
    from core.work import Cancelled, Token, watching

    problem = network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    token, calls = Token(), []

    def cancel_after_three(fraction, note):
        calls.append(fraction)
        if len(calls) == 3:
            token.cancel("you stopped it")

    with watching(token), pytest.raises(Cancelled, match="you stopped it"):
        explain(
            problem,
            "kernel-shap",
            MethodSettings(n_samples=2000, perturbations_per_eval=1),
            progress=cancel_after_three,
        )
    assert len(calls) == 3  # 2,000 evaluations asked for; the fourth never ran
