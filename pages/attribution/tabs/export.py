"""Export: the result (and a network's whole map) as JSON and CSV with everything needed to re-run it, and the
metrics computed so far."""

from __future__ import annotations

import streamlit as st

from core.attribution.export import export_record, to_csv, to_json
from core.settings import flat_values
from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.attribution.tabs import faithfulness, robustness
from pages.session import session_fragment


def metrics(data: Explained) -> dict[str, float]:
    """The checks' numbers an export records: the faithfulness curves' (when computed), infidelity and
    max-sensitivity (when computed)."""
    curves = faithfulness.curves(data, here=False)
    found = {**(curves.metrics() if curves is not None else {}), "infidelity": robustness.infidelity(data)}
    sensitivity = robustness.kept_sensitivity(data)
    return found if sensitivity is None else {**found, "max_sensitivity": sensitivity}


@session_fragment
def render(data: Explained) -> None:
    result, setup = data.result, flat_values(data.setup)
    if data.point is not None:
        st.markdown("**The explained point**")
    download_buttons(
        export_record(result, data.described, setup, metrics(data), data.point), f"attribution-{result.method}"
    )
    st.caption(
        "Both carry the model's source and revision, library versions, device, task and target, method "
        "with every setting, baseline, seed, Captum's delta and the completeness check: re-running these "
        "settings gives the same numbers. The page link holds the same set-up."
    )
    if data.map is None or data.grid is None:
        return
    st.markdown("**The whole map**")
    download_buttons(
        export_record(data.map, data.described, setup, {}, data.grid.points.numpy()),
        f"attribution-map-{data.map.method}",
    )
    resolution = data.setup.resolution
    st.caption(
        f"{len(data.map.scores):,} points ({resolution} × {resolution}), one CSV row each: "
        "x1, x2, f(x), f(baseline), f(x) − f(baseline), Σ attributions, their relative gap and each "
        "feature's attribution, so completeness can be checked everywhere; the same provenance."
    )


def download_buttons(record: dict, name: str) -> None:
    """JSON and CSV of one export record; the files are written when a button is clicked."""
    row = st.container(horizontal=True)
    row.download_button(
        "Download JSON",
        lambda: to_json(record),
        f"{name}.json",
        "application/json",
        key=STATE.key(f"{name}.json"),
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        "Download CSV",
        lambda: to_csv(record),
        f"{name}.csv",
        "text/csv",
        key=STATE.key(f"{name}.csv"),
        icon=":material/download:",
        on_click="ignore",
    )
