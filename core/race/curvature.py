"""How curved is the loss where a racer is? Hessian eigenvalues, and why a step size is (un)stable there.

For a 2-D surface the full 2×2 Hessian comes from autograd. For a network's loss (thousands of parameters) the
top eigenvalue comes from power iteration with Hessian-vector products, never forming the Hessian.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from core.race.surfaces import Fn
from core.work import checkpoint


def hessian_2d(fn: Fn, x: float, y: float) -> Tensor:
    """The 2×2 Hessian of f at (x, y) in float64, from autograd."""
    point = torch.tensor([x, y], dtype=torch.float64)
    return torch.autograd.functional.hessian(lambda p: fn(p[0], p[1]), point)


def eigenvalues_2d(fn: Fn, x: float, y: float) -> tuple[float, float]:
    """(λ_min, λ_max) of the Hessian at (x, y)."""
    h = hessian_2d(fn, x, y)
    lo, hi = torch.linalg.eigvalsh((h + h.T) / 2).tolist()
    return lo, hi


def stability_note(lam_min: float, lam_max: float, lr: float) -> str:
    """One sentence relating the curvature to the step size: plain gradient descent is stable iff lr·λ < 2."""
    if lam_max > 0 and lr * lam_max > 2:
        return (
            f"The largest curvature there is λ_max = {lam_max:.3g}, so a plain gradient step is stable only "
            f"for lr < 2/λ_max = {2 / lam_max:.3g}; this racer used lr = {lr:.3g} (lr·λ_max = "
            f"{lr * lam_max:.3g} > 2). Lower the learning rate."
        )
    if lam_min < 0:
        return (
            f"The surface curves downward there (λ_min = {lam_min:.3g} < 0): descent runs away along that "
            f"direction; on a surface without a minimum that is the expected end."
        )
    largest = f"λ_max = {lam_max:.3g}, 2/λ_max = {2 / lam_max:.3g}" if lam_max > 0 else f"λ_max = {lam_max:.3g}"
    return (
        f"The curvature there would allow this step size for plain gradient descent ({largest}, "
        f"lr = {lr:.3g}); the blow-up comes from the optimizer's accumulated momentum or its rescaled steps."
    )


def hvp(loss_fn: Callable[[], Tensor], params: Sequence[Tensor], vector: Sequence[Tensor]) -> list[Tensor]:
    """Hessian-vector product H·v of loss_fn() with respect to params (double backward)."""
    grads = torch.autograd.grad(loss_fn(), params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vector, strict=True))
    return list(torch.autograd.grad(dot, params))


def top_eigenpair(
    loss_fn: Callable[[], Tensor],
    params: Sequence[Tensor],
    iters: int = 100,
    tol: float = 1e-6,
    seed: int = 0,
) -> tuple[float, list[Tensor], int]:
    """Largest-magnitude Hessian eigenvalue by power iteration with HVPs: (λ, unit vector, iterations)."""
    gen = torch.Generator().manual_seed(seed)
    v = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in params]
    norm = torch.sqrt(sum((u * u).sum() for u in v))
    v = [u / norm for u in v]
    lam = 0.0
    for i in range(1, iters + 1):
        checkpoint()
        hv = hvp(loss_fn, params, v)
        new = float(sum((a * b).sum() for a, b in zip(hv, v, strict=True)))  # Rayleigh quotient vᵀHv
        norm = torch.sqrt(sum((u * u).sum() for u in hv))
        if norm == 0:
            return 0.0, v, i
        v = [u / norm for u in hv]
        if abs(new - lam) <= tol * max(1.0, abs(new)):
            return new, v, i
        lam = new
    return lam, v, iters
