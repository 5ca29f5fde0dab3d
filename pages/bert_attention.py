"""BERT attention: every head of a BERT-family encoder, with rollout, flow, head statistics and the numbers behind
softmax(QKᵀ/√d)V. Thin page: widgets → AttentionSetup → core.bert → core.figures.attention → layout."""

from __future__ import annotations

import dataclasses

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.bert import ablation, compare, export, flow, neuron, norms, rollout, stats, units
from core.bert.extract import AttentionResult, extract
from core.bert.setup import VIEWS, AttentionSetup
from core.device import configure_threads
from core.figures.attention import aggregates, grid, heads, outcomes
from core.figures.attention import neuron as neuron_fig
from core.figures.attention.common import DIFF_SCALE, layer_head_figure, matrix_figure
from core.markdown_literal import literal
from core.models import EMBEDDED, LoadedModel, ModelLoadError
from core.setup_state import from_query, to_query
from core.tokens import TextInputError, encode
from pages.common import MODEL_HELP, cached_model, left_out_warnings, remember, show_warnings
from pages.session import session_fragment, session_id

TOOL = "bert-attention"
LINK_NAMES = {"text": "text", "text_b": "text B", "compare_text": "comparison text"}
LINES_MAX_HEIGHT = 720  # px; longer inputs scroll inside the head view


def K(name: str) -> str:
    """Widget and state keys of this page, prefixed by the tool key."""
    return f"{TOOL}-{name}"


configure_threads()


# ---------- cached computation: shared by every session, read-only (16 inputs each: a 256-token input of a
# 12-layer model holds ~50 MB of maps) ----------

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
def view_of(source: str, text: str, text_b: str | None, weighting: str, granularity: str,
            special: str) -> units.ShownAttention:
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
def flow_matrix(source: str, text: str, text_b: str | None, weighting: str, granularity: str, fusion: str,
                query: int | None) -> np.ndarray:
    kept = view_of(source, text, text_b, weighting, granularity, "keep")
    return flow.attention_flow(kept.maps, None if query is None else [query], fusion)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def neuron_of(source: str, text: str, text_b: str | None, layer: int, head: int,
              query: int) -> tuple[neuron.NeuronView, go.Figure]:
    """The float64 recompute for one query row and its figure (each session gets its own copy)."""
    result = attention(source, text, text_b)
    view = neuron.neuron_view(model(source), result, layer, head, query)
    return view, neuron_fig.neuron_figure(view, result.tokens)


# ---------- set-up: link ⇄ session state ----------

def _first_visit() -> list[str]:
    """On a session's first run, fill the widgets' state from the link; returns the link's warnings."""
    if K("ready") in st.session_state:
        return []
    setup, warnings = from_query(AttentionSetup, st.query_params.to_dict())
    for field in dataclasses.fields(AttentionSetup):
        value = getattr(setup, field.name)
        st.session_state[K(field.name)] = list(value) if isinstance(value, tuple) else value
    # the link counts layers and heads from 1 (as the page shows them); widget state counts from 0
    st.session_state[K("layer")] = setup.layer - 1
    st.session_state[K("heads")] = [h - 1 for h in dict.fromkeys(setup.heads)] or [0]
    st.session_state[K("pair")] = bool(setup.text_b)
    st.session_state[K("ready")] = True
    return warnings




def _current_setup() -> AttentionSetup:
    s = st.session_state
    return AttentionSetup(
        source=s[K("source")], view=s[K("view")], text=s[K("text")],
        text_b=s[K("text_b")] if s[K("pair")] else "", layer=int(s[K("layer")]) + 1,
        heads=tuple(int(h) + 1 for h in s[K("heads")]), granularity=s[K("granularity")], special=s[K("special")],
        weighting=s[K("weighting")], fusion=s[K("fusion")], compare_text=s[K("compare_text")])


