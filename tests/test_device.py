"""Device choice and the out-of-memory fallback."""

from __future__ import annotations

import pytest
import torch

from core.device import (
    available_memory_bytes,
    configure_threads,
    describe_device,
    is_out_of_memory,
    library_versions,
    pick_device,
    run_with_fallback,
)


def test_cpu_is_chosen_without_cuda_and_described():
    if torch.cuda.is_available():
        assert pick_device().type == "cuda"
    else:
        assert pick_device().type == "cpu"
        assert describe_device().kind == "cpu"
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


def test_the_cpu_allocators_real_failure_counts_as_out_of_memory():
    try:
        torch.empty(10**14, dtype=torch.uint8)  # 100 TB: the CPU allocator refuses at once, allocating nothing
    except RuntimeError as error:
        assert is_out_of_memory(error)
    else:  # pragma: no cover - a machine with 100 TB
        pytest.skip("the allocation succeeded")


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("nonsense", 1), ("-3", 1), ("100000", None)])
def test_thread_setting_is_parsed_safely(monkeypatch, value, expected):
    import os

    before = torch.get_num_threads()
    monkeypatch.setenv("NNX_TORCH_THREADS", value)
    try:
        n = configure_threads()
        assert n == (expected or os.cpu_count())
        assert torch.get_num_threads() == n
    finally:
        torch.set_num_threads(before)


def test_available_cpu_memory_is_positive_and_at_most_the_machines():
    import os

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < available_memory_bytes(torch.device("cpu")) <= total
