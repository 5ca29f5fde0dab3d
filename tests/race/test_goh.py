"""Goh's closed forms for momentum on a quadratic, checked numerically and against real torch.optim.SGD."""

import math

import numpy as np
import pytest
import torch

from core.race.goh import (
    ESCAPED,
    PATH_STEPS,
    best_momentum,
    best_plain,
    complex_regime_edges,
    converges,
    measured_rates,
    momentum_map,
    momentum_path,
)
from core.race.goh import theory_rate as pair_rate

LAMS = (1.0, 20.0)


def theory_rate(alpha: float, beta: float, lams: tuple[float, ...]) -> float:
    """The reference: max over λ of the spectral radius of R = [[β, λ], [−αβ, 1 − αλ]]."""
    return max(
        float(np.max(np.abs(np.linalg.eigvals(np.array([[beta, lam], [-alpha * beta, 1 - alpha * lam]])))))
        for lam in lams
    )


def test_best_plain_step_and_rate_are_the_minimum_over_step_sizes():
    opt = best_plain(*LAMS)
    assert opt.alpha == pytest.approx(2 / 21) and opt.rate == pytest.approx(19 / 21)
    grid = np.linspace(1e-4, 0.1, 2001)
    rates = [theory_rate(a, 0.0, LAMS) for a in grid]
    assert min(rates) == pytest.approx(opt.rate, abs=1e-4)
    assert theory_rate(opt.alpha, 0.0, LAMS) == pytest.approx(opt.rate, rel=1e-12)


def test_best_momentum_is_the_minimum_over_the_alpha_beta_plane():
    opt = best_momentum(*LAMS)
    root = math.sqrt(20)
    assert opt.rate == pytest.approx((root - 1) / (root + 1))
    assert theory_rate(opt.alpha, opt.beta, LAMS) == pytest.approx(opt.rate, rel=1e-6)
    best = min(theory_rate(a, b, LAMS) for a in np.linspace(0.05, 0.3, 80) for b in np.linspace(0, 0.9, 80))
    assert best >= opt.rate - 1e-6


def test_convergence_edges_match_the_spectral_radius():
    for a in np.linspace(0.01, 0.25, 25):
        for b in np.linspace(0, 0.95, 20):
            stable = all(converges(a, b, lam) for lam in LAMS)
            rate = theory_rate(a, b, LAMS)
            if abs(a * 20 - (2 + 2 * b)) > 1e-6:  # away from the edge itself
                assert stable == (rate < 1), (a, b, rate)


def test_complex_regime_rate_is_sqrt_beta_not_two_sqrt_beta():
    beta = 0.5
    lo, hi = complex_regime_edges(np.array(beta), LAMS[1])
    a = float((lo + hi) / 2)
    r = max(abs(np.linalg.eigvals(np.array([[beta, 20.0], [-a * beta, 1 - a * 20.0]]))))
    assert r == pytest.approx(math.sqrt(beta)) and r != pytest.approx(2 * math.sqrt(beta))


def test_scaled_loss_trick_equals_separate_sgd_runs():
    """One group per β with the loss scaled by α and lr 1 moves exactly like SGD(lr=α, momentum=β)."""
    alphas, betas = np.array([0.02, 0.07, 0.11]), np.array([0.0, 0.6])
    rates = measured_rates(alphas, betas, LAMS, steps=120)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            w = torch.ones(2, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.SGD([w], lr=float(a), momentum=float(b))
            norms = [float(w.detach().norm())]
            for _ in range(120):
                opt.zero_grad()
                (0.5 * (LAMS[0] * w[0] ** 2 + LAMS[1] * w[1] ** 2)).backward()
                opt.step()
                norms.append(float(w.detach().norm()))
            state = np.sqrt(np.array(norms[1:]) ** 2 + np.array(norms[:-1]) ** 2)
            expected = (state[-1] / state[59]) ** (1 / 60)
            assert rates[i, j] == pytest.approx(expected, rel=1e-9)


def test_rescaled_cells_move_exactly_like_separate_sgd_runs():
    """At κ = 2's momentum optimum the state shrinks by 2⁻²·⁵ a step, so measured_rates rescales it again and again;
    300 steps stay above float64's smallest normal number, so a separate run needs no rescaling to compare with."""
    lams, opt = (1.0, 2.0), best_momentum(1.0, 2.0)
    rate = measured_rates(np.array([opt.alpha]), np.array([opt.beta]), lams, steps=300)[0, 0]
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([w], lr=opt.alpha, momentum=opt.beta)
    norms = [math.sqrt(2)]
    for _ in range(300):
        sgd.zero_grad()
        (0.5 * (lams[0] * w[0] ** 2 + lams[1] * w[1] ** 2)).backward()
        sgd.step()
        norms.append(math.hypot(*w.tolist()))
    assert 1e-300 < norms[-1] < 1e-200  # deep below where squaring underflows, still exact
    log_w = np.log(norms)
    log_state = 0.5 * np.logaddexp(2 * log_w[1:], 2 * log_w[:-1])  # ln‖(w_k, w_{k−1})‖
    assert rate == pytest.approx(math.exp((log_state[-1] - log_state[149]) / 150), rel=1e-12)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 100.0])
