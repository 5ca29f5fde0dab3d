"""What several pages share: the process-wide model cache, its help text, and the display of core's warnings.

Not a page itself (the navigation lists pages from core.catalog). Every session gets the same read-only
LoadedModel for a source (see core/models.py for the contract), one per source and device.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import streamlit as st

from core.device import pick_device
from core.markdown_literal import literal
from core.models import EMBEDDED, LoadedModel, ModelLoadError, canonical_source, load_model
from core.setup_state import left_out_of_link

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


def show_warnings(warnings: Iterable[str]) -> None:
    """Show core's warnings as Streamlit warnings, one box each, literally (they quote link values and typed text)."""
    for warning in warnings:
        st.warning(literal(warning), icon=":material/warning:")


def left_out_warnings(setup: object, names: dict[str, str]) -> list[str]:
    """A message for each set-up field too long for the page link even compressed; `names` reads field names."""
    return [f"The {names.get(n, n)} ({len(str(getattr(setup, n))):,} characters) is too long for the page link even "
            f"compressed: the link carries the rest of the set-up and the default {names.get(n, n)}. The model reads "
            "only its first few hundred tokens anyway." for n in left_out_of_link(setup)]


KEPT = "kept."  # prefix of the plain session keys that hold a widget's value while another page is open


def remember(keys: Iterable[str]) -> None:
    """Keep these widgets' values when the user opens another page and comes back: for `st.tabs`, which has no
    `persist_state` (every other widget keeps its value with `persist_state="session"`).

    Each run copies the values to plain keys, which Streamlit keeps, and writes back the ones it forgot before the
    page draws its widgets. Only for widgets the page draws on every run: a value written back for a widget that is
    not drawn comes back later in place of a newer one.
    """
    state = st.session_state
    for key in keys:
        if key in state:
            state[KEPT + key] = state[key]
        elif KEPT + key in state:
            state[key] = state[KEPT + key]
