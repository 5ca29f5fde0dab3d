"""A classroom on one server: several browser sessions open every page at the same time and all render cleanly.

The sessions share the server's cached models; each must finish its own script without errors while the others
compute.
"""

from __future__ import annotations

from core.catalog import HOME, TOOLS
from tests.e2e.browser import page_errors, wait_for_script

STUDENTS = 3


def test_students_open_every_page_at_once_without_errors(app_url, chromium):
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 900}) for _ in range(STUDENTS)]
    try:
        pages = []
        for tool in (HOME, *TOOLS):
            for context in contexts:  # all students open the same page together: the heaviest case
                page = context.new_page()
                page.goto(f"{app_url}/{'' if tool is HOME else tool.key}", wait_until="commit")
                pages.append((tool.key, page))
        assert len(pages) == STUDENTS * (1 + len(TOOLS))
        for key, page in pages:
            wait_for_script(page, timeout_s=180)
            assert page.locator("h1").count() >= 1, key
            assert page_errors(page) == [], key
    finally:
        for context in contexts:
            context.close()
