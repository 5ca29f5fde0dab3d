"""Exports carry their numbers and provenance; models load by hub id (from a local cache) and by folder."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pytest

from core.attention.export import (
    AttentionExport,
    attention_csv,
    attention_json,
    attention_npz,
    statistics_csv,
    statistics_json,
)
from core.attention.extract import extract
from core.attention.stats import head_statistics
from core.csv_safe import original_text
from core.models import ModelLoadError, load_model
from core.tokens import encode
from tests.spreadsheet import HOSTILE, formula_cells


@pytest.fixture()
def selection(cat):
    maps = cat.attentions[[1, 3]][:, [0, 5]]
    return AttentionExport(maps, cat.tokens, (1, 3), (0, 5), cat.provenance)


def header_of(text: str) -> dict[str, object]:
    """The `# key: <JSON>` lines above a CSV table."""
    return {k: json.loads(v) for k, v in (line[2:].split(": ", 1) for line in text.splitlines() if line[:1] == "#")}


def test_csv_has_provenance_and_every_weight(selection, cat):
    text = attention_csv(selection)
    header = header_of(text)
    assert header["revision"].startswith("sha256:") and header["attn_implementation"] == "eager"
    assert "transformers_version" in header and header["truncation"].startswith("none")
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))
    assert len(rows) == 2 * 2 * cat.length**2
    # layer index 3, head index 5 are "Layer 4, head 6" on the page, and in the file
    assert {(r["layer"], r["head"]) for r in rows} == {("2", "1"), ("2", "6"), ("4", "1"), ("4", "6")}
    assert header["numbering"].startswith("layers and heads counted from 1")
    row = next(
        r for r in rows if r["layer"] == "4" and r["head"] == "6" and r["query_index"] == "2" and r["key_index"] == "4"
    )
    assert float(row["weight"]) == pytest.approx(float(cat.attentions[3, 5, 2, 4]), rel=1e-6)
    assert row["query_token"] == cat.tokens[2]


def test_json_and_npz_round_trip(selection):
    doc = json.loads(attention_json(selection))
    np.testing.assert_allclose(doc["attention"], selection.maps, atol=1e-8)
    assert doc["layers"] == [2, 4] and doc["heads"] == [1, 6] and "counted from 1" in doc["numbering"]
    assert doc["provenance"]["dtype"] == "float32"
    with np.load(io.BytesIO(attention_npz(selection))) as npz:
        np.testing.assert_array_equal(npz["attention"], selection.maps)
        assert list(npz["tokens"]) == list(selection.labels)
        assert list(npz["layers"]) == [2, 4] and list(npz["heads"]) == [1, 6]
        assert json.loads(str(npz["provenance"]))["source"] == "embedded"


def test_statistics_csv_has_one_row_per_head(cat):
    stats = head_statistics(cat.attentions, cat.tokens, cat.encoded.special)
    text = statistics_csv(stats, cat.provenance)
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("#")))))
    assert len(rows) == 72 and rows[0]["role"]
    assert float(rows[13]["entropy"]) == pytest.approx(stats.values["entropy"][1, 1])
    assert (rows[0]["layer"], rows[0]["head"], rows[13]["layer"], rows[13]["head"]) == ("1", "1", "2", "2")
    doc = json.loads(statistics_json(stats, cat.provenance))
    assert (doc["heads"][-1]["layer"], doc["heads"][-1]["head"]) == (6, 12)


def test_csvs_of_a_hostile_text_hold_nothing_a_spreadsheet_runs_and_read_back_exactly(minilm):
    """The issue's link text: its word pieces '=' and '@' and the text itself in the header were formula cells."""
    pd = pytest.importorskip("pandas")
    result = extract(minilm, encode(minilm, HOSTILE))
    assert {"=", "@"} <= set(result.tokens)
    provenance = {**result.provenance, "text": HOSTILE, "text_b": "-2+3+cmd|' /C calc'!A0"}
    n = len(result.tokens)
    data = AttentionExport(result.attentions[:1, :2], result.tokens, (0,), (0, 1), provenance)
    stats = statistics_csv(head_statistics(result.attentions, result.tokens, result.encoded.special), provenance)
    for text in (attention_csv(data), stats):
        assert formula_cells(text) == []
        assert header_of(text)["text"] == HOSTILE and header_of(text)["text_b"] == provenance["text_b"]
    table = pd.read_csv(io.StringIO(attention_csv(data)), comment="#", keep_default_na=False)
    assert len(table) == 2 * n * n
    assert [original_text(t) for t in table["query_token"][::n][:n]] == list(result.tokens)
    assert [original_text(t) for t in table["key_token"][:n]] == list(result.tokens)
    np.testing.assert_allclose(table["weight"][:n], result.attentions[0, 0, 0], rtol=1e-6)


def test_hub_id_loads_from_the_local_cache_without_network(tiny_folder, tmp_path, monkeypatch):
    """The hub-id path of the loader, fed by a cache laid out as huggingface_hub writes it (offline)."""
    from huggingface_hub import constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--tiny-org--tiny-bert"
    snapshot = repo / "snapshots" / commit
    shutil.copytree(tiny_folder("masked-lm"), snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    loaded = load_model("tiny-org/tiny-bert")
    assert loaded.head == "masked-lm" and loaded.provenance.location == "tiny-org/tiny-bert"
    result = extract(loaded, encode(loaded, "the cat sat ."))
    assert result.provenance["source"] == "tiny-org/tiny-bert"
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)


def test_unknown_hub_id_offline_gives_the_loaders_message(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelLoadError) as info:
        load_model("no-such-org/no-such-model")
    assert info.value.kind in ("offline", "not-found")
