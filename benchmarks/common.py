"""Shared timing for the benchmark rows: every row is our code timed against a baseline in the same process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One benchmark line: `ours` and `baseline` are median seconds per call; `target` says what ratio passes."""

    tool: str
    name: str
    ours_s: float
    baseline_s: float
    target: str  # e.g. "<= 1.2" (ours/baseline must be at most 1.2) or ">= 20" (baseline/ours speed-up)
    note: str = ""

    @property
    def ratio(self) -> float:
        """ours / baseline for '<=' targets; baseline / ours (a speed-up) for '>=' targets."""
        if self.target.startswith(">="):
            return self.baseline_s / self.ours_s
        return self.ours_s / self.baseline_s

    @property
    def ok(self) -> bool:
        op, value = self.target.split()
        return self.ratio <= float(value) if op == "<=" else self.ratio >= float(value)


def median_time(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of `fn()` over `repeat` calls after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def compare(
    tool: str,
    name: str,
    ours: Callable[[], object],
    baseline: Callable[[], object],
    target: str,
    repeat: int = 7,
    note: str = "",
) -> Row:
    """Time `ours` and `baseline` interleaved (so drifting machine load hits both alike) and return a Row."""
    ours(), baseline()  # warm-up both
    t_ours, t_base = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        baseline()
        t_base.append(time.perf_counter() - t0)
    return Row(tool, name, statistics.median(t_ours), statistics.median(t_base), target, note)


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages: other work on a shared machine slows every timing."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
