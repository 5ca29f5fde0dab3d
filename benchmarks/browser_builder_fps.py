"""Animation rate of the network builder in a real browser: refreshes per second and epochs per second.

Starts the app (tests/e2e/browser.py's server), opens the builder in headless Chromium at TF Playground's defaults
(circle, 2-4-2-1 tanh, 250 training points, batch 10), sets "Epochs per frame", presses Play and, for `--seconds`,
records in the page every change of the "Epoch N" counter (one per refresh of the live view). Prints both rates
and the load average. Run: `python -m benchmarks.browser_builder_fps [--speed 10] [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import re
import time

from playwright.sync_api import sync_playwright

from benchmarks.common import load_average
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_script

# Records (time in ms, epoch) whenever the text of the epoch counter changes.
OBSERVER = """() => {
  window.__frames = [];
  let last = null;
  const read = () => {
    const el = [...document.querySelectorAll('h4')].find(h => h.innerText.startsWith('Epoch'));
    if (!el) return;
    const epoch = parseInt(el.innerText.replace(/[^0-9]/g, ''), 10);
    if (epoch !== last) { last = epoch; window.__frames.push([performance.now(), epoch]); }
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def set_speed(page, speed: int) -> None:
    """Move the "Epochs per frame" select slider with the keyboard until it shows `speed`."""
    slider = page.get_by_role("slider", name=re.compile("Epochs per frame"))
    if slider.count() == 0:
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Epochs per frame").get_by_role("slider")
    for _ in range(12):
        now = int(slider.get_attribute("aria-valuetext") or slider.get_attribute("aria-valuenow") or 0)
        if now == speed:
            return
        slider.focus()
        page.keyboard.press("ArrowRight" if now < speed else "ArrowLeft")
        page.wait_for_timeout(300)
        wait_for_script(page)
    raise ValueError(f"could not set the speed to {speed}")


def measure(speed: int, seconds: float, warmup: float = 3.0) -> dict[str, float]:
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(f"{url}/network-builder")
        wait_for_script(page)
        set_speed(page, speed)
        page.evaluate(OBSERVER)
        page.get_by_role("button", name=re.compile("^(play_arrow)?\\s*Play$")).click()
        page.wait_for_timeout(warmup * 1000)
        start = page.evaluate("window.__frames.length")
        page.wait_for_timeout(seconds * 1000)
        frames = page.evaluate("window.__frames")[max(start - 1, 0) :]
        page.get_by_role("button", name=re.compile("^(pause)?\\s*Pause$")).click()
        browser.close()
    if len(frames) < 2:
        return {"refreshes_per_s": 0.0, "epochs_per_s": 0.0}
    span = (frames[-1][0] - frames[0][0]) / 1000
    return {
        "refreshes_per_s": (len(frames) - 1) / span,
        "epochs_per_s": (frames[-1][1] - frames[0][1]) / span,
        "seconds": span,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=int, default=10, help="epochs per frame (one of the page's choices)")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    load_before = load_average()
    t0 = time.monotonic()
    result = measure(args.speed, args.seconds)
    print(
        f"speed {args.speed} epochs/frame: {result['refreshes_per_s']:.1f} refreshes/s, "
        f"{result['epochs_per_s']:.0f} epochs/s over {result.get('seconds', 0):.1f} s "
        f"(load average before {load_before}, after {load_average()};"
        f" {time.monotonic() - t0:.0f} s in all)"
    )


if __name__ == "__main__":
    main()
