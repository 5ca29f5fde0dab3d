"""The Network builder's live view in the real browser: frames show their images, and Pause stops training.

Both broke at ten frames a second: frames were media files the next frame replaced before the browser fetched
them (broken images), and a Pause click that Streamlit delivered twice toggled training back on.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tests.e2e.browser import page_errors, wait_for_script

if TYPE_CHECKING:  # playwright is imported only where a browser runs (tests/e2e/conftest.py)
    from playwright.sync_api import Page

PLAY = re.compile(r"^(play_arrow)?\s*Play$")
PAUSE = re.compile(r"^(pause)?\s*Pause$")
BROKEN_IMAGES = "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).length"


def _epoch(page) -> int:
    text = page.locator("h4").filter(has_text="Epoch").first.inner_text()
    return int(re.sub(r"[^0-9]", "", text))


@contextlib.contextmanager
def _builder(chromium, url: str, width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """The Network builder at `url` in a fresh browser context of that size, once its script has run."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_script(page)
        yield page
    finally:
        context.close()


def test_playing_shows_every_frame_image_and_pause_stops_training(app_url, chromium):
    for _ in range(3):  # the lost Pause happened in about half of the tries
        with _builder(chromium, f"{app_url}/network-builder") as page:
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


def test_a_slow_epoch_shows_its_progress_while_playing_and_pause_stops_it(app_url, chromium):
    """Issue 14: 6×8 hidden with 2,000 points and batch 1 showed a greyed "Epoch 0" for over 10 s. Now the frames
    that train the first epoch say how much of it is trained, before it ends; Pause stops training."""
    slow = f"{app_url}/network-builder?hidden=8,8,8,8,8,8&n_points=2000&batch_size=1"
    with _builder(chromium, slow, 1024, 768) as page:
        page.get_by_role("button", name=PLAY).click()
        # shown while an epoch is still being trained (the first one lasts a frame or two: any epoch's counts)
        progress = page.locator("small").filter(has_text=re.compile(r"epoch \d+: \d+% trained"))
        progress.first.wait_for(timeout=60_000)
        page.get_by_role("button", name=PAUSE).click()
        page.get_by_role("button", name=PLAY).wait_for(timeout=60_000)
        wait_for_script(page)
        stopped_at = page.locator("small").filter(has_text="seed").first.inner_text()
        page.wait_for_timeout(1500)
        assert page.locator("small").filter(has_text="seed").first.inner_text() == stopped_at
        assert page_errors(page) == []


def test_play_comes_back_on_the_run_that_makes_a_stopped_network_new(app_url, chromium):
    """Issue 14: after "Reached the maximum…", changing the activation reset the network to epoch 0 but Play stayed
    greyed until a second change."""
    with _builder(chromium, f"{app_url}/network-builder?dataset=xor&max_epochs=20") as page:
        page.get_by_role("button", name=PLAY).click()
        page.get_by_text("Reached the maximum").wait_for(timeout=120_000)
        play = page.get_by_role("button", name=PLAY)
        play.wait_for(timeout=60_000)  # the page's run after the stop: Pause became Play
        wait_for_script(page)
        assert play.is_disabled()
        page.get_by_label("Activation").click()
        page.get_by_role("option", name="ReLU", exact=True).click()
        page.locator("h4").filter(has_text=re.compile(r"^Epoch 0$")).wait_for(timeout=60_000)  # the new network
        wait_for_script(page)
        assert play.is_enabled()
        assert page_errors(page) == []
