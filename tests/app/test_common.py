"""The shared model cache the text pages use: one object per source, failures not retried on every rerun."""

from __future__ import annotations

import pytest

from core.models import ModelLoadError
from pages import common


def test_the_same_folder_written_differently_is_one_cached_model(tiny_folder):
    folder = tiny_folder("encoder")
    first = common.cached_model(str(folder))
    assert common.cached_model(str(folder) + "/") is first
    assert common.cached_model(f"{folder.parent}/./{folder.name}") is first
    assert common.cached_model("embedded") is common.cached_model(" embedded ")


def test_a_failed_source_is_remembered_for_a_while(tiny_folder, monkeypatch):
    calls = []

    def failing_load(source, device=None):
        calls.append(source)
        raise ModelLoadError("corrupt", "damaged")

    monkeypatch.setattr(common, "load_model", failing_load)
    common._other.clear()
    folder = str(tiny_folder("classifier"))
    for _ in range(3):
        with pytest.raises(ModelLoadError, match="damaged"):
            common.cached_model(folder)
    assert len(calls) == 1
    monkeypatch.setattr(common, "FAILURE_MEMORY_S", 0)
    with pytest.raises(ModelLoadError):
        common.cached_model(folder)
    assert len(calls) == 2
    common._failures.clear()
    common._other.clear()