def _clamp_layer_and_heads(layers: int, heads: int) -> list[str]:
    """Keep the chosen layer and heads inside this model; returns a warning for each value that was out of range."""
    s, warnings = st.session_state, []
    if not 0 <= s[K("layer")] < layers:
        warnings.append(f"Layer {s[K('layer')] + 1} does not exist in this model (layers 1–{layers}): showing "
                        "layer 1.")
        s[K("layer")] = 0
    outside = [h + 1 for h in s[K("heads")] if not 0 <= h < heads]
    if outside:
        warnings.append(f"Head {', '.join(map(str, outside))} does not exist in this model (heads 1–{heads}): "
                        "left out.")
        s[K("heads")] = [h for h in s[K("heads")] if 0 <= h < heads] or [0]
    return warnings


def _write_link(setup: AttentionSetup) -> None:
    query = to_query(setup)  # long texts travel compressed (core.setup_state)
    if dict(st.query_params) != query:
        st.query_params.clear()
        st.query_params.update(query)


# ---------- callbacks (run before the script, so they may set widget state) ----------

def _clicked_point(chart: str) -> dict | None:
    points = st.session_state[K(chart)].selection.get("points", [])
    return points[0] if points else None


def _open_clicked_head() -> None:
    """A click on a model-view thumbnail cell selects that cell's (layer, head); see grid.model_grid's point order."""
    point = _clicked_point("grid")
    if point is not None and point.get("point_index") is not None:
        layers, heads_, size = st.session_state[K("grid-shape")]
        layer, head, _q, _k = np.unravel_index(int(point["point_index"]), (layers, heads_, size, size))
        st.session_state[K("layer")] = int(layer)
        st.session_state[K("heads")] = [int(head)]


def _single_head_changed() -> None:
    st.session_state[K("heads")] = [st.session_state[K("head-single")]]


# ---------- page ----------

warnings = _first_visit()
remember([K("view")])  # the other widgets keep their values themselves (persist_state)
st.title("BERT attention")
st.caption("Every head of a BERT-family encoder on your sentence: where each token looks, how attention composes "
           "through the layers, what each head specialises in, and the float64 numbers behind softmax(QKᵀ/√d)V.")
show_warnings(warnings)

with st.container(border=True):
    top = st.columns([3, 2])
    top[0].text_area("Sentence (text A)", key=K("text"), persist_state="session", height=68,
                     help="Tokens are shown as the model sees them (WordPiece pieces start with ##).")
    top[1].text_input("Model", key=K("source"), persist_state="session", help=MODEL_HELP)
    if st.session_state[K("pair")]:
        top[0].text_area("Text B", key=K("text_b"), persist_state="session", height=68)
    row = st.container(horizontal=True, vertical_alignment="bottom")  # wraps on a narrow screen, labels whole
    row.toggle("Pair (text B)", key=K("pair"),
               persist_state="session", help="A pair is split at the first token with token_type_ids == 1.")
    row.segmented_control("Units", list(units.GRANULARITIES), key=K("granularity"),
                          persist_state="session", required=True,
                          help="Words: attention to a word = sum over its pieces, from a word = mean over its "
                               "pieces (Clark et al. 2019). [CLS] and [SEP] stay units of their own.")
    row.selectbox("[CLS] / [SEP]", list(units.SPECIAL_MODES), key=K("special"), persist_state="session", width=220,
                  format_func=units.SPECIAL_MODE_LABELS.get)
    row.selectbox("Weights", list(norms.WEIGHTINGS), key=K("weighting"),
                  persist_state="session", format_func=norms.WEIGHTING_LABELS.get,
                  width=330, help="Kobayashi et al. 2020: ‖α f(x)‖ weighs α by the size of the transformed vector "
                                  "f(x) = (x W_V + b_V) W_O that it mixes in.")

setup = _current_setup()
text_b = setup.text_b or None
if st.session_state[K("pair")] and not setup.text_b.strip():
    st.warning("Pair is on but Text B is empty: showing text A as one sentence. Type a text B, or switch Pair off.",
               icon=":material/warning:")
    text_b = None
