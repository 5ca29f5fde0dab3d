"""The tool catalog that drives navigation, the home page and the page tests is consistent."""

from __future__ import annotations

import re
import struct

import pytest

from core.catalog import HOME, ROOT, TOOLS


def test_keys_are_unique_and_url_safe():
    keys = [t.key for t in (HOME, *TOOLS)]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys)


@pytest.mark.parametrize("tool", (HOME, *TOOLS), ids=lambda t: t.key)
def test_every_entry_has_its_page_a_two_line_blurb_and_a_thumbnail(tool):
    assert (ROOT / tool.page).is_file()
    assert tool.icon.startswith(":material/")
    if tool is HOME:
        return
    assert len(tool.teaches.strip().splitlines()) == 2, "the home page shows two lines per tool"
    png = tool.thumbnail_path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 200 <= width <= 1600 and 120 <= height <= 1200
    assert len(png) < 400_000
