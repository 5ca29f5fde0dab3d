"""Word merging and special-token modes: rows stay distributions, mass is accounted for, pairs keep their words."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.attention.extract import extract
from core.attention.units import merge, shown, word_units
from core.tokens import encode


def test_words_merge_their_pieces(cat):
    units = word_units(cat)
    assert "unhappily" in units.labels
    assert cat.tokens.count("[CLS]") == units.labels.count("[CLS]") == 1
    piece_positions = units.positions[units.labels.index("unhappily")]
    assert len(piece_positions) >= 2
    assert all(cat.tokens[p].lstrip("#") in "unhappily" for p in piece_positions)


def test_word_attention_is_sum_to_and_mean_from(cat):
    units = word_units(cat)
    maps = shown(cat, cat.attentions, "words").maps
    w = units.labels.index("unhappily")
    pieces = list(units.positions[w])
    a = cat.attentions.astype(np.float64)
    # attention from token 1 ("the") to the word = sum over the word's pieces
    np.testing.assert_allclose(maps[..., 1, w], a[..., 1, pieces].sum(-1))
    # attention from the word to [CLS] = mean over its pieces' rows
    np.testing.assert_allclose(maps[..., w, 0], a[..., pieces, 0].mean(-1))
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)


def test_pair_words_restart_numbering_but_stay_apart(minilm):
    result = extract(minilm, encode(minilm, "the cat", "the cat"))
    units = word_units(result)
    assert units.labels == ("[CLS]", "the", "cat", "[SEP]", "the", "cat", "[SEP]")
    assert units.segments == (0, 0, 0, 0, 1, 1, 1)


def test_special_modes_keep_hide_exclude(cat):
    a = cat.attentions
    special = np.array(cat.encoded.special)
    kept = shown(cat, a, special_mode="keep")
    assert kept.maps.shape == a.shape and (kept.removed_mass == 0).all()
    hidden = shown(cat, a, special_mode="hide")
    n = int((~special).sum())
    assert hidden.maps.shape[-2:] == (n, n)
    assert "[CLS]" not in hidden.units.labels
    mass_to_special = a[..., ~special, :][..., special].sum(-1).mean(-1)
    np.testing.assert_allclose(hidden.removed_mass, mass_to_special, rtol=1e-6)
    np.testing.assert_allclose(hidden.maps.sum(-1), 1 - a[..., ~special, :][..., special].sum(-1), atol=1e-5)
    excluded = shown(cat, a, special_mode="exclude")
    np.testing.assert_allclose(excluded.maps.sum(-1), 1.0, atol=1e-6)
    assert excluded.renormalised and not hidden.renormalised


@settings(max_examples=30, deadline=None)
@given(groups=st.lists(st.integers(1, 3), min_size=1, max_size=6), seed=st.integers(0, 1000))
def test_merging_any_grouping_keeps_rows_stochastic(groups, seed):
    from core.attention.units import Units

    t = sum(groups)
    maps = np.random.default_rng(seed).dirichlet(np.ones(t), size=(2, t))
    starts = np.cumsum([0, *groups])
    positions = tuple(tuple(range(starts[i], starts[i + 1])) for i in range(len(groups)))
    units = Units(tuple(f"w{i}" for i in range(len(groups))), positions, (False,) * len(groups), (0,) * len(groups))
    merged = merge(maps, units)
    assert merged.shape == (2, len(groups), len(groups))
    np.testing.assert_allclose(merged.sum(-1), 1.0, atol=1e-12)


@pytest.mark.parametrize("granularity", ["tokens", "words"])
def test_every_combination_of_units_and_modes_runs(cat, granularity):
    for mode in ("keep", "hide", "exclude"):
        view = shown(cat, cat.attentions, granularity, mode)
        assert view.maps.shape[-1] == len(view.units)
        assert np.isfinite(view.maps).all()
