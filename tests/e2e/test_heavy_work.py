"""Heavy work in the real browser: a link's long computation waits for a click, shows its progress, and stops.

KernelSHAP with 2,000 samples from a shared link used to start on page load and run on for minutes after the tab
was closed; now it waits for Run, runs on the server's work queue with a progress bar, and Stop ends it.
"""

from __future__ import annotations

import re

from tests.e2e.browser import page_errors, wait_for_script

LINK = "/attributions?method=kernel-shap&n_samples=2000"


def test_a_long_computation_from_a_link_waits_for_run_shows_progress_and_stops(app_url, page):
    page.goto(app_url + LINK)
    wait_for_script(page)
    run = page.get_by_role("button", name=re.compile(r"Run: KernelSHAP, 2,001 evaluations"))
    assert run.count() == 1
    assert page.locator('[data-testid="stProgress"]').count() == 0  # nothing started by itself
    run.click()
    progress = page.locator('[data-testid="stProgress"]').filter(has_text="model evaluations")
    progress.first.wait_for(timeout=60_000)
    # the page's Stop, not the header's (shown while a script runs)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name=re.compile(r"Stop$")).click()
    page.get_by_text("Stopped: you stopped it.").wait_for(timeout=30_000)
    wait_for_script(page)
    assert page.get_by_role("button", name=re.compile(r"Run again: KernelSHAP")).count() == 1
    assert page_errors(page) == []
