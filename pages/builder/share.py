"""Share and export: the link (with classroom mode, which hides control groups in it), the set-up as JSON both ways,
the loss history, the trained weights and a runnable PyTorch script."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from core.builder.export import history_csv, training_script, weights_safetensors
from core.builder.setup import BuilderSetup, net_spec
from core.markdown_literal import literal
from core.setup_state import SetupError, from_json, to_json, to_query
from pages.builder.state import STATE, Run


def render(run: Run) -> None:
    setup, trainer = run.setup, run.trainer
    share, export = st.columns(2)
    with share:
        query = to_query(setup)
        st.markdown("**Share**: the page address already holds the whole set-up; copy it from the browser. Query part:")
        st.code("?" + urlencode(query) if query else "(all defaults)")
        STATE.widget("hide")
        st.download_button(
            "Set-up as JSON",
            to_json(setup),
            "network_builder_setup.json",
            "application/json",
            key=STATE.key("dl_json"),
            on_click="ignore",
        )
        up = st.file_uploader("Load a set-up JSON", type=["json"], key=STATE.key("json_upload"))
        if up is not None and st.session_state.get(STATE.key("json_done")) != up.file_id:
            try:
                loaded, warnings = from_json(BuilderSetup, up.getvalue().decode("utf-8", errors="replace"))
            except SetupError as e:
                st.error(f"Could not load {literal(up.name)}: {literal(e)}.")
            else:
                st.session_state[STATE.key("json_done")] = up.file_id
                STATE.replace(loaded, warnings)
                st.rerun()
    with export:
        st.markdown("**Export**")
        st.download_button(
            "Loss history (CSV)",
            history_csv(trainer.history),
            "loss_history.csv",
            "text/csv",
            key=STATE.key("dl_hist"),
            on_click="ignore",
        )
        st.download_button(
            "Trained weights (safetensors)",
            weights_safetensors(trainer),
            "network.safetensors",
            "application/octet-stream",
            key=STATE.key("dl_weights"),
            on_click="ignore",
        )
        st.download_button(
            "Runnable PyTorch script",
            training_script(
                setup, trainer.data, trainer.head_name, net_spec(setup, trainer.data).sizes, max(trainer.epoch, 100)
            ),
            "nn_explorer_network.py",
            "text/x-python",
            key=STATE.key("dl_script"),
            on_click="ignore",
        )
        st.caption(
            "The script needs only torch and retrains the same network on the same points with the "
            "same initial weights and batch order. Plotly's toolbar on each chart saves a PNG."
        )
