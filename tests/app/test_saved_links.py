"""Links people saved keep working: each link in data/saved_links.json (written by the app on 2026-12-05, before the
pages were restructured, one or more per tool with non-default values) opens its page through the app's navigation
without a warning and leaves the page showing exactly that set-up (the page writes the same link back)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.catalog import TOOLS
from tests.app.navigate import through_app

SAVED = json.loads((Path(__file__).parent / "data" / "saved_links.json").read_text())
BY_KEY = {tool.key: tool for tool in TOOLS}
CASES = [(key, i, link) for key, links in SAVED.items() for i, link in enumerate(links)]


@pytest.mark.parametrize(("key", "index", "link"), CASES, ids=[f"{k}-{i}" for k, i, _ in CASES])
def test_a_saved_link_opens_the_same_set_up(key, index, link):
    at = through_app(BY_KEY[key].page, link)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning or all("link" not in w.value.lower() for w in at.warning), [w.value for w in at.warning]
    assert {k: v for k, v in at.query_params.items()} == link
