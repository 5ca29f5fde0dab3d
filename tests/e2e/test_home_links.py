"""The home page's thumbnails are links to their tools (a new user clicks the picture, not the title under it)."""

from __future__ import annotations

from core.catalog import TOOLS
from tests.e2e.browser import page_errors, wait_for_script


def test_each_thumbnail_opens_its_tool(app_url, page):
    page.goto(app_url)
    wait_for_script(page)
    links = page.locator('[data-testid="stImageLink"]')
    assert links.count() == len([t for t in TOOLS if t.thumbnail])
    for tool in TOOLS:
        link = page.get_by_role("link", name=f"Open {tool.title}")
        assert link.get_attribute("href") == tool.key
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=f"Open {TOOLS[0].title}").click()
    tool_page = opened.value
    wait_for_script(tool_page)
    assert tool_page.url.rstrip("/").endswith(f"/{TOOLS[0].key}")
    assert tool_page.get_by_role("heading", name=TOOLS[0].title).count() == 1
    assert page_errors(tool_page) == []
