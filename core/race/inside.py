"""What happens inside one update? The real optimizer's state around one step, beside the textbook formulas.

The race is replayed to step k with the same loop (core.race.stepper), the optimizer's `state` is read before
and after step k, and the textbook recursions are recomputed independently (numpy, float64) from the gradients
the optimizer actually received. Where PyTorch writes a method differently from textbooks, a row says so with
numbers: momentum's buffer, Adam's first step lr·sign(g), RMSprop's first step lr/√(1−α), RAdam's
un-normalised warm-up steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.race.race import Progress, RaceConfig, report_step
from core.race.racers import Racer
from core.race.stepper import Stepper
from core.race.surfaces import Surface


@dataclass(frozen=True)
class Row:
    """One quantity: its textbook formula (LaTeX), the value from that formula and PyTorch's value, and a note."""

    quantity: str
    formula: str
    textbook: np.ndarray | float
    pytorch: np.ndarray | float | None
    note: str = ""


@dataclass(frozen=True)
class Update:
    """Step k of one racer (k counts from 1). Vectors are [2]; state maps PyTorch's state names to values."""

    racer: Racer
    step: int
    lr: float
    before: np.ndarray
    after: np.ndarray
    grad: np.ndarray  # the gradient the optimizer received (with noise and clipping, if on)
    state_before: dict[str, np.ndarray]
    state_after: dict[str, np.ndarray]
    rows: tuple[Row, ...]

    @property
    def update(self) -> np.ndarray:
        return self.after - self.before


@dataclass(frozen=True)
class _Context:
    racer: Racer
    grads: list[np.ndarray]  # every gradient received so far, the last one at step k
    thetas: list[np.ndarray]  # the point where each of those steps started
    before: np.ndarray
    after: np.ndarray
    state: dict[str, np.ndarray]
    lr: float

    @property
    def t(self) -> int:
        return len(self.grads)


def _state(optimizer: torch.optim.Optimizer, param: torch.Tensor) -> dict[str, np.ndarray]:
    """A float64 numpy copy of every tensor or number in the optimizer's state for `param`."""
    out = {}
    for name, value in optimizer.state.get(param, {}).items():
        if isinstance(value, torch.Tensor):
            out[name] = value.detach().double().clone().numpy()
        elif isinstance(value, int | float):
            out[name] = np.asarray(float(value))
    return out


def _ema(grads: list[np.ndarray], beta: float, power: int = 1) -> np.ndarray:
    v = np.zeros_like(grads[0])
    for g in grads:
        v = beta * v + (1 - beta) * g**power
    return v


def _l2(c: _Context) -> list[np.ndarray]:
    """The gradients as the optimizer uses them with L2 weight decay: g + λθ."""
    wd = c.racer.value("weight_decay")
    return [g + wd * th for g, th in zip(c.grads, c.thetas, strict=True)]


def _sgd(c: _Context) -> list[Row]:
    mu, damp, nesterov = c.racer.value("momentum"), c.racer.value("dampening"), c.racer.value("nesterov")
    grads = _l2(c)
    if mu == 0:
        return [
            Row(
                "update",
                r"-\,\mathrm{lr}\; g",
                -c.lr * grads[-1],
                c.after - c.before,
                "Plain SGD: the textbook and PyTorch agree.",
            )
        ]
    if damp or nesterov:  # PyTorch's own recursion, recomputed: b₁ = g₁, then b ← μb + (1−d)g
        b = grads[0]
        for g in grads[1:]:
            b = mu * b + (1 - damp) * g
        step = -c.lr * (grads[-1] + mu * b if nesterov else b)
        return [
            Row("buffer b", r"b \leftarrow \mu b + (1-d)\,g,\;\; b_1 = g_1", b, c.state.get("momentum_buffer")),
            Row(
                "update",
                r"-\,\mathrm{lr}\,(g + \mu b)" if nesterov else r"-\,\mathrm{lr}\; b",
                step,
                c.after - c.before,
                "Nesterov in PyTorch steps along g + μb." if nesterov else "",
            ),
        ]
    v = _ema(grads, mu)  # textbook moving average, v₀ = 0
    return [
        Row(
            "velocity",
            r"v \leftarrow \beta v + (1-\beta)\,g \quad\text{(textbook)}",
            v,
            c.state.get("momentum_buffer"),
            f"PyTorch keeps b ← μb + g, starting at b = g, so b = v/(1−β) = {1 / (1 - mu):.4g}·v.",
        ),
        Row(
            "update with the same lr",
            r"-\,\mathrm{lr}\; v",
            -c.lr * v,
            c.after - c.before,
            f"PyTorch's step is 1/(1−β) = {1 / (1 - mu):.4g}× the textbook step with the same lr.",
        ),
        Row(
            "textbook with lr/(1−β)",
            r"-\,\frac{\mathrm{lr}}{1-\beta}\; v",
            -c.lr / (1 - mu) * v,
            c.after - c.before,
            "The two agree once the textbook's rate is lr/(1−β).",
        ),
    ]


