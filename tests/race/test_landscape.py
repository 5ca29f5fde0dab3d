"""Li et al.'s landscape pieces: filter normalisation by its definition, span losses = per-point losses,
the top Hessian eigenvalue = the full Hessian's, and network races = plain torch.optim loops on the module."""

import copy
import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from core.race.landscape import (
    Problem,
    curvature_around,
    directional_curvature,
    filter_normalized_direction,
    flatten,
    line_losses,
    plane_losses,
    slice_around,
    span_losses,
    top_hessian_eigen,
    toy_problem,
    unflatten,
)
from core.race.network_race import own_plane, pca_plane, plane_view, race_network, shared_plane
from core.race.racers import make_racer
from core.race.stepper import LoopConfig
from tests.threads import run_together


@pytest.fixture(scope="module")
def problem():
    return toy_problem(hidden=8, n=64)


def test_filter_normalisation_matches_its_definition():
    conv = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))
    params = {n: p.detach() for n, p in conv.named_parameters()}
    d = filter_normalized_direction(params, seed=3)
    for name, p in params.items():
        assert d[name].shape == p.shape
        if p.dim() <= 1:  # biases and BatchNorm scales/shifts
            assert torch.count_nonzero(d[name]) == 0
        else:
            for i in range(p.shape[0]):  # each filter / neuron
                assert float(d[name][i].norm()) == pytest.approx(float(p[i].norm()), rel=1e-5)
    assert not torch.equal(d["0.weight"], filter_normalized_direction(params, seed=4)["0.weight"])


def losses_point_by_point(problem: Problem, points: torch.Tensor) -> torch.Tensor:
    """The reference: the module itself, its parameters set to each flat point [N, P] in turn, run on the batch."""
    model = copy.deepcopy(problem.model)
    losses = []
    for point in points:
        torch.nn.utils.vector_to_parameters(point, model.parameters())
        with torch.no_grad():
            losses.append(problem.criterion(model(problem.inputs), problem.targets))
    return torch.stack(losses)


def test_span_losses_equal_a_module_evaluated_point_by_point(problem):
    theta = flatten(problem.params())
    gen = torch.Generator().manual_seed(0)
    offsets = 0.3 * torch.randn(7, theta.numel(), generator=gen)
    by_span = span_losses(problem, theta, torch.eye(7), offsets, chunk=3)  # points theta + offsets[i]
    torch.testing.assert_close(by_span, losses_point_by_point(problem, theta + offsets), rtol=1e-5, atol=0)


def test_plane_and_line_slices_are_losses_at_center_plus_offsets(problem):
    params = problem.params()
    c = flatten(params)
    d1, d2 = flatten(filter_normalized_direction(params, 1)), flatten(filter_normalized_direction(params, 2))
    a, b = torch.linspace(-1, 1, 5), torch.linspace(-0.5, 0.5, 3)
    s = plane_losses(problem, c, d1, d2, a, b)
    assert s.loss.shape == (3, 5)
    assert float(s.loss[2, 1]) == pytest.approx(
        float(problem.loss(unflatten(c + a[1] * d1 + b[2] * d2, params))), rel=1e-5
    )
    line = line_losses(problem, c, d1, a)
    assert float(line[2]) == pytest.approx(float(problem.loss(params)), rel=1e-6)


def test_span_losses_build_each_chunk_of_points_as_the_explicit_points_would_be(problem):
    theta = flatten(problem.params()).double()
    gen = torch.Generator().manual_seed(1)
    span = torch.randn(3, theta.numel(), generator=gen, dtype=torch.float64)
    coords = torch.randn(10, 3, generator=gen)  # float32 coordinates on a float64 span: cast, not an error
    model = copy.deepcopy(problem.model).double()
    double = Problem(model, problem.inputs.double(), problem.targets.double(), problem.criterion)
    by_span = span_losses(double, theta, coords, span, chunk=4)
    explicit = losses_point_by_point(double, theta + coords.double() @ span)
    assert by_span.dtype == torch.float64
    torch.testing.assert_close(by_span, explicit, rtol=1e-12, atol=0)


