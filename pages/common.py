"""What several pages share: the process-wide model cache and its help text.

Not a page itself (the navigation lists pages from core.catalog). Every session gets the same read-only
LoadedModel for a source (see core/models.py for the contract), one per source and device.
"""

from __future__ import annotations

import threading
import time

import streamlit as st

from core.device import pick_device
from core.models import EMBEDDED, LoadedModel, ModelLoadError, canonical_source, load_model

MODEL_HELP = (
    "`embedded` is all-MiniLM-L6-v2, shipped with the app (works offline). Or a Hugging Face Hub id such as "
    "`bert-base-uncased` (needs internet), or the name of a folder written by `save_pretrained` inside the "
    "server's model folder (`./models`, or the folders in NNX_MODEL_DIRS)."
)
FAILURE_MEMORY_S = 30  # a failed source is not retried on every rerun for this long

_failures: dict[tuple[str, str], tuple[float, ModelLoadError]] = {}
_failures_lock = threading.Lock()


@st.cache_resource(show_spinner="Loading the model (once per server)…")
def _embedded(device: str) -> LoadedModel:
    """The default model, kept apart so other sources can never push it out of the cache."""
    return load_model(EMBEDDED, device=_device(device))


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=4)
def _other(canonical: str, device: str) -> LoadedModel:
    return load_model(canonical, device=_device(device))


def _device(name: str):
    import torch

    return torch.device(name)


def cached_model(source: str, device: str | None = None) -> LoadedModel:
    """The shared model for `source` on `device` ("cpu", "cuda"; default: the best available).

    Raises ModelLoadError with a message to show. A failure is remembered for FAILURE_MEMORY_S seconds, so a page
    that reruns on every widget change does not retry a download that just failed.
    """
    canonical = canonical_source(source)
    device = device or pick_device().type
    key = (canonical, device)
    with _failures_lock:
        failed = _failures.get(key)
        if failed and time.monotonic() - failed[0] < FAILURE_MEMORY_S:
            raise failed[1]
    try:
        return _embedded(device) if canonical == EMBEDDED else _other(canonical, device)
    except ModelLoadError as error:
        with _failures_lock:
            _failures[key] = (time.monotonic(), error)
        raise
