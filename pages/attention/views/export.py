"""Export: the attention maps shown and the head statistics, as files with their provenance."""

from __future__ import annotations

import streamlit as st

from core.attention import export, norms
from pages.attention.data import Shown, head_stats
from pages.attention.state import STATE, relink
from pages.session import session_fragment
from pages.widgets import download


@session_fragment
def render(data: Shown) -> None:
    setup = data.setup
    provenance = {
        **data.result.provenance,
        "text": setup.text,
        "text_b": setup.text_b or "",
        "units": setup.granularity,
        "special_tokens": setup.special,
        "weights": norms.WEIGHTING_LABELS[setup.weighting],
    }
    left, right = st.columns(2, border=True)
    with left:
        st.markdown("**Attention maps** (the weights shown, in the chosen units)")
        shown_heads = ", ".join(str(h) for h in setup.heads)
        scope = st.radio(
            "Which",
            ["selected layer and heads", "all layers and heads"],
            key=STATE.key("export-scope"),
            horizontal=True,
            help="Selected = the layer and heads chosen in the Head view.",
        )
        st.caption(
            f"Selected: layer {setup.layer}, head{'s' if len(setup.heads) > 1 else ''} {shown_heads} "
            "(set in the Head view). Files count layers and heads from 1, as here; token indices from 0."
        )
        fmt = st.radio("Format", list(export.FORMATS), key=STATE.key("export-format"), horizontal=True)
        every = scope.startswith("all")
        layers = tuple(range(data.layers)) if every else (setup.layer - 1,)
        heads = tuple(range(data.heads)) if every else tuple(h - 1 for h in setup.heads)
        maps = export.AttentionExport(
            data.shown.maps[list(layers)][:, list(heads)], data.labels, layers, heads, provenance
        )
        limit = export.MAX_CELLS.get(fmt)
        if limit is not None and maps.maps.size > limit:
            st.warning(
                f"{maps.maps.size:,} weights are too many for {fmt} ({limit:,} at most): choose NPZ, or the "
                "selected layer and heads."
            )
        else:
            form, writer = export.FORMATS[fmt], export.ATTENTION_WRITERS[fmt]
            download(
                None,
                f"Download attention ({fmt}, {maps.maps.size:,} weights)",
                lambda: writer(maps),
                f"attention.{form.extension}",
                form.mime,
                STATE.key("download-attention"),
                icon=":material/download:",
            )
    with right:
        st.markdown("**Head statistics table** (one row per head)")
        stat_fmt = st.radio(
            "Format", list(export.STATISTICS_WRITERS), key=STATE.key("export-stats-format"), horizontal=True
        )
        form, stats_writer = export.FORMATS[stat_fmt], export.STATISTICS_WRITERS[stat_fmt]
        table = head_stats(*data.args, setup.weighting, setup.granularity)
        download(
            None,
            f"Download head statistics ({stat_fmt})",
            lambda: stats_writer(table, provenance),
            f"head_statistics.{form.extension}",
            form.mime,
            STATE.key("download-stats"),
            icon=":material/download:",
        )
    st.markdown(
        "**Provenance** written into every file (CSV: `# key: <JSON>` lines on top; JSON: a "
        "`provenance` object; NPZ: a `provenance` JSON string)"
    )
    st.json(provenance, expanded=True)
    relink(data)
