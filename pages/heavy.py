"""How a page runs heavy work: in the server's one line (`core.work`), with the user's place, a progress bar and
Stop, and only after a click when it would take long.

A result is computed on a worker thread of the queue, not in the page's run: clicking another widget reruns the
page without losing the work, and the page waits for it again. A job whose inputs changed is cancelled; a job
whose session ended is cancelled by pages/session.py. Results are kept per session (the last MEMO_SIZE of them)
until their inputs change. Work estimated over AUTO_RUN_S (a link with KernelSHAP and 2,000 samples, IG with
2,048 steps) waits for a click, so opening a shared link never starts minutes of computing by itself.

Not a page (the navigation lists pages from core.catalog).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from core.markdown_literal import literal
from core.work import Job, Shelf, default_queue
from pages.session import session_id

T = TypeVar("T")
Report = Callable[[float, str], None]  # progress(fraction in [0, 1], what it is doing now)

AUTO_RUN_S = 3.0  # work estimated longer than this starts on a click
LONGEST_S = 15 * 60  # work estimated longer than this is refused: the settings are unreasonable for a shared server
MEMO_SIZE = 24  # results kept per session
POLL_S = 0.25  # how often the page redraws the progress of a job it waits for
JOBS, RESULTS = "heavy.jobs", "heavy.results"  # session-state keys: slot → Job; (slot, key) → result
USER_ERRORS = (ValueError, MemoryError)  # core raises these with a message written for the user

log = logging.getLogger(__name__)
_shelves: dict[str, Shelf] = {}
_shelves_lock = threading.Lock()


def shelf(name: str, size: int = 16) -> Shelf:
    """The process's shelf called `name`, for results every session may share. A page script runs anew on every
    run, so a Shelf it made itself would start empty each time."""
    with _shelves_lock:
        return _shelves.setdefault(name, Shelf(size))


def duration(seconds: float) -> str:
    """'under 1 s', '4 s', '3 min 20 s', '1 h 8 min'."""
    if seconds < 1:
        return "under 1 s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {rest} s" if minutes and rest else f"{minutes} min" if minutes else f"{rest} s"


def run_heavy(
    slot: str,
    key: Hashable,
    compute: Callable[[Report], T],
    *,
    label: str,
    seconds: float | None = None,
    memory: int = 0,
    ask: bool | None = None,
    button: str | None = None,
    shelf: Shelf | None = None,
) -> T | None:
    """compute(report)'s result for `key`, or None while there is none yet (the page stops drawing what needs it).

    slot: the page area the result is for, named like the page's keys (`attributions.sanity`): one job per slot
    and session, a new key cancels the old job; its buttons are `<slot>.run` and `<slot>.stop`.
    seconds: the estimate; over AUTO_RUN_S the work waits for a click on `button` (ask forces either way).
    memory: bytes it may hold at its peak (the queue keeps running jobs within its budget).
    shelf: where results that depend on `key` alone are shared with every session (found there: no job at all).
    """
    state = st.session_state
    results: OrderedDict = state.setdefault(RESULTS, OrderedDict())
    jobs: dict[str, Job] = state.setdefault(JOBS, {})
    if (slot, key) in results:
        results.move_to_end((slot, key))
        return results[(slot, key)]

    def kept(value: T) -> T:
        results[(slot, key)] = value
        while len(results) > MEMO_SIZE:
            results.popitem(last=False)
        return value

    on_shelf = shelf.get(key) if shelf is not None else None
    if on_shelf is not None:
        return kept(on_shelf)

    def submit() -> Job:
        jobs[slot] = default_queue().submit(
            lambda job: compute(job.report), owner=session_id(), label=label, memory=memory, key=key
        )
        return jobs[slot]

    def finished(job: Job) -> T:
        del jobs[slot]
        if shelf is not None:
            shelf.put(key, job.result)
        return kept(job.result)

    job = jobs.get(slot)
    if job is not None and job.key != key:
        job.cancel("its inputs changed")
        job = None
    if job is None and seconds is not None and seconds > LONGEST_S:
        st.error(
            f"This would take about {duration(seconds)} on this server, more than the {duration(LONGEST_S)} "
            f"one computation may take here: choose fewer samples, steps or points."
        )
        return None
    if job is None and not (seconds is not None and seconds > AUTO_RUN_S if ask is None else ask):
        job = submit()
    if job is not None and (not job.over or job.state == "done"):
        _wait_for(job, slot)
        if job.state == "done":
            return finished(job)
    if job is not None:
        _say_why_it_ended(job)
    about = f" (≈ {duration(seconds)})" if seconds is not None else ""
    holder = st.empty()
    if not holder.button(
        button or f"{'Run again' if job else 'Run'}: {label}{about}", key=f"{slot}.run", icon=":material/play_arrow:"
    ):
        if job is None and seconds is not None:
            st.caption("This takes a while, so it starts when you ask; you can stop it at any time.")
        return None
    holder.empty()
    job = submit()
    _wait_for(job, slot)
    if job.state == "done":
        return finished(job)
    _say_why_it_ended(job)
    return None


def _wait_for(job: Job, slot: str) -> None:
    """Show the job's place in line or its progress, with Stop, until it is over. Streamlit stops this run at its
    next progress update if the user clicks anything; the job goes on, and the next run waits for it again."""
    if job.over:
        return
    holder = st.empty()
    box = holder.container(border=True)
    bar = box.progress(0.0, text=job.label)
    box.button("Stop", key=f"{slot}.stop", on_click=job.cancel, args=("you stopped it",), icon=":material/stop:")
    queue = default_queue()
    while not job.wait(POLL_S):
        place = queue.place(job)
        if place:
            text = (
                f"{job.label}: waiting for a free core, {place - 1} computation(s) ahead of yours"
                if place > 1
                else f"{job.label}: next in line"
            )
        elif job.token.cancelled:
            text = f"{job.label}: stopping…"
        else:
            left = job.seconds_left
            text = f"{job.label}: {job.note or 'running'}" + (
                "" if left is None else f" · about {duration(left)} left" if left >= 1 else " · almost done"
            )
        bar.progress(job.fraction, text=text)
    holder.empty()


def _say_why_it_ended(job: Job) -> None:
    if job.state == "cancelled":
        st.info(f"Stopped: {literal(job.error)}.", icon=":material/stop_circle:")
    elif isinstance(job.error, USER_ERRORS):
        st.error(literal(job.error))
    else:
        st.error(
            "This computation failed on the server (the details are in the server's log). Try other "
            "settings, or run it again."
        )


def forget(slot: str) -> None:
    """Drop this session's results and job for `slot` (a button that recomputes on purpose)."""
    state = st.session_state
    for key in [k for k in state.get(RESULTS, {}) if k[0] == slot]:
        del state[RESULTS][key]
    job = state.get(JOBS, {}).pop(slot, None)
    if job is not None:
        job.cancel("it was asked again")


def result_of(slot: str, key: Hashable) -> Any | None:
    """A kept result, without computing anything."""
    return st.session_state.get(RESULTS, {}).get((slot, key))