try:
    loaded = model(setup.source)
    result = attention(setup.source, setup.text, text_b)
except (ModelLoadError, TextInputError) as error:
    _write_link(setup)
    st.error(literal(error))
    st.stop()
show_warnings(result.encoded.warnings)

L, H, T = result.num_layers, result.num_heads, result.length
show_warnings(_clamp_layer_and_heads(L, H))
setup = _current_setup()  # built after clamping: every view may index the maps with setup.layer, setup.heads (from 1)
_write_link(setup)
show_warnings(left_out_warnings(setup, LINK_NAMES))
args = (setup.source, setup.text, text_b)
shown = view_of(*args, setup.weighting, setup.granularity, setup.special)
labels = shown.units.labels
n = len(labels)
if st.session_state.get(K("query")) is None or st.session_state[K("query")] >= n:
    st.session_state[K("query")] = min(1, n - 1)

summary = (f"**{literal(loaded.provenance.name)}** · {L} layers × {H} heads · {T} tokens"
           + (f" → {n} {'words' if setup.granularity == 'words' else 'units'}" if n != T else "")
           + f" · {loaded.provenance.attn_implementation} attention, {loaded.provenance.dtype}")
if setup.granularity == "words":
    summary += " · words: attention to a word = sum over its pieces, from a word = mean over its pieces"
if setup.special != "keep":
    summary += (f" · special tokens removed: on average {shown.removed_mass.mean():.1%} of each row's attention "
                f"went to them (max {shown.removed_mass.max():.1%} in one head)"
                + ("; rows renormalised" if shown.renormalised else "; rows not renormalised"))
st.markdown(summary)


def layer_and_heads(multi: bool = True) -> tuple[int, tuple[int, ...]]:
    """The shared layer / head selectors (used by several views)."""
    cols = st.columns([1, 3] if multi else [1, 1])
    layer = cols[0].selectbox("Layer", list(range(L)), key=K("layer"),
                              persist_state="session", format_func=lambda i: f"Layer {i + 1}")
    if multi:
        chosen = cols[1].multiselect("Heads (each gets a colour)", list(range(H)), key=K("heads"),
                                     persist_state="session",
                                     format_func=lambda h: f"head {h + 1}")
        return layer, tuple(chosen) or (0,)
    st.session_state[K("head-single")] = st.session_state[K("heads")][0]
    head = cols[1].selectbox("Head", list(range(H)), format_func=lambda h: f"head {h + 1}", key=K("head-single"),
                             on_change=_single_head_changed)
    return layer, (head,)


def pair_filter() -> np.ndarray | None:
    segments = np.array(shown.units.segments)
    if not (segments == 1).any():
        return None
    name = st.segmented_control("Pair filter", list(units.PAIR_FILTERS), default="All", key=K("filter"), required=True)
    return units.PAIR_FILTERS[name or "All"](segments)


tabs = st.tabs(list(VIEWS), key=K("view"), on_change="rerun")
tab = dict(zip(VIEWS, tabs, strict=True))

