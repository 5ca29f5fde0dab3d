"""Why does a batch of large tensors page-fault on every call, and what stops it?

glibc's malloc serves each block over its mmap threshold (128 KiB at first, adjusted up to 32 MiB as blocks are
freed) with fresh pages from the OS, unmaps it on free, and trims the heap whenever more than twice the threshold
is free at its top. Batched work allocates MiB-sized activations over and over (a landscape chunk: [512, 128, 16]
float32, 4 MiB each), so it keeps faulting its memory in again: 2,500 to 18,000 page faults per 51×51 slice, which
then takes 24-34 ms instead of 10-15 ms on our 2-core machine. PyTorch's CPU performance guide recommends a
caching allocator (jemalloc, tcmalloc) for this; fixing glibc's two thresholds gets the same reuse without a new
library. The cost: up to 64 MiB of freed memory may stay with each malloc arena, so the arenas are capped
(glibc would make one per busy thread, up to 8 per core: a server whose sessions each run on a new thread ratcheted
up to 3.5 GB of RSS with 0.2 GB in use), and `give_back_memory` returns what is kept once the server goes quiet.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
from functools import cache

M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 32 << 20  # glibc's largest (HEAP_MAX / 2 on 64-bit)
TRIM_THRESHOLD = 64 << 20
QUIET_S = 2.0  # memory is given back once nothing heavy has run for this long (a burst of work keeps its reuse)


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt.argtypes, libc.mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def max_arenas() -> int:
    """malloc arenas for the whole process: two per core (glibc's default allows eight), `NNX_MALLOC_ARENAS`."""
    try:
        return max(1, int(os.environ["NNX_MALLOC_ARENAS"]))
    except (KeyError, ValueError):
        return 2 * (os.cpu_count() or 1)


@cache
def keep_freed_memory() -> bool:
    """Once per process: ask glibc to serve blocks under 32 MiB from its heap, to keep up to 64 MiB of freed
    memory per arena for reuse, and to make at most `max_arenas()` arenas. False where the C library has no
    `mallopt` (macOS, Windows) or refuses (musl): those keep their own policy, and everything works the same, only
    slower on large batches."""
    libc = _libc()
    if libc is None:
        return False
    return (
        bool(libc.mallopt(M_ARENA_MAX, max_arenas()))
        and bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
        and bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    )


def trim() -> bool:
    """Return the free memory glibc keeps (in every arena, not only at the heap's top) to the OS now."""
    libc = _libc()
    return libc is not None and bool(libc.malloc_trim(0))


_quiet_timer: threading.Timer | None = None
_quiet_lock = threading.Lock()


def give_back_memory(collect: bool = False, delay: float = QUIET_S) -> None:
    """Give freed memory back to the OS `delay` seconds from now unless this is called again before (so a burst of
    computations keeps reusing its memory); `collect` first runs a full garbage collection, for tensors left in
    reference cycles by sessions that ended (the app turns Streamlit's after-run collection off)."""
    global _quiet_timer
    with _quiet_lock:
        if _quiet_timer is not None:
            _quiet_timer.cancel()
            collect = collect or _quiet_timer.args[0]  # a collection asked for earlier still happens
        _quiet_timer = threading.Timer(delay, _give_back, args=(collect,))
        _quiet_timer.daemon = True
        _quiet_timer.start()


def _give_back(collect: bool) -> None:
    if collect:
        gc.collect()
    trim()