def _adam(c: _Context) -> list[Row]:
    b1, b2 = c.racer.value("betas")
    eps, wd, t = c.racer.value("eps"), c.racer.value("weight_decay"), c.t
    decoupled = c.racer.optimizer == "AdamW" or c.racer.value("decoupled_weight_decay")
    grads = c.grads if decoupled else _l2(c)  # Adam's L2 joins the gradient before the moments
    m, v = _ema(grads, b1), _ema(grads, b2, power=2)
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    step = -c.lr * m_hat / (np.sqrt(v_hat) + eps) - (c.lr * wd * c.before if decoupled else 0)
    rows = [
        Row("first moment m", r"m \leftarrow \beta_1 m + (1-\beta_1)\,g", m, c.state.get("exp_avg")),
        Row("second moment v", r"v \leftarrow \beta_2 v + (1-\beta_2)\,g^2", v, c.state.get("exp_avg_sq")),
        Row(
            "bias corrections",
            r"1-\beta_1^t,\;\; 1-\beta_2^t",
            np.array([1 - b1**t, 1 - b2**t]),
            None,
            f"t = {t}: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).",
        ),
        Row(
            "update",
            r"-\,\mathrm{lr}\;\hat m/(\sqrt{\hat v}+\epsilon)"
            + (r" - \mathrm{lr}\,\lambda\,\theta" if decoupled and wd else ""),
            step,
            c.after - c.before,
        ),
    ]
    if t == 1:
        decay = c.lr * wd * c.before if decoupled else 0.0
        rows.append(
            Row(
                "first step = lr·sign(g)",
                r"-\,\mathrm{lr}\;\mathrm{sign}(g)",
                -c.lr * np.sign(grads[0]) - decay,
                c.after - c.before,
                "m̂ = g and v̂ = g² at t = 1, so every coordinate moves by lr (up to ε), whatever the size "
                "of the gradient" + (", plus the decoupled decay −lr·λ·θ." if decoupled and wd else "."),
            )
        )
    return rows


def _rmsprop(c: _Context) -> list[Row]:
    alpha, eps = c.racer.value("alpha"), c.racer.value("eps")
    if c.racer.value("centered") or c.racer.value("momentum") or c.racer.value("weight_decay"):
        return [
            Row(
                "update",
                "(centered / momentum / weight decay variant)",
                np.nan,
                c.after - c.before,
                "The rows compare the plain recursion; this variant adds terms, see PyTorch's docs.",
            )
        ]
    s = _ema(c.grads, alpha, power=2)
    rows = [
        Row("square average s", r"s \leftarrow \alpha s + (1-\alpha)\,g^2", s, c.state.get("square_avg")),
        Row(
            "update",
            r"-\,\mathrm{lr}\; g/(\sqrt{s}+\epsilon)",
            -c.lr * c.grads[-1] / (np.sqrt(s) + eps),
            c.after - c.before,
            "No bias correction in RMSprop.",
        ),
    ]
    if c.t == 1:
        rows.append(
            Row(
                "first step = lr/√(1−α)",
                r"-\,\frac{\mathrm{lr}}{\sqrt{1-\alpha}}\,\mathrm{sign}(g)",
                -c.lr / math.sqrt(1 - alpha) * np.sign(c.grads[0]),
                c.after - c.before,
                f"s starts at 0, so s = (1−α)g² and the first step is {1 / math.sqrt(1 - alpha):.3g}× lr: "
                "larger than Adam's.",
            )
        )
    return rows