@session_fragment
def head_view_tab() -> None:
    """The Head view tab; a fragment, so its own controls rerun only this tab."""
    layer, chosen = layer_and_heads()
    cols = st.columns([1, 2])
    form = cols[0].segmented_control("Form", ["Lines", "Heatmap"], default="Lines", key=K("form"), required=True)
    with cols[1]:
        visible = pair_filter()
    maps = shown.maps[layer][list(chosen)]
    if form == "Heatmap":
        st.plotly_chart(heads.head_heatmaps(maps, labels, chosen, visible), key=K("heatmaps"))
        st.caption("Row = query token, column = the token it attends to; hover a cell for its value.")
    else:
        st.iframe(heads.head_view_html(maps, labels, chosen, visible),
                  height=min(heads.head_view_height(n) + 10, LINES_MAX_HEIGHT))
        st.caption("Left: tokens attending; right: tokens attended to; a line's opacity is its weight (lines under "
                   f"{heads.MIN_WEIGHT} are not drawn). Hover a token on the left to see only its lines, on the "
                   "right only the lines into it.")
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def model_view_tab() -> None:
    """The Model view tab; a fragment, so its own controls rerun only this tab."""
    st.caption("All layers × heads for this input (row = query, column = key); hover for a head's role (see Head "
               "statistics). Click a thumbnail to open it.")
    selected = (st.session_state[K("layer")], st.session_state[K("heads")][0])
    st.session_state[K("grid-shape")] = (L, H, min(n, grid.MAX_THUMB))
    roles = head_stats(*args, setup.weighting, setup.granularity).roles
    st.plotly_chart(grid.model_grid(shown.maps, selected, roles=roles), key=K("grid"), on_select=_open_clicked_head,
                    selection_mode="points", width="content")
    layer, head = st.session_state[K("layer")], st.session_state[K("heads")][0]
    st.plotly_chart(matrix_figure(shown.maps[layer, head], labels, labels, f"Layer {layer + 1}, head {head + 1}"),
                    key=K("grid-open"))
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def neuron_view_tab() -> None:
    """The Neuron view tab; a fragment, so its own controls rerun only this tab."""
    layer, (head,) = layer_and_heads(multi=False)
    tokens = result.tokens
    if st.session_state.get(K("neuron-query"), T) >= T:
        st.session_state[K("neuron-query")] = min(1, T - 1)
    query = st.selectbox("Query token", list(range(T)), key=K("neuron-query"), persist_state="session",
                         format_func=lambda i: f"{tokens[i]} (#{i})")
    view, figure = neuron_of(*args, layer, head, query)
    worst = recompute_difference(*args)
    m = st.columns(3)
    m[0].metric("max |float64 − model| (this row)", f"{view.max_difference:.1e}")
    m[1].metric("max |float64 − model| (all layers, heads)", f"{worst:.1e}")
    m[2].metric("d_head, scale √d", f"{view.q.shape[0]}, {view.scale:.3f}")
    st.caption("Recomputed in float64 from this layer's own query/key/value weights and the hidden states "
               "entering it; the model's returned attention is float32. Always on WordPiece tokens and raw α.")
    st.plotly_chart(figure, key=K("neuron"))
    st.dataframe({"key": [f"{t} (#{j})" for j, t in enumerate(tokens)], "q·k/√d": view.scores,
                  "mask": view.mask, "softmax (float64)": view.probs, "model α (float32)": view.model_probs,
                  "|difference|": np.abs(view.probs - view.model_probs)},
                 hide_index=True, column_config={c: st.column_config.NumberColumn(format="%.6g") for c in
                                                 ("q·k/√d", "softmax (float64)", "model α (float32)",
                                                  "|difference|")})
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def aggregates_tab() -> None:
    """The Aggregates tab; a fragment, so its own controls rerun only this tab."""
    cols = st.columns([3, 1, 1.6])
    what = cols[0].segmented_control("Aggregate", ["Mean over heads", "Token through layers", "Rollout", "Flow"],
                                     default="Rollout", key=K("aggregate"), required=True)
    fusion = (cols[1].selectbox("Head fusion", list(rollout.FUSIONS), key=K("fusion"), persist_state="session",
                                help="How rollout and flow combine a layer's heads.")
              if what in ("Rollout", "Flow") else setup.fusion)  # the other aggregates are plain head means
    query = cols[2].selectbox("Token", list(range(n)), key=K("query"),
                              persist_state="session", format_func=lambda i: f"{labels[i]} (#{i})")
    kept = view_of(*args, setup.weighting, setup.granularity, "keep")
    special = np.array(kept.units.special)
    full_query = kept.units.positions.index(shown.units.positions[query])  # the same unit with specials kept
    if what == "Mean over heads":
        st.plotly_chart(aggregates.per_layer_maps(shown.maps.mean(axis=1), labels), key=K("means"))
    elif what == "Token through layers":
        st.plotly_chart(aggregates.token_through_layers(shown.maps.mean(axis=1)[:, query], labels, query,
                                                        "Head-mean attention"), key=K("through"))
    elif what == "Rollout":
        rolled = rollout.rollout(kept.maps, fusion)
        final, _ = units.SPECIAL_MODES[setup.special](rolled[-1], special)
        st.latex(r"\hat A_l = \frac{\bar A_l + I}{\mathrm{rowsum}},\qquad R_l = \hat A_l\,R_{l-1}")
        st.plotly_chart(aggregates.contributions(final, labels, f"Rollout after layer {L} ({fusion} over heads)"),
                        key=K("rollout"))
        rows = units.shown_columns(rolled[:, full_query], special, setup.special)
        st.plotly_chart(aggregates.token_through_layers(rows, labels, query, "Rollout"), key=K("rollout-rows"))
    elif len(kept.units) <= flow.MAX_FLOW_TOKENS:
        matrix = flow_matrix(*args, setup.weighting, setup.granularity, fusion, None)
        final, _ = units.SPECIAL_MODES[setup.special](matrix, special)
        st.plotly_chart(aggregates.contributions(final, labels, f"Attention flow ({fusion} over heads), rows "
                                                 "normalised"), key=K("flow"))
    elif len(kept.units) <= flow.MAX_FLOW_ROW_TOKENS:
        st.info(f"The full flow matrix is computed up to {flow.MAX_FLOW_TOKENS} units (one max-flow per pair); "
                f"with {len(kept.units)}, only the chosen token's row is computed.")
        row = flow_matrix(*args, setup.weighting, setup.granularity, fusion, full_query)
        st.plotly_chart(aggregates.flow_row(units.shown_columns(row[0], special, setup.special), labels, query),
                        key=K("flow-row"))
    else:
        st.warning(f"Attention flow needs one max-flow per token pair, so it is limited to "
                   f"{flow.MAX_FLOW_ROW_TOKENS} units; this input has {len(kept.units)}. Switch to word units or "
                   "use a shorter text.")
    st.caption("Rollout and flow (Abnar & Zuidema 2020) are computed with all tokens, [CLS]/[SEP] included, and "
               "only then hidden or renormalised for display. Flow is an exact max-flow over the layer graph, "
               "each row normalised to sum to 1.")
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def head_statistics_tab() -> None:
    """The Head statistics tab; a fragment, so its own controls rerun only this tab."""
    table = head_stats(*args, setup.weighting, setup.granularity)
    names = list(stats.STATISTICS)
    cols = st.columns([1, 2])
    name = cols[0].selectbox("Statistic", names, key=K("stat"), format_func=lambda k: stats.STATISTICS[k].label)
    cols[1].caption(f"{stats.STATISTICS[name].description}. Uniform attention over the {n} units has entropy "
                    f"ln {n} = {table.uniform_entropy:.3f}.")
    is_entropy = name == "entropy"
    st.plotly_chart(layer_head_figure(table.values[name], stats.STATISTICS[name].label,
                                      "Viridis" if is_entropy else "Blues", 0,
                                      table.uniform_entropy if is_entropy else 1, stats.STATISTICS[name].label),
                    key=K("stat-map"))
    rows = table.table()
    st.dataframe({"layer": [r["layer"] for r in rows], "head": [r["head"] for r in rows],
                  **{stats.STATISTICS[k].label: [r[k] for r in rows] for k in names},
                  "role": [r["role"] for r in rows]},
                 hide_index=True, height=320,
                 column_config={stats.STATISTICS[k].label: st.column_config.NumberColumn(format="%.3f")
                                for k in names})
    st.caption(f"Clark et al. 2019 statistics over this input ({setup.granularity}, [CLS]/[SEP] kept, "
               f"{norms.WEIGHTING_LABELS[setup.weighting]}). Each is the average over query tokens; previous/next "
               f"average over the queries that have one. Entropy uses α' = 0.9999·α + 0.0001/n. Role: the "
               f"category with at least {stats.ROLE_THRESHOLD:.0%} of the attention, else 'broad' if entropy ≥ "
               f"{stats.BROAD_FRACTION:.0%} of ln n, else 'mixed'.")
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def compare_tab() -> None:
    """The Compare tab; a fragment, so its own controls rerun only this tab."""
    st.text_input("Second sentence (compared with text A)", key=K("compare_text"), persist_state="session")
    layer, (head,) = layer_and_heads(multi=False)
    try:
        attention(setup.source, setup.compare_text, None)
    except TextInputError as error:
        st.error(literal(str(error).replace("The text", "Second sentence", 1)))
        st.stop()
    # shown with the page's [CLS]/[SEP] mode; JS needs distributions, so "hide" compares renormalised rows
    a, b = (view_of(setup.source, text, None, setup.weighting, setup.granularity, setup.special)
            for text in (setup.text, setup.compare_text))
    js_mode = "keep" if setup.special == "keep" else "exclude"
    zmax = float(max(a.maps[layer, head].max(), b.maps[layer, head].max()))  # one colour scale for A and B
    cols = st.columns(2)
    for col, side, title in ((cols[0], a, "A: " + setup.text), (cols[1], b, "B: " + setup.compare_text)):
        col.plotly_chart(matrix_figure(side.maps[layer, head], side.units.labels, side.units.labels,
                                       title[:60] + ("…" if len(title) > 60 else ""), zmax=zmax, height=420),
                         key=K(f"compare-{title[0]}"))
    try:
        diff = compare.compare(a.maps, b.maps)
    except compare.ShapeMismatchError as error:
        st.info(str(error))
    else:
        js = compare.compare(*(view_of(setup.source, text, None, setup.weighting, setup.granularity, js_mode).maps
                               for text in (setup.text, setup.compare_text))).js
        cols = st.columns(2)
        bound = float(np.abs(diff.difference[layer, head]).max()) or 1.0
        cols[0].plotly_chart(matrix_figure(diff.difference[layer, head], b.units.labels, b.units.labels,
                                           "Difference B − A (rows of B's tokens)", -bound, bound, DIFF_SCALE,
                                           "B − A", height=420), key=K("compare-diff"))
        cols[1].plotly_chart(layer_head_figure(js, "Jensen–Shannon divergence per head (bits, mean over "
                                               "queries)", "Reds", 0, None, "JS"), key=K("compare-js"))
    special_note = {"keep": "", "hide": " [CLS]/[SEP] are hidden in the maps; the JS divergence uses the rows "
                    "without them, renormalised (a divergence needs distributions).",
                    "exclude": " [CLS]/[SEP] are excluded and rows renormalised, in the maps and the JS "
                    "divergence."}[setup.special]
    st.caption("Both sentences are analysed alone (no pair), on one colour scale. The difference and JS "
               "divergence compare query rows position by position, so they need the same number of units."
               + special_note)
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def ablation_tab() -> None:
    """The Ablation tab; a fragment, so its own controls rerun only this tab."""
    options = [(layer, head) for layer in range(L) for head in range(H)]
    st.session_state[K("ablate")] = [tuple(h) for h in st.session_state.get(K("ablate"), []) if tuple(h) in options]
    off = st.multiselect("Heads to switch off", options, key=K("ablate"),
                         persist_state="session", placeholder="e.g. L1 H3, L5 H6",
                         format_func=lambda lh: f"L{lh[0] + 1} H{lh[1] + 1}")
    ablator = st.session_state.get(K("ablator"))
    if ablator is None or ablator.shared is not loaded:
        with st.spinner("Making this session's own copy of the model…"):
            ablator = ablation.HeadAblator(loaded, owner=session_id())
        st.session_state[K("ablator")] = ablator
    outcome = ablator.effect(result.encoded, frozenset(off))
    if off:
        st.markdown(f"**{literal(outcome.headline)}**")
    else:
        st.info("Pick heads to switch off; their value vectors are zeroed in this session's own copy of the "
                "model (the shared model is never changed), which is what a head mask of 0 did.")
    if off and outcome.labels:
        st.plotly_chart(outcomes.outcome_bars(outcome), key=K("ablation-bars"))
    st.plotly_chart(layer_head_figure(head_stats(*args, "attention", "tokens").values["entropy"],
                                      "Switched-off heads (red frame), over each head's attention entropy",
                                      "Blues", 0, None, "entropy", ablation.as_array(frozenset(off), L, H)),
                    key=K("ablation-grid"))
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


