"""What does a real network's loss look like around a point? Li et al. (2018), "Visualizing the Loss Landscape
of Neural Nets": the loss along filter-normalised random directions, batched over the grid.

Everything here takes any `torch.nn.Module` with a batch (inputs, targets) and a criterion, so the network
builder's networks can be used as they are; `toy_problem` gives a small default (an MLP on two moons). Parameters
travel as a dict name → tensor (as `torch.func.functional_call` takes them) or as one flat vector [P].

The first batched loss of a process sets glibc to keep freed memory (`core.allocator.keep_freed_memory`): without
it, each chunk faults its activations in again and a slice takes twice as long.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from core.allocator import keep_freed_memory
from core.race.curvature import hvp, top_eigenpair

Params = dict[str, Tensor]
Progress = Callable[[float], None]
Report = Callable[[float, str], None]  # progress(fraction done, what it is doing now)


@dataclass(frozen=True)
class Problem:
    """A network, a batch and a criterion: loss(θ) = criterion(model(inputs; θ), targets) [+ penalty(θ)].

    `penalty` is a term on the parameters themselves (a trainer's L1/L2 regularization). The model keeps its own
    parameters, but `functional_call` swaps them for `params` while it runs: `lock` makes that swap atomic for every
    thread using this Problem (Streamlit may start a session's next run before its last one has stopped), so none
    reads, computes with or restores another call's swapped (even vmapped) tensors. One Problem per module.
    """

    model: nn.Module
    inputs: Tensor
    targets: Tensor
    criterion: Callable[[Tensor, Tensor], Tensor]
    penalty: Callable[[Params], Tensor] | None = None
    lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def params(self) -> Params:
        """A detached copy of the model's parameters."""
        with self.lock:
            return {n: p.detach().clone() for n, p in self.model.named_parameters()}

    def loss(self, params: Params) -> Tensor:
        """The loss at `params` (differentiable in them)."""
        with self.lock:
            outputs = functional_call(self.model, params, (self.inputs,))
        data = self.criterion(outputs, self.targets)
        return data if self.penalty is None else data + self.penalty(params)


def two_moons(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A 2-D toy dataset: inputs [n, 2], labels [n] in {0, 1} (two interleaved half circles)."""
    gen = torch.Generator().manual_seed(seed)
    half = n // 2
    t = torch.rand(n, generator=gen) * math.pi
    upper = torch.stack([torch.cos(t[:half]), torch.sin(t[:half])], 1)
    lower = torch.stack([1 - torch.cos(t[half:]), 0.5 - torch.sin(t[half:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=gen)
    y = torch.cat([torch.zeros(half, dtype=torch.long), torch.ones(n - half, dtype=torch.long)])
    return x, y


def toy_problem(seed: int = 0, hidden: int = 16, n: int = 128) -> Problem:
    """The default network: MLP 2 → hidden → hidden → 1 (ReLU, like Li et al.'s nets), sigmoid + binary
    cross-entropy on two moons (n points; targets [n, 1]), at its random initialisation.

    One logit, as the Network builder's two-class head: two softmax logits would add directions along which the
    loss is exactly flat (both output rows moved alike), a valley of the parametrisation rather than of the task.
    """
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    x, y = two_moons(n, seed=seed)
    return Problem(model, x, y.float().unsqueeze(1), nn.functional.binary_cross_entropy_with_logits)


def train(problem: Problem, steps: int = 300, lr: float = 0.03) -> Params:
    """θ after full-batch Adam from the model's own initial parameters: the 'trained point' of the plots."""
    params = {n: p.requires_grad_(True) for n, p in problem.params().items()}
    opt = torch.optim.Adam(params.values(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(params).backward()
        opt.step()
    return {n: p.detach() for n, p in params.items()}


def filter_normalized_direction(params: Params, seed: int = 0) -> Params:
    """A random direction d with ‖d[i]‖ = ‖θ[i]‖ for each row i (neuron / filter) of each weight tensor.

    Rows are along the first dimension (output units of Linear, filters of Conv); 1-D parameters (biases,
    normalisation scales) get 0, as in Li et al.'s 'ignore biasbn' setting.
    """
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, p in params.items():
        d = torch.randn(p.shape, generator=gen, dtype=p.dtype)
        if p.dim() <= 1:
            out[name] = torch.zeros_like(p)
            continue
        rows_p = p.reshape(p.shape[0], -1).norm(dim=1)
        rows_d = d.reshape(d.shape[0], -1).norm(dim=1)
        scale = (rows_p / (rows_d + 1e-10)).reshape(-1, *[1] * (p.dim() - 1))
        out[name] = d * scale
    return out


def flatten(params: Params) -> Tensor:
    """[P] vector of all parameters, in the dict's order."""
    return torch.cat([p.reshape(-1) for p in params.values()])


def unflatten(flat: Tensor, like: Params) -> Params:
    """Split flat [..., P] into a dict shaped like `like` (leading batch dims kept)."""
    out, i = {}, 0
    lead = flat.shape[:-1]
    for name, p in like.items():
        out[name] = flat[..., i : i + p.numel()].reshape(*lead, *p.shape)
        i += p.numel()
    return out


CHUNK_BYTES = 4 << 20  # a chunk's widest activation [chunk, n, width]


def chunk_size(problem: Problem) -> int:
    """Points per vmapped chunk: the most that keep the widest activation [chunk, n_inputs, width] near 4 MiB.

    Larger chunks pay vmap's per-chunk overhead less often, smaller ones stay in cache. Measured for a 51×51 slice
    of the default 2-16-16-1 MLP on 128 inputs (with `core.allocator.keep_freed_memory`): chunks of 256 points take
    11.8 ms, 512 take 9.0 ms, 1024 take 9.6 ms, the whole grid at once 11.5 ms.
    """
    width = max((p.shape[0] for p in problem.model.parameters() if p.ndim >= 2), default=1)
    values = CHUNK_BYTES // problem.inputs.element_size()
    return max(16, min(1024, values // max(1, len(problem.inputs) * width)))


def span_losses(
    problem: Problem,
    origin: Tensor,
    coords: Tensor,
    span: Tensor,
    chunk: int | None = None,
    progress: Progress | None = None,
) -> Tensor:
    """The loss at origin + coords @ span for origin [P], coords [N, k], span [k, P]: [N], vmapped over chunks of
    points (`chunk_size` by default).

    Each chunk's points come from one addmm just before use, so the [N, P] points never exist at once (for a
    51×51 slice of a million-parameter network they would take 10 GB).
    """
    keep_freed_memory()
    n = len(coords)
    if n == 0:
        return torch.empty(0, dtype=problem.inputs.dtype)
    coords, span = coords.to(origin), span.to(origin)  # float32 grid coordinates for a float64 network
    chunk = chunk or chunk_size(problem)
    like = problem.params()
    loss_of = vmap(problem.loss)
    out = []
    with torch.no_grad():
        for start in range(0, n, chunk):
            points = torch.addmm(origin, coords[start : start + chunk], span)  # [≤ chunk, P]
            out.append(loss_of(unflatten(points, like)))
            if progress is not None:
                progress(min(1.0, (start + chunk) / n))
    return torch.cat(out)


@dataclass(frozen=True)
class Slice2D:
    """loss [len(b), len(a)] at center + a·d1 + b·d2 (a along x, b along y)."""

    a: Tensor
    b: Tensor
    loss: Tensor


def plane_losses(
    problem: Problem, center: Tensor, d1: Tensor, d2: Tensor, a: Tensor, b: Tensor, progress: Progress | None = None
) -> Slice2D:
    """Loss over the grid a × b on the plane through flat `center` [P] spanned by flat d1, d2 [P]."""
    grid_b, grid_a = torch.meshgrid(b, a, indexing="ij")
    coords = torch.stack([grid_a.reshape(-1), grid_b.reshape(-1)], 1)
    losses = span_losses(problem, center, coords, torch.stack([d1, d2]), progress=progress)
    return Slice2D(a, b, losses.reshape(len(b), len(a)))


def line_losses(problem: Problem, center: Tensor, d: Tensor, a: Tensor) -> Tensor:
    """Loss [len(a)] at center + a·d."""
    return span_losses(problem, center, a.reshape(-1, 1), d.reshape(1, -1))


def top_hessian_eigen(problem: Problem, params: Params, iters: int = 100) -> tuple[float, Tensor, int]:
    """Top Hessian eigenvalue at params by power iteration with HVPs: (λ, unit eigenvector [P], iterations)."""
    live = {n: p.detach().clone().requires_grad_(True) for n, p in params.items()}
    lam, vec, iters_used = top_eigenpair(lambda: problem.loss(live), list(live.values()), iters=iters)
    return lam, torch.cat([v.reshape(-1) for v in vec]), iters_used


def slice_around(
    problem: Problem, theta: Params, n: int, extent: float, seed: int, report: Report | None = None
) -> Slice2D:
    """Li et al.'s plot: the loss on an n×n grid over [-extent, extent]² around θ* along two filter-normalised
    random directions (seeds `seed` and `seed + 1`)."""
    center = flatten(theta)
    d1 = flatten(filter_normalized_direction(theta, seed))
    d2 = flatten(filter_normalized_direction(theta, seed + 1))
    a = torch.linspace(-extent, extent, n)
    note = f"loss on a {n}×{n} grid"
    return plane_losses(problem, center, d1, d2, a, a, None if report is None else lambda f: report(f, note))


@dataclass(frozen=True)
class Curvature:
    """The top Hessian eigenvalue at θ* (power iteration: `iterations` Hessian-vector products) and the loss at
    θ* + a·d for a [n] along its eigenvector and along a random filter-normalised direction of the same `length`
    (a = 1 is a step of that length in parameter space); `random_curvature` is d̂ᵀHd̂ for that random direction's
    unit vector d̂, the second derivative along it to compare with the eigenvalue."""

    eigenvalue: float
    iterations: int
    a: Tensor
    along_eigenvector: Tensor
    along_random: Tensor
    random_curvature: float
    length: float

    @property
    def unstable_lr(self) -> float | None:
        """2/λ: plain gradient descent with a larger rate is unstable here (None where the loss does not curve up)."""
        return 2 / self.eigenvalue if self.eigenvalue > 0 else None


def directional_curvature(problem: Problem, params: Params, direction: Tensor) -> float:
    """d̂ᵀHd̂ at params for flat direction [P] (made unit length): the loss's second derivative along it, from one
    Hessian-vector product."""
    live = {n: p.detach().clone().requires_grad_(True) for n, p in params.items()}
    unit = unflatten(direction / direction.norm(), live)
    hv = hvp(lambda: problem.loss(live), list(live.values()), list(unit.values()))
    return float(sum((h * u).sum() for h, u in zip(hv, unit.values(), strict=True)))


def curvature_around(
    problem: Problem, theta: Params, extent: float, seed: int, n: int = 81, report: Report | None = None
) -> Curvature:
    """The sharpest direction out of θ* beside a random one (filter-normalised, seed `seed`), both the random
    direction's length so that the two lines share an x axis [-extent, extent]."""
    if report is not None:
        report(0.0, "power iteration with Hessian-vector products")
    lam, vec, iters = top_hessian_eigen(problem, theta)
    center = flatten(theta)
    rand = flatten(filter_normalized_direction(theta, seed))
    a = torch.linspace(-extent, extent, n)
    if report is not None:
        report(0.8, "the loss along both directions")
    return Curvature(
        lam,
        iters,
        a,
        line_losses(problem, center, vec * rand.norm(), a),
        line_losses(problem, center, rand, a),
        directional_curvature(problem, theta, rand),
        float(rand.norm()),
    )


EXTENTS = torch.linspace(0.01, 2.0, 200)  # the extents a slice may have, in the landscape tab's slider steps


def fitting_extent(problem: Problem, theta: Params, start: Params, seed: int) -> float:
    """The smallest extent at which the loss along the slice's two directions (either way) climbs halfway from θ*'s
    loss to the loss at `start` (the network's initialisation): the valley around θ* then fills the slice, where
    Li et al.'s fixed extent of 1 can leave a well-trained network's minimum a hole of one grid cell.
    The largest extent when the loss never climbs that high; 1 when the start is no higher than θ*."""
    low, high = problem.loss(theta).item(), problem.loss(start).item()
    if not high > low:
        return 1.0
    center, a = flatten(theta), torch.cat([EXTENTS, -EXTENTS])
    rises = [line_losses(problem, center, flatten(filter_normalized_direction(theta, s)), a) for s in (seed, seed + 1)]
    highest = torch.stack(rises).reshape(4, len(EXTENTS)).amax(0)  # the highest of the four half-lines, per extent
    reached = torch.nonzero(highest >= (low + high) / 2)
    return round(float(EXTENTS[reached[0, 0]] if len(reached) else EXTENTS[-1]), 2)
