"""Screenshots of every tool page at the projector's and a laptop's width, to compare a change before and after.

`python -m tests.e2e.screens --out DIR [--widths 1024,1400] [--links FILE]` starts the app from this checkout (as
the browser tests do) and saves DIR/<tool>-<n>-<width>.png for each link: by default every tool's page with no
link and each of its tabs opened by clicking (`--tabs`), or the links in a JSON file {tool key: [query, …]}.
Streamlit scrolls inside its own container, so the page is captured by resizing the viewport to the content.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from urllib.parse import urlencode

from core.catalog import TOOLS
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_script

CONTENT_HEIGHT = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"


def shoot(page, path: Path, width: int) -> None:
    height = max(768, min(int(page.evaluate(CONTENT_HEIGHT)) + 40, 6000))
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--widths", default="1024,1400")
    parser.add_argument("--links", type=Path, help="JSON {tool key: [query dict, …]}")
    parser.add_argument("--tabs", action="store_true", help="also click each tab of each page")
    parser.add_argument("--tools", default=",".join(t.key for t in TOOLS))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    links = json.loads(args.links.read_text()) if args.links else {}
    from playwright.sync_api import sync_playwright

    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in map(int, args.widths.split(",")):
            for key in args.tools.split(","):
                for n, query in enumerate(links.get(key) or [{}]):
                    page = browser.new_page(viewport={"width": width, "height": 768})
                    page.goto(f"{url}/{key}" + (f"?{urlencode(query)}" if query else ""))
                    wait_for_script(page)
                    shoot(page, args.out / f"{key}-{n}-{width}.png", width)
                    if args.tabs:
                        for i, tab in enumerate(page.get_by_role("tab").all()):
                            tab.click()
                            wait_for_script(page)
                            shoot(page, args.out / f"{key}-{n}-tab{i}-{width}.png", width)
                    page.close()
        browser.close()


if __name__ == "__main__":
    main()
