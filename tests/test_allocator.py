"""core.allocator: with glibc keeping freed memory, a repeated batch reuses its memory instead of faulting it in."""

import platform
import resource
import sys

import pytest
import torch

from core.allocator import keep_freed_memory
from core.race.landscape import filter_normalized_direction, flatten, plane_losses, toy_problem

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc" and sys.maxsize > 2**32


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@pytest.mark.skipif(not GLIBC, reason="mallopt's thresholds are glibc's (64-bit)")
def test_a_repeated_landscape_slice_faults_no_memory_in_once_freed_memory_is_kept():
    assert keep_freed_memory()
    problem = toy_problem()
    params = problem.params()
    center = flatten(params)
    d1, d2 = (flatten(filter_normalized_direction(params, seed)) for seed in (0, 1))
    a = torch.linspace(-1, 1, 51)
    first = plane_losses(problem, center, d1, d2, a, a).loss
    for _ in range(3):  # the heap grows to its working size over the first few slices
        plane_losses(problem, center, d1, d2, a, a)
    counts = []
    for _ in range(3):
        before = faults()
        again = plane_losses(problem, center, d1, d2, a, a).loss
        counts.append(faults() - before)
    # without it glibc unmaps MiB-sized activations on free: 2,500-18,000 faults per slice on our machine
    assert min(counts) < 200, counts
    assert torch.equal(first, again)
