"""The tiny saved checkpoints (tests/checkpoints.py) loaded once per run for the attribution tests."""

from __future__ import annotations

import pytest

from core.models import load_model


@pytest.fixture(scope="session")
def classifier(tiny_folder):
    return load_model(str(tiny_folder("classifier")))


@pytest.fixture(scope="session")
def masked_lm(tiny_folder):
    return load_model(str(tiny_folder("masked-lm")))
