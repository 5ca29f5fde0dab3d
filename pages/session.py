"""Whose run is this, what happens when a session's runs overlap, and what is freed when the session ends?

Streamlit starts a session's next run on a new thread while its last run may still be computing (that one stops
only at its next Streamlit call), so two threads of one session would touch the same trainer, ablated model or
memo at once; one such overlap crashed the whole server. Every run of the app goes through
`one_run_at_a_time()`: it cancels the computations of the session's previous run (their next
`core.work.checkpoint()` raises Cancelled), waits for that run to let go, and runs alone. `session_fragment` does the
same for a fragment's own reruns. When the session disconnects, `_ended` cancels its queued work, drops its private
model copies and gives the memory back.

Not a page (the navigation lists pages from core.catalog).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.allocator import give_back_memory
from core.copies import default_copies
from core.work import Cancelled, Token, default_queue, watching

NO_SESSION = "no-session"  # a script run outside a Streamlit session (bare mode): one shared owner


@dataclass
class _Session:
    lock: threading.RLock = field(default_factory=threading.RLock)
    token: Token = field(default_factory=Token)


_sessions: dict[str, _Session] = {}
_sessions_lock = threading.Lock()
_in_run = threading.local()


def session_id() -> str:
    """The id of the session this thread runs for."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else NO_SESSION


def live_sessions() -> int:
    """Sessions with state here (connected, or disconnected and not yet released)."""
    with _sessions_lock:
        return len(_sessions)


@contextmanager
def one_run_at_a_time() -> Iterator[Token]:
    """Run the block as the session's only run: the previous run's computations are cancelled and it is waited
    for. Inside a run already (a fragment drawn by its page's full run) it just runs. A run that is itself
    superseded while it computes ends quietly: the newer run draws the page."""
    if getattr(_in_run, "depth", 0):
        yield _in_run.token
        return
    sid = session_id()
    _watch_for_end(sid)
    with _sessions_lock:
        session = _sessions.setdefault(sid, _Session())
        previous, session.token = session.token, Token()
        token = session.token
    previous.cancel("a newer run of this session started")
    with session.lock:
        _in_run.depth, _in_run.token = 1, token
        try:
            with watching(token):
                yield token
        except Cancelled:
            pass
        finally:
            _in_run.depth = 0


def session_fragment(fn: Callable[[], None] | None = None, *, run_every: float | None = None):
    """`st.fragment` whose reruns take the session's turn like full runs do (see `one_run_at_a_time`)."""
    if fn is None:
        return functools.partial(session_fragment, run_every=run_every)

    @functools.wraps(fn)
    def one_at_a_time(*args, **kwargs):
        with one_run_at_a_time():
            return fn(*args, **kwargs)

    return st.fragment(one_at_a_time, run_every=run_every)


def _ended(sid: str) -> None:
    """The session disconnected: stop its work, drop its private copies and state here, give memory back, and
    close it for good once Streamlit's reconnect window has passed (Streamlit itself keeps a disconnected session,
    with everything in its session state, until a later connection happens to expire it)."""
    with _sessions_lock:
        session = _sessions.pop(sid, None)
    if session is not None:
        session.token.cancel("the session ended")
    default_queue().cancel_owner(sid)
    default_copies().release_owner(sid)
    give_back_memory(collect=True)
    try:  # called by Streamlit on its event loop when the websocket closes
        loop = asyncio.get_running_loop()
    except RuntimeError:  # elsewhere (a test, a shutdown): nothing to schedule
        return
    loop.call_later(st.get_option("server.disconnectedSessionTTL"), _close_if_gone, sid)


def _close_if_gone(sid: str) -> None:
    """On the event loop, after the reconnect window: a session that did not come back is closed, and its session
    state (trainers, results, model copies) freed."""
    runtime = st.runtime.get_instance()
    if not runtime.is_active_session(sid):
        runtime.close_session(sid)
        give_back_memory(collect=True)


@st.cache_resource(scope="session", on_release=_ended, show_spinner=False)
def _watch_for_end(sid: str) -> str:
    """A session-scoped entry whose release (when the session disconnects) calls `_ended(sid)`."""
    return sid
