"""The race as a table: one CSV row per racer and step, for spreadsheets and plots elsewhere."""

from __future__ import annotations

import io

from core.csv_safe import csv_line
from core.race.race import RaceResult

COLUMNS = ("racer", "step", "x", "y", "loss", "distance_to_minimum", "grad_norm", "evaluations", "lr", "stopped")


def race_csv(result: RaceResult) -> str:
    """All paths and per-step values; `lr` is the rate used by the step leaving that point (empty at the end).

    A racer's label is typed text: `csv_line` keeps it from running as a formula in a spreadsheet."""
    out = io.StringIO()
    out.write(csv_line(COLUMNS))
    for run in result.runs:
        dist = run.distances(result.surface.minima)
        for k in range(run.steps + 1):
            stopped = run.stop.reason if run.stop is not None and k == run.steps else ""
            out.write(
                csv_line(
                    [
                        run.label,
                        k,
                        float(run.points[k, 0]),
                        float(run.points[k, 1]),
                        float(run.losses[k]),
                        float(dist[k]),
                        float(run.grad_norms[k]),
                        int(run.evals[k]),
                        float(run.lrs[k]) if k < run.steps else None,
                        stopped,
                    ]
                )
            )
    return out.getvalue()
