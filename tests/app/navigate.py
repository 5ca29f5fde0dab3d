"""A page opened through app.py's navigation, as a browser opens a link (Streamlit's AppTest, no browser)."""

from __future__ import annotations

from collections.abc import Mapping

from streamlit.testing.v1 import AppTest

from core.catalog import HOME, ROOT

APP = str(ROOT / "app.py")


def through_app(page: str, query: Mapping[str, str] | None = None, timeout: float = 180) -> AppTest:
    """A new session on `page` (a catalog page path) with the link's `query`, run once.

    The navigation registers its pages when app.py first runs, so the session starts on the home page (with no
    query: what a tool reads from a link is read on that tool's first run) and then opens `page`."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if page != HOME.page:
        at.run()
        at.switch_page(page)
    at.query_params.update(query or {})
    return at.run()
