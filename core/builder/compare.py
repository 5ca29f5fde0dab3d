"""Two runs side by side: a run pinned earlier (A) against the network training now (B), on the same data or not."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.builder.evaluate import evaluate_plane
from core.builder.optimizers import OPTIMIZERS
from core.builder.trainer import Trainer


@dataclass(frozen=True)
class RunSnapshot:
    """A run as the comparison shows it: its name, the data it learned (dataset, points, noise, train %, seed),
    its loss curves, its output over the plane `[K, r, r]`, its output head and epoch."""

    name: str
    data: tuple
    epochs: tuple[int, ...]
    train_loss: tuple[float, ...]
    test_loss: tuple[float, ...]
    output: np.ndarray
    head: str
    epoch: int

    @property
    def curves(self) -> tuple[str, tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
        """(name, epochs, training loss, test loss): one run of `core.figures.builder.curves.loss_figure`."""
        return self.name, self.epochs, self.train_loss, self.test_loss


def snapshot(trainer: Trainer, letter: str, resolution: int = 100) -> RunSnapshot:
    """The trainer's run as it is now, named `letter` with its activation, optimizer and learning rate."""
    s = trainer.setup
    with trainer.lock:
        h = trainer.history
        return RunSnapshot(
            f"{letter}: {s.activation}, {OPTIMIZERS[s.optimizer][0]}, lr {s.learning_rate:g}",
            (s.dataset, s.n_points, s.noise, s.train_percent, s.data_seed),
            tuple(h.epochs),
            tuple(h.train_loss),
            tuple(h.test_loss),
            evaluate_plane(trainer.model, trainer.data.feature_names, resolution).output,
            trainer.head_name,
            trainer.epoch,
        )