def _radam(c: _Context) -> list[Row]:
    b1, b2 = c.racer.value("betas")
    eps, t = c.racer.value("eps"), c.t
    if c.racer.value("weight_decay"):
        return []
    m, v = _ema(c.grads, b1), _ema(c.grads, b2, power=2)
    m_hat = m / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho > 5:
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        step = -c.lr * m_hat * r / (np.sqrt(v / (1 - b2**t)) + eps)
        note = f"ρ_t = {rho:.3g} > 5: the adaptive step, rectified by r = {r:.4g}."
    else:
        step = -c.lr * m_hat
        note = (
            f"ρ_t = {rho:.3g} ≤ 5: the variance of v̂ is not trusted yet, so this is an un-normalised "
            "momentum-SGD step −lr·m̂ (it scales with the gradient: big gradients make big steps)."
        )
    return [
        Row("first moment m", r"m \leftarrow \beta_1 m + (1-\beta_1)\,g", m, c.state.get("exp_avg")),
        Row("ρ_t", r"\rho_\infty - 2t\beta_2^t/(1-\beta_2^t)", rho, None, f"ρ_∞ = {rho_inf:.4g}."),
        Row(
            "update",
            r"-\,\mathrm{lr}\,\hat m\; r_t/\sqrt{\hat v}\;\text{ or }\; -\,\mathrm{lr}\,\hat m",
            step,
            c.after - c.before,
            note,
        ),
    ]


def _adagrad(c: _Context) -> list[Row]:
    if c.racer.value("weight_decay") or c.racer.value("initial_accumulator_value"):
        return []
    total = sum(g**2 for g in c.grads)
    clr = c.racer.lr / (1 + (c.t - 1) * c.racer.value("lr_decay"))
    return [
        Row("sum of squares", r"G \leftarrow G + g^2", total, c.state.get("sum")),
        Row(
            "update",
            r"-\,\mathrm{lr}\; g/(\sqrt{G}+\epsilon)",
            -clr * c.grads[-1] / (np.sqrt(total) + c.racer.value("eps")),
            c.after - c.before,
            "G only grows: every coordinate's step shrinks like 1/√t.",
        ),
    ]


TEXTBOOK: dict[str, Callable[[_Context], list[Row]]] = {
    "SGD": _sgd,
    "Adam": _adam,
    "AdamW": _adam,
    "RMSprop": _rmsprop,
    "RAdam": _radam,
    "Adagrad": _adagrad,
}


def telling(racers: list[Racer] | tuple[Racer, ...]) -> int:
    """The first racer whose update differs from the plain textbook step (momentum or an adaptive method) and has
    a textbook comparison written; 0 when none has."""
    return next(
        (i for i, r in enumerate(racers) if r.optimizer in TEXTBOOK and (r.optimizer != "SGD" or r.value("momentum"))),
        0,
    )


def inspect_update(
    surface: Surface,
    racer: Racer,
    start: tuple[float, float],
    config: RaceConfig,
    step: int,
    progress: Progress | None = None,
) -> Update:
    """Replay the race of `racer` and look inside its step number `step` (1-based); progress(fraction replayed)."""
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    stepper = Stepper(racer, [point], lambda: surface.fn(point[0], point[1]), config, record=False)
    grads, thetas = [], []
    for k in range(step):
        report_step(progress, k, step)
        if k == step - 1:
            state_before = _state(stepper.optimizer, point)
        thetas.append(point.detach().clone().numpy())
        lr = stepper.step()
        grads.append(point.grad.detach().clone().numpy())
    before, after = thetas[-1], point.detach().clone().numpy()
    state_after = _state(stepper.optimizer, point)
    context = _Context(racer, grads, thetas, before, after, state_after, lr)
    rows = TEXTBOOK.get(racer.optimizer, lambda c: [])(context)
    return Update(racer, step, lr, before, after, grads[-1], state_before, state_after, tuple(rows))


@dataclass(frozen=True)
class DecayLab:
    """Weights [steps+1, n] of Adam (L2 weight decay) and AdamW (decoupled) on a loss that is flat (zero)."""

    adam: np.ndarray
    adamw: np.ndarray
    lr: float
    weight_decay: float


def weight_decay_lab(
    theta0: tuple[float, ...] = (2.0, 0.5, 0.05), lr: float = 0.01, weight_decay: float = 0.1, steps: int = 300
) -> DecayLab:
    """Run real Adam(weight_decay) and AdamW(weight_decay) on f ≡ 0: all movement is weight decay.

    Adam adds λθ to the (zero) gradient and normalises it, so every weight shrinks by about lr per step
    whatever its size; AdamW shrinks θ by the factor (1 − lr·λ) per step, like textbook weight decay.
    """
    paths = {}
    for cls in (torch.optim.Adam, torch.optim.AdamW):
        theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
        opt = cls([theta], lr=lr, weight_decay=weight_decay)
        path = [theta.detach().clone()]
        for _ in range(steps):
            opt.zero_grad()
            (0.0 * theta.sum()).backward()
            opt.step()
            path.append(theta.detach().clone())
        paths[cls.__name__] = torch.stack(path).numpy()
    return DecayLab(paths["Adam"], paths["AdamW"], lr, weight_decay)
