"""Every racer's path equals an independent plain torch.optim loop's, point by point."""

import numpy as np
import pytest
import torch

from core.race.race import RaceConfig, run_race, run_racer, standings, unique_labels
from core.race.racers import make_racer
from core.race.surfaces import SURFACES, get_surface

RACERS = [
    make_racer("SGD", lr=1e-3),
    make_racer("SGD", lr=1e-3, momentum=0.9),
    make_racer("SGD", lr=1e-3, momentum=0.9, nesterov=True),
    make_racer("SGD", lr=1e-3, momentum=0.8, dampening=0.3, weight_decay=0.01),
    make_racer("Adagrad", lr=0.3),
    make_racer("RMSprop", lr=0.01, centered=True, momentum=0.5),
    make_racer("Adam", lr=0.05, amsgrad=True),
    make_racer("AdamW", lr=0.05, weight_decay=0.1),
    make_racer("NAdam", lr=0.05),
    make_racer("RAdam", lr=1e-3),
    make_racer("Adamax", lr=0.05),
    make_racer("Adadelta", lr=1.0),
    make_racer("ASGD", lr=1e-3, t0=10),
    make_racer("Rprop", lr=0.01),
    make_racer("LBFGS", lr=0.5, max_iter=5),
    make_racer("LBFGS", line_search_fn="strong_wolfe"),
    make_racer("Adafactor", lr=0.05),
    make_racer("Adafactor", lr=0.05, eps=(1e-8, 1e-3), d=2.0, beta2_decay=-0.5, weight_decay=0.01),
]


