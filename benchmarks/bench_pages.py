"""Server time of each tool page (`python -m benchmarks.run pages`), through app.py's navigation with Streamlit's
AppTest (the script run alone: no browser, no websocket), against the home page in the same process.

- a rerun with nothing changed: what every click costs before its own work (a light interaction should answer in
  about 100 ms of server time; the home page's rerun is Streamlit's and the navigation's own cost, about 10 ms);
- a new session's first render of the page (its link read, its first results made), against a new session's
  first render of the home page.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from streamlit.testing.v1 import AppTest

from benchmarks.common import compare
from core.catalog import HOME, ROOT, TOOLS

TOOL = "pages"
APP = str(ROOT / "app.py")
TIMEOUT_S = 300
# AppTest builds its sessions outside a script run, which Streamlit's logger reports on every call
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage()
)


def _new_session(page: str) -> AppTest:
    """A new session that has opened `page` (the navigation registers pages on app.py's first run, on home)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    if page != HOME.page:
        at.switch_page(page).run()
    if at.exception:
        raise RuntimeError(f"{page} raised: {at.exception[0].message}")
    return at


def rows():
    home = _new_session(HOME.page)
    for tool in TOOLS:
        opened = _new_session(tool.page)
        yield compare(
            TOOL,
            f"{tool.key}: rerun, nothing changed, vs the home page's",
            opened.run,
            home.run,
            "<= 10",
            repeat=7,
            note="target ≈ 100 ms of server time",
        )
    for tool in TOOLS:
        yield compare(
            TOOL,
            f"{tool.key}: a new session's first render vs the home page's",
            lambda page=tool.page: _new_session(page),
            lambda: _new_session(HOME.page),
            "<= 40",
            repeat=3,
            note="models and shared results already loaded, as on a running server",
        )
