"""Every method on small 2-D networks against an independent computation (closed forms, float64 autograd)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.attribution.explain import explain
from core.attribution.methods import METHODS, MethodSettings, refusal
from core.attribution.network import (
    NetworkTarget,
    NetworkUnderStudy,
    boundary_level,
    decision_values,
    default_features,
    grid_over,
    network_problem,
    train_default_network,
)

POINTS = torch.tensor([[0.5, -1.0], [1.5, 2.0], [-2.0, 0.3]])


def linear_network(weights=(0.7, -1.3, 0.4, 2.0, -0.5), bias=0.2) -> NetworkUnderStudy:
    layer = torch.nn.Linear(5, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([weights]))
        layer.bias.fill_(bias)
    layer.requires_grad_(False)
    data = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.0]])
    return NetworkUnderStudy(
        layer,
        default_features,
        ("X1", "X2", "X1²", "X2²", "X1·X2"),
        ("y",),
        "regression",
        data,
        np.zeros(3),
        "identity",
    )


def mlp_network(seed=1) -> NetworkUnderStudy:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    model.requires_grad_(False)
    return NetworkUnderStudy(
        model,
        default_features,
        ("X1", "X2", "X1²", "X2²", "X1·X2"),
        ("a", "b", "c"),
        "multiclass",
        np.random.default_rng(0).normal(size=(20, 2)),
        np.zeros(20),
        "softmax",
    )


def expected_linear(network, baseline_features):
    w = network.model.weight[0].double().numpy()
    return (default_features(POINTS).double().numpy() - baseline_features) * w


@pytest.mark.parametrize("baseline", ["zero", "mean", "point"])
def test_integrated_gradients_on_a_linear_model_is_input_minus_baseline_times_weight(baseline):
    network = linear_network()
    problem = network_problem(network, POINTS, NetworkTarget(), baseline, baseline_point=(1.0, -0.5))
    reference = {
        "zero": np.zeros(5),
        "mean": default_features(torch.tensor(network.points)).double().mean(0).numpy(),
        "point": default_features(torch.tensor([[1.0, -0.5]])).double().numpy()[0],
    }[baseline]
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=4))
    np.testing.assert_allclose(result.scores, expected_linear(network, reference), rtol=1e-5, atol=1e-6)
    assert result.completeness.holds


EXACT_ON_LINEAR = [
    "integrated-gradients",
    "input-x-gradient",
    "deeplift",
    "occlusion",
    "feature-ablation",
    "shapley-value-sampling",
    "kernel-shap",
]


@pytest.mark.parametrize("method", EXACT_ON_LINEAR)
def test_methods_that_are_exact_on_a_linear_model_give_input_minus_baseline_times_weight(method):
    network = linear_network()
    problem = network_problem(network, POINTS, NetworkTarget(), "zero")
    result = explain(problem, method, MethodSettings(n_samples=200))
    np.testing.assert_allclose(result.scores, expected_linear(network, np.zeros(5)), rtol=1e-4, atol=1e-4)


def test_gradient_methods_on_a_linear_model_give_the_weights():
    network = linear_network()
    problem = network_problem(network, POINTS, NetworkTarget(), "zero")
    w = network.model.weight[0].numpy()
    for method in ("saliency", "smoothgrad"):
        np.testing.assert_allclose(explain(problem, method).scores, np.tile(w, (3, 1)), rtol=1e-5)
    np.testing.assert_allclose(explain(problem, "vargrad").scores, 0.0, atol=1e-6)
    shap = explain(problem, "gradient-shap", MethodSettings(stdevs=0.0, n_samples=5))
    np.testing.assert_allclose(shap.scores, expected_linear(network, np.zeros(5)), rtol=1e-5, atol=1e-6)


def test_lime_on_a_linear_model_recovers_the_contributions_up_to_lasso_shrinkage():
    network = linear_network()
    problem = network_problem(network, POINTS[:1], NetworkTarget(), "zero")
    result = explain(problem, "lime", MethodSettings(n_samples=300))
    expected = expected_linear(network, np.zeros(5))[:1]
    assert np.abs(result.scores - expected).max() < 0.1 * np.abs(expected).max()


def riemann_ig_float64(network, point_features, baseline_features, output, n=20000):
    """IG by a midpoint Riemann sum of float64 autograd gradients on a float64 copy of the network."""
    import copy

    model = copy.deepcopy(network.model).double()
    x, b = point_features.double(), baseline_features.double()
    alphas = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    path = (b + alphas[:, None] * (x - b)).requires_grad_(True)
    out = model(path).softmax(1)[:, output].sum()
    (grads,) = torch.autograd.grad(out, path)
    return ((x - b) * grads.mean(0)).numpy()


def test_integrated_gradients_on_an_mlp_matches_a_float64_riemann_sum_of_autograd_gradients():
    network = mlp_network()
    target = NetworkTarget(output=2, scale="probability")
    problem = network_problem(network, POINTS[1:2], target, "point", baseline_point=(-1.0, 0.5))
    result = explain(problem, "integrated-gradients", MethodSettings(n_steps=400))
    reference = riemann_ig_float64(network, problem.inputs[0], problem.baselines[0], output=2)
    np.testing.assert_allclose(result.scores[0], reference, rtol=1e-4, atol=1e-6)


def exact_shapley(problem):
    """Shapley values by enumerating every coalition of the 5 features (float64 forward)."""
    x, b = problem.inputs[0].double(), problem.baselines[0].double()
    n = problem.n_features
    f = problem.forward

    def value(subset):
        z = b.clone()
        z[list(subset)] = x[list(subset)]
        return float(f(z[None].float())[0])

    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                phi[i] += weight * (value((*subset, i)) - value(subset))
    return phi


def test_shapley_sampling_on_an_mlp_converges_to_exact_shapley_values():
    network = mlp_network()
    problem = network_problem(network, POINTS[:1], NetworkTarget(output=0), "zero")
    result = explain(problem, "shapley-value-sampling", MethodSettings(n_samples=400))
    exact = exact_shapley(problem)
    np.testing.assert_allclose(result.scores[0], exact, atol=0.03 * np.abs(exact).max())
    assert result.completeness.holds  # every sampled order telescopes to f(x) − f(x′)


def test_feature_ablation_and_occlusion_are_the_output_drop_when_one_feature_is_reset():
    network = mlp_network()
    problem = network_problem(network, POINTS, NetworkTarget(output=1, scale="probability"), "mean")
    f = problem.evaluate
    expected = np.stack(
        [
            (f(problem.inputs) - f(torch.where(torch.arange(5) == i, problem.baselines, problem.inputs)))
            .double()
            .numpy()
            for i in range(5)
        ],
        1,
    )
    for method in ("feature-ablation", "occlusion"):
        np.testing.assert_allclose(explain(problem, method).scores, expected, rtol=1e-5, atol=1e-7)


def test_deeplift_on_an_mlp_is_complete_and_leaves_the_network_without_hooks():
    network = mlp_network()
    problem = network_problem(network, POINTS, NetworkTarget(output=0, scale="logit"), "zero")
    result = explain(problem, "deeplift")
    assert result.completeness.holds
    assert all(not m._forward_hooks and not m._backward_hooks for m in network.model.modules())
    binary = train_default_network(epochs=20)
    assert explain(network_problem(binary, POINTS, NetworkTarget(scale="probability")), "deeplift").completeness.holds


def test_deeplift_through_a_softmax_is_refused_with_the_reason():
    problem = network_problem(mlp_network(), POINTS, NetworkTarget(output=0, scale="probability"))
    assert "softmax" in refusal("deeplift", problem)
    with pytest.raises(ValueError, match="logit"):
        explain(problem, "deeplift")


def test_every_method_runs_on_a_grid_of_points_with_one_score_per_point_and_feature():
    network = train_default_network(epochs=50)
    grid = grid_over(network, resolution=4)
    problem = network_problem(network, grid.points, NetworkTarget(scale="probability"))
    for method in METHODS:
        assert refusal(method, problem) is None
        result = explain(problem, method, MethodSettings(n_samples=8, n_steps=8))
        assert result.scores.shape == (16, 5) and np.isfinite(result.scores).all()
    assert decision_values(network, grid, NetworkTarget()).shape == (4, 4)


def test_the_default_network_learns_its_disc_versus_ring_task():
    network = train_default_network()
    logits = network.model(network.features(torch.tensor(network.points)))[:, 0]
    accuracy = ((logits > 0).float().numpy() == network.labels).mean()
    assert accuracy > 0.95


def test_the_boundary_level_separates_the_classes_alike_on_the_logit_and_the_probability():
    network = train_default_network(epochs=30)  # a sigmoid output: sigmoid(z) > 1/2 exactly where z > 0
    logit, probability = NetworkTarget(0, "logit"), NetworkTarget(0, "probability")
    assert boundary_level(network, logit) == 0.0 and boundary_level(network, probability) == 0.5
    grid = grid_over(network, 12)
    z, p = decision_values(network, grid, logit), decision_values(network, grid, probability)
    assert (z > 0).any() and (z < 0).any()
    np.testing.assert_array_equal(z > 0, p > 0.5)
    assert boundary_level(mlp_network(), probability) == 0.5  # softmax
    assert boundary_level(replace(network, output_activation="tanh"), probability) == 0.0
    assert boundary_level(linear_network(), logit) is None  # a regression has no boundary


def test_an_output_the_network_does_not_have_is_refused_with_a_message():
    with pytest.raises(ValueError, match="does not exist"):
        network_problem(mlp_network(), POINTS, NetworkTarget(output=7))


@pytest.mark.parametrize("integration", ["riemann_left", "riemann_trapezoid"])
def test_integrated_gradients_delta_equals_captums_own_convergence_delta(integration):
    from captum.attr import IntegratedGradients

    problem = network_problem(mlp_network(), POINTS, NetworkTarget(), "mean")
    ours = explain(problem, "integrated-gradients", MethodSettings(n_steps=3, integration=integration))
    _, delta = IntegratedGradients(problem.forward).attribute(
        problem.inputs, problem.baselines, n_steps=3, method=integration, return_convergence_delta=True
    )
    assert np.abs(delta.numpy()).max() > 1e-4  # 3 steps leave a visible integration error to compare
    np.testing.assert_allclose(ours.completeness.delta, delta.double().numpy(), rtol=1e-4, atol=1e-6)
