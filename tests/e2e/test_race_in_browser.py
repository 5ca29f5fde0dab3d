"""The Optimizer race in the real browser (issue 14): a long race shows its progress and stops, the open tab comes
from the link, every tab name is visible at a projector's 1024 px, and a click on the momentum map runs that pair.
"""

from __future__ import annotations

import re

import pytest

from core.race.setup import TABS
from tests.e2e.browser import page_errors, wait_for_script

LONG_RACE = "/optimizer-race?surface=rastrigin&steps=5000&racers=" + ",".join(
    ["SGD lr=0.001", "Adam lr=0.05", "RMSprop lr=0.01", "Adagrad lr=0.3", "NAdam lr=0.05"] * 2
)


def test_a_long_race_waits_for_run_shows_progress_and_stops(app_url, page):
    """10 racers x 5,000 steps on Rastrigin: 29 s of blank page before; now a Run button, progress and Stop."""
    page.goto(app_url + LONG_RACE)
    wait_for_script(page)
    run = page.get_by_role("button", name=re.compile(r"Run: a race of 10 racer\(s\) × 5,000 steps"))
    assert run.count() == 1
    run.click()
    progress = page.locator('[data-testid="stProgress"]').filter(has_text="racing")
    progress.first.wait_for(timeout=60_000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name=re.compile(r"Stop$")).click()
    page.get_by_text("Stopped: you stopped it.").wait_for(timeout=30_000)
    wait_for_script(page)
    assert page_errors(page) == []


@pytest.mark.parametrize("width", [1024, 1400])
def test_every_tab_name_is_visible_and_a_link_opens_its_tab(app_url, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(app_url + "/optimizer-race?tab=Momentum")
    wait_for_script(page)
    strip = page.get_by_role("tablist").bounding_box()
    for name in TABS:
        tab = page.get_by_role("tab", name=name, exact=True)
        box = tab.bounding_box()
        assert box["x"] >= strip["x"] and box["x"] + box["width"] <= strip["x"] + strip["width"] + 1, name
        assert tab.inner_text().strip() == name  # not cut with an ellipsis
    assert page.get_by_role("tab", name="Momentum", exact=True).get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="Network landscape", exact=True).click()
    wait_for_script(page)
    assert "tab=Network+landscape" in page.url or "tab=Network%20landscape" in page.url
    assert page_errors(page) == []


def test_a_click_on_the_momentum_map_runs_that_pair(app_url, page):
    page.goto(app_url + "/optimizer-race?tab=Momentum")
    wait_for_script(page)
    page.get_by_text("the best momentum pair").wait_for(timeout=30_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    plot = chart.locator(".nsewdrag").first.bounding_box()  # the plotting area of the map
    page.mouse.click(plot["x"] + plot["width"] * 0.3, plot["y"] + plot["height"] * 0.3)
    page.get_by_text("the pair you clicked").wait_for(timeout=30_000)
    wait_for_script(page)
    text = page.get_by_test_id("stMainBlockContainer").inner_text()
    assert re.search(r"torch\.optim\.SGD\(lr=0\.\d+, momentum=0\.\d+\)", text)
    assert page_errors(page) == []


def test_a_click_on_the_race_contour_starts_the_race_there(app_url, page):
    page.goto(app_url + "/optimizer-race?steps=50")
    wait_for_script(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    plot = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(plot["x"] + plot["width"] * 0.25, plot["y"] + plot["height"] * 0.75)
    page.wait_for_url(re.compile(r"start_x=.*start_y="), timeout=30_000)
    wait_for_script(page)
    assert page_errors(page) == []
