"""The set-up survives the link and JSON, and garbage in the URL falls back to defaults with warnings."""

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.builder.activations import HIDDEN_ACTIVATIONS
from core.builder.optimizers import LEARNING_RATES, OPTIMIZERS
from core.builder.setup import BuilderSetup, build_dataset
from core.data.features import FEATURES
from core.settings import problems
from core.setup_state import from_json, from_query, to_json, to_query

setups = st.builds(
    BuilderSetup,
    dataset=st.sampled_from(["circle", "xor", "spiral", "blobs", "bumps"]),
    n_points=st.integers(10, 2000),
    noise=st.integers(0, 50),
    train_percent=st.integers(10, 90),
    data_seed=st.integers(0, 2**31 - 1),
    init_seed=st.integers(0, 2**31 - 1),
    features=st.lists(st.sampled_from(list(FEATURES)), min_size=1, unique=True).map(tuple),
    hidden=st.lists(st.integers(1, 8), max_size=6).map(tuple),
    activation=st.sampled_from(HIDDEN_ACTIVATIONS),
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    learning_rate=st.sampled_from(LEARNING_RATES),
    batch_size=st.integers(1, 2000),
    discretize=st.booleans(),
    hide=st.sampled_from([(), ("network",), ("data", "hand")]),
)


@settings(max_examples=80, deadline=None)
@given(setups)
def test_link_and_json_round_trip(setup):
    assert problems(setup) == []
    back, warnings = from_query(BuilderSetup, to_query(setup))
    assert back == setup and warnings == []
    back, warnings = from_json(BuilderSetup, to_json(setup))
    assert back == setup and warnings == []


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.name for f in dataclasses.fields(BuilderSetup)] + ["junk"]), st.text(max_size=20), max_size=8
    )
)
def test_garbage_query_gives_a_valid_setup_and_warnings(params):
    setup, warnings = from_query(BuilderSetup, params)
    assert problems(setup) == []
    assert isinstance(warnings, list)


def test_specific_garbage_is_named():
    setup, warnings = from_query(
        BuilderSetup, {"hidden": "9,0", "learning_rate": "1e9", "features": "x3", "n_points": "lots"}
    )
    assert setup == BuilderSetup()
    text = " ".join(warnings)
    for field in ("hidden", "learning_rate", "features", "n_points"):
        assert field in text


def test_build_dataset_feature_matrix_matches_points():
    s = BuilderSetup(features=("x1", "x1*x2"), n_points=30)
    d = build_dataset(s)
    assert d.features.shape == (30, 2)
    assert abs(float(d.features[3, 1]) - d.points[3, 0] * d.points[3, 1]) < 1e-5


def _own(n: int, seed: int = 0, task: str = "binary") -> str:
    """CSV text of n random points in the domain, as the page writes it (core.data.csv_io.points_csv)."""
    import numpy as np

    from core.data.csv_io import points_csv

    rng = np.random.default_rng(seed)
    labels = rng.normal(size=n) if task == "regression" else rng.integers(0, 2, n)
    return points_csv(rng.uniform(-6, 6, (n, 2)), labels, task)


def test_own_points_travel_in_the_link_plain_or_compressed_and_rebuild_the_same_data():
    from core.setup_state import left_out_of_link

    for n, key in ((20, "points"), (500, "points.z")):
        setup = BuilderSetup(dataset="custom", points=_own(n), hidden=(3,))
        query = to_query(setup)
        assert key in query and left_out_of_link(setup) == []
        back, warnings = from_query(BuilderSetup, query)
        assert back == setup and warnings == []
        a, b = build_dataset(setup), build_dataset(back)
        assert len(a.points) == n and (a.points == b.points).all() and (a.labels == b.labels).all()
        assert from_json(BuilderSetup, to_json(setup))[0] == setup


def test_too_many_own_points_stay_out_of_the_link_but_not_out_of_the_json():
    from core.setup_state import left_out_of_link

    setup = BuilderSetup(dataset="custom", points=_own(3000, task="regression"))
    assert left_out_of_link(setup) == ["points"] and "points" not in to_query(setup)
    assert from_json(BuilderSetup, to_json(setup)) == (setup, [])
    assert build_dataset(setup).task == "regression"


