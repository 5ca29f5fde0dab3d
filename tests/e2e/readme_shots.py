"""The README's screenshots, retaken from this checkout in one command, so they show the app as it is.

`python -m tests.e2e.readme_shots [--only NAME,...]` starts the app (as the browser tests do), drives each page as a
user would to reach the state a screenshot shows, and writes assets/screenshots/<name>.png, and the home page's
thumbnails (assets/thumbnails/<tool>.png) from a part of one of them. A new screenshot is one entry in SHOTS: its
link, the user's actions, its width and, for a part of the page, which part.
"""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from core.catalog import ROOT
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, page_errors, streamlit_server, wait_for_script

SCREENSHOTS = ROOT / "assets" / "screenshots"
THUMBNAILS = ROOT / "assets" / "thumbnails"
THUMBNAIL_SIZE = (480, 300)
MAIN = '[data-testid="stMain"]'
PAGE = ""  # a Shot's part: the whole page (the viewport, made as tall as the content)
CONTENT = '[data-testid="stMainBlockContainer"] > div'
TAB_PANEL = '[data-testid="stTabs"]'
PLOTS = '[data-testid="stPlotlyChart"]'
MAX_HEIGHT = 6000
Action = Callable[[object], None]


def tab(name: str) -> Action:
    """Open the tab called `name`."""

    def act(page) -> None:
        page.get_by_role("tab", name=name, exact=True).click()
        wait_for_script(page)

    return act


def click(name: str | re.Pattern, times: int = 1) -> Action:
    """Click the button called `name`, `times` times, each after the page's script has run."""

    def act(page) -> None:
        for _ in range(times):
            page.get_by_test_id("stMain").get_by_role("button", name=name).first.click()
            wait_for_script(page)

    return act


def play(seconds: float) -> Action:
    """Train the network for `seconds`, then pause and wait for the paused page (confusion matrix and all)."""

    def act(page) -> None:
        page.get_by_role("button", name=re.compile(r"^(play_arrow)?\s*Play$")).click()
        page.wait_for_timeout(seconds * 1000)
        page.get_by_role("button", name=re.compile(r"^(pause)?\s*Pause$")).click()
        page.get_by_role("button", name=re.compile(r"^(play_arrow)?\s*Play$")).wait_for(timeout=60_000)
        wait_for_script(page)

    return act


def shown(selector: str, timeout_s: float = 180) -> Action:
    """Wait until `selector` shows (a result computed after the click that asked for it)."""

    def act(page) -> None:
        page.locator(selector).first.wait_for(timeout=timeout_s * 1000)
        wait_for_script(page)

    return act


@dataclass(frozen=True)
class Shot:
    """One README screenshot: the page's link, what the user does there, and what is captured how wide."""

    link: str
    actions: tuple[Action, ...] = ()
    width: int = 1400  # the PNG's width: the viewport's for the whole page, the part's own otherwise
    part: str = PAGE  # CSS selector of the part captured, or PAGE
    until: str = ""  # CSS selector of what ends the picture at its top (the README shows what is above it)
    # (tool, selectors): the home page's picture of that tool is the page from the top of those elements, as wide
    thumbnail: tuple[str, ...] = ("",)


BUILDER = "/network-builder?" + urlencode(
    {"dataset": "spiral", "features": "x1,x2,x1^2,x2^2,sin(x1),sin(x2)", "hidden": "8,6", "learning_rate": "0.03"}
)
SHOTS: dict[str, Shot] = {
    "network-builder-training": Shot(
        BUILDER, (play(8),), until=TAB_PANEL, thumbnail=("network-builder", f"{PLOTS} >> nth=0", f"{PLOTS} >> nth=1")
    ),
    "network-builder-backward-step": Shot(
        "/network-builder?hidden=4,2",
        (tab("Step through one training step"), click("Next ▶", times=5)),
        width=940,
        part=TAB_PANEL,
    ),
    "network-builder-hand-mode": Shot("/network-builder", (tab("Hand mode"),), 1100, TAB_PANEL),
    "optimizer-race-race": Shot("/optimizer-race", thumbnail=("optimizer-race", PLOTS)),
    "optimizer-race-inside": Shot("/optimizer-race", (tab("Inside a step"),)),
    "optimizer-race-momentum": Shot("/optimizer-race", (tab("Momentum"), shown("text=the best momentum pair"))),
    "optimizer-race-landscape": Shot("/optimizer-race", (tab("Network landscape"),)),
    "bert-attention-head-view": Shot("/bert-attention?layer=2&heads=1,9,10"),
    "bert-attention-model-view": Shot(
        "/bert-attention", (tab("Model view"),), thumbnail=("bert-attention", f"{PLOTS} >> nth=0", f"{PLOTS} >> nth=1")
    ),
    "bert-attention-neuron-view": Shot("/bert-attention", (tab("Neuron view"),)),
    "bert-attention-rollout": Shot("/bert-attention", (tab("Aggregates"),)),
    "bert-attention-statistics": Shot("/bert-attention", (tab("Head statistics"),)),
    "attributions-text": Shot("/attributions", thumbnail=("attributions", PLOTS)),
    "attributions-maps": Shot("/attributions?subject=network"),
    "attributions-compare": Shot(
        "/attributions", (tab("Compare methods"), click("more method(s)"), shown("text=Spearman rank correlation"))
    ),
    "attributions-sanity": Shot(
        "/attributions", (tab("Sanity check"), click("Run the sanity check"), shown(f"{PLOTS} >> nth=3"))
    ),
    "home": Shot("/"),  # last: it shows the thumbnails taken above
}


