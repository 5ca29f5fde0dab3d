"""Hand mode: a textbook exercise checker. Type W, b, x, y for a 1-3 layer network; get every intermediate.

The numbers come from the same `trace_step` as the live network (float64, one SGD step), so a worked example is
checked by the same tests. Shape problems are reported naming the two shapes that disagree. A worked example
carries its own note (a loss comparison, the gradient's sign), so the page shows any example the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from core.builder.losses import LOSSES
from core.builder.model import NetSpec, build_model, load_weights
from core.builder.trace import StepTrace, trace_step


@dataclass(frozen=True)
class HandProblem:
    """W_l `[n_out, n_in]`, b_l `[n_out]`, x `[B, F]`, y `[B, K]`, one activation per layer, loss, learning rate."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    loss: str = "half_squared"
    lr: float = 0.5

    def layer_start(self, i: int) -> tuple[np.ndarray, np.ndarray, str]:
        """What the editors of layer `i` (from 0) start from: this problem's W, b and activation, or for a layer
        the user adds beyond them, zeros of 2 sigmoid neurons (W fed by this problem's last layer)."""
        if i < len(self.weights):
            return self.weights[i], self.biases[i], self.activations[i]
        return np.zeros((2, self.weights[-1].shape[0])), np.zeros(2), "sigmoid"


def check(p: HandProblem) -> list[str]:
    """Every problem that stops the computation, as a sentence; empty when the exercise can be solved."""
    out = []
    named = (
        [("x", p.x), ("y", p.y)]
        + [(f"W{i + 1}", w) for i, w in enumerate(p.weights)]
        + [(f"b{i + 1}", b) for i, b in enumerate(p.biases)]
    )
    out += [
        f"{n} has an empty or non-numeric cell; type a number in every cell."
        for n, v in named
        if v.size == 0 or not np.isfinite(v).all()
    ]
    if out:
        return out
    width, width_name = p.x.shape[1], f"x {p.x.shape} (B samples × {p.x.shape[1]} inputs)"
    for i, (w, b) in enumerate(zip(p.weights, p.biases, strict=True), start=1):
        if w.shape[1] != width:
            out.append(f"W{i} has shape {w.shape} but {width_name}: W{i} needs {width} columns.")
        if b.shape[0] != w.shape[0]:
            out.append(f"b{i} has shape {b.shape} but W{i} has shape {w.shape}: b{i} needs {w.shape[0]} entries.")
        width, width_name = w.shape[0], f"W{i} has shape {w.shape} ({w.shape[0]} outputs)"
    if p.y.shape != (p.x.shape[0], width):
        out.append(
            f"y has shape {p.y.shape} but the network outputs {(p.x.shape[0], width)} "
            f"(x has {p.x.shape[0]} rows, the last W has {width} rows)."
        )
    if p.activations[-1] == "softmax" and p.loss != "cross_entropy":
        out.append("A softmax output needs the cross-entropy loss.")
    return out


