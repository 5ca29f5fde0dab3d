"""What the network outputs: over the input plane (output + every neuron, one batched pass) and on the data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.builder.losses import HEADS
from core.builder.model import MLP
from core.data.datasets import DOMAIN
from core.data.features import feature_matrix


def grid_points(resolution: int) -> torch.Tensor:
    """Cell centres of a `resolution²` grid over the domain, row-major from the bottom: `[res², 2]`."""
    lo, hi = DOMAIN
    step = (hi - lo) / resolution
    axis = torch.linspace(lo + step / 2, hi - step / 2, resolution)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)


@dataclass(frozen=True)
class PlaneOutputs:
    """`layers[l]`: activations of weight layer l over the grid, `[width, res, res]` (last = network output)."""

    resolution: int
    layers: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1]


def evaluate_plane(model: MLP, feature_names: tuple[str, ...], resolution: int = 100) -> PlaneOutputs:
    """The output and every hidden neuron over the plane in one forward pass of all `res²` grid points."""
    x = feature_matrix(grid_points(resolution), feature_names).to(model.linears[0].weight.dtype)
    with torch.no_grad():
        outs = model.layer_outputs(x)
    return PlaneOutputs(resolution, tuple(o.T.reshape(-1, resolution, resolution).numpy() for o in outs))


@dataclass(frozen=True)
class Metrics:
    """Accuracy and confusion matrix `[true, predicted]` for classification, R² for regression (train/test)."""

    task: str
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    confusion: np.ndarray | None = None  # on the test points
    train_r2: float | None = None
    test_r2: float | None = None


def r2_score(y: np.ndarray, pred: np.ndarray) -> float:
    """1 − SS_res / SS_tot (nan for fewer than 2 points or constant targets)."""
    ss_tot = float(((y - y.mean()) ** 2).sum()) if len(y) > 1 else 0.0
    return 1 - float(((y - pred) ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")


def metrics(
    model: MLP, head: str, features: torch.Tensor, labels: np.ndarray, is_train: np.ndarray, n_classes: int
) -> Metrics:
    """Metrics of `model` on the data; `features [N, F]`, `labels [N]`, `is_train [N]`."""
    h = HEADS[head]
    with torch.no_grad():
        pred = h.predict(model(features)).numpy()
    tr, te = is_train, ~is_train
    if h.task == "regression":
        return Metrics(h.task, train_r2=r2_score(labels[tr], pred[tr]), test_r2=r2_score(labels[te], pred[te]))
    k = max(n_classes, 2)
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (labels[te].astype(np.int64), pred[te]), 1)
    acc = [float(np.mean(pred[m] == labels[m])) if m.any() else float("nan") for m in (tr, te)]
    return Metrics(h.task, train_accuracy=acc[0], test_accuracy=acc[1], confusion=confusion)


def dead_relus(model: MLP, features: torch.Tensor) -> list[int]:
    """Per hidden layer, how many ReLU neurons output 0 on every given sample (they no longer learn)."""
    with torch.no_grad():
        outs = model.layer_outputs(features)[:-1]
    acts = model.spec.activations[:-1]
    return [int((o <= 0).all(dim=0).sum()) if a == "relu" else 0 for o, a in zip(outs, acts, strict=True)]


VANISHING, EXPLODING = 1e-6, 1e3
LEARNED = 0.01  # a training loss below this is learned: its gradients are small because there is little left to learn

# what may help a layer whose gradient vanishes, by hidden activation: said only of the activation in use
VANISHING_ADVICE = {
    "sigmoid": "Try ReLU or tanh instead of sigmoid (its slope is at most 0.25), fewer layers, or new initial weights.",
    "tanh": "tanh's slope is near 0 where its outputs are near ±1: try a lower learning rate, fewer layers, ReLU, "
    "or new initial weights.",
    "relu": "A ReLU that is 0 on every point passes no gradient (see the dead ReLUs in 'Confusion matrix and gradient "
    "health'): try leaky ReLU, a lower learning rate, or new initial weights.",
}
OTHER_ADVICE = "Try fewer layers, a lower learning rate, or new initial weights."


def gradient_warning(grad_norms: list[float], train_loss: float, activation: str, learning_rate: float) -> str | None:
    """A sentence when the latest per-layer gradient norms explode (> 1e3), or vanish (< 1e-6) while the training
    loss is still at least LEARNED; else None. Worded from the numbers the page shows beside it (the norms, the loss,
    the learning rate) and the activation in use, so that it never contradicts them."""
    finite = [g for g in grad_norms if np.isfinite(g)]
    if not finite:
        return None
    if max(finite) > EXPLODING:
        layer = grad_norms.index(max(finite)) + 1
        return (
            f"Exploding gradients: layer {layer}'s gradient norm is {max(finite):.3g}. Lower the learning rate "
            f"(now {learning_rate:g}) or add regularization."
        )
    if min(finite) < VANISHING and train_loss >= LEARNED:
        layer = grad_norms.index(min(finite)) + 1
        return (
            f"Vanishing gradients: layer {layer}'s gradient norm is {min(finite):.2g} while the training loss is "
            f"still {train_loss:.4g}, so layer {layer} barely learns. " + VANISHING_ADVICE.get(activation, OTHER_ADVICE)
        )
    return None
