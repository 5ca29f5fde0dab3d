"""Share and export: the link (with classroom mode, which hides control groups in it), the set-up as JSON both ways,
the loss history, the trained weights and a runnable PyTorch script."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from core.builder.export import history_csv, training_script, weights_safetensors
from core.builder.setup import HIDEABLE, BuilderSetup, net_spec
from core.markdown_literal import literal
from core.setup_state import SetupError, from_json, to_json, to_query
from pages.builder.state import STATE, Run
from pages.widgets import download


def page_link(address: str | None, query: dict[str, str]) -> str:
    """The full link to this page with the set-up: `address` is the page's address as the browser sees it
    (st.context.url: scheme, host, port, path, no query), None where no browser told it (then the query alone)."""
    tail = "?" + urlencode(query) if query else ""
    return (address or "") + tail if address or tail else "(this page's address: the set-up is all defaults)"


def render(run: Run) -> None:
    setup, trainer = run.setup, run.trainer
    share, export = st.columns(2)
    with share:
        st.markdown("**Share**: this link holds the whole set-up (the copy button is at its right).")
        st.code(page_link(st.context.url, to_query(setup)), language=None, wrap_lines=True)
        if trainer.epoch:  # Streamlit starts a new session on a reload: nothing of this one comes back
            st.caption(
                f"Reloading the page (F5) starts afresh: the link brings back this set-up, not the {trainer.epoch:,} "
                "epochs trained. Download the trained weights (on the right) to keep them."
            )
        if st.session_state.get(STATE.key("teacher")):
            STATE.widget("hide")
        else:  # a student on a classroom link cannot unhide what the teacher hid
            st.caption(
                "Classroom link: it hides "
                + ", ".join(HIDEABLE[h] for h in setup.hide)
                + ". A teacher makes a classroom link from the page opened without one."
            )
        download(
            None,
            "Set-up as JSON",
            to_json(setup),
            "network_builder_setup.json",
            "application/json",
            STATE.key("dl_json"),
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
        download(
            None,
            "Loss history (CSV)",
            history_csv(trainer.history),
            "loss_history.csv",
            "text/csv",
            STATE.key("dl_hist"),
        )
        download(
            None,
            "Trained weights (safetensors)",
            weights_safetensors(trainer),
            "network.safetensors",
            "application/octet-stream",
            STATE.key("dl_weights"),
        )
        download(
            None,
            "Runnable PyTorch script",
            training_script(
                setup, trainer.data, trainer.head_name, net_spec(setup, trainer.data).sizes, max(trainer.epoch, 100)
            ),
            "nn_explorer_network.py",
            "text/x-python",
            STATE.key("dl_script"),
        )
        st.caption(
            "The script needs only torch and retrains the same network on the same points with the "
            "same initial weights and batch order. Plotly's toolbar on each chart saves a PNG."
        )
