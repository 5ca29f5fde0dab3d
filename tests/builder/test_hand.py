"""Hand mode: worked examples give the textbook answers, shapes are checked by name, and the sign demo."""

import dataclasses

import numpy as np
import pytest
import torch

from core.builder.hand import EXAMPLES, HandProblem, check, compare_losses, sign_demo, solve


def test_loss_example_answers_are_0_03_and_0_3285():
    losses = compare_losses(np.array([1.0, 0.0, 1.0]), np.array([0.8, 0.1, 0.9]))
    assert losses["half_squared"] == pytest.approx(0.03)
    assert losses["cross_entropy"] == pytest.approx(0.3285, abs=5e-5)
    ex = EXAMPLES["Squared error vs cross-entropy: y = [1, 0, 1], ŷ = [0.8, 0.1, 0.9]"].problem
    assert solve(ex).data_loss == pytest.approx(0.03)


def test_sigmoid_network_example_against_autograd():
    p = EXAMPLES["3 inputs → 2 sigmoid → 2 sigmoid, squared error"].problem
    assert check(p) == []
    t = solve(p)
    x = torch.tensor(p.x)
    ws = [torch.tensor(w, requires_grad=True) for w in p.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in p.biases]
    a = torch.sigmoid(torch.sigmoid(x @ ws[0].T + bs[0]) @ ws[1].T + bs[1])
    loss = 0.5 * ((a - torch.tensor(p.y)) ** 2).sum()
    loss.backward()
    assert t.loss == pytest.approx(float(loss.detach()))
    for layer, w, b in zip(t.layers, ws, bs, strict=True):
        torch.testing.assert_close(layer.dL_dW, w.grad)
        torch.testing.assert_close(layer.W_after, w.detach() - p.lr * w.grad)
        torch.testing.assert_close(layer.b_after, b.detach() - p.lr * b.grad)


def test_linear_regression_gradient_sign_and_the_flipped_loop_climbing():
    p = EXAMPLES["Linear regression, one gradient-descent step"].problem
    t = solve(p)
    x, y, w = p.x[:, 0], p.y[:, 0], p.weights[0][0, 0]
    assert float(t.layers[0].dL_dW) == pytest.approx(np.mean((w * x - y) * x))  # Xᵀ(ŷ − y)/B, negative here
    demo = sign_demo(x, y, w, 0.0, p.lr)
    assert all(b < a for a, b in zip(demo.right, demo.right[1:], strict=False))
    assert all(b > a for a, b in zip(demo.flipped, demo.flipped[1:], strict=False))


def test_shape_mismatches_name_both_shapes():
    p = HandProblem(
        (np.ones((2, 3)), np.ones((1, 4))),
        (np.ones(2), np.ones(1)),
        ("sigmoid", "sigmoid"),
        np.ones((1, 3)),
        np.ones((1, 1)),
    )
    (msg,) = check(p)
    assert "W2 has shape (1, 4)" in msg and "W1 has shape (2, 3)" in msg
    p = HandProblem((np.ones((2, 3)),), (np.ones(3),), ("sigmoid",), np.ones((1, 2)), np.ones((1, 5)))
    text = " ".join(check(p))
    assert "(2, 3)" in text and "x (1, 2)" in text and "b1 has shape (3,)" in text and "y has shape (1, 5)" in text


def test_empty_or_nan_cells_are_reported():
    p = HandProblem((np.array([[np.nan]]),), (np.zeros(1),), ("linear",), np.ones((1, 1)), np.ones((1, 1)))
    assert "W1" in check(p)[0]


def test_each_worked_example_carries_its_own_note():
    first, losses, regression = EXAMPLES.values()
    assert first.note(first.problem, first.problem) is None
    note = losses.note(losses.problem, losses.problem)
    assert note.boxed and "**0.03**" in note.text and "**0.3285**" in note.text and "Some tutorials" in note.text
    typed = dataclasses.replace(losses.problem, x=np.array([[0.25, 0.1, 0.9]]))
    expected = compare_losses(typed.y[0], typed.x[0])
    edited = losses.note(typed, losses.problem)
    assert f"**{expected['half_squared']:.4g}**" in edited.text and "Some tutorials" not in edited.text
    two_rows = dataclasses.replace(losses.problem, x=np.ones((2, 3)), y=np.ones((2, 3)))
    assert losses.note(two_rows, losses.problem) is None
    p = regression.problem
    sign = regression.note(p, p)
    demo = sign_demo(p.x[:, 0], p.y[:, 0], p.weights[0][0, 0], p.biases[0][0], p.lr)
    assert list(sign.curves.values()) == [demo.right, demo.flipped] and not sign.boxed
    broken = dataclasses.replace(p, weights=(np.ones((1, 2)),))  # W1 does not fit x: nothing to plot
    assert check(broken) and regression.note(broken, p) is None


def test_a_layer_added_beyond_the_example_starts_as_zeros_of_two_sigmoid_neurons():
    p = EXAMPLES["3 inputs → 2 sigmoid → 2 sigmoid, squared error"].problem
    w, b, f = p.layer_start(1)
    assert w is p.weights[1] and b is p.biases[1] and f == "sigmoid"
    w, b, f = p.layer_start(2)
    np.testing.assert_array_equal(w, np.zeros((2, 2)))
    np.testing.assert_array_equal(b, np.zeros(2))
    assert f == "sigmoid"
