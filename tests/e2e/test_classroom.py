"""A classroom on one server: several browser sessions open every tool at the same time and all render cleanly.

The sessions share the server's cached models; each must finish its own script without errors while the others
compute, and what one session sets must not appear in another's.
"""

from __future__ import annotations

from core.catalog import TOOLS
from tests.e2e.browser import page_errors, wait_for_script

STUDENTS = 3


def test_students_open_every_tool_at_once_without_errors(app_url, chromium):
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 900}) for _ in range(STUDENTS)]
    try:
        pages = []
        for tool in TOOLS:
            for context in contexts:  # all students open the same tool together: the heaviest case
                page = context.new_page()
                page.goto(f"{app_url}/{tool.key}", wait_until="commit")
                pages.append((tool.key, page))
        for key, page in pages:
            wait_for_script(page, timeout_s=180)
            assert page_errors(page) == [], key
    finally:
        for context in contexts:
            context.close()


def test_query_state_of_one_session_does_not_leak_into_another(app_url, chromium):
    """A link parameter opened by one student is not seen by a second student who opens the bare page."""
    first = chromium.new_context().new_page()
    second = chromium.new_context().new_page()
    first.goto(f"{app_url}/?nnx_probe=student-one")
    wait_for_script(first)
    second.goto(f"{app_url}/")
    wait_for_script(second)
    assert "nnx_probe" in first.url
    assert "nnx_probe" not in second.url
    first.context.close()
    second.context.close()