def test_rates_measured_at_both_optima_are_within_0_2_percent_of_the_closed_forms(kappa):
    """Measured over the second half of 1000 steps: plain descent's rate exactly, momentum's repeated eigenvalue
    (‖w_k‖ ~ k·rateᵏ) adds (1000/500)^(1/500) − 1 = 0.14 %. Fast rates once underflowed after 200 steps: 0.6 % off."""
    m = momentum_map(kappa, n_alpha=2, n_beta=2, steps=10)
    assert m.measured_plain == pytest.approx(m.plain.rate, rel=2e-3)
    assert m.measured_momentum == pytest.approx(m.momentum.rate, rel=2e-3)


def test_measured_map_agrees_with_theory_and_optima():
    m = momentum_map(20.0, n_alpha=13, n_beta=7)
    for i, b in enumerate(m.betas):
        for j, a in enumerate(m.alphas):
            th = theory_rate(a, b, m.lams)
            if np.isfinite(m.rates[i, j]) and th > 0.05:
                assert m.rates[i, j] == pytest.approx(th, rel=0.03), (a, b)
    assert m.measured_plain == pytest.approx(m.plain.rate, rel=1e-3)
    assert m.measured_momentum == pytest.approx(m.momentum.rate, rel=5e-3)
    assert m.measured_momentum < m.measured_plain


@pytest.mark.parametrize(("alpha", "beta"), [(0.05, 0.0), (0.1, 0.6), (0.15, 0.9)])
def test_a_clicked_pairs_path_is_gohs_recurrence(alpha, beta):
    lams = (1.0, 10.0)
    path = momentum_path(alpha, beta, lams, steps=40)
    w, z, expected = np.ones(2), np.zeros(2), [np.ones(2)]
    for _ in range(40):  # Goh: z ← βz + ∇f(w), w ← w − αz
        z = beta * z + np.array(lams) * w
        w = w - alpha * z
        expected.append(w)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-12, atol=1e-15)


def test_a_diverging_pairs_path_is_cut_and_gohs_rate_says_it_diverges():
    lams = (1.0, 10.0)
    path = momentum_path(0.5, 0.5, lams)  # αλ_max = 5 > 2 + 2β = 3
    assert len(path) < PATH_STEPS + 1 and np.linalg.norm(path[-1]) > ESCAPED
    assert np.linalg.norm(path[:-1], axis=1).max() <= ESCAPED
    assert pair_rate(0.5, 0.5, lams) > 1


@pytest.mark.parametrize("kappa", [4.0, 50.0])
def test_gohs_rate_at_the_optima_is_the_closed_form(kappa):
    for best in (best_plain(1.0, kappa), best_momentum(1.0, kappa)):
        assert pair_rate(best.alpha, best.beta, (1.0, kappa)) == pytest.approx(best.rate, rel=1e-6)
    assert pair_rate(0.1, 0.6, (1.0, kappa)) == pytest.approx(theory_rate(0.1, 0.6, (1.0, kappa)))


def test_every_cell_of_the_map_takes_a_click_and_the_picked_pair_is_marked():
    from core.figures.race.goh import momentum_map_figure

    m = momentum_map(20.0, n_alpha=5, n_beta=3, steps=10)
    fig = momentum_map_figure(m, picked=(m.alphas[2], m.betas[1]))
    (cells,) = [t for t in fig.data if t.name == "click to run this pair"]
    assert sorted(zip(cells.x, cells.y, strict=True)) == sorted((a, b) for a in m.alphas for b in m.betas)
    assert fig.layout.clickmode == "event+select"
    (mark,) = [t for t in fig.data if t.name == "the pair drawn below"]
    assert (mark.x[0], mark.y[0]) == (m.alphas[2], m.betas[1])


def test_the_path_figure_draws_the_path_and_gohs_rate_line():
    from core.figures.race.goh import momentum_path_figure

    lams = (1.0, 10.0)
    path = momentum_path(0.1, 0.6, lams, steps=30)
    fig = momentum_path_figure(path, 0.1, 0.6, lams)
    drawn, norms, goh = fig.data[1], fig.data[2], fig.data[3]
    np.testing.assert_array_equal(np.c_[drawn.x, drawn.y], path)
    np.testing.assert_allclose(norms.y, np.linalg.norm(path, axis=1))
    np.testing.assert_allclose(goh.y, np.sqrt(2) * pair_rate(0.1, 0.6, lams) ** np.arange(31))
