"""Norm-based weighting against the model's own attention output; JS divergence against its formula."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.attention.compare import ShapeMismatchError, compare, js_divergence
from core.attention.extract import extract
from core.attention.norms import norm_weights, row_normalised, transformed_values
from core.tokens import encode


def test_head_outputs_decompose_into_alpha_times_f_of_x(minilm, cat):
    """Σ_heads Σ_j α_ij f_h(x_j) + b_O equals the attention block's dense output (before the residual)."""
    layer = 2
    f = transformed_values(minilm, cat, layer)  # [heads, T, hidden]
    alpha = cat.attentions[layer].astype(np.float64)  # [heads, T, T]
    ours = np.einsum("hij,hjd->id", alpha, f)
    block = minilm.encoder.encoder.layer[layer].attention
    x = torch.from_numpy(np.array(cat.hidden_states[layer]))[None]
    with torch.no_grad():
        context, _ = block.self(x)
        dense = block.output.dense(context)[0] - block.output.dense.bias
    np.testing.assert_allclose(ours, dense.numpy(), atol=1e-4)


def test_norm_weights_are_alpha_times_vector_norms(minilm, cat):
    weights = norm_weights(minilm, cat)
    f_norm = np.linalg.norm(transformed_values(minilm, cat, 4), axis=-1)
    np.testing.assert_allclose(weights[4, 3, 2, 5], cat.attentions[4, 3, 2, 5] * f_norm[3, 5], rtol=1e-5)
    np.testing.assert_allclose(row_normalised(weights).sum(-1), 1.0, atol=1e-12)


def test_js_divergence_matches_its_formula_and_bounds():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.1, 0.2, 0.7])
    m = (p + q) / 2

    def kl(a, b):
        return sum(x * np.log2(x / y) for x, y in zip(a, b, strict=True) if x > 0)

    assert js_divergence(p, q) == pytest.approx(0.5 * kl(p, m) + 0.5 * kl(q, m))
    assert js_divergence(p, p) == pytest.approx(0.0)
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)


def test_minimal_pair_compares_head_by_head(minilm):
    a = extract(minilm, encode(minilm, "The cat sat on the mat."))
    b = extract(minilm, encode(minilm, "The dog sat on the mat."))
    result = compare(a.attentions, b.attentions)
    assert result.js.shape == (minilm.num_layers, minilm.num_heads)
    assert (result.js >= 0).all() and (result.js <= 1).all() and result.js.max() > 0
    np.testing.assert_allclose(result.difference, b.attentions - a.attentions.astype(np.float64))
    assert compare(a.attentions, a.attentions).js.max() == pytest.approx(0.0, abs=1e-9)


def test_inputs_of_different_length_are_refused_with_a_reason(minilm):
    a = extract(minilm, encode(minilm, "The cat sat."))
    b = extract(minilm, encode(minilm, "The big cat sat."))
    with pytest.raises(ShapeMismatchError, match="same number"):
        compare(a.attentions, b.attentions)
