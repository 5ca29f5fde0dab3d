"""Step clicks while training plays: the ordinary clicks that once took the whole server down.

`python -m benchmarks.step_storm [--clicks 40] [--rounds 5]` starts the real server, opens the Network builder with
a slow set-up (2,000 points, batch 1, four layers of 8), presses Play, then clicks Step as fast as the page takes
clicks. Each Step starts a new run of the session while the last one still trains (Streamlit does not wait), so
without the session's turn-taking two threads stepped one optimizer: "modified by an inplace operation" in the log,
then a segfault in libtorch ("free(): corrupted unsorted chunks") within 16 s. Per round it prints whether the
server is still alive, errors on the page and in the server log, and how long the page took to settle.
"""

from __future__ import annotations

import argparse
import time
import urllib.request

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, page_errors, streamlit_server, wait_for_script

LINK = "/network-builder?n_points=2000&batch_size=1&hidden=8,8,8,8&train_percent=90"
SERVER_FAULTS = ("Traceback", "Segmentation", "corrupted", "nullptr", "modified by an inplace operation")


def one_round(browser, url: str, clicks: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url + LINK)
        wait_for_script(page)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(1500)
        started = time.monotonic()
        for _ in range(clicks):
            page.get_by_role("button", name="Step", exact=True).click(timeout=30_000)
            page.wait_for_timeout(50)
        wait_for_script(page, 120)
        settled = time.monotonic() - started
        return {"errors": page_errors(page), "settled_s": settled}
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from core.catalog import ROOT

    failures = 0
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        log = ROOT / "tests" / "e2e" / "artifacts" / "server.log"
        for n in range(1, args.rounds + 1):
            try:
                outcome = one_round(browser, url, args.clicks)
            except Exception as error:  # a dead server shows up as a browser timeout
                outcome = {"errors": [f"{type(error).__name__}: {str(error)[:200]}"], "settled_s": float("nan")}
            try:
                alive = urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).status == 200
            except OSError:
                alive = False
            faults = [f for f in SERVER_FAULTS if f in log.read_text(errors="replace")]
            ok = alive and not outcome["errors"] and not faults
            failures += not ok
            print(
                f"round {n}: {args.clicks} Step clicks while playing · server {'alive' if alive else 'DEAD'} · "
                f"page errors {outcome['errors'] or 'none'} · server log faults {faults or 'none'} · "
                f"settled {outcome['settled_s']:.1f} s after the first click"
            )
            if not alive:
                break
        browser.close()
    print(f"{args.rounds - failures} of {args.rounds} rounds clean")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
