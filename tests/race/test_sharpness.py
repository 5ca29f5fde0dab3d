"""The landscape tab's extent shows the valley around θ*, and its advice says what the numbers drawn say: the
curvatures of both directions at θ*, and which line climbs higher in the plot (issue 14, item 7)."""

from __future__ import annotations

import pytest
import torch

from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trained import from_trainer
from core.builder.trainer import Trainer
from core.race.landscape import (
    EXTENTS,
    Curvature,
    curvature_around,
    directional_curvature,
    filter_normalized_direction,
    fitting_extent,
    flatten,
    toy_problem,
    train,
    unflatten,
)
from core.race.networks import builder_network
from core.race.sharpness import sharpness_note


@pytest.fixture(scope="module")
def problem():
    return toy_problem(hidden=6, n=32)


@pytest.fixture(scope="module")
def trained_xor():
    """A well-trained builder network (XOR, 300 epochs): flat at the bottom, steep at the rim."""
    setup = BuilderSetup(dataset="xor")
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(300)
    return builder_network(from_trainer(trainer))


def test_the_curvature_along_a_direction_is_its_rayleigh_quotient_of_the_full_hessian(problem):
    theta = train(problem, 50)
    hessian = torch.autograd.functional.hessian(lambda p: problem.loss(unflatten(p, theta)), flatten(theta))
    d = flatten(filter_normalized_direction(theta, 1))
    unit = d / d.norm()
    assert directional_curvature(problem, theta, d) == pytest.approx(float(unit @ hessian @ unit), rel=1e-4)


def test_the_fitted_extent_is_the_first_where_the_loss_climbs_halfway_to_the_start(problem):
    theta, start = train(problem, 100), problem.params()
    got = fitting_extent(problem, theta, start, seed=0)
    low, high = float(problem.loss(theta)), float(problem.loss(start))
    center = flatten(theta)
    directions = [flatten(filter_normalized_direction(theta, s)) for s in (0, 1)]

    def highest(a: float) -> float:  # one loss at a time: an independent reference for the batched lines
        return max(float(problem.loss(unflatten(center + sign * a * d, theta))) for d in directions for sign in (1, -1))

    reached = [float(a) for a in EXTENTS if highest(float(a)) >= (low + high) / 2]
    assert got == pytest.approx(round(reached[0], 2))
    assert got < 1  # a trained network's valley is narrower than Li et al.'s ±1


def test_a_start_no_higher_than_theta_keeps_li_et_als_extent(problem):
    theta = problem.params()
    assert fitting_extent(problem, theta, theta, seed=0) == 1.0


def _curvature(lam: float, random: float, eig_line: list[float], random_line: list[float]) -> Curvature:
    a = torch.linspace(-1, 1, len(eig_line))
    return Curvature(lam, 10, a, torch.tensor(eig_line), torch.tensor(random_line), random, 8.0)


def test_the_eigenvector_is_called_the_sharpest_way_out_only_when_the_plot_shows_it():
    steep = _curvature(2.0, 0.1, [4.0, 0.0, 4.0], [0.5, 0.0, 0.5])
    assert "it is the sharpest way out of θ* here" in sharpness_note(steep)
    assert "20× less" in sharpness_note(steep)
    as_steep = _curvature(0.098, 0.01, [2.0, 0.0, 1.7], [1.9, 0.0, 0.4])
    note = sharpness_note(as_steep)
    assert "sharpest way out of θ* here" not in note
    assert "random direction climbs about as high (1.9 against 2 along the eigenvector" in note
    assert "only close to θ*" in note and "2/λ = 20.4" in note


def test_no_step_size_limit_where_the_loss_does_not_curve_up():
    note = sharpness_note(_curvature(-0.5, 0.2, [0.0, 0.0, 0.1], [1.0, 0.0, 1.0]))
    assert "λ = -0.5 ≤ 0" in note and "2/λ" not in note and "climbs higher" in note


def test_on_a_well_trained_network_the_note_follows_the_plot(trained_xor):
    net = trained_xor
    wide = curvature_around(net.problem, net.trained, 1.0, seed=0)
    rise = {
        name: float(line.max() - line[len(line) // 2])
        for name, line in (("eig", wide.along_eigenvector), ("random", wide.along_random))
    }
    assert rise["random"] > rise["eig"] / 1.5  # the case: the random direction is about as steep
    assert "sharpest way out of θ* here" not in sharpness_note(wide)
    assert wide.random_curvature < wide.eigenvalue  # yet at θ* itself the eigenvector is the sharper
    near = curvature_around(net.problem, net.trained, fitting_extent(net.problem, net.trained, net.start, 0), seed=0)
    assert "sharpest way out of θ* here" in sharpness_note(near)  # at the fitted extent the plot shows it
