"""Network builder speed, as ratios against plain torch in the same process (`python -m benchmarks.run builder`).

At TF Playground's defaults: circle, 500 points (250 for training), 2-4-2-1 tanh, batch 10, SGD lr 0.03.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from benchmarks.common import compare
from core.builder.evaluate import evaluate_plane, grid_points
from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trace import trace_step
from core.builder.trainer import Trainer
from core.data.features import feature_matrix

TOOL = "builder"


def _hand_loop(trainer: Trainer):
    """The baseline: a plain eager loop over the same network, data and batch size."""
    model = copy.deepcopy(trainer.model)
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    x, y, bs = trainer.x_train, trainer.y_train, trainer.batch_size
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(x), generator=gen)
        for s in range(0, len(x), bs):
            i = order[s : s + bs]
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(model.logits(x[i]), y[i]).backward()
            opt.step()

    return epoch


def rows():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # these networks are tiny: a second thread only adds synchronisation per op
    try:
        yield from _rows()
    finally:
        torch.set_num_threads(threads)


def _rows():
    setup = BuilderSetup()
    trainer = Trainer(setup, build_dataset(setup))
    yield compare(
        TOOL,
        "one training epoch: Trainer.run(1) vs hand-written loop",
        lambda: trainer.run(1),
        _hand_loop(trainer),
        "<= 1.2",
        repeat=15,
        note="2-4-2-1 tanh, 250 points, batch 10",
    )

    x, y = trainer.x_train[:10], trainer.y_train[:10]
    model = trainer.model

    def autograd_step():
        trainer.optimizer.zero_grad()
        trainer.loss(x, y).backward()

    def traced():
        trace_step(model, x, y, "bce", optimizer=trainer.optimizer, optimizer_name="sgd", lr=0.03)

    def plain_step():
        autograd_step()
        trainer.optimizer.step()

    snapshot = copy.deepcopy(model.state_dict())
    row = compare(
        TOOL,
        "trace every intermediate + update vs one autograd step",
        traced,
        plain_step,
        "<= 2",
        repeat=25,
        note="batch 10, incl. copying the optimizer for the update",
    )
    model.load_state_dict(snapshot)
    yield row

    big_setup = BuilderSetup(hidden=(8,) * 6, features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"))
    big = Trainer(big_setup, build_dataset(big_setup))

    def per_neuron():
        x = feature_matrix(grid_points(100), big.data.feature_names)
        with torch.no_grad():
            for layer in range(len(big.model.linears)):
                for neuron in range(big.model.spec.sizes[layer + 1]):
                    a = x
                    for i in range(layer + 1):
                        a = big.model._f[i](big.model.linears[i](a))
                    a[:, neuron].reshape(100, 100)

    yield compare(
        TOOL,
        "plane + all 49 neuron maps (100² grid): one pass vs per neuron",
        lambda: evaluate_plane(big.model, big.data.feature_names, 100),
        per_neuron,
        ">= 5",
        repeat=5,
        note="6x8 network, 7 features",
    )
