"""The cost estimate against the real run, for every method and subject: within 3× on this machine.

Both are timed in the same test, one after the other, so a busy machine slows both (and a pair outside the band
is tried once more). Runs under FLOOR_S are compared
as FLOOR_S: the page uses the estimate to decide whether a run is long (over a second) and whether it waits for a
click (over 3 s), and on a shared machine a 10 ms run sometimes takes 300 ms (seen here). The two runs longer than
~20 s are left to the measurement by hand (the issue's note), not run in the suite.
"""

from __future__ import annotations

import time

import pytest
import torch

from core.attribution.cost import estimate
from core.attribution.explain import explain
from core.attribution.methods import METHODS, MethodSettings, refusal
from core.attribution.network import NetworkTarget, grid_over, network_problem, train_default_network
from core.attribution.text import TextTarget, text_problem

FLOOR_S = 0.5
BAND = 3.0
TOO_LONG = {("map70", "lime"), ("map70", "kernel-shap")}  # ≈ 30–45 s each here: measured by hand


@pytest.fixture(scope="module")
def subjects(minilm):
    """subject → (problem, BERT config or None): the default sentence, one point and the page's map at 70²."""
    network = train_default_network()
    return {
        "text": (text_problem(minilm, "The cat sat on the mat and purred.", TextTarget())[0], minilm.config),
        "point": (network_problem(network, torch.tensor([[2.0, 1.5]]), NetworkTarget()), None),
        "map70": (network_problem(network, grid_over(network, 70).points, NetworkTarget()), None),
    }


@pytest.mark.slow
@pytest.mark.parametrize("subject", ["text", "point", "map70"])
@pytest.mark.parametrize("method", list(METHODS))
def test_the_estimate_is_within_three_times_the_real_run(subjects, subject, method):
    if (subject, method) in TOO_LONG:
        pytest.skip("over 20 s: measured by hand")
    problem, config = subjects[subject]
    if refusal(method, problem):
        pytest.skip(f"{method} does not apply to {subject}")
    settings = MethodSettings()
    tries = []
    for _ in range(2):  # a second try when the first falls outside: a busy moment can hit one side only
        predicted = estimate(problem, method, settings, config)
        started = time.perf_counter()
        explain(problem, method, predicted.settings_for(settings))
        measured = time.perf_counter() - started
        tries.append((predicted.seconds, measured))
        if 1 / BAND <= max(measured, FLOOR_S) / max(predicted.seconds, FLOOR_S) <= BAND:
            return
    pytest.fail("estimated vs measured: " + ", ".join(f"{p:.3f} s vs {m:.3f} s" for p, m in tries))
