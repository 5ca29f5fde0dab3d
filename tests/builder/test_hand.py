"""Hand mode: worked examples give the textbook answers, shapes are checked by name, and the sign demo."""

import numpy as np
import pytest
import torch

from core.builder.hand import EXAMPLES, HandProblem, check, compare_losses, sign_demo, solve


def test_loss_example_answers_are_0_03_and_0_3285():
    losses = compare_losses(np.array([1.0, 0.0, 1.0]), np.array([0.8, 0.1, 0.9]))
    assert losses["half_squared"] == pytest.approx(0.03)
    assert losses["cross_entropy"] == pytest.approx(0.3285, abs=5e-5)
    ex = EXAMPLES["Squared error vs cross-entropy: y = [1, 0, 1], ŷ = [0.8, 0.1, 0.9]"]
    assert solve(ex).data_loss == pytest.approx(0.03)


def test_sigmoid_network_example_against_autograd():
    p = EXAMPLES["3 inputs → 2 sigmoid → 2 sigmoid, squared error"]
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
    p = EXAMPLES["Linear regression, one gradient-descent step"]
    t = solve(p)
    x, y, w = p.x[:, 0], p.y[:, 0], p.weights[0][0, 0]
    assert float(t.layers[0].dL_dW) == pytest.approx(np.mean((w * x - y) * x))  # Xᵀ(ŷ − y)/B, negative here
    demo = sign_demo(x, y, w, 0.0, p.lr)
    assert all(b < a for a, b in zip(demo.right, demo.right[1:], strict=False))
    assert all(b > a for a, b in zip(demo.flipped, demo.flipped[1:], strict=False))


def test_shape_mismatches_name_both_shapes():
    p = HandProblem((np.ones((2, 3)), np.ones((1, 4))), (np.ones(2), np.ones(1)), ("sigmoid", "sigmoid"),
                    np.ones((1, 3)), np.ones((1, 1)))
    (msg,) = check(p)
    assert "W2 has shape (1, 4)" in msg and "W1 has shape (2, 3)" in msg
    p = HandProblem((np.ones((2, 3)),), (np.ones(3),), ("sigmoid",), np.ones((1, 2)), np.ones((1, 5)))
    text = " ".join(check(p))
    assert "(2, 3)" in text and "x (1, 2)" in text and "b1 has shape (3,)" in text and "y has shape (1, 5)" in text


def test_empty_or_nan_cells_are_reported():
    p = HandProblem((np.array([[np.nan]]),), (np.zeros(1),), ("linear",), np.ones((1, 1)), np.ones((1, 1)))
    assert "W1" in check(p)[0]
