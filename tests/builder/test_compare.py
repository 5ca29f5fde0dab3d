"""Compare two runs: a snapshot holds the run as it was, named by its settings, with its output over the plane."""

import dataclasses

import numpy as np

from core.builder.compare import snapshot
from core.builder.evaluate import evaluate_plane
from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trainer import Trainer


def test_a_snapshot_keeps_the_run_as_it_was_while_training_goes_on():
    setup = BuilderSetup(n_points=60, optimizer="momentum", learning_rate=0.1)
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(3)
    a = snapshot(trainer, "A", resolution=30)
    assert a.name == "A: tanh, SGD + momentum 0.9, lr 0.1" and a.epoch == 3 and a.head == "sigmoid_bce"
    assert a.curves == (
        "A: tanh, SGD + momentum 0.9, lr 0.1",
        (0, 1, 2, 3),
        tuple(trainer.history.train_loss),
        tuple(trainer.history.test_loss),
    )
    np.testing.assert_array_equal(a.output, evaluate_plane(trainer.model, ("x1", "x2"), 30).output)
    trainer.run(2)
    assert a.epoch == 3 and len(a.epochs) == 4
    b = snapshot(trainer, "B", resolution=30)
    assert b.data == a.data and not np.array_equal(b.output, a.output)
    other = Trainer(dataclasses.replace(setup, noise=10), build_dataset(dataclasses.replace(setup, noise=10)))
    assert snapshot(other, "B", resolution=30).data != a.data
