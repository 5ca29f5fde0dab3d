"""The Network builder's live view in the real browser: frames show their images, and Pause stops training.

Both broke at ten frames a second: frames were media files the next frame replaced before the browser fetched
them (broken images), and a Pause click that Streamlit delivered twice toggled training back on.
"""

from __future__ import annotations

import re

from tests.e2e.browser import page_errors, wait_for_script

PLAY = re.compile(r"^(play_arrow)?\s*Play$")
PAUSE = re.compile(r"^(pause)?\s*Pause$")
BROKEN_IMAGES = "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).length"


def _epoch(page) -> int:
    text = page.locator("h4").filter(has_text="Epoch").first.inner_text()
    return int(re.sub(r"[^0-9]", "", text))


def test_playing_shows_every_frame_image_and_pause_stops_training(app_url, chromium):
    for _ in range(3):  # the lost Pause happened in about half of the tries
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(f"{app_url}/network-builder")
            wait_for_script(page)
            page.get_by_role("button", name=PLAY).click()
            broken = 0
            for _ in range(12):
                page.wait_for_timeout(250)
                broken += page.evaluate(BROKEN_IMAGES)
            assert broken == 0
            page.get_by_role("button", name=PAUSE).click()
            page.wait_for_timeout(2000)
            paused_at = _epoch(page)
            assert paused_at > 0
            page.wait_for_timeout(2000)
            assert _epoch(page) == paused_at
            assert page.get_by_role("button", name=PLAY).count() == 1
            assert page_errors(page) == []
        finally:
            context.close()
