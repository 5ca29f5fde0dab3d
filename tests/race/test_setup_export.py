"""The race set-up travels through a link intact, bad values are refused; the CSV holds the race's numbers."""

import csv
import dataclasses
import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.csv_safe import original_text
from core.race.export import COLUMNS, race_csv
from core.race.race import RaceConfig, noise_fan, run_race, run_racer
from core.race.racers import make_racer, parse_racer
from core.race.setup import DEFAULT_RACERS, RaceSetup
from core.race.surfaces import SURFACES
from core.settings import problems
from core.setup_state import from_query, to_query
from tests.spreadsheet import HOSTILE, formula_cells


def test_setup_round_trips_through_query_params():
    setup = RaceSetup(
        surface="beale",
        racers=("Adam lr=0.02 betas=0.8/0.99", "LBFGS lr=1 line_search_fn=strong_wolfe"),
        start_x=1.5,
        start_y=-0.5,
        steps=123,
        max_evals=400,
        schedule="cosine",
        noise=0.3,
        seed=9,
        clip=2.0,
    )
    back, warnings = from_query(RaceSetup, to_query(setup))
    assert back == setup and warnings == []
    assert setup.config() == RaceConfig(steps=123, schedule="cosine", noise=0.3, seed=9, clip=2.0, max_evals=400)


def test_unchanged_racers_put_nothing_in_the_link():
    """The page rebuilds each racer from its knobs' values (floats from number inputs) after every run."""
    rebuilt = []
    for text in DEFAULT_RACERS:
        racer = parse_racer(text)
        knobs = {k.name: float(v) if k.kind == "float" else v for k in racer.spec.knobs for v in [racer.value(k.name)]}
        rebuilt.append(make_racer(racer.optimizer, **knobs).to_text())
    assert tuple(rebuilt) == DEFAULT_RACERS
    assert to_query(RaceSetup(racers=tuple(rebuilt))) == {}
    assert "LBFGS lr=1" in DEFAULT_RACERS  # whole numbers without ".0", as typed
    assert make_racer("Adam", lr=2.0, eps=1e-10).to_text() == "Adam lr=2 eps=1e-10"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "surface",
                "kappa",
                "racers",
                "steps",
                "max_evals",
                "schedule",
                "noise",
                "clip",
                "start_x",
                "domain",
                "formula",
                "seed",
            ]
        ),
        st.text(max_size=40),
        max_size=6,
    )
)
def test_any_link_gives_a_valid_setup_or_warnings(params):
    setup, warnings = from_query(RaceSetup, params)
    assert problems(setup) == []
    assert all(isinstance(w, str) for w in warnings)


def test_csv_rows_are_the_runs_values():
    s = SURFACES["booth"]
    result = run_race(s, (make_racer("SGD", lr=0.2), make_racer("Adam", lr=0.3)), s.start, RaceConfig(steps=20))
    rows = list(csv.DictReader(io.StringIO(race_csv(result))))
    assert tuple(rows[0]) == COLUMNS
    bad, good = result.runs
    assert bad.diverged  # lr 0.2 is above 2/λ_max on Booth
    mine = [r for r in rows if r["racer"] == good.label]
    assert len(mine) == good.steps + 1
    assert float(mine[7]["x"]) == good.points[7, 0] and float(mine[7]["loss"]) == good.losses[7]
    assert int(mine[-1]["evaluations"]) == 20 and mine[-1]["lr"] == ""
    assert [r for r in rows if r["racer"] == bad.label][-1]["stopped"] == "diverged"


def test_a_racer_label_that_reads_like_a_formula_stays_text_and_the_numbers_stay_numbers():
    s = SURFACES["booth"]
    result = run_race(s, (make_racer("SGD", lr=0.2), make_racer("Adam", lr=0.3)), s.start, RaceConfig(steps=5))
    label = "-2+3+cmd|' /C calc'!A0;=" + HOSTILE  # its own cell, and after ';' where that splits cells
    hostile = dataclasses.replace(result, runs=(dataclasses.replace(result.runs[0], label=label), result.runs[1]))
    text = race_csv(hostile)
    assert formula_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    first = result.runs[0].points[:, 0].tolist()
    assert [original_text(r["racer"]) for r in rows[: len(first)]] == [label] * len(first)
    assert [float(r["x"]) for r in rows[: len(first)]] == first
    assert any(float(r["x"]) < 0 for r in rows)  # negative numbers are among them, unmarked


def test_noise_fan_is_the_race_under_consecutive_seeds():
    s = SURFACES["himmelblau"]
    config = RaceConfig(steps=30, noise=1.0, seed=4)
    paths = noise_fan(s, make_racer("Adam", lr=0.1), s.start, config, 3)
    for k, path in enumerate(paths):
        ref = run_racer(s, make_racer("Adam", lr=0.1), s.start, RaceConfig(steps=30, noise=1.0, seed=4 + k))
        np.testing.assert_array_equal(path, ref.points)
    assert not np.array_equal(paths[0], paths[1])
