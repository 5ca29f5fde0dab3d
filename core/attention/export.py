"""The numbers behind the views as files (CSV, JSON, NPZ), each saying where they came from.

Provenance (model id or folder, revision or weights hash, transformers and torch versions, attention implementation,
dtype, truncation, and the view's settings) goes into every file: as `# key: <JSON>` lines above a CSV, a
"provenance" object in JSON, and a JSON string array named "provenance" in an NPZ. CSV cells and header lines are
written by `core.csv_safe`, so a text that reads like a formula stays text in a spreadsheet.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.attention.stats import HeadStatistics
from core.csv_safe import comment_line, csv_cell, csv_line

MAX_CSV_CELLS = 200_000  # one CSV row per weight: beyond this the file is tens of MB, and NPZ is the better choice
MAX_JSON_CELLS = 1_000_000  # JSON writes each weight as text too (~12 bytes each)
MAX_CELLS = {"CSV": MAX_CSV_CELLS, "JSON": MAX_JSON_CELLS}  # NPZ (compressed binary) has no cap


@dataclass(frozen=True)
class AttentionExport:
    """Selected maps: maps [len(layers), len(heads), U, U] for layers × heads (indices counted from 0 here, written
    counted from 1 into every file, as the page shows them), labels [U]."""

    maps: np.ndarray
    labels: tuple[str, ...]
    layers: tuple[int, ...]
    heads: tuple[int, ...]
    provenance: dict[str, str]


NUMBERING = "layers and heads counted from 1 (as on the page) and token indices from 0 ([CLS] = 0)"


def _from_1(indices: tuple[int, ...]) -> list[int]:
    return [int(i) + 1 for i in indices]


def _csv_header(provenance: dict[str, str]) -> str:
    return "".join(comment_line(key, value) for key, value in provenance.items())


def attention_csv(data: AttentionExport) -> str:
    """Long format: one row per (layer, head, query, key) with both token labels and the weight."""
    out = io.StringIO()
    out.write(_csv_header({**data.provenance, "numbering": NUMBERING}))
    out.write(csv_line(["layer", "head", "query_index", "query_token", "key_index", "key_token", "weight"]))
    tokens = [csv_cell(label) for label in data.labels]  # made safe once; the other cells are numbers we format
    for a, layer in enumerate(data.layers):
        for b, head in enumerate(data.heads):
            for i, (query, weights) in enumerate(zip(tokens, data.maps[a, b].tolist(), strict=True)):
                out.write(
                    "".join(
                        f"{layer + 1},{head + 1},{i},{query},{j},{key},{w:.8g}\n"
                        for j, (key, w) in enumerate(zip(tokens, weights, strict=True))
                    )
                )
    return out.getvalue()


def attention_json(data: AttentionExport) -> str:
    return json.dumps(
        {
            "provenance": data.provenance,
            "tokens": list(data.labels),
            "layers": _from_1(data.layers),
            "heads": _from_1(data.heads),
            "numbering": NUMBERING,
            "shape": "[layers, heads, query, key]",
            "attention": np.round(np.asarray(data.maps, dtype=np.float64), 8).tolist(),
        },
        indent=1,
    )


def attention_npz(data: AttentionExport) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        attention=np.asarray(data.maps, dtype=np.float32),
        tokens=np.array(data.labels),
        layers=np.array(_from_1(data.layers)),
        heads=np.array(_from_1(data.heads)),
        numbering=np.array(NUMBERING),
        provenance=np.array(json.dumps(data.provenance)),
    )
    return buffer.getvalue()


def statistics_csv(stats: HeadStatistics, provenance: dict[str, str]) -> str:
    """The head statistics table, one row per head, with provenance lines above it."""
    rows = stats.table()
    out = io.StringIO()
    out.write(_csv_header({**provenance, "numbering": NUMBERING}))
    out.write(csv_line(rows[0]))
    for row in rows:
        out.write(csv_line(row.values()))
    return out.getvalue()


def statistics_json(stats: HeadStatistics, provenance: dict[str, str]) -> str:
    return json.dumps({"provenance": provenance, "numbering": NUMBERING, "heads": stats.table()}, indent=1)


@dataclass(frozen=True)
class Format:
    extension: str
    mime: str


FORMATS = {
    "CSV": Format("csv", "text/csv"),
    "JSON": Format("json", "application/json"),
    "NPZ": Format("npz", "application/octet-stream"),
}
ATTENTION_WRITERS: dict[str, Callable[[AttentionExport], str | bytes]] = {
    "CSV": attention_csv,
    "JSON": attention_json,
    "NPZ": attention_npz,
}
STATISTICS_WRITERS: dict[str, Callable[[HeadStatistics, dict[str, str]], str]] = {
    "CSV": statistics_csv,
    "JSON": statistics_json,
}
