"""What only a browser shows on the BERT attention and Attributions pages: the head view's lines above the fold of
a projector's 1024 × 768 screen, and an attribution export downloaded, opened again and re-run to the same numbers.
"""

from __future__ import annotations

import json
import re

from tests.e2e.browser import page_errors, wait_for_script


def test_the_head_views_lines_start_above_the_fold_at_1024_by_768(app_url, chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/bert-attention")
        wait_for_script(page)
        lines = page.frame_locator("iframe").first.locator("line")
        lines.first.wait_for(state="attached", timeout=15_000)
        tops = [lines.nth(i).bounding_box()["y"] for i in range(lines.count())]
        assert sum(y < 768 for y in tops) >= 20  # the first tokens' lines, without scrolling
        assert page_errors(page) == []
    finally:
        context.close()


def exported_json(page, tmp_path) -> tuple[dict, str]:
    """The Export tab's JSON of what the page shows now: (its record, the file's path)."""
    page.get_by_role("tab", name="Export").click()
    wait_for_script(page)
    with page.expect_download(timeout=15_000) as download:
        page.get_by_role("button", name=re.compile(r"Download JSON")).first.click()
    path = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.json"
    download.value.save_as(path)
    return json.loads(path.read_text()), str(path)


def test_an_attribution_export_opens_again_and_shows_the_same_numbers(app_url, page, tmp_path):
    page.goto(f"{app_url}/attributions?subject=network&method=gradient-shap&point_x=-1.0&point_y=0.5")
    wait_for_script(page)
    record, path = exported_json(page, tmp_path)
    assert record["app"]["version"] and record["network"]["layers"]
    page.goto(f"{app_url}/attributions")  # another set-up on screen, then the export opened
    wait_for_script(page)
    page.get_by_role("tab", name="Export").click()
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_text("opened from an export").wait_for(timeout=30_000)
    wait_for_script(page)
    rerun, _ = exported_json(page, tmp_path)
    assert rerun["setup"] == record["setup"]
    assert rerun["attributions"] == record["attributions"]
    assert page_errors(page) == []
