"""Device choice and the out-of-memory fallback."""

from __future__ import annotations

import pytest
import torch

from core.device import describe_device, library_versions, pick_device, run_with_fallback


def test_cpu_is_chosen_without_cuda_and_described():
    if torch.cuda.is_available():
        assert pick_device().type == "cuda"
    else:
        assert pick_device().type == "cpu"
        assert describe_device().kind == "cpu"
    assert pick_device("cpu").type == "cpu"
    assert set(library_versions()) == {"torch", "transformers", "captum"}


def test_out_of_memory_halves_the_batch_then_succeeds():
    seen = []

    def compute(device, batch):
        seen.append(batch)
        if batch > 8:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return batch * 10

    result = run_with_fallback(compute, batch_size=32, device=torch.device("cpu"))
    assert seen == [32, 16, 8]
    assert result.value == 80 and result.batch_size == 8
    assert len(result.messages) == 2 and "retried with 16" in result.messages[0]


def test_gpu_out_of_memory_at_smallest_batch_moves_to_cpu_with_full_batch():
    def compute(device, batch):
        if device.type == "cuda":
            raise RuntimeError("CUDA error: out of memory")
        return device.type, batch

    result = run_with_fallback(compute, batch_size=4, device=torch.device("cuda"), min_batch_size=2)
    assert result.value == ("cpu", 4)
    assert any("on the CPU instead" in m for m in result.messages)


def test_cpu_out_of_memory_at_smallest_batch_raises_a_clear_memory_error():
    def compute(device, batch):
        raise MemoryError

    with pytest.raises(MemoryError, match="shorter input"):
        run_with_fallback(compute, batch_size=2, device=torch.device("cpu"))


def test_other_errors_are_not_swallowed():
    def compute(device, batch):
        raise ValueError("shape mismatch")

    with pytest.raises(ValueError, match="shape mismatch"):
        run_with_fallback(compute, batch_size=2, device=torch.device("cpu"))
