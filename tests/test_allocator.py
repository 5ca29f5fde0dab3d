"""core.allocator: with glibc keeping freed memory, a repeated batch reuses its memory instead of faulting it in."""

import platform
import resource
import sys

import pytest
import torch

from core.allocator import keep_freed_memory
from core.optim.landscape import filter_normalized_direction, flatten, plane_losses, toy_problem

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@pytest.mark.skipif(not GLIBC, reason="mallopt's thresholds are glibc's")
def test_a_repeated_landscape_slice_faults_no_memory_in_once_freed_memory_is_kept():
    assert keep_freed_memory() and keep_freed_memory()  # once per process, then cached
    problem = toy_problem()
    params = problem.params()
    center, d1, d2 = flatten(params), flatten(filter_normalized_direction(params, 0)), flatten(
        filter_normalized_direction(params, 1))
    a = torch.linspace(-1, 1, 51)
    first = plane_losses(problem, center, d1, d2, a, a).loss  # grows the heap once
    before = faults()
    again = plane_losses(problem, center, d1, d2, a, a).loss
    # without it glibc unmaps MiB-sized activations on free: 2,500-13,000 faults per slice on our machine
    assert faults() - before < 200
    assert torch.equal(first, again)