def test_top_hessian_eigenvalue_matches_full_hessian_in_float64():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    x = torch.randn(40, 2, dtype=torch.float64)
    y = (x[:, 0] * x[:, 1] > 0).long()
    problem = Problem(model, x, y, nn.functional.cross_entropy)
    params = problem.params()
    lam, vec, _ = top_hessian_eigen(problem, params, iters=500)
    flat = flatten(params)
    hess = torch.autograd.functional.hessian(lambda f: problem.loss(unflatten(f, params)), flat)
    eig = torch.linalg.eigvalsh(hess)
    top = eig[eig.abs().argmax()]
    assert lam == pytest.approx(float(top), rel=1e-4)
    assert float((hess @ vec - lam * vec).norm()) < 1e-2 * abs(lam)


def test_network_race_equals_plain_loop_on_the_module(problem):
    racers = (make_racer("SGD", lr=0.3, momentum=0.9), make_racer("Adam", lr=0.01), make_racer("LBFGS", max_iter=3))
    runs, errors = race_network(problem, racers, problem.params(), LoopConfig(steps=15))
    assert not errors
    for racer, run in zip(racers, runs, strict=True):
        model = copy.deepcopy(problem.model)
        opt = racer.spec.cls(model.parameters(), **racer.kwargs())
        thetas = [torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()]

        def closure(model=model, opt=opt):
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(problem.inputs), problem.targets)
            loss.backward()
            return loss

        for _ in range(15):
            opt.step(closure)
            thetas.append(torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone())
        torch.testing.assert_close(run.thetas, torch.stack(thetas), rtol=1e-5, atol=1e-6)
        with torch.no_grad():
            final = nn.functional.binary_cross_entropy_with_logits(model(problem.inputs), problem.targets)
        assert run.losses[-1] == pytest.approx(float(final), rel=1e-5)
        assert run.losses[0] == pytest.approx(float(problem.loss(problem.params())), rel=1e-6)


def test_diverging_network_racer_stops_with_message():
    torch.manual_seed(0)
    x = torch.randn(50, 2) * 3
    problem = Problem(nn.Linear(2, 1), x, x.sum(1, keepdim=True), nn.functional.mse_loss)
    runs, _ = race_network(
        problem, (make_racer("SGD", lr=5.0), make_racer("SGD", lr=0.01)), problem.params(), LoopConfig(steps=300)
    )
    bad, good = runs
    assert bad.stop is not None and "diverged" in bad.stop and len(bad.thetas) < 300
    # MSE of a linear model: the Hessian is 2·[x 1]ᵀ[x 1]/n everywhere, so λ_max is known exactly
    xb = torch.cat([x, torch.ones(50, 1)], 1)
    lam = float(torch.linalg.eigvalsh(2 * xb.T @ xb / 50).max())
    assert f"λ_max = {lam:.3g}" in bad.stop and f"2/λ_max = {2 / lam:.3g}" in bad.stop
    assert np.isfinite(bad.losses).all() and len(bad.losses) == len(bad.thetas)
    assert good.stop is None and good.losses[-1] < good.losses[0]


def test_pca_plane_recovers_a_planar_trajectory_and_plane_losses_follow(problem):
    theta = flatten(problem.params())
    gen = torch.Generator().manual_seed(0)
    u, v = torch.randn(2, theta.numel(), generator=gen)
    t = torch.linspace(0, 1, 20)[:, None]
    thetas = theta + t * u + (t**2) * v  # lies in the plane through theta spanned by u, v
    plane = pca_plane(thetas, theta)
    assert float(plane.d1 @ plane.d2) == pytest.approx(0.0, abs=1e-5)
    assert float(plane.d1.norm()) == pytest.approx(1.0, rel=1e-5)
    back = plane.origin + torch.as_tensor(plane.coords(thetas)) @ plane.span
    torch.testing.assert_close(back, thetas, rtol=1e-4, atol=1e-4)
    assert sum(plane.explained) == pytest.approx(1.0, abs=1e-5)

    from core.race.network_race import NetRun

    run = NetRun("line", thetas, losses_point_by_point(problem, thetas).numpy(), None)
    view = plane_view(problem, plane, (run,), n=5)
    np.testing.assert_allclose(view.plane_loss[0], run.losses, rtol=1e-3)  # on the plane, they agree