def plain_loop(fn, cls, kwargs, start, steps, noise=0.0, seed=0, scheduler=None, clip=0.0):
    """The textbook use of torch.optim, written without any of our code. Returns points [n+1, 2], evals."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **kwargs)
    sched = scheduler(opt) if scheduler else None
    gen = torch.Generator().manual_seed(seed)
    evals = [0]

    def closure():
        opt.zero_grad()
        loss = fn(p[0], p[1])
        loss.backward()
        if noise:
            p.grad.add_(torch.randn(2, generator=gen, dtype=torch.float64), alpha=noise)
        if clip:
            torch.nn.utils.clip_grad_norm_([p], clip)
        evals[0] += 1
        return loss

    path, counts = [p.detach().clone()], [0]
    for _ in range(steps):
        opt.step(closure)
        if sched:
            sched.step()
        path.append(p.detach().clone())
        counts.append(evals[0])
    return torch.stack(path).numpy(), np.array(counts)


@pytest.mark.parametrize("racer", RACERS, ids=lambda r: r.label)
def test_path_equals_plain_torch_optim_loop(racer):
    s = SURFACES["rosenbrock"]
    run = run_racer(s, racer, s.start, RaceConfig(steps=60))
    ref, evals = plain_loop(s.fn, racer.spec.cls, racer.kwargs(), s.start, 60)
    assert run.stop is None
    np.testing.assert_array_equal(run.points, ref)
    np.testing.assert_array_equal(run.evals, evals)


@pytest.mark.parametrize(
    "schedule, make",
    [
        ("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5)),
        ("exponential", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.01 ** (1 / 40))),
        ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40)),
        (
            "one-cycle",
            lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=41, cycle_momentum=False),
        ),
    ],
)
def test_schedules_noise_and_clipping_equal_plain_loop(schedule, make):
    s = SURFACES["himmelblau"]
    racer = make_racer("Adam", lr=0.05)
    config = RaceConfig(steps=40, schedule=schedule, noise=0.7, seed=3, clip=5.0)
    run = run_racer(s, racer, s.start, config)
    ref, _ = plain_loop(s.fn, torch.optim.Adam, {"lr": 0.05}, s.start, 40, noise=0.7, seed=3, scheduler=make, clip=5.0)
    np.testing.assert_array_equal(run.points, ref)
    sched = make(torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.05))
    lrs = []
    for _ in range(40):
        lrs.append(sched.get_last_lr()[0])
        sched.optimizer.step()
        sched.step()
    np.testing.assert_allclose(run.lrs, lrs)


def test_losses_and_gradient_norms_are_the_surface_values_along_the_path():
    s = SURFACES["beale"]
    run = run_racer(s, make_racer("Adam", lr=0.02), s.start, RaceConfig(steps=30, noise=0.5))
    for (x, y), loss, norm in zip(run.points, run.losses, run.grad_norms, strict=True):
        p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        f = s.fn(p[0], p[1])
        (g,) = torch.autograd.grad(f, p)
        assert loss == pytest.approx(f.detach().item(), rel=1e-12)
        assert norm == pytest.approx(float(g.norm()), rel=1e-12)  # the true gradient, not the noisy one


def test_distance_to_nearest_minimum():
    s = SURFACES["himmelblau"]
    run = run_racer(s, make_racer("SGD", lr=0.01), s.start, RaceConfig(steps=200))
    d = run.distances(s.minima)
    assert d[0] == pytest.approx(min(np.hypot(s.start[0] - mx, s.start[1] - my) for mx, my in s.minima))
    assert d[-1] < 1e-6


def test_evaluation_budget_stops_lbfgs_after_its_evaluations_not_its_steps():
    s = SURFACES["rosenbrock"]
    config = RaceConfig(steps=500, max_evals=50)
    lbfgs = run_racer(s, make_racer("LBFGS"), s.start, config)
    sgd = run_racer(s, make_racer("SGD", lr=1e-3), s.start, config)
    assert lbfgs.evals[-1] <= 50 and sgd.evals[-1] == 50
    assert lbfgs.stop.reason == "budget" and lbfgs.steps < sgd.steps == 50
    assert np.all(np.diff(lbfgs.evals) >= 1)


def test_diverging_racer_stops_with_curvature_message_and_others_go_on():
    s = get_surface("quadratic", kappa=10.0)  # λ_max = 10, so plain SGD is stable iff lr < 0.2
    result = run_race(s, (make_racer("SGD", lr=0.25), make_racer("SGD", lr=0.15)), s.start, RaceConfig(steps=300))
    bad, good = result.runs
    assert bad.diverged and "λ_max = 10" in bad.stop.message and "2/λ_max = 0.2" in bad.stop.message
    assert "lr·λ_max = 2.5 > 2" in bad.stop.message
    assert bad.steps == bad.stop.step < 300 and np.isfinite(bad.points).all()
    assert good.stop is None and good.steps == 300 and good.losses[-1] < 1e-12


def test_nan_from_the_surface_is_caught():
    from core.race.expression import custom_surface

    s = custom_surface("sqrt(x + 2.5) + y**2", ((-2.0, 2.0), (-2.0, 2.0)), start=(-1.9, 1.0))
    run = run_racer(s, make_racer("SGD", lr=2.0), s.start, RaceConfig(steps=50))
    assert run.diverged and "non-finite" in run.stop.message


def test_saddle_escape_is_explained_by_negative_curvature():
    s = SURFACES["saddle"]
    run = run_racer(s, make_racer("Adam", lr=0.05), s.start, RaceConfig(steps=2000))
    assert run.diverged and "λ_min = -2" in run.stop.message


def test_refused_settings_are_reported_and_the_race_goes_on():
    s = SURFACES["booth"]
    result = run_race(
        s,
        (make_racer("SGD", lr=0.01, nesterov=True), make_racer("Adam", lr=0.1)),
        s.start,
        RaceConfig(steps=10),
    )
    assert len(result.runs) == 1 and "Nesterov" in result.errors[0]


def test_same_optimizer_twice_gets_numbered_labels():
    a = make_racer("Adam", lr=0.1)
    assert unique_labels((a, a, make_racer("SGD"))) == ["Adam lr=0.1 #1", "Adam lr=0.1 #2", "SGD lr=0.001"]


def test_the_standings_are_each_runs_last_values():
    s = SURFACES["booth"]
    result = run_race(s, (make_racer("SGD", lr=0.2), make_racer("LBFGS")), s.start, RaceConfig(steps=15))
    bad, good = result.runs
    rows = standings(result)
    assert rows[1] == {
        "racer": good.label,
        "steps": 15,
        "evaluations": int(good.evals[-1]),
        "final f": float(good.losses[-1]),
        "distance to minimum": float(good.distances(s.minima)[-1]),
        "final ‖∇f‖": float(good.grad_norms[-1]),
        "ended": "all steps",
    }
    assert rows[0]["ended"] == "diverged" and rows[0]["steps"] == bad.steps < 15
