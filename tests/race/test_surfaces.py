"""The surfaces' minima are minima, and autograd's gradients match the hand-derived ones."""

import math

import pytest
import torch

from core.race.surfaces import SURFACES, get_surface, quadratic

KNOWN_MIN_VALUES = {
    "rosenbrock": 0.0,
    "beale": 0.0,
    "booth": 0.0,
    "himmelblau": 0.0,
    "rastrigin": 0.0,
    "ackley": 0.0,
    "goldstein_price": 3.0,
    "six_hump_camel": -1.0316,
    "styblinski_tang": -78.33198,
    "quadratic": 0.0,
}


def _grad(fn, x, y):
    p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(p[0], p[1]), p)
    return g


@pytest.mark.parametrize("key", [k for k, s in SURFACES.items() if s.minima])
def test_minima_are_stationary_lowest_points(key):
    s = SURFACES[key]
    assert s.min_value == pytest.approx(KNOWN_MIN_VALUES[key], abs=1e-3)
    for x, y in s.minima:
        assert s.contains(x, y)
        assert float(torch.linalg.vector_norm(_grad(s.fn, x, y))) < 2e-3 * max(1.0, abs(s.min_value))
        # nothing on a fine grid is lower than the known minimum
        _, _, z = s.grid(201)
        assert float(z.min()) >= s.min_value - 1e-3 * max(1.0, abs(s.min_value))


@pytest.mark.parametrize("key", list(SURFACES))
def test_start_inside_domain_and_finite(key):
    s = SURFACES[key]
    assert s.contains(*s.start)
    _, _, z = s.grid(61)
    assert torch.isfinite(z).all()


ANALYTIC = {
    "rosenbrock": lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
    "booth": lambda x, y: (
        2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5),
        4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5),
    ),
    "himmelblau": lambda x, y: (
        4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
        2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7),
    ),
    "rastrigin": lambda x, y: (
        2 * x + 20 * math.pi * math.sin(2 * math.pi * x),
        2 * y + 20 * math.pi * math.sin(2 * math.pi * y),
    ),
    "saddle": lambda x, y: (2 * x, -2 * y),
    "monkey_saddle": lambda x, y: (3 * x**2 - 3 * y**2, -6 * x * y),
}


@pytest.mark.parametrize("key", list(ANALYTIC))
@pytest.mark.parametrize("point", [(0.3, -0.7), (-1.1, 0.9), (1.7, 1.3)])
def test_autograd_gradient_matches_analytic(key, point):
    g = _grad(SURFACES[key].fn, *point)
    assert g.tolist() == pytest.approx(ANALYTIC[key](*point), rel=1e-10, abs=1e-10)


def test_quadratic_condition_number_is_its_hessian_ratio():
    s = get_surface("quadratic", kappa=37.0)
    h = torch.autograd.functional.hessian(lambda p: s.fn(p[0], p[1]), torch.zeros(2, dtype=torch.float64))
    lo, hi = torch.linalg.eigvalsh(h).tolist()
    assert hi / lo == pytest.approx(37.0)
    assert quadratic(5.0).fn(torch.tensor(1.0), torch.tensor(1.0)).item() == pytest.approx(3.0)


def test_grid_is_f_on_the_mesh():
    s = SURFACES["beale"]
    xs, ys, z = s.grid(11)
    assert z.shape == (11, 11)
    assert float(z[3, 7]) == pytest.approx(float(s.fn(xs[7], ys[3])))
