"""Optimizer race rows: our race loop vs bare torch.optim loops, and the batched landscape vs a per-point loop."""

from __future__ import annotations

import torch

from benchmarks.common import Row, compare
from core.race.landscape import (
    filter_normalized_direction,
    flatten,
    plane_losses,
    toy_problem,
    train,
    unflatten,
)
from core.race.race import RaceConfig, run_race
from core.race.racers import make_racer
from core.race.surfaces import SURFACES

TOOL = "optimizer-race"
RACERS = (
    make_racer("SGD", lr=1e-3),
    make_racer("SGD", lr=1e-3, momentum=0.9),
    make_racer("SGD", lr=1e-3, momentum=0.9, nesterov=True),
    make_racer("Adagrad", lr=0.1),
    make_racer("RMSprop", lr=0.01),
    make_racer("Adam", lr=0.05),
    make_racer("AdamW", lr=0.05),
    make_racer("NAdam", lr=0.05),
)


def _bare_loops(surface, steps: int) -> list[torch.Tensor]:
    """What one would write by hand: per racer a torch.optim loop that keeps the path for plotting."""
    paths = []
    for racer in RACERS:
        p = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
        opt = racer.spec.cls([p], **racer.kwargs())

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = surface.fn(p[0], p[1])
            loss.backward()
            return loss

        path = [p.detach().clone()]
        for _ in range(steps):
            opt.step(closure)
            path.append(p.detach().clone())
        paths.append(torch.stack(path))
    return paths


def rows():
    surface = SURFACES["rosenbrock"]
    config = RaceConfig(steps=500)
    yield compare(
        TOOL,
        "race: 8 racers × 500 steps vs bare torch.optim loops",
        lambda: run_race(surface, RACERS, surface.start, config),
        lambda: _bare_loops(surface, 500),
        "<= 1.2",
        repeat=5,
        note="ours also gives losses, ‖∇f‖, evals, divergence checks",
    )

    yield compare(
        TOOL,
        "race: 8 racers × 500 steps with progress reports vs without",
        lambda: run_race(surface, RACERS, surface.start, config, lambda fraction, note: None),
        lambda: run_race(surface, RACERS, surface.start, config),
        "<= 1.1",
        repeat=5,
        note="a report every 100 steps of each racer (the page's progress bar and Stop)",
    )

    problem = toy_problem()
    trained = train(problem)
    center = flatten(trained)
    d1 = flatten(filter_normalized_direction(trained, 0))
    d2 = flatten(filter_normalized_direction(trained, 1))
    a = torch.linspace(-1, 1, 51)

    def per_point():
        with torch.no_grad():
            return [problem.loss(unflatten(center + x * d1 + y * d2, trained)) for y in a for x in a]

    row: Row = compare(
        TOOL,
        "landscape 51×51: vmap batched vs per-point loop",
        lambda: plane_losses(problem, center, d1, d2, a, a),
        per_point,
        ">= 20",
        repeat=3,
        note="MLP 2-16-16-1, 128 points; baseline = functional_call per point",
    )
    yield row
