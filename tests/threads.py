"""Functions run on threads at once, as Streamlit runs sessions (and a session's overlapping reruns) on one server."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(*work: Callable[[], object]) -> list[BaseException]:
    """Start each function on its own thread and wait for all; returns what they raised (empty when all went well),
    so a failure inside a thread fails the test instead of vanishing with the thread."""
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], object]) -> None:
        try:
            fn()
        except BaseException as error:  # handed back to the test
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(fn,)) for fn in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
