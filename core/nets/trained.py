"""A trained network as other tools consume it (the Attributions tool reuses the builder's network).

Stable interface: `TrainedNetwork` and `train_default_network(setup=None, epochs=...)`. The model maps features
`[N, F]` → outputs `[N, K]`; `to_features(points [N, 2]) → [N, F]` maps raw points of the plane to features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.data.features import LABELS, feature_matrix
from core.nets.setup import BuilderSetup, Dataset, build_dataset
from core.nets.trainer import Trainer

OUTPUT_NAMES = {"sigmoid_bce": ("P(class 1)",), "tanh_mse": ("score (+1 = class 1)",), "linear_mse": ("target",)}


@dataclass(frozen=True)
class TrainedNetwork:
    """A network and the data it learned: `model` takes features `[N, F]` (float32) and returns `[N, K]`.

    Outputs are activated: sigmoid probability or tanh score (binary), softmax probabilities (multiclass),
    a value (regression). `points [N, 2]`, `labels [N]`, `is_train [N]` are the dataset.
    """

    setup: BuilderSetup
    model: torch.nn.Module
    feature_names: tuple[str, ...]
    feature_labels: tuple[str, ...]  # pretty names, e.g. "X₁²"
    task: str  # "binary" | "multiclass" | "regression"
    head: str
    output_names: tuple[str, ...]
    points: np.ndarray
    labels: np.ndarray
    is_train: np.ndarray
    epochs: int

    def to_features(self, points: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Raw points `[N, 2]` → features `[N, F]` (float32), the model's input."""
        return feature_matrix(torch.as_tensor(points, dtype=torch.float32), self.feature_names)


def from_trainer(trainer: Trainer) -> TrainedNetwork:
    """Wrap a trainer's current network (shared, not copied: it keeps training) as a TrainedNetwork."""
    data: Dataset = trainer.data
    names = OUTPUT_NAMES.get(trainer.head_name) or tuple(f"P(class {k})" for k in range(data.n_classes))
    return TrainedNetwork(trainer.setup, trainer.model, data.feature_names,
                          tuple(LABELS[f] for f in data.feature_names), data.task, trainer.head_name, names,
                          data.points, data.labels, data.is_train, trainer.epoch)


def train_default_network(setup: BuilderSetup | None = None, epochs: int = 300) -> TrainedNetwork:
    """Build the data of `setup` (default: TF Playground's circle, 2-4-2-1 tanh) and train `epochs` epochs."""
    setup = setup or BuilderSetup()
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(epochs)
    trainer.model.eval()
    return from_trainer(trainer)
