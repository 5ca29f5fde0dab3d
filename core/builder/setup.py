"""Everything a network-builder view depends on, as one flat frozen dataclass (it travels in the URL and JSON).

`BuilderSetup` is also the stable entry point for other tools: `build_dataset(setup)` gives the points, labels
and feature matrix it describes, and `core.builder.trained.train_default_network(setup)` a trained network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core.builder.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.builder.losses import BINARY_HEADS, HEADS, REGULARIZATIONS, head_for
from core.builder.model import NetSpec
from core.builder.optimizers import OPTIMIZERS
from core.data.csv_io import CsvProblem, Points, parse_points, points_csv
from core.data.datasets import DATASETS, generate, split
from core.data.features import FEATURES, LABELS, feature_matrix
from core.settings import setting

MAX_LAYERS = 6
MAX_NEURONS = 8
MAX_POINTS = 2000
CUSTOM = "custom"  # dataset name for uploaded or clicked points (`BuilderSetup.points` carries them)
MAX_TARGET_LOSS = 1e5
# control group → its name in the classroom-mode list (the link keeps the short keys)
HIDEABLE = {
    "data": "Data and your own points",
    "features": "Features",
    "network": "Hidden layers",
    "training": "Training settings",
    "regularization": "Regularization",
    "stepper": "Step-through tab",
    "hand": "Hand mode tab",
    "export": "Share and export tab",
}


SEED = 2**31 - 1  # the largest seed


def _dataset_name(name: str) -> str:
    return DATASETS[name].title if name in DATASETS else "Your own points"


@dataclass(frozen=True)
class BuilderSetup:
    """Data, features, network and training choices; defaults are TF Playground's. Each user-facing field is
    declared once (core.settings): its widget, bounds, link and JSON come from that declaration."""

    dataset: str = setting("circle", "Dataset", kind="select", choices=lambda: (*DATASETS, CUSTOM), names=_dataset_name)
    n_points: int = setting(
        500, "Points", kind="slider", low=10, high=MAX_POINTS, step=10, problem=f"must be 10-{MAX_POINTS}"
    )
    noise: int = setting(0, "Noise %", kind="slider", low=0, high=50, problem="must be 0-50 (%)")
    train_percent: int = setting(
        50,
        "Training data %",
        kind="slider",
        low=10,
        high=90,
        help="The rest are test points (tick 'Show test data' to see them on the plot).",
        problem="must be 10-90 (%)",
    )
    data_seed: int = setting(
        0, "Data seed", low=0, high=SEED, help="Same seed, same points", problem="must be 0 to 2³¹−1"
    )
    features: tuple[str, ...] = setting(
        ("x1", "x2"),
        "Features",
        kind="checkboxes",
        choices=lambda: FEATURES,
        names=LABELS,
        problem=f"choose one or more distinct of {', '.join(FEATURES)}",
    )
    # neurons per hidden layer, changed with the page's + and − buttons (no widget of its own)
    hidden: tuple[int, ...] = setting(
        (4, 2),
        "Neurons per hidden layer",
        low=1,
        high=MAX_NEURONS,
        problem=f"at most {MAX_LAYERS} layers of 1-{MAX_NEURONS} neurons",
    )
    activation: str = setting(
        "tanh", "Activation", kind="select", choices=HIDDEN_ACTIVATIONS, names=lambda a: ACTIVATIONS[a].title
    )
    binary_head: str = setting(
        "sigmoid_bce", "Two-class output", kind="select", choices=BINARY_HEADS, names=lambda h: HEADS[h].title
    )
    regularization: str = setting(
        "none",
        "Regularization",
        kind="select",
        choices=lambda: REGULARIZATIONS,
        names=lambda r: REGULARIZATIONS[r].title,
    )
    # the rate ladders (core.builder.optimizers) are the slider's stops; a link may carry any rate in bounds
    reg_rate: float = setting(
        0.0, "Regularization rate λ", kind="select_slider", low=0, high=10, problem="must be 0-10"
    )
    init_seed: int = setting(
        0,
        "Weight seed",
        low=0,
        high=SEED,
        help="Initial weights; separate from the data seed",
        problem="must be 0 to 2³¹−1",
    )
    optimizer: str = setting(
        "sgd", "Optimizer", kind="select", choices=lambda: OPTIMIZERS, names=lambda o: OPTIMIZERS[o][0]
    )
    learning_rate: float = setting(
        0.03, "Learning rate", kind="select_slider", low=0, high=10, problem="must be above 0 and at most 10"
    )
    batch_size: int = setting(
        10,
        "Batch size",
        low=1,
        high=MAX_POINTS,
        help="Larger than the training set means full batch",
        problem=f"must be 1-{MAX_POINTS}",
    )
    max_epochs: int = setting(
        0, "Stop after epochs (0 = never)", low=0, high=1_000_000, problem="must be 0 (no limit) to 1000000"
    )
    target_loss: float = setting(
        0.0,
        "Stop below training loss (0 = never)",
        low=0,
        high=MAX_TARGET_LOSS,
        number_format="%.4f",
        problem=f"must be 0 (never) to {MAX_TARGET_LOSS:g}",
    )
    discretize: bool = setting(False, "Discretize output", kind="checkbox")
    show_test: bool = setting(False, "Show test data", kind="checkbox")
    hide: tuple[str, ...] = setting(
        (),
        "Classroom mode: hide these controls in the link",
        kind="multiselect",
        choices=tuple(HIDEABLE),
        names=HIDEABLE,
        problem=f"choose among {', '.join(HIDEABLE)}",
    )
    points: str = ""  # the user's own points for dataset "custom", as CSV text (x1, x2, label or target)

    def validate(self) -> list[str]:
        """What the declarations cannot say, as 'field: message': features chosen once each, at most MAX_LAYERS
        layers, a learning rate other than 0, own points that parse."""
        problems = []
        if not self.features or len(set(self.features)) != len(self.features):
            problems.append(f"features: choose one or more distinct of {', '.join(FEATURES)}")
        if len(self.hidden) > MAX_LAYERS:
            problems.append(f"hidden: at most {MAX_LAYERS} layers of 1-{MAX_NEURONS} neurons")
        if self.learning_rate == 0:  # within the declared bounds, which include their ends
            problems.append("learning_rate: must be above 0 and at most 10")
        if self.points:
            try:
                own_points(self.points)
            except CsvProblem as e:
                problems.append(f"points: {e}")
        return problems


def with_layer(hidden: tuple[int, ...]) -> tuple[int, ...]:
    """One more hidden layer of 2 neurons (none beyond MAX_LAYERS)."""
    return (*hidden, 2) if len(hidden) < MAX_LAYERS else hidden


def without_layer(hidden: tuple[int, ...]) -> tuple[int, ...]:
    """The last hidden layer removed."""
    return hidden[:-1]


def resized(hidden: tuple[int, ...], layer: int, delta: int) -> tuple[int, ...]:
    """Hidden layer `layer` (from 0) with `delta` more neurons, kept within 1-MAX_NEURONS."""
    return tuple(min(max(n + delta, 1), MAX_NEURONS) if i == layer else n for i, n in enumerate(hidden))


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


def points_with(data: Dataset, point: tuple[float, float], label: float) -> str:
    """CSV text of the data's points and one more (a click on the plane): the `points` of dataset "custom"."""
    points = np.vstack([data.points, [point]])
    labels = np.append(data.labels, label).astype(data.labels.dtype)
    return points_csv(points, labels, data.task)
