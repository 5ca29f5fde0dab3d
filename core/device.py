"""Where computation runs: CUDA when present, else CPU, and what to do when the GPU runs out of memory.

`run_with_fallback` is the one place that catches out-of-memory: it retries the computation with a smaller batch,
then on the CPU, and returns the value with messages a page can show as they are.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import torch

T = TypeVar("T")


def pick_device() -> torch.device:
    """CUDA when available, otherwise the CPU."""
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


@dataclass(frozen=True)
class DeviceInfo:
    """What the sidebar shows about the machine."""

    kind: str  # "cuda" or "cpu"
    name: str  # GPU name, or "CPU (n threads)"
    memory_gb: float | None  # total GPU memory, None on CPU


def describe_device(device: torch.device | None = None) -> DeviceInfo:
    device = device or pick_device()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", props.name, round(props.total_memory / 2**30, 1))
    return DeviceInfo("cpu", f"CPU ({torch.get_num_threads()} threads)", None)


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose numbers we show; for the sidebar and every export's provenance."""
    import captum
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__, "captum": captum.__version__}


def configure_threads(default: int = 1) -> int:
    """Keep torch's CPU thread pools small: one server runs many sessions, and each computation taking every core
    oversubscribes them (measured here: a forward pass under load took 12× longer with 2 threads than with 1).

    `NNX_TORCH_THREADS` overrides the default (a single user on a big machine may want more). Returns the number set.
    """
    try:
        n = int(os.environ.get("NNX_TORCH_THREADS", default))
    except ValueError:
        n = default
    n = max(1, min(n, os.cpu_count() or 1))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def _cgroup_limit_bytes() -> int | None:
    """The container's memory limit (cgroup v2 or v1), which /proc/meminfo does not show."""
    for path, usage in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            with open(path) as f:
                limit = f.read().strip()
            if limit == "max" or int(limit) > 1 << 60:
                return None
            with open(usage) as f:
                return max(0, int(limit) - int(f.read().strip()))
        except (OSError, ValueError):
            continue
    return None


def available_memory_bytes(device: torch.device | None = None) -> int:
    """Free memory on `device`: the GPU's free memory, or the RAM available to this process (the smaller of the
    machine's MemAvailable and what the container's limit leaves)."""
    device = device or pick_device()
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    machine = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    try:
        with open("/proc/meminfo") as f:
            machine = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration):
        pass
    container = _cgroup_limit_bytes()
    return machine if container is None else min(machine, container)


def is_out_of_memory(error: BaseException) -> bool:
    """True for torch's OutOfMemoryError, Python's MemoryError and the runtime errors that mean the same
    (the CPU allocator says "can't allocate memory")."""
    if isinstance(error, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


@dataclass
class Fallback(Generic[T]):
    """The value of a computation and how it was obtained: device, batch size, and what had to change."""

    value: T
    device: torch.device
    batch_size: int
    messages: list[str] = field(default_factory=list)


def run_with_fallback(
    compute: Callable[[torch.device, int], T],
    batch_size: int,
    device: torch.device | None = None,
    min_batch_size: int = 1,
) -> Fallback[T]:
    """Run `compute(device, batch_size)`; on out-of-memory halve the batch down to `min_batch_size`, then use the CPU.

    Out-of-memory on the CPU at the smallest batch is re-raised as MemoryError with a message saying what to do.
    """
    device = device or pick_device()
    first_batch_size = batch_size
    messages: list[str] = []
    while True:
        try:
            return Fallback(compute(device, batch_size), device, batch_size, messages)
        except Exception as error:
            if not is_out_of_memory(error):
                raise
            if device.type == "cuda":
                torch.cuda.empty_cache()
            if batch_size > min_batch_size:
                smaller = max(min_batch_size, batch_size // 2)
                messages.append(
                    f"Out of memory on {device.type.upper()} with batch size {batch_size}; retried with {smaller}."
                )
                batch_size = smaller
            elif device.type == "cuda":
                messages.append("Out of memory on the GPU even at the smallest batch; computed on the CPU instead.")
                device, batch_size = torch.device("cpu"), first_batch_size
            else:
                raise MemoryError(
                    "Out of memory on the CPU even at the smallest batch size. Use a shorter input, fewer steps "
                    "or samples, or a smaller model."
                ) from error