def test_two_threads_on_one_problem_never_see_each_others_swapped_parameters():
    """Streamlit can start a session's next run while its last one is still computing on the same network: a slice
    in one thread and reads of the parameters in another once raised 'tensor escaped from vmap', then kept failing."""
    problem = toy_problem(hidden=8, n=64)
    original = problem.params()
    center = flatten(original)
    d1, d2 = (flatten(filter_normalized_direction(original, seed)) for seed in (0, 1))
    a = torch.linspace(-1, 1, 21)
    expected = plane_losses(problem, center, d1, d2, a, a).loss

    def slices():
        for _ in range(15):
            torch.testing.assert_close(plane_losses(problem, center, d1, d2, a, a).loss, expected)

    def reads():
        for _ in range(3000):
            for name, p in problem.params().items():
                assert torch.equal(p, original[name])

    failures = run_together(slices, reads)
    assert not failures, failures[0]
    assert all(torch.equal(p, original[n]) for n, p in problem.model.named_parameters())


def test_the_slice_around_theta_is_the_plane_of_two_filter_normalised_directions(problem):
    theta, notes = problem.params(), []
    got = slice_around(problem, theta, 5, 0.5, seed=3, report=lambda f, note: notes.append((f, note)))
    d1, d2 = (flatten(filter_normalized_direction(theta, s)) for s in (3, 4))
    a = torch.linspace(-0.5, 0.5, 5)
    torch.testing.assert_close(got.loss, plane_losses(problem, flatten(theta), d1, d2, a, a).loss, rtol=0, atol=0)
    assert float(got.loss[1, 4]) == pytest.approx(
        float(problem.loss(unflatten(flatten(theta) + a[4] * d1 + a[1] * d2, theta))), rel=1e-5
    )
    assert notes[-1] == (1.0, "loss on a 5×5 grid")


def test_the_curvature_lines_follow_the_top_eigenvector_and_a_random_direction_of_the_same_length(problem):
    theta = problem.params()
    got = curvature_around(problem, theta, extent=0.4, seed=2, n=9)
    lam, vec, iters = top_hessian_eigen(problem, theta)
    rand = flatten(filter_normalized_direction(theta, 2))
    center = flatten(theta)
    assert (got.eigenvalue, got.iterations) == (lam, iters)
    torch.testing.assert_close(got.along_eigenvector, line_losses(problem, center, vec * rand.norm(), got.a))
    torch.testing.assert_close(got.along_random, line_losses(problem, center, rand, got.a))
    assert float(got.a[0]) == pytest.approx(-0.4)
    assert float(got.along_random[4]) == pytest.approx(float(problem.loss(theta)), rel=1e-6)  # a = 0: θ* itself
    assert got.unstable_lr == pytest.approx(2 / lam) and dataclasses.replace(got, eigenvalue=-1.0).unstable_lr is None
    assert got.random_curvature == pytest.approx(directional_curvature(problem, theta, rand), rel=1e-6)
    assert got.length == pytest.approx(float(rand.norm()))


def test_the_shared_plane_goes_through_the_common_start_and_a_paths_own_plane_through_its_end(problem):
    racers = (make_racer("SGD", lr=0.3, momentum=0.9), make_racer("Adam", lr=0.01))
    runs, _ = race_network(problem, racers, problem.params(), LoopConfig(steps=12))
    shared, own = shared_plane(runs), own_plane(runs[1])
    assert torch.equal(shared.origin, runs[0].thetas[0]) and torch.equal(own.origin, runs[1].thetas[-1])
    every = torch.cat([run.thetas for run in runs])
    assert torch.equal(shared.d1, pca_plane(every, runs[0].thetas[0]).d1)
    for plane in (shared, own):  # orthonormal directions
        span = plane.span
        torch.testing.assert_close(span @ span.T, torch.eye(2), atol=1e-5, rtol=0)
