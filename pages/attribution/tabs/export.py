"""Export: the result (and a network's whole map) as JSON and CSV with everything needed to re-run it, the metrics
and checks computed so far; and an export opened again, which puts its set-up (and network) back on the page."""

from __future__ import annotations

import streamlit as st

from core.attribution.export import checks_record, export_record, read_export, to_csv, to_json
from core.attribution.network_file import network_record
from core.markdown_literal import literal
from core.settings import flat_values
from pages.attribution.data import Explained
from pages.attribution.state import OPENED_NETWORK, STATE
from pages.attribution.tabs import faithfulness, robustness
from pages.heavy import result_of
from pages.session import session_fragment
from pages.widgets import download


def metrics(data: Explained) -> dict[str, float]:
    """The checks' numbers an export records: the faithfulness curves' (when computed), infidelity and
    max-sensitivity (when computed)."""
    curves = faithfulness.curves(data, here=False)
    found = {**(curves.metrics() if curves is not None else {}), "infidelity": robustness.infidelity(data)}
    sensitivity = robustness.kept_sensitivity(data)
    return found if sensitivity is None else {**found, "max_sensitivity": sensitivity}


def checks(data: Explained) -> dict:
    """The sanity check's and the baselines' results, when they were run for this result."""
    return checks_record(result_of(STATE.key("sanity"), data.asked), result_of(STATE.key("baselines"), data.asked))


@session_fragment
def render(data: Explained) -> None:
    result, setup = data.result, flat_values(data.setup)
    network = network_record(data.network) if data.network is not None else None
    if data.point is not None:
        st.markdown("**The explained point**")
    download_buttons(
        export_record(result, data.described, setup, metrics(data), data.point, checks(data), network),
        f"attribution-{result.method}",
    )
    st.caption(
        "Both carry the app's version and commit, the model's source and revision, library versions, device, task "
        "and target, method with every setting, baseline, seed, Captum's delta, the completeness check and the "
        "checks run so far (sanity, baselines)"
        + (", and the network's weights" if network is not None else "")
        + ": opening the JSON below re-runs it to the same numbers. The page link holds the same set-up."
    )
    open_export()
    if data.map is None or data.grid is None:
        return
    st.markdown("**The whole map**")
    download_buttons(
        export_record(data.map, data.described, setup, {}, data.grid.points.numpy(), network=network),
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
    download(
        row,
        "Download JSON",
        lambda: to_json(record),
        f"{name}.json",
        "application/json",
        STATE.key(f"{name}.json"),
        icon=":material/download:",
    )
    download(
        row,
        "Download CSV",
        lambda: to_csv(record),
        f"{name}.csv",
        "text/csv",
        STATE.key(f"{name}.csv"),
        icon=":material/download:",
    )


def open_export() -> None:
    """An export's JSON opened again: its set-up replaces the page's (and its network the session's) on the next
    run, which then computes the same numbers."""
    up = st.file_uploader("Open an export (JSON) to re-run it", type=["json"], key=STATE.key("open_export"))
    if up is None or st.session_state.get(STATE.key("opened_file")) == up.file_id:
        return
    try:
        opened = read_export(up.getvalue().decode("utf-8", errors="replace"))
    except ValueError as error:
        st.error(f"{literal(up.name)} was not opened: {literal(error)}. Open a JSON this page exported.")
        return
    st.session_state[STATE.key("opened_file")] = up.file_id
    OPENED_NETWORK.put(opened.network)
    STATE.replace(opened.setup, [f"Opened {up.name}.", *opened.warnings])
    st.rerun()
