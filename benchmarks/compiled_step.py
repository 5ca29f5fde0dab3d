"""Stretch goal of the Network builder: could a compiled step beat TF Playground's JavaScript engine (≈2600 epochs/s)?

At TF Playground's defaults (circle, 250 training points, 2-4-2-1 tanh, batch 10, SGD lr 0.03) this times one epoch
of the builder's eager `Trainer` against the same loop with the forward + backward and the `torch.optim` step each
compiled by `torch.compile` (Inductor, C++ on the CPU), and reports the compile time. Not part of `make bench`: the
first compiled epoch takes tens of seconds and needs a C++ compiler. Run: `python -m benchmarks.compiled_step`.
"""

from __future__ import annotations

import copy
import time

import torch
import torch.nn.functional as F

from core.builder.setup import BuilderSetup, build_dataset
from core.builder.trainer import Trainer

EPOCHS = 50


def epochs_per_second(run_epoch) -> float:
    start = time.perf_counter()
    for _ in range(EPOCHS):
        run_epoch()
    return EPOCHS / (time.perf_counter() - start)


def main() -> None:
    torch.set_num_threads(1)
    setup = BuilderSetup()
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(1)
    eager = epochs_per_second(lambda: trainer.run(1))

    model = copy.deepcopy(trainer.model)
    opt = torch.optim.SGD(model.parameters(), lr=setup.learning_rate)
    x, y, bs = trainer.x_train, trainer.y_train, trainer.batch_size

    @torch.compile
    def forward_backward(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        loss = F.binary_cross_entropy_with_logits(model.logits(xb), yb)
        loss.backward()
        return loss

    @torch.compile
    def update() -> None:
        opt.step()

    def epoch() -> None:
        for s in range(0, len(x), bs):
            forward_backward(x[s : s + bs], y[s : s + bs])
            update()
            opt.zero_grad()

    start = time.perf_counter()
    epoch()
    compile_s = time.perf_counter() - start
    compiled = epochs_per_second(epoch)
    print(
        f"eager Trainer: {eager:.0f} epochs/s; torch.compile'd step: {compiled:.0f} epochs/s after "
        f"{compile_s:.0f} s of compiling; TF Playground's JavaScript engine: ≈2600 epochs/s"
    )


if __name__ == "__main__":
    main()
