"""Widgets several pages share: the model picker with its cache, and the display of core's warnings.

Not a page itself (the navigation lists pages from core.catalog). The model cache is process-wide: every session
gets the same read-only LoadedModel (see core/models.py for the contract).
"""

from __future__ import annotations

import streamlit as st

from core.models import EMBEDDED, LoadedModel, ModelLoadError, load_model

MODEL_HELP = (
    "`embedded` is all-MiniLM-L6-v2, shipped with the app (works offline). Or a Hugging Face Hub id such as "
    "`bert-base-uncased` (needs internet), or a folder on the server written by `save_pretrained`."
)


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=4)
def cached_model(source: str) -> LoadedModel:
    """One shared, read-only model per source for the whole server."""
    return load_model(source)


def model_picker(key: str, label: str = "Model") -> LoadedModel | None:
    """A text field for the model source; returns the loaded model, or None after showing why it failed."""
    source = st.text_input(label, value=EMBEDDED, key=key, help=MODEL_HELP).strip() or EMBEDDED
    try:
        loaded = cached_model(source)
    except ModelLoadError as error:  # a failed load is not cached: fixing the name and pressing Enter retries
        st.error(str(error), icon=":material/error:")
        return None
    st.caption(
        f"{loaded.provenance.name} · {loaded.provenance.architecture} ({loaded.head}) · {loaded.num_layers} layers × "
        f"{loaded.num_heads} heads · up to {loaded.max_length} tokens · {loaded.provenance.device}"
    )
    return loaded


def show_warnings(warnings) -> None:
    """Show core's warnings (strings) as Streamlit warnings, one box each."""
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")
