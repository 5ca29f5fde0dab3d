"""Every button on every page has an accessible name that says what it does: Streamlit names an icon-only button
after its icon ("delete icon"), which tells a screen-reader user nothing (pages/icon_button.py)."""

from __future__ import annotations

import re

import pytest

from core.catalog import HOME, TOOLS
from tests.e2e.browser import wait_for_script

BUTTON = re.compile(r'^- button(?: "(?P<name>[^"]*)")?')
ICON_NAME = re.compile(r"^[\w_]+ icon$")


@pytest.mark.parametrize("key", [HOME.key, *(t.key for t in TOOLS)])
def test_every_button_has_a_name_that_is_not_its_icon(app_url, page, key):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/{key}")
    wait_for_script(page)
    lines = [line.strip().strip("'") for line in page.locator("body").aria_snapshot().splitlines()]
    names = [m["name"] for m in map(BUTTON.match, lines) if m]
    assert names, "no buttons found: the snapshot format changed"
    assert all(names), f"a button without a name on {key}"
    assert not [n for n in names if ICON_NAME.match(n)], names
