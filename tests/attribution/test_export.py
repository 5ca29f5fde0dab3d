"""The export of a whole 2-D map: one CSV row per grid point that re-reads to the numbers the maps show."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import fields

import numpy as np
import pytest
import torch

from core.attribution.explain import ABSOLUTE_TOLERANCE, TOLERANCE, explain
from core.attribution.export import POINT_COLUMNS, SUBJECT_FIELDS, export_record, subject_setup, to_csv, to_json
from core.attribution.network import (
    NetworkTarget,
    decision_values,
    from_builder,
    grid_over,
    network_problem,
    train_default_network,
)
from core.attribution.network_file import NetworkFileError, network_from_record, network_record
from core.attribution.setup import AttributionSetup
from core.csv_safe import original_text
from core.figures import attribution as figures
from core.settings import flat_values
from tests.spreadsheet import HOSTILE, formula_cells

NETWORK = train_default_network(epochs=20)
BASELINE = (0.5, -0.25)
R = 7


@pytest.fixture(scope="module")
def exported():
    grid = grid_over(NETWORK, R)
    result = explain(network_problem(NETWORK, grid.points, NetworkTarget(), "point", BASELINE), "integrated-gradients")
    setup = AttributionSetup(
        subject="network", net_baseline="point", baseline_x=BASELINE[0], baseline_y=BASELINE[1], resolution=R
    )
    record = export_record(result, {"network": NETWORK.source}, flat_values(setup), {}, grid.points.numpy())
    return grid, result, record


def comments_of(text: str) -> dict:
    """The provenance from the '#' lines."""
    return {k: json.loads(v) for k, v in (line[2:].split(": ", 1) for line in text.splitlines() if line[:2] == "# ")}


def read_csv(text: str) -> tuple[dict, list[str], np.ndarray]:
    """(provenance from the '#' lines, header, rows as floats)."""
    lines = text.splitlines()
    header, *rows = list(csv.reader(io.StringIO("\n".join(line for line in lines if not line.startswith("#")))))
    return comments_of(text), header, np.array(rows, dtype=float)


def test_the_map_csv_has_one_row_per_grid_point_and_rereads_to_the_maps_shown(exported):
    grid, result, record = exported
    comments, header, rows = read_csv(to_csv(record))
    assert header == [*POINT_COLUMNS, *(f"attribution {name}" for name in NETWORK.feature_names)]
    assert rows.shape == (R * R, len(POINT_COLUMNS) + len(NETWORK.feature_names))
    np.testing.assert_allclose(rows[:, :2], grid.points.numpy(), atol=1e-9)
    maps = result.scores.reshape(R, R, -1)
    fig = figures.plane_maps(
        grid.xs, grid.ys, maps, NETWORK.feature_names, maps[:, :, 0], 0.0, NETWORK.points, NETWORK.labels
    )
    shown = np.stack([np.array(t.z) for t in fig.data if t.type == "heatmap"], -1)  # [R, R, F] as drawn
    np.testing.assert_allclose(rows[:, len(POINT_COLUMNS) :].reshape(R, R, -1), shown, rtol=1e-6, atol=1e-9)
    # f(x) and f(baseline) against forward passes of their own
    np.testing.assert_allclose(
        rows[:, 2], decision_values(NETWORK, grid, NetworkTarget()).ravel(), rtol=1e-5, atol=1e-6
    )
    with torch.no_grad():
        f_baseline = NETWORK.model(NETWORK.features(torch.tensor([BASELINE])))[0, 0].item()
    np.testing.assert_allclose(rows[:, 3], f_baseline, rtol=1e-5)
    assert comments["method"]["key"] == "integrated-gradients" and comments["method"]["settings"]["seed"] == 0
    assert comments["setup"]["baseline_x"] == BASELINE[0] and comments["model"]["network"] == NETWORK.source
    assert comments["completeness"]["promise"] == "exact"


def test_every_row_of_the_map_csv_is_complete_within_the_tolerance_the_page_uses_for_ig(exported):
    _comments, _header, rows = read_csv(to_csv(exported[2]))
    total, difference = rows[:, len(POINT_COLUMNS) :].sum(1), rows[:, 2] - rows[:, 3]
    np.testing.assert_allclose(rows[:, 5], total, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(rows[:, 4], difference, rtol=1e-6, atol=1e-9)
    gap = np.abs(total - difference)
    scale = np.maximum(np.abs(difference), 0.01 * np.abs(difference).max())
    assert ((gap / scale <= TOLERANCE["exact"]) | (gap <= ABSOLUTE_TOLERANCE)).all()
    np.testing.assert_allclose(rows[:, 6], gap / scale, atol=1e-5)  # the page's gap, up to float32 rounding


def test_the_map_json_carries_every_point_with_its_scores_and_the_setup(exported):
    grid, result, record = exported
    doc = json.loads(to_json(record))
    np.testing.assert_allclose(doc["points"], grid.points.numpy(), atol=1e-9)
    np.testing.assert_allclose(doc["attributions"], result.scores, rtol=1e-6, atol=1e-9)
    assert len(doc["completeness"]["sum_of_attributions"]) == R * R
    assert doc["setup"]["resolution"] == R and doc["baseline"] == "point"
    assert doc["method"]["settings"]["n_steps"] == 50 and "torch" in doc["versions"]


def test_the_setup_line_carries_only_the_fields_of_its_subject(exported):
    comments, _header, _rows = read_csv(to_csv(exported[2]))
    network_setup = comments["setup"]
    assert network_setup["subject"] == "network" and network_setup["resolution"] == R
    assert not set(SUBJECT_FIELDS["text"]) & set(network_setup)  # no text, text_b, task "similarity"…
    assert network_setup["method"] == "integrated-gradients" and network_setup["n_steps"] == 50  # shared fields
    text_setup = subject_setup(flat_values(AttributionSetup(subject="text")))
    assert text_setup["text"] and text_setup["task"] == "similarity"
    assert not set(SUBJECT_FIELDS["network"]) & set(text_setup)
    # every field of the set-up is either one subject's or shared by both, and nothing is dropped twice
    names = {f.name for f in fields(AttributionSetup)}
    assert set(SUBJECT_FIELDS["text"]) <= names and set(SUBJECT_FIELDS["network"]) <= names
    assert not set(SUBJECT_FIELDS["text"]) & set(SUBJECT_FIELDS["network"])
    assert subject_setup({"text": "kept"}) == {"text": "kept"}  # no subject named: nothing to drop


def test_a_text_csv_reads_back_with_comment_hash_even_for_word_pieces():
    pd = pytest.importorskip("pandas")
    record = {
        "app": {},
        "model": {},
        "versions": {},
        "device": "cpu",
        "setup": {},
        "target": "t",
        "method": {},
        "baseline": "pad",
        "completeness": {},
        "points": None,
        "features": ["[CLS]", "pu", "##rred", "a,b"],
        "attributions": [[0.1, -0.2, 0.3, None]],
    }
    text = to_csv(record)
    assert all(line.startswith("#") for line in text.splitlines()[:9])
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert list(table.columns) == ["input", "position", "feature", "attribution"]
    assert list(table["feature"]) == ["[CLS]", "pu", "##rred", "a,b"]
    np.testing.assert_allclose(table["attribution"], [0.1, -0.2, 0.3, np.nan])


def test_a_hostile_text_leaves_no_cell_a_spreadsheet_runs_and_reads_back_exactly(exported):
    """The set-up line carried the issue's text raw; word pieces such as '=' and '@' were cells of their own."""
    pd = pytest.importorskip("pandas")
    features = ["[CLS]", "nice", ",", "=", "hyper", "##link", "@", "-", "+cmd|", "[SEP]"]
    record = {
        **exported[2],
        "setup": {"subject": "text", "text": HOSTILE, "text_b": "@SUM(1)"},
        "points": None,
        "target": "=cmd",
        "features": features,
        "attributions": [[-0.5, 0.25, None, *range(7)]],
    }
    text = to_csv(record)
    assert formula_cells(text) == []
    comments = comments_of(text)
    assert comments["setup"]["text"] == HOSTILE and comments["target"] == "=cmd"
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert [original_text(f) for f in table["feature"]] == features
    np.testing.assert_allclose(table["attribution"], [-0.5, 0.25, np.nan, *range(7)])
    assert formula_cells(to_csv(exported[2])) == []  # a map's rows: negative numbers stay numbers


