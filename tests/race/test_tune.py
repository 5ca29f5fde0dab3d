"""The learning-rate sweep scores real runs and finds Goh's best plain step on the quadratic."""

import numpy as np
import pytest

from core.race.goh import best_plain
from core.race.race import RaceConfig, run_racer
from core.race.racers import make_racer, parse_racer, with_lr
from core.race.surfaces import SURFACES, get_surface
from core.race.tune import best_rates, lr_sweep, scores_for, sweep_racers, sweep_table, with_best_rates


def test_sweep_scores_are_the_runs_scores_and_divergence_is_infinite():
    s = SURFACES["himmelblau"]
    racer = make_racer("SGD", lr=0.01, momentum=0.5)
    sweep = lr_sweep(s, racer, s.start, RaceConfig(steps=60), "final loss", lrs=np.array([1e-3, 1e-2, 0.5]))
    for lr, score in zip(sweep.lrs, sweep.scores, strict=True):
        run = run_racer(s, with_lr(racer, lr), s.start, RaceConfig(steps=60))
        assert score == (np.inf if run.diverged else pytest.approx(run.losses[-1]))
    assert np.isinf(sweep.scores[-1]) and sweep.best_lr == 1e-2


def test_best_plain_rate_on_the_quadratic_is_near_two_over_lambda_sum():
    kappa = 10.0
    s = get_surface("quadratic", kappa)
    alpha = best_plain(1.0, kappa).alpha
    lrs = alpha * np.linspace(0.7, 1.05, 15)
    sweep = lr_sweep(s, make_racer("SGD"), (2.0, 1.5), RaceConfig(steps=80), "distance to the minimum", lrs=lrs)
    assert abs(sweep.best_lr - alpha) <= 0.06 * alpha


def test_distance_score_needs_a_minimum():
    s = SURFACES["saddle"]
    with pytest.raises(ValueError, match="no known minimum"):
        lr_sweep(s, make_racer("Adam"), s.start, RaceConfig(steps=5), "distance to the minimum")


@pytest.mark.parametrize("schedule", ["none", "one-cycle"])
@pytest.mark.parametrize("racer", [make_racer("Adam", lr=0.1, betas=(0.8, 0.99)), make_racer("Adafactor", lr=0.1)])
def test_param_group_sweep_equals_separate_runs_with_noise_clipping_and_schedule(schedule, racer):
    s = SURFACES["rastrigin"]
    config = RaceConfig(steps=40, noise=2.0, seed=5, clip=10.0, schedule=schedule)
    lrs = np.array([1e-3, 0.03, 0.3, 30.0])
    sweep = lr_sweep(s, racer, s.start, config, "mean loss", lrs=lrs)
    for lr, score in zip(lrs, sweep.scores, strict=True):
        run = run_racer(s, with_lr(racer, lr), s.start, config)
        expected = np.inf if run.diverged else np.mean(run.losses)
        assert score == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["LBFGS", "Adam"])
def test_progress_is_reported_per_lbfgs_rate_and_leaves_the_sweep_unchanged(name):
    s = SURFACES["booth"]
    lrs = np.array([1e-2, 0.1, 1.0])
    seen = []
    config = RaceConfig(steps=20)
    with_progress = lr_sweep(s, make_racer(name), s.start, config, "final loss", lrs=lrs, progress=seen.append)
    plain = lr_sweep(s, make_racer(name), s.start, config, "final loss", lrs=lrs)
    np.testing.assert_array_equal(with_progress.scores, plain.scores)
    assert seen == ([1 / 3, 2 / 3, 1.0] if name == "LBFGS" else [1.0])


def test_sweeping_all_racers_is_each_racers_sweep_and_their_best_rates_make_the_tuned_racers():
    s = SURFACES["booth"]
    texts = ("SGD lr=0.01", "Adam lr=0.05 amsgrad=true")
    notes = []
    sweeps = sweep_racers(s, texts, s.start, RaceConfig(steps=30), "final loss", lambda f, n: notes.append((f, n)))
    for text, sweep in zip(texts, sweeps, strict=True):
        alone = lr_sweep(s, parse_racer(text), s.start, RaceConfig(steps=30), "final loss")
        np.testing.assert_array_equal(sweep.scores, alone.scores)
    assert notes[-1] == (1.0, "sweeping Adam lr=0.05 (amsgrad=true)") and notes[0][0] == 0.5
    best = best_rates(texts, sweeps)
    assert best == {t: s.best_lr for t, s in zip(texts, sweeps, strict=True)}
    tuned = with_best_rates((*texts, "RMSprop lr=0.01"), best)
    assert [parse_racer(t).lr for t in tuned] == [best[texts[0]], best[texts[1]], 0.01]
    assert parse_racer(tuned[1]).value("amsgrad") is True
    rows = sweep_table(sweeps)
    assert rows[1] == {
        "racer": "Adam lr=0.05 (amsgrad=true)",
        "your lr": 0.05,
        "best lr": best[texts[1]],
        "best final loss": sweeps[1].best_score,
    }


def test_the_distance_score_is_offered_only_where_the_minima_are_known():
    assert "distance to the minimum" in scores_for(SURFACES["booth"])
    assert scores_for(SURFACES["saddle"]) == ["final loss", "mean loss"]
