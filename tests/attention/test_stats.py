"""Clark et al.'s head statistics against hand-computed tiny matrices."""

from __future__ import annotations

import numpy as np
import pytest

from core.attention.stats import BROAD_FRACTION, SMOOTHING, head_statistics, role_of, smoothed_entropy

TOKENS = ("[CLS]", "dogs", "bark", ".", "[SEP]")
SPECIAL = (True, False, False, False, True)


def _one_head(matrix) -> np.ndarray:
    return np.asarray(matrix, dtype=np.float64)[None, None]


def test_statistics_of_a_previous_token_head():
    # each token puts 0.8 on the previous token and 0.2 on itself ([CLS] all on itself)
    m = np.zeros((5, 5))
    m[0, 0] = 1.0
    for i in range(1, 5):
        m[i, i - 1], m[i, i] = 0.8, 0.2
    stats = head_statistics(_one_head(m), TOKENS, SPECIAL)
    v = {k: float(a[0, 0]) for k, a in stats.values.items()}
    assert v["prev"] == pytest.approx(0.8)  # 4 queries have a previous token, each 0.8
    assert v["self"] == pytest.approx((1.0 + 4 * 0.2) / 5)
    assert v["next"] == pytest.approx(0.0)
    assert v["cls"] == pytest.approx((1.0 + 0.8) / 5)  # [CLS] itself and "dogs"
    assert v["sep"] == pytest.approx(0.2 / 5)
    assert v["punct"] == pytest.approx((0.2 + 0.8) / 5)  # "." itself and [SEP] looking back at it
    assert stats.roles[0][0] == "previous token"


def test_entropy_is_smoothed_and_uniform_attention_reaches_ln_n():
    uniform = np.full((5, 5), 0.2)
    stats = head_statistics(_one_head(uniform), TOKENS, SPECIAL)
    assert stats.uniform_entropy == pytest.approx(np.log(5))
    assert stats.values["entropy"][0, 0] == pytest.approx(np.log(5))
    assert stats.roles[0][0] == "broad"
    one_hot = np.eye(5)
    p = 1 - SMOOTHING + SMOOTHING / 5
    q = SMOOTHING / 5
    expected = -(p * np.log(p) + 4 * q * np.log(q))
    np.testing.assert_allclose(smoothed_entropy(one_hot), expected)


def test_sep_head_and_mixed_head_labels():
    sep_head = np.zeros((5, 5))
    sep_head[:, 4] = 0.7
    sep_head[:, 0] = 0.3
    stats = head_statistics(_one_head(sep_head), TOKENS, SPECIAL)
    assert stats.values["sep"][0, 0] == pytest.approx(0.7)
    assert stats.roles[0][0] == "[SEP]"
    low_entropy = {"cls": 0.3, "sep": 0.3, "punct": 0.1, "self": 0.2, "prev": 0.1, "next": 0.1, "entropy": 0.5}
    assert role_of(low_entropy, np.log(5)) == "mixed"
    assert role_of({**low_entropy, "entropy": BROAD_FRACTION * np.log(5)}, np.log(5)) == "broad"


def test_table_has_one_row_per_head_with_every_statistic(cat):
    stats = head_statistics(cat.attentions, cat.tokens, cat.encoded.special)
    rows = stats.table()
    assert len(rows) == cat.num_layers * cat.num_heads
    assert {"layer", "head", "cls", "sep", "punct", "self", "prev", "next", "entropy", "role"} <= set(rows[0])
    for name in ("cls", "sep", "punct", "self", "prev", "next"):
        assert ((stats.values[name] >= 0) & (stats.values[name] <= 1 + 1e-6)).all()
    assert (stats.values["entropy"] <= stats.uniform_entropy + 1e-9).all()
