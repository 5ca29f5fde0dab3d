"""The real server and a headless Chromium, shared by the end-to-end tests and the screenshot script."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from core.catalog import ROOT

CHROMIUM = os.environ.get("NNX_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium's background requests are refused by this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_LOG = ROOT / "tests" / "e2e" / "artifacts" / "server.log"
ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def browser_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(port: int | None = None, timeout: float = 90) -> Iterator[str]:
    """Run the app as `make run` does (`python app.py`) on a free loopback port; yield its URL; stop it after."""
    with server_process(port, timeout) as (url, _):
        yield url


@contextlib.contextmanager
def server_process(
    port: int | None = None,
    timeout: float = 90,
    log_path: Path = SERVER_LOG,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit_server`, yielding the process too (its pid, for what it costs); its output goes to `log_path`."""
    port = port or free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", NNX_TORCH_THREADS="1")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115 - closed below; kept to read a failure's traceback
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log.name}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for_script(page, timeout_s: float = 90) -> None:
    """Wait until the page's script has run to its end: Streamlit marks the app root with its run state
    (`data-test-script-state`), which must read "notRunning" for half a second with no skeleton left."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        busy = state != "notRunning" or page.locator('[data-testid="stSkeleton"]').count() > 0
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the page's script was still running after the time limit")


def page_errors(page) -> list[str]:
    """Texts of exception boxes, error alerts and stray tracebacks on the page."""
    found = [el.inner_text()[:300] for el in page.locator(ERROR_SELECTORS).all()]
    found += [d.inner_text()[:300] for d in page.locator('[role="dialog"]').all() if "not found" in d.inner_text()]
    body = page.locator("body").inner_text()
    if "Traceback (most recent call last)" in body:
        found.append("traceback text in the page")
    return found
