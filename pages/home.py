"""Home: what each tool teaches, with a picture of it, and how to run NN Explorer for a class."""

from __future__ import annotations

import streamlit as st

from core.catalog import TOOLS

st.title("NN Explorer")
st.markdown(
    "See inside neural networks, computed live with PyTorch: every number on these pages comes from the real "
    "model and is checked in our tests against an independent reference."
)

if not TOOLS:
    st.info("No tools are installed yet.")

for row_start in range(0, len(TOOLS), 2):
    columns = st.columns(2, gap="large")
    for column, tool in zip(columns, TOOLS[row_start : row_start + 2], strict=False):
        with column, st.container(border=True):
            if tool.thumbnail and tool.thumbnail_path.is_file():
                # a relative link: it also works under a proxy's path prefix (Streamlit opens it in a new tab)
                st.image(str(tool.thumbnail_path), width="stretch", link=tool.key, alt=f"Open {tool.title}")
            st.page_link(tool.page, label=f"**{tool.title}**", icon=tool.icon)
            st.markdown(tool.teaches)

with st.expander("Using NN Explorer in a classroom"):
    st.markdown(
        "- Start one server with `make run ADDRESS=0.0.0.0` and give students its address: each browser tab is "
        "its own session, with its own network and settings.\n"
        "- Models load once per server and are shared read-only, so thirty students cost one model's memory.\n"
        "- Set-ups live in the page address: copy the link to hand out exactly what you see."
    )
