"""NN Explorer: navigation and the shared sidebar. Each tool is a page listed in `core.catalog.TOOLS`."""

from __future__ import annotations

import streamlit as st

from core.catalog import HOME, TOOLS
from core.device import configure_threads, describe_device, library_versions


@st.cache_resource
def _machine() -> tuple[int, object, dict[str, str]]:
    """Once per server process: small torch thread pools (many sessions share the cores), device and versions."""
    return configure_threads(), describe_device(), library_versions()


st.set_page_config(page_title="NN Explorer", page_icon=":material/neurology:", layout="wide")
threads, device, versions = _machine()

pages = [st.Page(HOME.page, title=HOME.title, icon=HOME.icon, url_path=HOME.key, default=True)]
pages += [st.Page(tool.page, title=tool.title, icon=tool.icon, url_path=tool.key) for tool in TOOLS]
navigation = st.navigation(pages)

with st.sidebar:
    st.caption("Compute")
    if device.kind == "cuda":
        st.markdown(f":material/memory: **GPU** · {device.name} ({device.memory_gb} GiB)")
    else:
        st.markdown(f":material/memory: **CPU** · {threads} torch thread(s) per session · no GPU found")
    st.caption(" · ".join(f"{name} {version}" for name, version in versions.items()))

navigation.run()