def test_broken_own_points_in_a_link_warn_and_fall_back():
    setup, warnings = from_query(BuilderSetup, {"dataset": "custom", "points": "x1,x2,label\n1,oops,0\n"})
    assert setup.points == "" and any("points" in w for w in warnings)
    setup, warnings = from_query(BuilderSetup, {"dataset": "custom", "points.z": "not-zlib!!"})
    assert setup.points == "" and any("points" in w for w in warnings)
    assert len(build_dataset(setup).points) == BuilderSetup().n_points  # no points yet: the circle


def test_own_points_are_shared_read_only():
    import pytest

    data = build_dataset(BuilderSetup(dataset="custom", points=_own(30)))
    with pytest.raises(ValueError, match="read-only"):
        data.points[0, 0] = 99.0


BOUNDS = {
    "n_points": (10, 2000),
    "noise": (0, 50),
    "train_percent": (10, 90),
    "data_seed": (0, 2**31 - 1),
    "init_seed": (0, 2**31 - 1),
    "batch_size": (1, 2000),
    "max_epochs": (0, 1_000_000),
    "reg_rate": (0.0, 10.0),
    "target_loss": (0.0, 1e5),
}


def test_each_number_is_refused_just_outside_its_bounds_and_taken_at_them():
    for name, (low, high) in BOUNDS.items():
        step = 1 if isinstance(low, int) else 1e-9
        for value, ok in ((low, True), (high, True), (low - step, False), (high + step, False)):
            found = problems(dataclasses.replace(BuilderSetup(), **{name: value}))
            assert (found == []) == ok, (name, value, found)
    for rate, ok in ((1e-5, True), (10.0, True), (0.0, False), (-1.0, False), (10.5, False), (float("nan"), False)):
        found = problems(BuilderSetup(learning_rate=rate))
        assert found == ([] if ok else ["learning_rate: must be above 0 and at most 10"]), rate


def test_the_hidden_layers_are_1_to_6_of_1_to_8_neurons_and_the_buttons_keep_them_so():
    from core.builder.setup import MAX_LAYERS, MAX_NEURONS, resized, with_layer, without_layer

    assert problems(BuilderSetup(hidden=(8,) * 6)) == [] and problems(BuilderSetup(hidden=())) == []
    for bad in ((9,), (0, 2), (1,) * 7):
        assert [p.split(":")[0] for p in problems(BuilderSetup(hidden=bad))] == ["hidden"], bad
    assert with_layer((4, 2)) == (4, 2, 2) and with_layer((1,) * MAX_LAYERS) == (1,) * MAX_LAYERS
    assert without_layer((4, 2)) == (4,) and without_layer(()) == ()
    assert resized((4, 2), 1, 1) == (4, 3) and resized((4, 1), 1, -1) == (4, 1)
    assert resized((MAX_NEURONS,), 0, 1) == (MAX_NEURONS,)


def test_features_are_distinct_known_names_and_at_least_one():
    assert problems(BuilderSetup(features=("sin(x2)", "x1"))) == []
    for bad in ((), ("x1", "x1"), ("x3",)):
        assert [p.split(":")[0] for p in problems(BuilderSetup(features=bad))] == ["features"], bad


def test_a_clicked_point_is_added_to_the_data_as_csv():
    from core.builder.setup import own_points, points_with

    data = build_dataset(BuilderSetup(n_points=20))
    text = points_with(data, (1.5, -2.25), 1)
    own = own_points(text)
    assert len(own.points) == 21 and own.points[-1].tolist() == [1.5, -2.25] and own.labels[-1] == 1
    np.testing.assert_allclose(own.points[:20], data.points, atol=5e-6)


def test_a_rate_off_the_ladder_gets_its_own_stop():
    from core.builder.optimizers import LEARNING_RATES, ladder

    assert ladder(LEARNING_RATES, 0.03) == list(LEARNING_RATES)
    assert ladder(LEARNING_RATES, 0.05) == sorted([*LEARNING_RATES, 0.05])