@session_fragment
def export_tab() -> None:
    """The Export tab; a fragment, so its own controls rerun only this tab."""
    provenance = {**result.provenance, "text": setup.text, "text_b": setup.text_b or "",
                  "units": setup.granularity, "special_tokens": setup.special,
                  "weights": norms.WEIGHTING_LABELS[setup.weighting]}
    left, right = st.columns(2, border=True)
    with left:
        st.markdown("**Attention maps** (the weights shown, in the chosen units)")
        shown_heads = ", ".join(str(h) for h in setup.heads)
        scope = st.radio("Which", ["selected layer and heads", "all layers and heads"], key=K("export-scope"),
                         horizontal=True, help="Selected = the layer and heads chosen in the Head view.")
        st.caption(f"Selected: layer {setup.layer}, head{'s' if len(setup.heads) > 1 else ''} {shown_heads} "
                   "(set in the Head view). Files count layers and heads from 1, as here; token indices from 0.")
        fmt = st.radio("Format", list(export.FORMATS), key=K("export-format"), horizontal=True)
        every = scope.startswith("all")
        layers = tuple(range(L)) if every else (setup.layer - 1,)
        chosen_heads = tuple(range(H)) if every else tuple(h - 1 for h in setup.heads)
        data = export.AttentionExport(shown.maps[list(layers)][:, list(chosen_heads)], labels, layers,
                                      chosen_heads, provenance)
        cells = data.maps.size
        limit = export.MAX_CELLS.get(fmt)
        if limit is not None and cells > limit:
            st.warning(f"{cells:,} weights are too many for {fmt} ({limit:,} at most): choose NPZ, or the "
                       "selected layer and heads.")
        else:
            form = export.FORMATS[fmt]
            writer = export.ATTENTION_WRITERS[fmt]
            st.download_button(f"Download attention ({fmt}, {cells:,} weights)", lambda: writer(data),
                               file_name=f"attention.{form.extension}", mime=form.mime,
                               key=K("download-attention"), icon=":material/download:", on_click="ignore")
    with right:
        st.markdown("**Head statistics table** (one row per head)")
        stat_fmt = st.radio("Format", list(export.STATISTICS_WRITERS), key=K("export-stats-format"),
                            horizontal=True)
        form = export.FORMATS[stat_fmt]
        table = head_stats(*args, setup.weighting, setup.granularity)
        stats_writer = export.STATISTICS_WRITERS[stat_fmt]
        st.download_button(f"Download head statistics ({stat_fmt})", lambda: stats_writer(table, provenance),
                           file_name=f"head_statistics.{form.extension}", mime=form.mime,
                           key=K("download-stats"), icon=":material/download:", on_click="ignore")
    st.markdown("**Provenance** written into every file (CSV: `# key: <JSON>` lines on top; JSON: a "
                "`provenance` object; NPZ: a `provenance` JSON string)")
    st.json(provenance, expanded=True)
    _write_link(_current_setup())  # a fragment rerun skips the page's own link update


TAB_BODIES = {"Head view": head_view_tab, "Model view": model_view_tab, "Neuron view": neuron_view_tab,
              "Aggregates": aggregates_tab, "Head statistics": head_statistics_tab, "Compare": compare_tab,
              "Ablation": ablation_tab, "Export": export_tab}
for name, draw in TAB_BODIES.items():
    if tab[name].open:
        with tab[name]:
            draw()
