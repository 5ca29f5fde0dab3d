"""A reviewer's export: the scores of one result with everything needed to re-run it and get the same numbers.

JSON holds the provenance (the app's version and commit, model source, revision, library versions, device), the
task and target, the method with every setting, the baseline, the seed, Captum's delta and the completeness check,
plus any metrics and checks computed (sanity, baseline sensitivity) and, for a 2-D network, the network itself
(weights, activations, features, data), so that `read_export` opens it again and the page re-runs it; CSV
holds the same provenance in header lines that each start with '#' (`# key: <JSON>`), then one table row per
feature (a text) or per explained 2-D point (a point or a whole map over the plane). Read the table with the '#'
lines skipped, e.g. `pandas.read_csv(path, comment="#")`: a token with a '#' in it ("##ing") is quoted, so it is
data, not a comment. Lines and cells are written by `core.csv_safe`: typed text that reads like a spreadsheet
formula stays text.

The set-up carries only the fields of its subject: a network's export has no text fields (text, text_b, task…),
a text's none of the 2-D network's (point, net_baseline, resolution…).
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.app_build import app_build
from core.attribution.explain import Attribution
from core.attribution.network import NetworkUnderStudy
from core.attribution.network_file import NetworkFileError, network_from_record
from core.attribution.robustness import BaselineSensitivity
from core.attribution.sanity import SanityCheck
from core.attribution.setup import AttributionSetup
from core.csv_safe import comment_line, csv_line
from core.device import library_versions
from core.setup_state import SetupError, from_json

# The set-up fields (`AttributionSetup`) that belong to one subject only; the rest (subject, method and its
# settings) apply to both.
SUBJECT_FIELDS = {
    "text": ("source", "text", "task", "output", "label", "token", "token_b", "text_b", "text_baseline", "reduce"),
    "network": (
        "point_x",
        "point_y",
        "net_output",
        "net_scale",
        "net_baseline",
        "baseline_x",
        "baseline_y",
        "resolution",
    ),
}


def subject_setup(setup: dict[str, Any]) -> dict[str, Any]:
    """`setup` less the fields of the other subject (all of it when it names no known subject)."""
    subject = setup.get("subject")
    if subject not in SUBJECT_FIELDS:
        return dict(setup)
    other = {name for kind, names in SUBJECT_FIELDS.items() if kind != subject for name in names}
    return {k: v for k, v in setup.items() if k not in other}


def _clean(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else round(float(value), 10)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def export_record(
    result: Attribution,
    model: dict[str, str],
    setup: dict[str, Any],
    metrics: dict[str, Any] | None = None,
    points: np.ndarray | None = None,
    checks: dict[str, Any] | None = None,
    network: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything about one result as plain JSON-ready data.

    model: the model's provenance (`Provenance.as_dict()`, or the 2-D network's description); setup: the page's
    set-up fields (task, target, text, baseline…), of which only its subject's are kept (`subject_setup`);
    points: the explained 2-D points [N, 2] (None for a text); checks: `checks_record` of the checks run;
    network: `network_file.network_record` of a 2-D network.
    """
    c = result.completeness
    return _clean(
        {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "app": app_build(),
            "model": model,
            "network": network,
            "versions": library_versions(),
            "device": result.device,
            "setup": subject_setup(setup),
            "target": result.target_label,
            "method": {
                "key": result.method,
                "title": result.title,
                "settings": asdict(result.settings),
                "internal_batch_size_used": result.batch_size,
                "reduce": result.reduce,
            },
            "baseline": result.baseline_label,
            "features": list(result.feature_names),
            "points": points,
            "attributions": result.scores,
            "f_input": result.f_input,
            "f_baseline": result.f_baseline,
            "completeness": {
                "promise": c.promise or "none",
                "sum_of_attributions": c.total,
                "f_input_minus_f_baseline": c.difference,
                "relative_gap": c.relative_gap,
                "convergence_delta": c.delta,
                "verdict": c.verdict,
            },
            "metrics": metrics or {},
            "checks": checks or {},
            "messages": list(result.messages),
            "seconds": result.seconds,
        }
    )


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False)


