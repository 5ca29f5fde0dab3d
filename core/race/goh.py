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

from core.race.race import Progress, Report, report_step, share


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


def complex_regime_edges(beta: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """α where R's eigenvalues turn complex for this λ: (1 − √β)²/λ and (1 + √β)²/λ; between them rate = √β."""
    return (1 - np.sqrt(beta)) ** 2 / lam, (1 + np.sqrt(beta)) ** 2 / lam


RESCALE_AT = 100  # a cell whose largest |value| leaves [2⁻¹⁰⁰, 2¹⁰⁰] is brought back to about 1
RESCALE_EVERY = 10  # steps between checks: ten steps move no cell here by 2⁹⁰⁰ (its rate would be 2⁻⁹⁰ or 2⁹⁰)


def _rescale_cells(opt: torch.optim.SGD) -> torch.Tensor:
    """Bring every cell (one row of a parameter) back to magnitude ≈ 1 once its values get very small or very large;
    returns the log₂ factors each cell's state was divided by, [groups, rows] int.

    Without this, a fast rate (0.17 at κ = 2) underflows float64 within a few hundred steps and the rate could only
    be measured over that stretch. Each cell is an independent linear, homogeneous system (the loss is separable per
    element, SGD's momentum buffer is per element), so scaling its parameter AND its momentum buffer by one factor
    scales its whole future by that factor. The factor is a power of two, so the scaled run is exact: bit for bit
    the unscaled one times 2ᵉ.
    """
    params = [group["params"][0] for group in opt.param_groups]  # one [rows, 2] parameter per group
    buffers = [opt.state[p].get("momentum_buffer", p) for p in params]  # β = 0 keeps none: the parameter stands in
    size = torch.maximum(torch.stack(params).abs(), torch.stack(buffers).abs()).amax(-1)  # [groups, rows]
    exponent = torch.frexp(size).exponent  # size = m·2^exponent with ½ ≤ m < 1 (0 for 0, inf and nan)
    shift = torch.where(exponent.abs() > RESCALE_AT, exponent, 0)
    with torch.no_grad():
        for i in shift.any(1).nonzero().flatten().tolist():  # rarely any: checked for all cells at once
            state = (params[i],) if buffers[i] is params[i] else (params[i], buffers[i])
            for x in state:
                x.copy_(torch.ldexp(x, -shift[i, :, None]))
    return shift


def _log_norms(w: np.ndarray, log2_scale: np.ndarray) -> np.ndarray:
    """ln‖w·2^log2_scale‖ for cells w [..., 2] (−inf where w = 0). hypot never squares x or y, which would
    underflow float64 once |w| < 1e-154."""
    with np.errstate(divide="ignore"):
        return np.log(np.hypot(w[..., 0], w[..., 1])) + log2_scale * math.log(2)


def _rates_from_log_norms(log_norms: np.ndarray) -> np.ndarray:
    """Rate per cell from ln of state norms [steps+1, cells]: the geometric mean ratio over the second half of the
    last stretch where the norm is finite (a state that reached exactly 0 has ln‖·‖ = −inf)."""
    ok = np.isfinite(log_norms)
    rates = np.empty(log_norms.shape[1])
    for c in range(log_norms.shape[1]):
        valid = np.flatnonzero(ok[:, c])
        end = int(valid[-1]) if valid.size else 0
        if end < 2:  # reached exactly 0 or blew up at once
            rates[c] = 0.0 if log_norms[min(end + 1, len(log_norms) - 1), c] == -np.inf else np.inf
            continue
        start = end // 2
        rates[c] = math.exp((log_norms[end, c] - log_norms[start, c]) / (end - start))
    return rates


def measured_rates(
    alphas: np.ndarray,
    betas: np.ndarray,
    lams: tuple[float, float],
    steps: int = 200,
    progress: Progress | None = None,
) -> np.ndarray:
    """Rates [len(betas), len(alphas)] measured by running real torch.optim.SGD on ½(λ₁x² + λ₂y²) from (1, 1).

    One SGD optimizer, one parameter group per β; within a group each row (a cell) is a different α. torch.optim
    has one lr per group, so each cell's loss is scaled by its α and the group's lr is 1: the momentum buffer
    is then α·b and w ← w − α·b exactly as with lr = α (checked in the tests against separate runs).
    Cells are rescaled as they shrink or grow (`_rescale_cells`), so every rate is measured over the second half
    of the whole run, however fast it converges. progress(fraction of the steps) now and then.
    """
    lam = torch.tensor(lams, dtype=torch.float64)
    scale = torch.tensor(alphas, dtype=torch.float64)[:, None]  # [A, 1]
    params = [torch.ones(len(alphas), 2, dtype=torch.float64, requires_grad=True) for _ in betas]
    opt = torch.optim.SGD([{"params": [p], "momentum": float(b)} for p, b in zip(params, betas, strict=True)], lr=1.0)
    log2_scale = torch.zeros(len(betas), len(alphas), dtype=torch.int64)  # true w = stored w · 2^log2_scale
    history, scales = [torch.stack(params).detach()], [log2_scale]  # [B, A, 2] and [B, A] per step
    for k in range(1, steps + 1):
        report_step(progress, k - 1, steps)
        opt.zero_grad()
        loss = sum((0.5 * scale * lam * p**2).sum() for p in params)
        loss.backward()
        opt.step()
        if k % RESCALE_EVERY == 0:
            log2_scale = log2_scale + _rescale_cells(opt)
        history.append(torch.stack(params).detach())
        scales.append(log2_scale)
    log_w = _log_norms(torch.stack(history).numpy(), torch.stack(scales).numpy())  # [steps+1, B, A]
    # ‖(w_k, w_{k−1})‖ oscillates less than ‖w_k‖ when R is complex
    log_state = 0.5 * np.logaddexp(2 * log_w[1:], 2 * log_w[:-1])
    return _rates_from_log_norms(log_state.reshape(steps, -1)).reshape(len(betas), len(alphas))


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


def momentum_map(
    kappa: float, n_alpha: int = 61, n_beta: int = 41, steps: int = 150, report: Report | None = None
) -> MomentumMap:
    """The (α, β) map for f = ½(x² + κy²) (λ = 1, κ), with the measured rate at both optima.

    At the momentum optimum R has a repeated eigenvalue, so ‖w_k‖ ~ k·rateᵏ: the optima are measured over
    more steps (1000), where the factor k adds less than 0.2 % to the rate (2^(1/500) − 1 = 0.14 %).
    report(fraction, what) as it goes: the whole map takes over a second.
    """
    lams = (1.0, float(kappa))
    alphas = np.linspace(0, 4.4 / lams[1], n_alpha + 1)[1:]
    betas = np.linspace(0, 0.99, n_beta)
    plain, mom = best_plain(*lams), best_momentum(*lams)
    optima = share(report, 0, 2, "SGD at the two optima")
    at_optima = measured_rates(np.array([plain.alpha, mom.alpha]), np.array([0.0, mom.beta]), lams, 1000, optima)
    return MomentumMap(
        alphas,
        betas,
        measured_rates(alphas, betas, lams, steps, share(report, 1, 2, "SGD over the (α, β) grid")),
        lams,
        plain,
        mom,
        float(at_optima[0, 0]),
        float(at_optima[1, 1]),
    )


PATH_STEPS = 100  # steps of a clicked (α, β) pair's path, as long as Goh's article draws
ESCAPED = 1e6  # a path is cut once ‖w‖ passes this: it diverges, and the plot would show nothing else


def theory_rate(alpha: float, beta: float, lams: tuple[float, float]) -> float:
    """Goh's rate for (α, β): the largest |eigenvalue| of R = [[β, λ], [−αβ, 1 − αλ]] over both λs."""
    return max(float(np.abs(np.linalg.eigvals([[beta, lam], [-alpha * beta, 1 - alpha * lam]])).max()) for lam in lams)


def momentum_path(alpha: float, beta: float, lams: tuple[float, float], steps: int = PATH_STEPS) -> np.ndarray:
    """w_k [n+1, 2] of real torch.optim.SGD(lr=α, momentum=β) on ½(λ₁x² + λ₂y²) from (1, 1), the start of the
    measured map; cut after the first point with ‖w‖ > ESCAPED."""
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    lam = torch.tensor(lams, dtype=torch.float64)
    opt = torch.optim.SGD([w], lr=alpha, momentum=beta)
    path = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * lam * w**2).sum().backward()
        opt.step()
        path.append(w.detach().clone())
        if not torch.linalg.vector_norm(path[-1]) <= ESCAPED:
            break
    return torch.stack(path).numpy()