def fit_width(page, shot: Shot) -> None:
    """Make the viewport as tall as the content (Streamlit scrolls inside its own container) and, for a part,
    as wide as makes the part `shot.width` wide."""
    for _ in range(3):
        height = int(page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight"))
        size = {"width": page.viewport_size["width"], "height": min(height + 40, MAX_HEIGHT)}
        if shot.part != PAGE:
            size["width"] += shot.width - round(page.locator(shot.part).first.bounding_box()["width"])
        page.set_viewport_size(size)
        page.wait_for_timeout(800)
        wait_for_script(page)


def capture(page, shot: Shot, path: Path) -> None:
    """Save the shot's part as tall as it is, or down to its `until`, and the thumbnail it gives, if any."""
    fit_width(page, shot)
    size = page.viewport_size
    page.mouse.move(size["width"] - 5, size["height"] - 5)  # blank page there: no hover label, no chart toolbar
    page.wait_for_timeout(300)
    content = page.locator(CONTENT).first.bounding_box()  # the page's own elements, without its bottom padding
    whole = {
        "x": 0,
        "y": 0,
        "width": size["width"],
        "height": min(size["height"], content["y"] + content["height"] + 40),
    }
    box = whole if shot.part == PAGE else page.locator(shot.part).first.bounding_box()
    if shot.until:
        box["height"] = page.locator(shot.until).first.bounding_box()["y"] - box["y"] - 8
    page.screenshot(path=str(path), clip=box)
    tool, *pictured = shot.thumbnail
    if tool:
        thumbnail(page, pictured, THUMBNAILS / f"{tool}.png")


def thumbnail(page, selectors: list[str], path: Path) -> None:
    """Save the home page's picture of a tool: the page from the top of the first element of each selector, as
    wide as they are and as tall as the thumbnail's aspect makes it, scaled down."""
    from PIL import Image

    boxes = [page.locator(selector).first.bounding_box() for selector in selectors]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    width = max(b["x"] + b["width"] for b in boxes) - left
    png = page.screenshot(
        clip={"x": left, "y": top, "width": width, "height": width * THUMBNAIL_SIZE[1] / THUMBNAIL_SIZE[0]}
    )
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").resize(THUMBNAIL_SIZE, Image.LANCZOS).save(path)


def take(browser, url: str, name: str, shot: Shot) -> list[str]:
    """Drive a fresh page to the shot's state and capture it unless it shows an error box; return those."""
    context = browser.new_context(viewport={"width": shot.width, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url + shot.link)
        wait_for_script(page, 180)
        for act in shot.actions:
            act(page)
        errors = [f"error box on the page (not saved): {text}" for text in page_errors(page)]
        if not errors:
            capture(page, shot, SCREENSHOTS / f"{name}.png")
        return errors
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SHOTS), help="comma-separated names from: " + ", ".join(SHOTS))
    args = parser.parse_args()
    names = [name for name in SHOTS if name in args.only.split(",")]
    unknown = sorted(set(args.only.split(",")) - set(SHOTS))
    if unknown:
        parser.error(f"no screenshot called {', '.join(unknown)}")
    from playwright.sync_api import sync_playwright

    troubles = {}
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in names:
            print(f"{name} …", flush=True)
            try:
                errors = take(browser, url, name, SHOTS[name])
            except Exception as e:  # one shot that cannot be taken leaves the others to be taken
                errors = [f"not taken: {e}"]
            if errors:
                troubles[name] = errors
        browser.close()
    for name, errors in troubles.items():
        print(f"{name}: {errors}")
    raise SystemExit(1 if troubles else 0)


if __name__ == "__main__":
    main()