def to_csv(record: dict[str, Any]) -> str:
    """Provenance in leading header lines that each start with '#' (`# key: <JSON>`; read the table with
    `comment="#"`), then the scores.

    With explained 2-D points (a point or a whole map): one row per point, so a reviewer can check completeness on
    every row: x1, x2, f(x), f(baseline), f(x) − f(baseline), Σ attributions, their relative gap, one column per
    feature. Otherwise (a text): one row per (explained input, feature).
    """
    per_point = record["points"] is not None
    out = io.StringIO()
    for key in ("app", "model", "versions", "device", "setup", "target", "method", "baseline", "completeness"):
        value = record[key]
        if key == "completeness" and per_point:  # the per-point numbers are columns
            value = {k: value[k] for k in ("promise", "verdict")}
        out.write(comment_line(key, value))
    if record.get("checks"):  # the sanity check's and the baselines' results, when they were run
        out.write(comment_line("checks", record["checks"]))
    (_point_rows if per_point else _feature_rows)(record, out)
    return out.getvalue()


def _feature_rows(record: dict[str, Any], out: io.StringIO) -> None:
    out.write(csv_line(["input", "position", "feature", "attribution"]))
    for n, row in enumerate(record["attributions"]):
        for i, (name, value) in enumerate(zip(record["features"], row, strict=True)):
            out.write(csv_line([n, i, name, value]))


POINT_COLUMNS = ("x1", "x2", "f(x)", "f(baseline)", "f(x) - f(baseline)", "sum of attributions", "relative gap")


def _point_rows(record: dict[str, Any], out: io.StringIO) -> None:
    c = record["completeness"]
    out.write(csv_line([*POINT_COLUMNS, *(f"attribution {name}" for name in record["features"])]))
    for point, f, f0, difference, total, gap, scores in zip(
        record["points"],
        record["f_input"],
        record["f_baseline"],
        c["f_input_minus_f_baseline"],
        c["sum_of_attributions"],
        c["relative_gap"],
        record["attributions"],
        strict=True,
    ):
        out.write(csv_line([*point, f, f0, difference, total, gap, *scores]))


def checks_record(sanity: SanityCheck | None, baselines: BaselineSensitivity | None) -> dict[str, Any]:
    """The button-run checks computed so far, as plain data: each stage's or baseline's scores and agreement."""
    found: dict[str, Any] = {}
    if sanity is not None:
        found["sanity"] = {
            "stages": list(sanity.stages),
            "spearman": sanity.spearman,
            "spearman_abs": sanity.spearman_abs,
            "scores": [np.asarray(s) for s in sanity.scores],
        }
    if baselines is not None:
        found["baselines"] = {
            "baselines": list(baselines.baselines),
            "spearman": baselines.spearman,
            f"top_{baselines.k}_overlap": baselines.top_k,
            "scores": [r.scores[0] for r in baselines.results],
        }
    return found


@dataclass(frozen=True, eq=False)
class OpenedExport:
    """What an export re-runs: its set-up, the warnings about fields that could not be read, and for a 2-D network
    the network it was computed on (None for a text: the model is loaded again from the set-up's source)."""

    setup: AttributionSetup
    warnings: tuple[str, ...]
    network: NetworkUnderStudy | None


def read_export(text: str) -> OpenedExport:
    """An export's JSON opened again; ValueError with a message for anything that is not one."""
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValueError("it is not an attribution export's JSON (not valid JSON)") from error
    if not isinstance(record, dict) or not isinstance(record.get("setup"), dict) or "attributions" not in record:
        raise ValueError("it is not an attribution export's JSON (no set-up and attributions)")
    try:
        setup, warnings = from_json(AttributionSetup, json.dumps({"fields": record["setup"]}))
    except SetupError as error:
        raise ValueError(f"its set-up cannot be read ({error})") from error
    if setup.subject != "network":
        return OpenedExport(setup, tuple(warnings), None)
    try:
        network = network_from_record(record.get("network"))
    except NetworkFileError as error:
        raise ValueError(f"its network cannot be rebuilt: {error}") from error
    return OpenedExport(setup, tuple(warnings), network)
