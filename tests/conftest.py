"""Test-wide settings: no hub access, one torch thread per process, and the shared model fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("NNX_TORCH_THREADS", "1")

import pytest
import torch

from tests.checkpoints import save_tiny

torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def model_dirs_in_tmp(tmp_path_factory):
    """Tests save tiny checkpoints under pytest's temporary folder: let the loader take folders from there."""
    os.environ["NNX_MODEL_DIRS"] = str(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def minilm():
    """The real embedded all-MiniLM-L6-v2, loaded once for the whole run (≈ 3 s)."""
    from core.models import load_model

    return load_model("embedded")


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory):
    """`tiny_folder(kind)` → a folder with a tiny saved checkpoint of that kind (see tests/checkpoints.py)."""
    made = {}

    def make(kind: str = "encoder"):
        if kind not in made:
            made[kind] = save_tiny(tmp_path_factory.mktemp(kind.replace("-", "_")), kind)
        return made[kind]

    return make
