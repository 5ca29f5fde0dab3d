"""The inside-one-update panel: PyTorch's state equals the textbook recursions recomputed from the gradients."""

import math

import numpy as np
import pytest

from core.race.inside import inspect_update, telling, weight_decay_lab
from core.race.race import RaceConfig, run_racer
from core.race.racers import make_racer
from core.race.surfaces import SURFACES

S = SURFACES["rosenbrock"]


def _rows(update):
    return {r.quantity: r for r in update.rows}


@pytest.mark.parametrize(
    "racer",
    [
        make_racer("SGD", lr=1e-3),
        make_racer("SGD", lr=1e-3, momentum=0.9),
        make_racer("SGD", lr=1e-3, momentum=0.9, nesterov=True, weight_decay=0.1),
        make_racer("SGD", lr=1e-3, momentum=0.5, dampening=0.5),
        make_racer("Adam", lr=0.02),
        make_racer("Adam", lr=0.02, weight_decay=0.5),
        make_racer("AdamW", lr=0.02),
        make_racer("RMSprop", lr=0.01),
        make_racer("RAdam", lr=1e-3),
        make_racer("Adagrad", lr=0.1, lr_decay=0.01),
    ],
    ids=lambda r: r.label,
)
@pytest.mark.parametrize("step", [1, 2, 9])
def test_textbook_values_match_pytorch_where_they_should(racer, step):
    u = inspect_update(S, racer, S.start, RaceConfig(steps=20), step)
    run = run_racer(S, racer, S.start, RaceConfig(steps=20))
    np.testing.assert_array_equal(u.before, run.points[step - 1])  # the replay is the race
    np.testing.assert_array_equal(u.after, run.points[step])
    assert u.rows
    for row in u.rows:
        if row.pytorch is None or row.quantity in ("velocity", "update with the same lr"):
            continue
        rtol = 1e-6 if row.quantity.startswith("first step") else 1e-9  # those rows drop ε
        np.testing.assert_allclose(row.textbook, row.pytorch, rtol=rtol, atol=1e-12, err_msg=row.quantity)


def test_pytorch_momentum_buffer_is_textbook_velocity_over_one_minus_beta():
    u = _rows(inspect_update(S, make_racer("SGD", lr=1e-3, momentum=0.9), S.start, RaceConfig(steps=20), 6))
    np.testing.assert_allclose(u["velocity"].pytorch, u["velocity"].textbook / (1 - 0.9), rtol=1e-12)
    np.testing.assert_allclose(u["update with the same lr"].pytorch, 10 * u["update with the same lr"].textbook)


def test_adam_first_step_is_lr_sign_g_and_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha():
    adam = inspect_update(S, make_racer("Adam", lr=0.03), S.start, RaceConfig(), 1)
    g = adam.grad
    np.testing.assert_allclose(adam.update, -0.03 * np.sign(g), rtol=1e-8)
    rms = inspect_update(S, make_racer("RMSprop", lr=0.01, alpha=0.99), S.start, RaceConfig(), 1)
    np.testing.assert_allclose(rms.update, -0.01 / math.sqrt(0.01) * np.sign(g), rtol=1e-8)
    assert adam.state_before == {} and adam.state_after["step"] == 1


def test_radam_first_steps_are_unnormalised():
    u = _rows(inspect_update(S, make_racer("RAdam", lr=1e-3), S.start, RaceConfig(), 1))
    assert u["ρ_t"].textbook == pytest.approx(1.0)
    np.testing.assert_allclose(
        u["update"].pytorch,
        -1e-3 * inspect_update(S, make_racer("RAdam", lr=1e-3), S.start, RaceConfig(), 1).grad,
        rtol=1e-12,
    )
    later = _rows(inspect_update(S, make_racer("RAdam", lr=1e-3), S.start, RaceConfig(), 7))
    assert later["ρ_t"].textbook > 5 and "rectified" in later["update"].note


def test_weight_decay_lab_adam_moves_by_lr_adamw_shrinks_geometrically():
    lab = weight_decay_lab((2.0, 0.5, 0.05), lr=0.01, weight_decay=0.1, steps=50)
    t = np.arange(51)[:, None]
    np.testing.assert_allclose(lab.adamw, np.array([[2.0, 0.5, 0.05]]) * (1 - 0.01 * 0.1) ** t, rtol=1e-12)
    np.testing.assert_allclose(lab.adam[1], [2.0 - 0.01, 0.5 - 0.01, 0.05 - 0.01], rtol=1e-6)
    # Adam's L2 shrinks the big weight by ≈ lr per step, far more than AdamW's 0.1 %
    assert lab.adam[50, 0] < 2.0 - 0.3 and lab.adamw[50, 0] > 1.89


def test_the_first_racer_shown_is_the_first_whose_update_differs_from_the_plain_step():
    plain, heavy, adam, asgd = (
        make_racer("SGD"),
        make_racer("SGD", momentum=0.9),
        make_racer("Adam"),
        make_racer("ASGD"),
    )
    assert telling([plain, asgd, heavy, adam]) == 2 and telling([plain, adam]) == 1
    assert telling([plain, asgd]) == 0  # none: the first
