"""The checks under a result, one module per tab, each `render(data: Explained)` (a fragment: its own controls
rerun only itself): the same six tabs for a text and for the 2-D network."""

from __future__ import annotations

from collections.abc import Callable

from pages.attribution.data import Explained
from pages.attribution.state import STATE
from pages.attribution.tabs import baselines, compare, export, faithfulness, robustness, sanity

TABS: dict[str, Callable[[Explained], None]] = {
    "Faithfulness": faithfulness.render,
    "Compare methods": compare.render,
    "Baselines": baselines.render,
    "Infidelity & sensitivity": robustness.render,
    "Sanity check": sanity.render,
    "Export": export.render,
}


def render(data: Explained) -> None:
    """The tabs, of which only the open one runs."""
    for name, tab in STATE.tabs("tab", TABS).items():
        if tab.open:
            with tab:
                TABS[name](data)
