"""Compute: out-of-memory falls back to smaller internal batches with messages; the estimate sizes the batch."""

from __future__ import annotations

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

    return Problem(forward, problem.inputs, problem.baselines, problem.feature_names, problem.kind,
                   problem.target_label)


def test_out_of_memory_halves_the_internal_batch_and_gives_the_same_numbers(network):
    problem = network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    settings = MethodSettings(n_steps=40)
    reference = explain(problem, "integrated-gradients", settings)
    result = explain(limited(problem, 12), "integrated-gradients", settings)
    assert result.batch_size == 10
    assert [m.split(";")[0] for m in result.messages] == [
        "Out of memory on CPU with batch size 40", "Out of memory on CPU with batch size 20"]
    np.testing.assert_allclose(result.scores, reference.scores, rtol=1e-5, atol=1e-7)


def test_out_of_memory_even_at_batch_one_says_what_to_do(network):
    problem = network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget())
    with pytest.raises(MemoryError, match="fewer steps"):
        explain(limited(problem, 0), "integrated-gradients", MethodSettings(n_steps=8))


def test_the_estimate_picks_an_internal_batch_that_fits_the_free_memory(network, monkeypatch, minilm):
    from core.attribution.text import TextTarget, text_problem

    problem, enc = text_problem(minilm, "The cat sat on the mat.", TextTarget())
    per_eval = cost.bytes_per_evaluation(minilm.config, enc.length)
    monkeypatch.setattr(cost, "available_memory_bytes", lambda device=None: 20 * per_eval)
    estimate = cost.estimate(problem, "integrated-gradients", MethodSettings(n_steps=64), minilm.config)
    assert estimate.evaluations == 64 and estimate.internal_batch_size == 10  # half of 20 evaluations' memory
    assert estimate.seconds > 0 and "64 model evaluations" in estimate.describe()
    # the page passes that batch on: the result is the same as in one batch
    fits = explain(problem, "integrated-gradients", MethodSettings(n_steps=64, internal_batch_size=10))
    whole = explain(problem, "integrated-gradients", MethodSettings(n_steps=64))
    np.testing.assert_allclose(fits.scores, whole.scores, rtol=1e-4, atol=1e-6)
