"""Whatever a user types or links: text always gives stochastic maps or a TextInputError; set-ups always parse."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.attention.extract import extract
from core.attention.setup import AttentionSetup
from core.attention.units import PAIR_FILTERS, shown_columns
from core.setup_state import from_query, to_query
from core.tokens import TextInputError, encode


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60), pair=st.one_of(st.none(), st.text(max_size=20)))
def test_any_text_gives_distributions_or_a_clear_message(minilm, text, pair):
    try:
        result = extract(minilm, encode(minilm, text, pair))
    except TextInputError as error:
        assert str(error)
        return
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)
    assert len(result.tokens) == result.length


@settings(max_examples=50, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from([f.name for f in dataclasses.fields(AttentionSetup)]), st.text(max_size=30), max_size=6
    )
)
def test_any_link_gives_a_valid_setup(params):
    setup, _warnings = from_query(AttentionSetup, params)
    assert setup.validate() == []


def test_setup_round_trips_through_the_link():
    setup = AttentionSetup(
        text="A b c.",
        text_b="D e.",
        layer=3,
        heads=(1, 7),
        granularity="words",
        special="exclude",
        weighting="norm",
        fusion="max",
        view="Neuron view",
    )
    assert from_query(AttentionSetup, to_query(setup)) == (setup, [])


def test_pair_filters_select_segment_blocks():
    segments = np.array([0, 0, 1, 1, 1])
    a_to_b = PAIR_FILTERS["A→B"](segments)
    assert a_to_b.sum() == 2 * 3 and a_to_b[0, 2] and not a_to_b[2, 0]
    assert PAIR_FILTERS["B→A"](segments).sum() == 3 * 2
    assert PAIR_FILTERS["All"](segments).all()
    total = sum(PAIR_FILTERS[k](segments).sum() for k in ("A→A", "B→B", "A→B", "B→A"))
    assert total == 25


def test_special_columns_of_a_row_are_dropped_or_renormalised():
    row = np.array([0.5, 0.2, 0.3])
    special = np.array([True, False, False])
    np.testing.assert_allclose(shown_columns(row, special, "hide"), [0.2, 0.3])
    np.testing.assert_allclose(shown_columns(row, special, "exclude"), [0.4, 0.6])
    np.testing.assert_allclose(shown_columns(row, special, "keep"), row)
