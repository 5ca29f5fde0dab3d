"""NN Explorer: navigation and the shared sidebar. Each tool is a page listed in `core.catalog.TOOLS`.

Start it with `python app.py [streamlit options]` (what `make run` does) or `streamlit run app.py`.
"""

from __future__ import annotations

import gc
import sys

import streamlit as st

if __name__ == "__main__" and not st.runtime.exists():
    # Launched as a plain script: start the server ourselves. Streamlit treats an app with a `pages/` folder as a
    # v1 multipage app until the first session has run st.navigation, so every session opened before that (a class
    # following a shared link right after the server starts) gets a spurious "Page not found" dialog
    # (streamlit/streamlit#8860). Declaring the v2 navigation up front avoids it.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", __file__, *sys.argv[1:]]
    sys.exit(cli.main())

from core.allocator import keep_freed_memory
from core.catalog import HOME, TOOLS
from core.device import configure_threads, describe_device, library_versions
from core.figures import use_app_template
from pages.icon_button import STYLE as ICON_ONLY_STYLE
from pages.session import one_run_at_a_time

SIDEBAR_PX = 240  # narrower than Streamlit's 300: on a 1024-pixel projector the pages keep 60 pixels more
# Streamlit's main block starts 6rem down; 3.5rem clears its header and brings each page's results 40 pixels up
# (on a 768-pixel-high projector the Network builder's plane then starts above the fold).
TOP_STYLE = '<style>[data-testid="stMainBlockContainer"] {padding-top: 3.5rem}</style>'


@st.cache_resource
def _machine() -> tuple[object, dict[str, str]]:
    """Once per server process: the device and library versions. Then freeze the objects that exist now (torch,
    transformers, captum…) out of the garbage collector's reach, so Python's automatic full collections stay cheap,
    and let malloc keep freed tensor memory for the next batch (`core.allocator`)."""
    keep_freed_memory()
    machine = describe_device(), library_versions()
    gc.freeze()
    return machine


use_app_template()  # over Streamlit's default template, whichever was imported first
st.set_page_config(
    page_title="NN Explorer", page_icon=":material/neurology:", layout="wide", initial_sidebar_state=SIDEBAR_PX
)
# torch's thread count is per OS thread and every script run (fragments too) gets a fresh thread: set it each run.
st.html(TOP_STYLE + ICON_ONLY_STYLE)  # icon-only buttons keep their words for screen readers (pages/icon_button.py)
threads = configure_threads()
device, versions = _machine()

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

with one_run_at_a_time():  # a session's overlapping runs take turns (pages/session.py)
    navigation.run()