def test_a_network_export_opens_again_and_re_runs_to_the_same_numbers():
    from core.attribution.export import read_export

    setup = AttributionSetup(
        subject="network", method="gradient-shap", net_baseline="point", baseline_x=0.5, baseline_y=-0.25, resolution=8
    )
    grid = grid_over(NETWORK, setup.resolution)
    result = explain(network_problem(NETWORK, grid.points, NetworkTarget(), "point", BASELINE), setup.method)
    record = export_record(
        result, NETWORK.described, flat_values(setup), {}, grid.points.numpy(), network=network_record(NETWORK)
    )
    opened = read_export(to_json(record))
    assert opened.setup == setup and not opened.warnings
    assert opened.network.feature_names == NETWORK.feature_names and opened.network.layered
    base = (opened.setup.baseline_x, opened.setup.baseline_y)
    again = explain(
        network_problem(opened.network, grid_over(opened.network, 8).points, NetworkTarget(), "point", base),
        opened.setup.method,
        opened.setup.settings,
    )
    # the same numbers to float32 precision (the file's decimals round weights and points at 1e-10)
    np.testing.assert_allclose(again.scores, np.array(record["attributions"]), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(again.f_input, np.array(record["f_input"]), rtol=1e-5, atol=1e-7)


def test_a_builder_network_rebuilt_from_its_export_computes_the_same_outputs():
    from core.builder.trained import train_default_network as train_in_builder

    network = from_builder(train_in_builder(epochs=5))
    rebuilt = network_from_record(json.loads(json.dumps(network_record(network))))
    points = torch.tensor([[0.5, -1.0], [2.0, 3.0]])
    with torch.no_grad():
        np.testing.assert_allclose(
            rebuilt.model(rebuilt.features(points)), network.model(network.features(points)), rtol=1e-6
        )
    assert rebuilt.activations == network.activations and rebuilt.output_activation == network.output_activation
    np.testing.assert_array_equal(rebuilt.points, network.points)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"features": ["x1", "os.system"]}, "features should be some of"),
        ({"activations": ["relu"]}, "one activation per layer"),
        ({"layers": [{"weight": [[1.0]], "bias": [0.0]}] * 3}, "layer 1's weight should be 1 × 5"),
        ({"points": "nan"}, "points"),
    ],
)
def test_a_damaged_network_in_an_export_is_refused_with_a_message(change, message):
    with pytest.raises(NetworkFileError, match=re.escape(message)):
        network_from_record({**network_record(NETWORK), **change})


