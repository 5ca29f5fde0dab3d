"""Every computation of the race page that can take over a second reports its progress as it goes (the page shows
it with a Stop button, pages.heavy) and stops at once when cancelled."""

import numpy as np
import pytest

from core.race.goh import momentum_map
from core.race.inside import inspect_update
from core.race.landscape import toy_problem
from core.race.network_race import race_network
from core.race.race import REPORT_EVERY, RaceConfig, noise_fan, run_race
from core.race.racers import make_racer
from core.race.stepper import LoopConfig
from core.race.surfaces import get_surface
from core.work import Cancelled, Token, watching

S = get_surface("rastrigin")
ADAM = make_racer("Adam", lr=0.05)


def _recorded(compute):
    """compute(report)'s reports as (fraction, note) pairs."""
    seen = []
    compute(lambda fraction, note="": seen.append((fraction, note)))
    return seen


def _grows_inside_each_part(seen, parts: int, reports_per_part: int):
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] < 1
    assert len(fractions) >= parts * reports_per_part  # not one report per racer: a racer of 5,000 steps takes 3 s


def test_a_single_racer_reports_its_steps():
    steps = 10 * REPORT_EVERY
    seen = _recorded(lambda report: run_race(S, (ADAM,), S.start, RaceConfig(steps=steps), report))
    _grows_inside_each_part(seen, 1, 10)
    assert {note for _, note in seen} == {f"racing {ADAM.label}"}


def test_a_race_of_two_reports_each_racer_as_half():
    racers = (ADAM, make_racer("SGD", lr=1e-3))
    seen = _recorded(lambda report: run_race(S, racers, S.start, RaceConfig(steps=4 * REPORT_EVERY), report))
    _grows_inside_each_part(seen, 2, 4)
    assert next(f for f, _ in seen if f >= 0.5) == 0.5  # the second racer starts at half way


def test_the_noise_fan_reports_each_seed():
    config = RaceConfig(steps=3 * REPORT_EVERY, noise=1.0)
    seen = _recorded(lambda report: noise_fan(S, ADAM, S.start, config, 4, report))
    _grows_inside_each_part(seen, 4, 3)
    assert seen[-1][1] == "seed 4 of 4"


def test_replaying_a_late_step_reports_progress():
    seen = []
    inspect_update(S, ADAM, S.start, RaceConfig(steps=5000), 5 * REPORT_EVERY, seen.append)
    assert seen == [k / 5 for k in range(5)]


def test_the_momentum_map_reports_both_parts():
    seen = _recorded(lambda report: momentum_map(10.0, n_alpha=3, n_beta=2, steps=2 * REPORT_EVERY, report=report))
    notes = list(dict.fromkeys(note for _, note in seen))
    assert notes == ["SGD at the two optima", "SGD over the (α, β) grid"]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] < 1


def test_the_network_race_reports_its_steps():
    problem = toy_problem(n=16)
    seen = _recorded(
        lambda report: race_network(problem, (ADAM,), problem.params(), LoopConfig(steps=3 * REPORT_EVERY), report)
    )
    np.testing.assert_allclose([f for f, _ in seen], [0, 1 / 3, 2 / 3])


@pytest.mark.parametrize(
    "compute",
    [
        lambda: run_race(S, (ADAM,), S.start, RaceConfig(steps=5000)),
        lambda: noise_fan(S, ADAM, S.start, RaceConfig(steps=5000, noise=1.0), 20),
        lambda: inspect_update(S, ADAM, S.start, RaceConfig(steps=5000), 5000),
        lambda: momentum_map(10.0),
    ],
    ids=["race", "noise fan", "inside one update", "momentum map"],
)
def test_a_cancelled_computation_stops_at_once(compute):
    token = Token()
    token.cancel("you stopped it")
    with watching(token), pytest.raises(Cancelled, match="you stopped it"):
        compute()
