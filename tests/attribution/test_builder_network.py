"""The Network builder's trained network, read through `from_builder`, against independent computations."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from core.attribution.explain import explain
from core.attribution.methods import MethodSettings, refusal
from core.attribution.network import NetworkTarget, from_builder, network_problem
from core.builder.setup import BuilderSetup
from core.builder.trained import train_default_network
from core.models import ModelSnapshot

POINTS = torch.tensor([[0.5, -1.0], [2.0, 1.0], [-3.0, 0.5]])


@pytest.fixture(scope="module")
def trained():
    return train_default_network(epochs=20)


def test_the_copy_computes_the_builders_output_and_leaves_the_builder_untouched(trained):
    before = ModelSnapshot.of(trained.model)
    network = from_builder(trained)
    features = trained.to_features(POINTS)
    probability = network_problem(network, POINTS, NetworkTarget(scale="probability")).evaluate(features)
    np.testing.assert_allclose(probability.numpy(), trained.model(features)[:, 0].detach().numpy(), rtol=1e-6)
    explain(network_problem(network, POINTS, NetworkTarget()), "deeplift")
    assert ModelSnapshot.of(trained.model) == before
    assert network.feature_names == tuple(trained.feature_labels)


def test_integrated_gradients_on_the_builders_network_matches_a_float64_riemann_sum(trained):
    network = from_builder(trained)
    problem = network_problem(network, POINTS[1:2], NetworkTarget(scale="probability"), "point", (-1.0, -1.0))
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=300))
    model = copy.deepcopy(trained.model).double()
    x, b = problem.inputs[0].double(), problem.baselines[0].double()
    alphas = (torch.arange(20000, dtype=torch.float64) + 0.5) / 20000
    path = (b + alphas[:, None] * (x - b)).requires_grad_(True)
    (grads,) = torch.autograd.grad(model(path)[:, 0].sum(), path)
    np.testing.assert_allclose(result.scores[0], ((x - b) * grads.mean(0)).numpy(), rtol=1e-4, atol=1e-6)


def test_deeplift_is_complete_on_a_tanh_network_and_refused_on_a_gelu_one():
    tanh = from_builder(train_default_network(epochs=5))
    assert explain(network_problem(tanh, POINTS, NetworkTarget(scale="probability")), "deeplift").completeness.holds
    gelu = from_builder(train_default_network(BuilderSetup(activation="gelu"), epochs=5))
    assert "GELU" in refusal("deeplift", network_problem(gelu, POINTS, NetworkTarget()))
    assert explain(network_problem(gelu, POINTS, NetworkTarget()), "integrated-gradients").completeness.holds