def test_an_export_records_the_apps_build_and_the_checks_run():
    from core.app_build import app_build
    from core.attribution.export import checks_record
    from core.attribution.robustness import baseline_sensitivity
    from core.attribution.sanity import network_sanity_check

    point = torch.tensor([[2.0, 1.5]])

    def problem_with(net=NETWORK, baseline="zero"):
        return network_problem(net, point, NetworkTarget(), baseline)

    problem = problem_with()
    result = explain(problem, "integrated-gradients")
    sanity = network_sanity_check(NETWORK, problem_with, "integrated-gradients", result.settings, 0, lambda *a: None)
    baselines = baseline_sensitivity(
        lambda kind: problem_with(baseline=kind), ("zero", "mean"), "saliency", result.settings
    )
    record = json.loads(
        to_json(export_record(result, NETWORK.described, {}, {}, point.numpy(), checks_record(sanity, baselines)))
    )
    assert record["app"] == app_build() and record["app"]["version"] == "0.1.0"
    assert record["checks"]["sanity"]["stages"] == list(sanity.stages)
    np.testing.assert_allclose(record["checks"]["sanity"]["spearman"], sanity.spearman)
    assert record["checks"]["baselines"]["baselines"] == ["zero", "mean"]
    np.testing.assert_allclose(record["checks"]["baselines"]["scores"][1], baselines.results[1].scores[0], rtol=1e-9)
    comments = comments_of(to_csv(record))
    assert comments["app"] == app_build() and comments["checks"] == record["checks"]
