"""The set-up survives the link and JSON, and garbage in the URL falls back to defaults with warnings."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.features import FEATURES
from core.nets.activations import HIDDEN_ACTIVATIONS
from core.nets.optimizers import LEARNING_RATES, OPTIMIZERS
from core.nets.setup import BuilderSetup, build_dataset
from core.setup_state import from_json, from_query, to_json, to_query

setups = st.builds(
    BuilderSetup,
    dataset=st.sampled_from(["circle", "xor", "spiral", "blobs", "bumps"]),
    n_points=st.integers(10, 2000), noise=st.integers(0, 50), train_percent=st.integers(10, 90),
    data_seed=st.integers(0, 2**31 - 1), init_seed=st.integers(0, 2**31 - 1),
    features=st.lists(st.sampled_from(list(FEATURES)), min_size=1, unique=True).map(tuple),
    hidden=st.lists(st.integers(1, 8), max_size=6).map(tuple),
    activation=st.sampled_from(HIDDEN_ACTIVATIONS), optimizer=st.sampled_from(list(OPTIMIZERS)),
    learning_rate=st.sampled_from(LEARNING_RATES), batch_size=st.integers(1, 2000),
    discretize=st.booleans(), hide=st.sampled_from([(), ("network",), ("data", "hand")]))


@settings(max_examples=80, deadline=None)
@given(setups)
def test_link_and_json_round_trip(setup):
    assert setup.validate() == []
    back, warnings = from_query(BuilderSetup, to_query(setup))
    assert back == setup and warnings == []
    back, warnings = from_json(BuilderSetup, to_json(setup))
    assert back == setup and warnings == []


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from([f.name for f in dataclasses.fields(BuilderSetup)] + ["junk"]),
                       st.text(max_size=20), max_size=8))
def test_garbage_query_gives_a_valid_setup_and_warnings(params):
    setup, warnings = from_query(BuilderSetup, params)
    assert setup.validate() == []
    assert isinstance(warnings, list)


def test_specific_garbage_is_named():
    setup, warnings = from_query(BuilderSetup, {"hidden": "9,0", "learning_rate": "1e9", "features": "x3",
                                                "n_points": "lots"})
    assert setup == BuilderSetup()
    text = " ".join(warnings)
    for field in ("hidden", "learning_rate", "features", "n_points"):
        assert field in text


def test_build_dataset_feature_matrix_matches_points():
    s = BuilderSetup(features=("x1", "x1*x2"), n_points=30)
    d = build_dataset(s)
    assert d.features.shape == (30, 2)
    assert abs(float(d.features[3, 1]) - d.points[3, 0] * d.points[3, 1]) < 1e-5
