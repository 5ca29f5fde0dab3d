"""The real server in a real browser: every page opens, finishes its script and shows no error or traceback."""

from __future__ import annotations

import os

import pytest

from core.catalog import HOME, TOOLS
from tests.e2e.browser import page_errors, wait_for_script

PAGES = [HOME, *TOOLS]


@pytest.mark.parametrize("tool", PAGES, ids=[t.key for t in PAGES])
def test_page_opens_in_chromium_without_errors(tool, app_url, page, artifacts):
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.goto(f"{app_url}/{'' if tool is HOME else tool.key}")
    wait_for_script(page)
    page.screenshot(path=os.path.join(artifacts, f"{tool.key}.png"), full_page=True)
    assert page_errors(page) == []
    assert console_errors == []
    assert page.locator("h1").count() >= 1, "every page starts with a title"
