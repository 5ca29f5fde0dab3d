"""Reading a user's CSV of points safely (every kind of bad file gets a message, never a traceback) and writing one.

A file has three columns, x1, x2 and a label (class id) or target (number), with or without a header row.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from core.csv_safe import csv_line
from core.data.datasets import DOMAIN
from core.setup_state import quoted

MAX_ROWS = 5000
MAX_BYTES = 1_000_000
MAX_CLASSES = 8


class CsvProblem(ValueError):
    """A file that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Points:
    """User points: `points [N, 2]`, `labels [N]` (class ids 0..K-1 or regression targets) and their task."""

    points: np.ndarray
    labels: np.ndarray
    task: str  # "binary" | "multiclass" | "regression"
    n_classes: int  # 0 for regression
    warnings: tuple[str, ...] = ()


def _number(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CsvProblem(f"Row {row}, column '{column}': {quoted(text.strip(), 30)} is not a number.") from None
    if not math.isfinite(value):
        raise CsvProblem(
            f"Row {row}, column '{column}' is {quoted(text.strip(), 30)}: only finite numbers can be plotted."
        )
    return value


def parse_points(data: bytes) -> Points:
    """Parse CSV bytes into `Points`; raises `CsvProblem` with a readable message for any bad file."""
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblem("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.") from None
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as e:
        raise CsvProblem(f"The file is not valid CSV ({e}). Expected columns x1, x2, label.") from None
    if not rows:
        raise CsvProblem("The file is empty. Expected columns x1, x2, label (or target).")
    header = [c.strip().lower() for c in rows[0]]
    has_header = any(not _is_number(c) for c in header)
    if has_header:
        if len(header) != 3 or header[:2] != ["x1", "x2"] or header[2] not in ("label", "target"):
            raise CsvProblem(
                f"The header is {quoted(', '.join(rows[0]))}; expected exactly x1, x2, label (class ids) "
                "or x1, x2, target (numbers)."
            )
        rows = rows[1:]
    if not rows:
        raise CsvProblem("The file has a header but no data rows.")
    if len(rows) > MAX_ROWS:
        raise CsvProblem(f"The file has {len(rows)} rows; at most {MAX_ROWS} are allowed.")
    names = ["x1", "x2", header[2] if has_header else "label"]
    values = np.empty((len(rows), 3))
    for i, row in enumerate(rows, start=2 if has_header else 1):
        if len(row) != 3:
            raise CsvProblem(f"Row {i} has {len(row)} columns; every row needs exactly 3 (x1, x2, label).")
        values[i - (2 if has_header else 1)] = [_number(c, i, n) for c, n in zip(row, names, strict=True)]
    points, raw = values[:, :2], values[:, 2]
    warnings = []
    outside = int(np.sum(np.any(np.abs(points) > DOMAIN[1], axis=1)))
    if outside:
        warnings.append(f"{outside} points lie outside the plotted square [-6, 6]² and are not visible.")
    is_regression = names[2] == "target" or not np.all(raw == np.round(raw))
    if is_regression:
        return Points(points, raw, "regression", 0, tuple(warnings))
    classes = np.unique(raw)
    if len(classes) < 2:
        raise CsvProblem("All points have the same label; a classifier needs at least two classes.")
    if len(classes) > MAX_CLASSES:
        raise CsvProblem(
            f"The file has {len(classes)} different labels; at most {MAX_CLASSES} classes are "
            "allowed. Name the last column 'target' if these are numbers to regress."
        )
    labels = np.searchsorted(classes, raw).astype(np.int64)  # e.g. -1/1 → 0/1
    if len(classes) == 2 and not np.array_equal(classes, [0, 1]):
        warnings.append(f"Labels {classes[0]:g} and {classes[1]:g} were read as classes 0 and 1.")
    task = "binary" if len(classes) == 2 else "multiclass"
    return Points(points, labels, task, len(classes), tuple(warnings))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def points_csv(points: np.ndarray, labels: np.ndarray, task: str) -> str:
    """CSV text with header x1, x2, label (or target for regression), readable back by `parse_points` (numbers
    only, written by `core.csv_safe` like every CSV the app writes)."""
    out = io.StringIO()
    out.write(csv_line(["x1", "x2", "target" if task == "regression" else "label"]))
    for (x1, x2), y in zip(points.tolist(), labels.tolist(), strict=True):
        out.write(csv_line([f"{x1:.6g}", f"{x2:.6g}", f"{y:.6g}" if task == "regression" else int(y)]))
    return out.getvalue()
