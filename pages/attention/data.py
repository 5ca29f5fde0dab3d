"""What the BERT attention views draw from: the shared read-only computations (one per input for the whole
server) and the plain `Shown` record a page run hands to every view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.attention import flow, neuron, norms, stats, units
from core.attention.extract import AttentionResult, extract
from core.attention.setup import AttentionSetup
from core.figures.attention import neuron as neuron_fig
from core.models import EMBEDDED, LoadedModel
from core.tokens import encode
from pages.common import cached_model

# Shared by every session, read-only; 16 inputs each (a 256-token input of a 12-layer model holds ~50 MB of maps).


def model(source: str) -> LoadedModel:
    """The shared read-only model (one per source for the whole server, cached in pages.common)."""
    return cached_model(source.strip() or EMBEDDED)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def attention(source: str, text: str, text_b: str | None) -> AttentionResult:
    loaded = model(source)
    return extract(loaded, encode(loaded, text, text_b))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def weighted(source: str, text: str, text_b: str | None, weighting: str) -> np.ndarray:
    """[layers, heads, T, T] maps of the chosen weighting (α or norm-based)."""
    return norms.WEIGHTINGS[weighting](model(source), attention(source, text, text_b))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def view_of(
    source: str, text: str, text_b: str | None, weighting: str, granularity: str, special: str
) -> units.ShownAttention:
    result = attention(source, text, text_b)
    return units.shown(result, weighted(source, text, text_b, weighting), granularity, special)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def recompute_difference(source: str, text: str, text_b: str | None) -> float:
    return neuron.max_difference(model(source), attention(source, text, text_b))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def head_stats(source: str, text: str, text_b: str | None, weighting: str, granularity: str) -> stats.HeadStatistics:
    kept = view_of(source, text, text_b, weighting, granularity, "keep")
    return stats.head_statistics(kept.maps, kept.units.labels, kept.units.special)


@st.cache_resource(show_spinner="Computing attention flow…", max_entries=32)
def flow_matrix(
    source: str, text: str, text_b: str | None, weighting: str, granularity: str, fusion: str, query: int | None
) -> np.ndarray:
    kept = view_of(source, text, text_b, weighting, granularity, "keep")
    return flow.attention_flow(kept.maps, None if query is None else [query], fusion)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def neuron_of(
    source: str, text: str, text_b: str | None, layer: int, head: int, query: int
) -> tuple[neuron.NeuronView, go.Figure]:
    """The float64 recompute for one query row and its figure (each session gets its own copy)."""
    result = attention(source, text, text_b)
    view = neuron.neuron_view(model(source), result, layer, head, query)
    return view, neuron_fig.neuron_figure(view, result.tokens)


@dataclass(frozen=True)
class Shown:
    """Everything a view needs from the page's run: the set-up, the model, the attention and what is shown of it.

    text_b is None when there is no second sentence; `shown` is the maps [layers, heads, n, n] in the chosen units,
    weights and [CLS]/[SEP] mode, with `labels` its n unit labels."""

    setup: AttentionSetup
    loaded: LoadedModel
    result: AttentionResult
    text_b: str | None
    shown: units.ShownAttention

    @property
    def args(self) -> tuple[str, str, str | None]:
        """(source, text, text_b): the key of the shared computations above."""
        return self.setup.source, self.setup.text, self.text_b

    @property
    def labels(self) -> tuple[str, ...]:
        return self.shown.units.labels

    @property
    def layers(self) -> int:
        return self.result.num_layers

    @property
    def heads(self) -> int:
        return self.result.num_heads
