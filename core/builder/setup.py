"""Everything a network-builder view depends on, as one flat frozen dataclass (it travels in the URL and JSON).

`BuilderSetup` is also the stable entry point for other tools: `build_dataset(setup)` gives the points, labels
and feature matrix it describes, and `core.builder.trained.train_default_network(setup)` a trained network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core.builder.activations import HIDDEN_ACTIVATIONS
from core.builder.losses import BINARY_HEADS, HEADS, REGULARIZATIONS, head_for
from core.builder.model import NetSpec
from core.builder.optimizers import OPTIMIZERS
from core.data.csv_io import CsvProblem, Points, parse_points
from core.data.datasets import DATASETS, generate, split
from core.data.features import FEATURES, feature_matrix
from core.setup_state import choice_problems, quoted

MAX_LAYERS = 6
MAX_NEURONS = 8
MAX_POINTS = 2000
CUSTOM = "custom"  # dataset name for uploaded or clicked points (`BuilderSetup.points` carries them)
HIDEABLE = ("data", "features", "network", "training", "regularization", "stepper", "hand", "export")


@dataclass(frozen=True)
class BuilderSetup:
    """Data, features, network and training choices; defaults are TF Playground's."""

    dataset: str = "circle"
    n_points: int = 500
    noise: int = 0  # percent, 0-50
    train_percent: int = 50
    data_seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)  # neurons per hidden layer
    activation: str = "tanh"
    binary_head: str = "sigmoid_bce"
    regularization: str = "none"
    reg_rate: float = 0.0
    init_seed: int = 0
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    max_epochs: int = 0  # 0: no limit
    target_loss: float = 0.0  # stop when the training loss falls below this; 0: never
    discretize: bool = False
    show_test: bool = False
    hide: tuple[str, ...] = ()  # classroom mode: control groups hidden from students (HIDEABLE)
    points: str = ""  # the user's own points for dataset "custom", as CSV text (x1, x2, label or target)

    def validate(self) -> list[str]:
        """Problems as 'field: message'; empty when the set-up is usable."""
        problems = []
        if self.dataset not in DATASETS and self.dataset != CUSTOM:
            problems.append(f"dataset: unknown dataset {quoted(self.dataset)}")
        if not 10 <= self.n_points <= MAX_POINTS:
            problems.append(f"n_points: must be 10-{MAX_POINTS}")
        if not 0 <= self.noise <= 50:
            problems.append("noise: must be 0-50 (%)")
        if not 10 <= self.train_percent <= 90:
            problems.append("train_percent: must be 10-90 (%)")
        if not 0 <= self.data_seed < 2**31:
            problems.append("data_seed: must be 0 to 2³¹−1")
        if not 0 <= self.init_seed < 2**31:
            problems.append("init_seed: must be 0 to 2³¹−1")
        if not self.features or len(set(self.features)) != len(self.features) or \
                any(f not in FEATURES for f in self.features):
            problems.append(f"features: choose one or more distinct of {', '.join(FEATURES)}")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in self.hidden):
            problems.append(f"hidden: at most {MAX_LAYERS} layers of 1-{MAX_NEURONS} neurons")
        problems += choice_problems(self, {"activation": HIDDEN_ACTIVATIONS, "binary_head": BINARY_HEADS,
                                           "regularization": REGULARIZATIONS, "optimizer": OPTIMIZERS})
        if not 0 <= self.reg_rate <= 10:
            problems.append("reg_rate: must be 0-10")
        if not 0 < self.learning_rate <= 10:
            problems.append("learning_rate: must be above 0 and at most 10")
        if not 1 <= self.batch_size <= MAX_POINTS:
            problems.append(f"batch_size: must be 1-{MAX_POINTS}")
        if not 0 <= self.max_epochs <= 1_000_000:
            problems.append("max_epochs: must be 0 (no limit) to 1000000")
        if not 0 <= self.target_loss < 1e6:
            problems.append("target_loss: must be 0 (never) or a positive loss")
        if any(h not in HIDEABLE for h in self.hide):
            problems.append(f"hide: choose among {', '.join(HIDEABLE)}")
        if self.points:
            try:
                own_points(self.points)
            except CsvProblem as e:
                problems.append(f"points: {e}")
        return problems


@lru_cache(maxsize=16)
def own_points(text: str) -> Points:
    """The user's points from their CSV text, parsed once (every rerun validates the set-up); CsvProblem if bad.

    The cache hands the same arrays to every session with the same points, so they are read-only.
    """
    parsed = parse_points(text.encode("utf-8"))
    parsed.points.flags.writeable = parsed.labels.flags.writeable = False
    return parsed


@dataclass(frozen=True)
class Dataset:
    """Points `[N, 2]`, labels `[N]`, the train mask `[N]`, and the features `[N, F]` the network reads."""

    points: np.ndarray
    labels: np.ndarray
    is_train: np.ndarray
    task: str
    n_classes: int
    feature_names: tuple[str, ...]
    features: torch.Tensor  # float32

    def targets(self, head: str) -> torch.Tensor:
        """The loss targets `[N, K]` (float32) for output head `head`."""
        return torch.as_tensor(HEADS[head].targets(self.labels, self.n_classes), dtype=torch.float32)


def build_dataset(setup: BuilderSetup) -> Dataset:
    """The data `setup` describes: generated by seed, or the user's own points for "custom" (the circle until
    there are some)."""
    if setup.dataset == CUSTOM and setup.points:
        own = own_points(setup.points)
        points, labels, task, k = own.points, own.labels, own.task, own.n_classes
    else:
        name = setup.dataset if setup.dataset in DATASETS else BuilderSetup.dataset
        spec = DATASETS[name]
        points, labels = generate(name, setup.n_points, setup.noise / 100, setup.data_seed)
        task, k = spec.task, spec.n_classes
    is_train = split(len(points), setup.train_percent / 100, setup.data_seed)
    feats = feature_matrix(torch.tensor(points, dtype=torch.float32), setup.features)
    return Dataset(points, labels, is_train, task, k, setup.features, feats)


def net_spec(setup: BuilderSetup, data: Dataset) -> NetSpec:
    """Input width from the features, the hidden layers, and the output width and activation from the task."""
    head = HEADS[head_for(data.task, setup.binary_head)]
    outputs = data.n_classes if data.task == "multiclass" else 1
    sizes = (len(setup.features), *setup.hidden, outputs)
    return NetSpec(sizes, (setup.activation,) * len(setup.hidden) + (head.activation,))
