"""How fast can momentum go on a quadratic? Goh's closed forms ("Why Momentum Really Works", 2017) vs measurement.

On f(w) = ½ Σ λᵢ wᵢ², gradient descent with step α and momentum β (PyTorch's SGD: b ← βb + g, w ← w − αb,
which is Goh's z ← βz + ∇f, w ← w − αz) moves each eigen-coordinate by the 2×2 matrix
R = [[β, λ], [−αβ, 1 − αλ]]; the convergence rate is the largest |eigenvalue| of R over the λs.
Measured rates come from real `torch.optim.SGD` runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Optimum:
    """A best step size (and momentum) with the rate it achieves: ‖w_k‖ shrinks like rateᵏ."""

    alpha: float
    beta: float
    rate: float


def best_plain(lam_min: float, lam_max: float) -> Optimum:
    """α* = 2/(λ_min + λ_max), rate (κ − 1)/(κ + 1)."""
    kappa = lam_max / lam_min
    return Optimum(2 / (lam_min + lam_max), 0.0, (kappa - 1) / (kappa + 1))


def best_momentum(lam_min: float, lam_max: float) -> Optimum:
    """α* = (2/(√λ_min + √λ_max))², β* = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1)."""
    root = math.sqrt(lam_max / lam_min)
    return Optimum(
        (2 / (math.sqrt(lam_min) + math.sqrt(lam_max))) ** 2, ((root - 1) / (root + 1)) ** 2, (root - 1) / (root + 1)
    )


def converges(alpha: float, beta: float, lam: float) -> bool:
    """Goh's condition: 0 < αλ < 2 + 2β (with 0 ≤ β < 1; β = 0 gives plain descent's 0 < αλ < 2)."""
    return 0 < alpha * lam < 2 + 2 * beta and 0 <= beta < 1


def theory_rate(alpha: float, beta: float, lams: tuple[float, ...]) -> float:
    """max over λ of the spectral radius of R = [[β, λ], [−αβ, 1 − αλ]]."""
    return max(
        float(np.max(np.abs(np.linalg.eigvals(np.array([[beta, lam], [-alpha * beta, 1 - alpha * lam]])))))
        for lam in lams
    )


def complex_regime_edges(beta: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """α where R's eigenvalues turn complex for this λ: (1 − √β)²/λ and (1 + √β)²/λ; between them rate = √β."""
    return (1 - np.sqrt(beta)) ** 2 / lam, (1 + np.sqrt(beta)) ** 2 / lam


def _rates_from_norms(norms: np.ndarray) -> np.ndarray:
    """Rate per cell from state norms [steps+1, cells]: the geometric mean ratio over the second half of the
    last stretch where the norm is representable (neither under- nor overflowed)."""
    ok = np.isfinite(norms) & (norms > 1e-250) & (norms < 1e250)
    rates = np.empty(norms.shape[1])
    for c in range(norms.shape[1]):
        valid = np.flatnonzero(ok[:, c])
        end = int(valid[-1]) if valid.size else 0
        if end < 2:  # reached exactly 0 or blew up at once
            rates[c] = 0.0 if norms[min(end + 1, len(norms) - 1), c] == 0 else np.inf
            continue
        start = end // 2
        rates[c] = (norms[end, c] / norms[start, c]) ** (1 / (end - start))
    return rates


def measured_rates(alphas: np.ndarray, betas: np.ndarray, lams: tuple[float, float], steps: int = 200) -> np.ndarray:
    """Rates [len(betas), len(alphas)] measured by running real torch.optim.SGD on ½(λ₁x² + λ₂y²) from (1, 1).

    One SGD optimizer, one parameter group per β; within a group each column is a different α. torch.optim
    has one lr per group, so each cell's loss is scaled by its α and the group's lr is 1: the momentum buffer
    is then α·b and w ← w − α·b exactly as with lr = α (checked in the tests against separate runs).
    """
    lam = torch.tensor(lams, dtype=torch.float64)
    scale = torch.tensor(alphas, dtype=torch.float64)[:, None]  # [A, 1]
    params = [torch.ones(len(alphas), 2, dtype=torch.float64, requires_grad=True) for _ in betas]
    opt = torch.optim.SGD([{"params": [p], "momentum": float(b)} for p, b in zip(params, betas, strict=True)], lr=1.0)
    history = [torch.stack([p.detach().clone() for p in params])]  # [B, A, 2]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            opt.zero_grad()
            loss = sum((0.5 * scale * lam * p**2).sum() for p in params)
            loss.backward()
            opt.step()
            history.append(torch.stack([p.detach().clone() for p in params]))
        w = torch.stack(history).numpy()  # [steps+1, B, A, 2]
        sq = np.sum(w**2, axis=-1)
        state = np.sqrt(sq[1:] + sq[:-1])  # ‖(w_k, w_{k−1})‖ oscillates less than ‖w_k‖ when R is complex
        rates = _rates_from_norms(state.reshape(steps, -1))
    return rates.reshape(len(betas), len(alphas))


@dataclass(frozen=True)
class MomentumMap:
    """Measured rates [len(betas), len(alphas)] on the quadratic with eigenvalues lams, and Goh's optima."""

    alphas: np.ndarray
    betas: np.ndarray
    rates: np.ndarray
    lams: tuple[float, float]
    plain: Optimum
    momentum: Optimum
    measured_plain: float
    measured_momentum: float


def momentum_map(kappa: float, n_alpha: int = 61, n_beta: int = 41, steps: int = 150) -> MomentumMap:
    """The (α, β) map for f = ½(x² + κy²) (λ = 1, κ), with the measured rate at both optima.

    At the momentum optimum R has a repeated eigenvalue, so ‖w_k‖ ~ k·rateᵏ: the optima are measured over
    more steps (1000), where the factor k adds less than 0.2 % to the rate.
    """
    lams = (1.0, float(kappa))
    alphas = np.linspace(0, 4.4 / lams[1], n_alpha + 1)[1:]
    betas = np.linspace(0, 0.99, n_beta)
    plain, mom = best_plain(*lams), best_momentum(*lams)
    at_optima = measured_rates(np.array([plain.alpha, mom.alpha]), np.array([0.0, mom.beta]), lams, 1000)
    return MomentumMap(
        alphas,
        betas,
        measured_rates(alphas, betas, lams, steps),
        lams,
        plain,
        mom,
        float(at_optima[0, 0]),
        float(at_optima[1, 1]),
    )
