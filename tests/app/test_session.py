"""pages/session.py: a session's overlapping runs take turns, the newer one cancels the older one's work, and a
session's end frees what it held."""

from __future__ import annotations

import threading
import time

import pytest

import pages.session as session
from core.copies import default_copies
from core.work import Cancelled, checkpoint, default_queue
from tests.threads import run_together


@pytest.fixture
def as_session(monkeypatch):
    """Runs as session `sid` without a Streamlit runtime (the session-end watch is a Streamlit cache)."""
    current = threading.local()
    monkeypatch.setattr(session, "session_id", lambda: current.sid)
    monkeypatch.setattr(session, "_watch_for_end", lambda sid: sid)

    def enter(sid: str):
        current.sid = sid

    return enter


def test_a_newer_run_of_a_session_cancels_the_older_ones_work_and_never_overlaps_it(as_session):
    inside, overlaps, log = [0], [], []
    started = threading.Event()

    def run(name: str, work_s: float):
        as_session("student")
        with session.one_run_at_a_time():
            inside[0] += 1
            overlaps.append(inside[0])
            started.set()
            try:
                end = time.monotonic() + work_s
                while time.monotonic() < end:
                    checkpoint()  # a training step, a batch of attributions
                    time.sleep(0.001)
                log.append((name, "finished"))
            except Cancelled:
                log.append((name, "cancelled"))
                raise
            finally:
                inside[0] -= 1

    def newer():
        started.wait(5)
        run("newer", 0.05)

    assert not run_together(lambda: run("older", 30.0), newer)
    assert log == [("older", "cancelled"), ("newer", "finished")]  # the older one stopped in well under 30 s
    assert max(overlaps) == 1


def test_runs_of_different_sessions_do_not_cancel_each_other(as_session):
    log = []

    def run(sid: str):
        as_session(sid)
        with session.one_run_at_a_time():
            for _ in range(50):
                checkpoint()
                time.sleep(0.002)
            log.append(sid)

    assert not run_together(*(lambda s=s: run(s) for s in ("a", "b", "c")))
    assert sorted(log) == ["a", "b", "c"]


def test_a_fragment_drawn_inside_its_pages_run_does_not_cancel_that_run(as_session):
    as_session("student")
    with session.one_run_at_a_time() as outer, session.one_run_at_a_time() as inner:
        assert inner is outer
        checkpoint()
    assert not outer.cancelled


def test_a_session_that_ends_stops_its_queued_work_and_drops_its_copies(as_session):
    as_session("leaving")
    with session.one_run_at_a_time():
        pass
    gate = threading.Event()

    def long_job(job):
        while not gate.wait(0.01):
            job.report(0.1)

    job = default_queue().submit(long_job, owner="leaving", label="KernelSHAP")
    default_copies().get("leaving", "ablation", lambda: bytearray(10))
    default_copies().get("staying", "ablation", lambda: bytearray(10))
    session._ended("leaving")
    assert job.wait(10) and job.state == "cancelled"
    assert default_copies().release_owner("leaving") == 0
    assert default_copies().release_owner("staying") == 1
    assert "leaving" not in session._sessions


def test_a_session_that_does_not_come_back_within_streamlits_reconnect_window_is_closed(monkeypatch):
    """Streamlit keeps a disconnected session (and everything in its session state) until a later connection
    happens to expire it; the app closes it itself once the reconnect window has passed."""
    import asyncio

    closed = []

    class Runtime:
        def is_active_session(self, sid):
            return sid == "came-back"

        def close_session(self, sid):
            closed.append(sid)

    monkeypatch.setattr(session.st, "get_option", lambda name: 0.05)
    monkeypatch.setattr(session.st.runtime, "get_instance", lambda: Runtime())

    async def disconnect_both():
        session._ended("gone")  # Streamlit calls it on its event loop
        session._ended("came-back")
        await asyncio.sleep(0.3)

    asyncio.run(disconnect_both())
    assert closed == ["gone"]
