"""Why does a batch of large tensors page-fault on every call, and what stops it?

glibc's malloc serves each block over its mmap threshold (128 KiB at first, adjusted up to 32 MiB as blocks are
freed) with fresh pages from the OS, unmaps it on free, and trims the heap whenever more than twice the threshold
is free at its top. Batched work allocates MiB-sized activations over and over (a landscape chunk: [512, 128, 16]
float32, 4 MiB each), so it keeps faulting its memory in again: 2,500 to 18,000 page faults per 51×51 slice, which
then takes 24-34 ms instead of 10-15 ms on our 2-core machine. PyTorch's CPU performance guide recommends a
caching allocator (jemalloc, tcmalloc) for this; fixing glibc's two thresholds gets the same reuse without a new
library. The cost: up to 64 MiB of freed memory may stay with each malloc arena (glibc makes one per busy thread,
at most 8 per core), a bound a server holding BERT models can afford.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest (HEAP_MAX / 2 on 64-bit)
TRIM_THRESHOLD = 64 << 20


@cache
def keep_freed_memory() -> bool:
    """Once per process: ask glibc to serve blocks under 32 MiB from its heap and to keep up to 64 MiB of freed
    memory for reuse. False where the C library has no `mallopt` (macOS, Windows) or refuses (musl): those keep
    their own policy, and everything works the same, only slower on large batches."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
