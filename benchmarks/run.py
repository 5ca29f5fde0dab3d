"""One command for all benchmarks: `python -m benchmarks.run [tool ...]` prints a table of ratios.

Each `benchmarks/bench_<tool>.py` defines `rows() -> Iterable[Row]`; they are discovered here, so adding a tool's
rows needs no change to this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import torch

import benchmarks
from benchmarks.common import Row
from core.allocator import keep_freed_memory


def available() -> list[str]:
    """Tool names with a benchmarks/bench_<tool>.py."""
    return sorted(m.name[6:] for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    unknown = set(argv) - set(available())
    if unknown:
        print(f"No benchmarks for {', '.join(sorted(unknown))}; choose from: {', '.join(available())}")
        return 2
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    # the app's allocator set-up (see app.py), so the rows time what a user gets; both sides of a row share it
    kept = "malloc keeps freed memory" if keep_freed_memory() else "system malloc policy"
    print(f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads, {kept}\n")
    header = f"{'tool':<11} {'benchmark':<58} {'ours':>10} {'baseline':>10} {'ratio':>7} {'target':>7}  ok"
    print(header)
    print("-" * len(header))
    failed = 0
    for name in argv or available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        for row in module.rows():
            assert isinstance(row, Row)
            failed += not row.ok
            print(
                f"{row.tool:<11} {row.name:<58} {row.ours_s * 1e3:>8.2f}ms {row.baseline_s * 1e3:>8.2f}ms "
                f"{row.ratio:>7.2f} {row.target:>7}  {'yes' if row.ok else 'NO'}"
                + (f"   ({row.note})" if row.note else ""),
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
