"""The race as a table: one CSV row per racer and step, for spreadsheets and plots elsewhere."""

from __future__ import annotations

import csv
import io

from core.optim.race import RaceResult

COLUMNS = ("racer", "step", "x", "y", "loss", "distance_to_minimum", "grad_norm", "evaluations", "lr", "stopped")


def race_csv(result: RaceResult) -> str:
    """All paths and per-step values; `lr` is the rate used by the step leaving that point (empty at the end)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for run in result.runs:
        dist = run.distances(result.surface.minima)
        for k in range(run.steps + 1):
            stopped = run.stop.reason if run.stop is not None and k == run.steps else ""
            writer.writerow(
                [
                    run.label,
                    k,
                    repr(float(run.points[k, 0])),
                    repr(float(run.points[k, 1])),
                    repr(float(run.losses[k])),
                    repr(float(dist[k])),
                    repr(float(run.grad_norms[k])),
                    int(run.evals[k]),
                    repr(float(run.lrs[k])) if k < run.steps else "",
                    stopped,
                ]
            )
    return out.getvalue()
