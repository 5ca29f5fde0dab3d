"""Head statistics (Clark et al. 2019): what each head attends to, as a layer × head map and a table."""

from __future__ import annotations

import streamlit as st

from core.attention import norms, stats
from core.figures.attention.common import layer_head_figure
from pages.attention.data import Shown, head_stats
from pages.attention.state import STATE, relink
from pages.session import session_fragment


@session_fragment
def render(data: Shown) -> None:
    setup = data.setup
    table = head_stats(*data.args, setup.weighting, setup.granularity)
    names = list(stats.STATISTICS)
    cols = st.columns([1, 2])
    name = cols[0].selectbox("Statistic", names, key=STATE.key("stat"), format_func=lambda k: stats.STATISTICS[k].label)
    statistic = stats.STATISTICS[name]
    cols[1].caption(
        f"{statistic.description}. Uniform attention over the {len(data.labels)} units has entropy "
        f"ln {len(data.labels)} = {table.uniform_entropy:.3f}."
    )
    is_entropy = name == "entropy"
    st.plotly_chart(
        layer_head_figure(
            table.values[name],
            statistic.label,
            "Viridis" if is_entropy else "Blues",
            0,
            table.uniform_entropy if is_entropy else 1,
            statistic.label,
        ),
        key=STATE.key("stat-map"),
    )
    rows = table.table()
    st.dataframe(
        {
            "layer": [r["layer"] for r in rows],
            "head": [r["head"] for r in rows],
            **{stats.STATISTICS[k].label: [r[k] for r in rows] for k in names},
            "role": [r["role"] for r in rows],
        },
        hide_index=True,
        height=320,
        column_config={stats.STATISTICS[k].label: st.column_config.NumberColumn(format="%.3f") for k in names},
    )
    st.caption(
        f"Clark et al. 2019 statistics over this input ({setup.granularity}, [CLS]/[SEP] kept, "
        f"{norms.WEIGHTING_LABELS[setup.weighting]}). Each is the average over query tokens; previous/next "
        f"average over the queries that have one. Entropy uses α' = 0.9999·α + 0.0001/n. Role: the "
        f"category with at least {stats.ROLE_THRESHOLD:.0%} of the attention, else 'broad' if entropy ≥ "
        f"{stats.BROAD_FRACTION:.0%} of ln n, else 'mixed'."
    )
    relink(data)