def solve(p: HandProblem) -> StepTrace:
    """Every intermediate of one SGD step (forward, loss, backward, update) for a problem `check` accepts."""
    sizes = (p.x.shape[1], *(w.shape[0] for w in p.weights))
    model = build_model(NetSpec(sizes, p.activations), 0, torch.float64)
    load_weights(
        model,
        [
            (torch.tensor(w, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
            for w, b in zip(p.weights, p.biases, strict=True)
        ],
    )
    opt = torch.optim.SGD(model.parameters(), lr=p.lr)
    x = torch.tensor(p.x, dtype=torch.float64)
    y = torch.tensor(p.y, dtype=torch.float64)
    return trace_step(model, x, y, p.loss, optimizer=opt, optimizer_name="sgd", lr=p.lr)


def compare_losses(y: np.ndarray, y_hat: np.ndarray) -> dict[str, float]:
    """Each registered loss of predictions `y_hat [K]` against `y [K]` for one sample (B = 1)."""
    yt, at = (torch.tensor(v, dtype=torch.float64).reshape(1, -1) for v in (y, y_hat))
    return {name: float(loss.value(at, yt)) for name, loss in LOSSES.items()}


@dataclass(frozen=True)
class SignDemo:
    """Losses over `steps` gradient steps of linear regression with the right and the flipped gradient sign."""

    right: tuple[float, ...]  # w -= lr · Xᵀ(ŷ − y)/B   (the gradient: the loss falls)
    flipped: tuple[float, ...]  # w -= lr · Xᵀ(y − ŷ)/B  (the negated gradient: the loss climbs)


def sign_demo(x: np.ndarray, y: np.ndarray, w: float, b: float, lr: float, steps: int = 5) -> SignDemo:
    """One-input linear regression ŷ = w x + b with loss ½·mean (ŷ − y)², stepped both ways from (w, b)."""
    curves = []
    for sign in (1.0, -1.0):
        wi, bi, losses = w, b, []
        for _ in range(steps + 1):
            err = wi * x + bi - y
            losses.append(float(0.5 * np.mean(err**2)))
            wi, bi = wi - lr * sign * float(np.mean(err * x)), bi - lr * sign * float(np.mean(err))
        curves.append(tuple(losses))
    return SignDemo(*curves)


@dataclass(frozen=True)
class Note:
    """What a worked example says under its step about the numbers typed: a sentence (Markdown; in a hint box when
    `boxed`), and curves to plot against `axes` (name → one value per step; none when empty)."""

    text: str
    boxed: bool = False
    curves: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    axes: tuple[str, str] = ("step", "loss")


@dataclass(frozen=True)
class Example:
    """A worked example: the exercise as printed, and `note(typed, printed)`, what it says about the exercise as
    the user typed it (None: nothing)."""

    problem: HandProblem
    note: Callable[[HandProblem, HandProblem], Note | None] = lambda typed, printed: None


def loss_note(typed: HandProblem, printed: HandProblem) -> Note | None:
    """Each loss of one sample with ŷ = x (x and y of one row, same width); a correction of the values some
    tutorials print, while the numbers are the printed ones."""
    if typed.x.shape[0] != 1 or typed.y.shape != typed.x.shape:
        return None
    losses = compare_losses(typed.y[0], typed.x[0])
    as_printed = np.array_equal(typed.x, printed.x) and np.array_equal(typed.y, printed.y)
    return Note(
        f"With ŷ = x typed above: ½·Σ(ŷ − y)² = **{losses['half_squared']:.4g}**, "
        f"−Σ y log ŷ = **{losses['cross_entropy']:.4g}**, binary cross-entropy {losses['bce']:.4g}."
        + (
            " (Some tutorials print 0.45 and 0.2231 for this example: the values are 0.03 and 0.3285.)"
            if as_printed
            else ""
        ),
        boxed=True,
    )


def sign_note(typed: HandProblem, printed: HandProblem) -> Note | None:
    """For a solvable one-layer, one-input, one-output exercise: the loss over steps with the gradient's right and
    flipped sign (`sign_demo`)."""
    if check(typed) or typed.x.shape[1] != 1 or typed.y.shape[1] != 1 or len(typed.weights) != 1:
        return None
    demo = sign_demo(
        typed.x[:, 0], typed.y[:, 0], float(typed.weights[0][0, 0]), float(typed.biases[0][0]), float(typed.lr)
    )
    return Note(
        "**The sign of the gradient.** dL/dW = Xᵀ(ŷ − y)/B. A loop that computes Xᵀ(y − ŷ) and still does "
        "`w -= lr * dw` walks uphill:",
        curves={"w -= lr·Xᵀ(ŷ − y)/B (correct)": demo.right, "w -= lr·Xᵀ(y − ŷ)/B (flipped sign)": demo.flipped},
    )


def _a(rows) -> np.ndarray:
    return np.array(rows, dtype=float)


EXAMPLES: dict[str, Example] = {
    "3 inputs → 2 sigmoid → 2 sigmoid, squared error": Example(
        HandProblem(
            (_a([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]), _a([[0.7, -0.8], [0.9, 0.1]])),
            (_a([0.1, -0.1]), _a([0.0, 0.2])),
            ("sigmoid", "sigmoid"),
            _a([[1.0, 0.5, -1.0]]),
            _a([[1.0, 0.0]]),
            "half_squared",
            0.5,
        )
    ),
    "Squared error vs cross-entropy: y = [1, 0, 1], ŷ = [0.8, 0.1, 0.9]": Example(
        HandProblem(
            (np.eye(3),), (np.zeros(3),), ("linear",), _a([[0.8, 0.1, 0.9]]), _a([[1.0, 0.0, 1.0]]), "half_squared", 0.1
        ),
        loss_note,
    ),
    "Linear regression, one gradient-descent step": Example(
        HandProblem(
            (_a([[0.5]]),),
            (_a([0.0]),),
            ("linear",),
            _a([[1.0], [2.0], [3.0]]),
            _a([[2.0], [4.0], [6.0]]),
            "half_squared",
            0.1,
        ),
        sign_note,
    ),
}
