"""Who computes next on a shared server, and how does a computation stop when nobody wants its result any more?

One server process serves a whole class. Heavy computations go through one `WorkQueue`: at most `slots` of them
run at once and together they stay within a memory budget; the others wait in line, first come first served, and
each waiting user can see their place and cancel. A computation stops at its next `checkpoint()` once its `Token`
is cancelled (its user pressed Cancel, changed its inputs, or left): long loops call `checkpoint()` between
batches, steps or chunks, so work stops within a fraction of a second instead of running on for minutes.

Two ways through the queue: `submit` runs a function on a worker thread of the queue and hands back a `Job` to
watch (results outlive the page run that asked for them); `turn` waits in the calling thread for a slot and runs
the caller's own code there (a frame of live training: short, and drawn right after).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.allocator import give_back_memory

log = logging.getLogger(__name__)

WAIT_POLL_S = 0.2  # how often a thread waiting in line re-checks its token and reports its place


class Cancelled(BaseException):
    """The computation was cancelled: nobody wants its result any more (the message says why).

    A BaseException, like KeyboardInterrupt and Streamlit's own StopException: it must unwind through every
    `except Exception` on its way (Captum's, ours, a page's), not be shown as an error."""


class Token:
    """A cancel flag shared by whoever asked for a computation and the computation itself."""

    def __init__(self) -> None:
        self._reason: str | None = None

    def cancel(self, reason: str = "cancelled") -> None:
        if self._reason is None:
            self._reason = reason

    @property
    def cancelled(self) -> bool:
        return self._reason is not None

    def check(self) -> None:
        """Raise Cancelled if the token was cancelled."""
        if self._reason is not None:
            raise Cancelled(self._reason)


_watched = threading.local()  # the tokens this thread's computation answers to (a stack: nested `watching`)


@contextmanager
def watching(token: Token) -> Iterator[Token]:
    """Within this block, `checkpoint()` in this thread raises Cancelled once `token` is cancelled."""
    stack = _watched.__dict__.setdefault("tokens", [])
    stack.append(token)
    try:
        yield token
    finally:
        stack.pop()


def checkpoint() -> None:
    """Stop here (raise Cancelled) if the computation running in this thread was cancelled; cheap when it was not.

    Outside any `watching` block (a notebook, a test) it never raises."""
    for token in getattr(_watched, "tokens", ()):
        token.check()


def _spent(job: Job) -> None:
    raise RuntimeError("this job has already run")


@dataclass(eq=False)
class Job:
    """One computation submitted to a WorkQueue: its state, progress and outcome, read by the page that waits."""

    owner: Hashable  # who asked (a session): `cancel_owner` cancels all of theirs
    label: str  # what the user sees in line, e.g. "KernelSHAP, 2,000 samples"
    memory: int  # bytes it may hold at its peak (the queue keeps the sum of running jobs under its budget)
    fn: Callable[[Job], Any] = field(repr=False)
    key: Hashable = None  # what the result is for (the caller's set-up): a job for other inputs is stale
    token: Token = field(default_factory=Token, repr=False)
    state: str = "waiting"  # "waiting" | "running" | "done" | "failed" | "cancelled"
    result: Any = field(default=None, repr=False)
    error: BaseException | None = field(default=None, repr=False)
    fraction: float = 0.0  # progress in [0, 1], from report()
    note: str = ""  # what it is doing now, from report()
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def report(self, fraction: float, note: str = "") -> None:
        """Progress from inside the computation (also a checkpoint: a cancelled job stops here)."""
        self.fraction = min(1.0, max(0.0, float(fraction)))
        self.note = note
        self.token.check()

    def cancel(self, reason: str = "cancelled") -> None:
        self.token.cancel(reason)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is over (True) or `timeout` seconds passed (False)."""
        return self._done.wait(timeout)

    @property
    def seconds_left(self) -> float | None:
        """A linear guess from the progress so far; None before there is any."""
        if self.started is None or self.fraction <= 0.02:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed * (1 - self.fraction) / self.fraction


@dataclass(eq=False)
class _Turn:
    """A caller waiting in its own thread for a slot (see WorkQueue.turn)."""

    owner: Hashable
    label: str
    memory: int
    token: Token
    granted: threading.Event = field(default_factory=threading.Event)


def default_slots() -> int:
    """Heavy computations at once: one core is left for the light work of every page (drawing, small reruns);
    `NNX_WORK_SLOTS` overrides it."""
    try:
        return max(1, int(os.environ["NNX_WORK_SLOTS"]))
    except (KeyError, ValueError):
        return max(1, (os.cpu_count() or 2) - 1)


def default_memory_budget() -> int:
    """Bytes all running heavy computations may hold together: half the memory available now, or
    `NNX_WORK_MEMORY_GB`."""
    from core.device import available_memory_bytes

    try:
        return int(float(os.environ["NNX_WORK_MEMORY_GB"]) * 2**30)
    except (KeyError, ValueError):
        return available_memory_bytes() // 2


class WorkQueue:
    """A bounded, fair line for heavy computations: at most `slots` jobs and `slots` turns run at once, all within
    `memory_budget` bytes.

    Jobs and turns are two lanes with their own slots, so a student's minute of KernelSHAP never holds up the
    classroom's live-training frames (each a fraction of a second), nor the frames a long job. Within a lane, first
    come, first served: the head runs as soon as a slot of its lane is free and its memory fits next to the running
    ones (with nothing running, it always runs: a job larger than the budget would otherwise wait forever).
    `on_idle` is called (on the finishing thread) whenever the last running computation ends: the place to give
    memory back.
    """

    def __init__(
        self, slots: int | None = None, memory_budget: int | None = None, on_idle: Callable[[], None] | None = None
    ) -> None:
        self.slots = slots or default_slots()
        self.memory_budget = memory_budget or default_memory_budget()
        self.on_idle = on_idle
        self._lock = threading.Condition()
        self._waiting: deque[Job | _Turn] = deque()
        self._running: list[Job | _Turn] = []

    @property
    def share_bytes(self) -> int:
        """The memory one computation may plan for when all slots are busy (sizes internal batches)."""
        return self.memory_budget // self.slots

    def submit(
        self, fn: Callable[[Job], Any], *, owner: Hashable, label: str, memory: int = 0, key: Hashable = None
    ) -> Job:
        """Queue `fn(job)` to run on a worker thread; `fn` reports progress with `job.report(fraction, note)`."""
        job = Job(owner=owner, label=label, memory=max(0, int(memory)), fn=fn, key=key)
        with self._lock:
            self._waiting.append(job)
            self._admit()
        return job

    @contextmanager
    def turn(
        self,
        *,
        owner: Hashable,
        label: str,
        memory: int = 0,
        token: Token | None = None,
        on_wait: Callable[[int], None] | None = None,
    ) -> Iterator[None]:
        """Wait in this thread for a slot, then run the block in it. `on_wait(place)` is called while waiting
        (place 1 = next); it may raise to give up the place (as Streamlit does when the run is superseded).
        Raises Cancelled if `token`, or a token this thread is `watching`, is cancelled while waiting."""
        entry = _Turn(owner, label, max(0, int(memory)), token or Token())
        with self._lock:
            self._waiting.append(entry)
            self._admit()
        try:
            while not entry.granted.wait(WAIT_POLL_S):
                entry.token.check()
                checkpoint()  # the caller's own computation may have been cancelled while it waited
                if on_wait is not None:
                    on_wait(self.place(entry))
            entry.token.check()
        except BaseException:
            self._leave(entry)
            raise
        try:
            with watching(entry.token):
                yield
        finally:
            self._leave(entry)

    def place(self, entry: Job | _Turn) -> int:
        """1 for the head of its lane's line, 2 for the next…; 0 once it runs or is over."""
        with self._lock:
            if entry not in self._waiting:
                return 0
            ahead = self._waiting.index(entry)
            return 1 + sum(type(e) is type(entry) for e in list(self._waiting)[:ahead])

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def running(self) -> int:
        with self._lock:
            return len(self._running)

    def cancel_owner(self, owner: Hashable, reason: str = "its session ended") -> None:
        """Cancel every waiting and running computation of `owner`."""
        with self._lock:
            entries = [e for e in (*self._waiting, *self._running) if e.owner == owner]
        for entry in entries:
            entry.token.cancel(reason)
            if isinstance(entry, Job) and entry.state == "waiting":
                self._leave(entry)
                self._finish(entry, "cancelled", error=Cancelled(reason))

    # ---- inside the line ------------------------------------------------------------------------------------
    def _admit(self) -> None:
        """Start each lane's head of the line while a slot of its lane is free and its memory fits (call with the
        lock held). An entry that must wait keeps the ones behind it in its lane waiting too."""
        blocked: set[type] = set()
        for entry in list(self._waiting):
            lane = type(entry)
            if lane in blocked:
                continue
            used = sum(e.memory for e in self._running)
            if sum(type(e) is lane for e in self._running) >= self.slots or (
                self._running and used + entry.memory > self.memory_budget
            ):
                blocked.add(lane)
                continue
            self._waiting.remove(entry)
            self._running.append(entry)
            if isinstance(entry, Job):
                entry.state, entry.started = "running", time.monotonic()
                threading.Thread(target=self._run, args=(entry,), name=f"work: {entry.label}", daemon=True).start()
            else:
                entry.granted.set()

    def _leave(self, entry: Job | _Turn) -> None:
        with self._lock:
            if entry in self._waiting:
                self._waiting.remove(entry)
            idle = False
            if entry in self._running:
                self._running.remove(entry)
                idle = not self._running
            self._admit()
            idle = idle and not self._running
        if idle and self.on_idle is not None:
            try:
                self.on_idle()
            except Exception:  # giving memory back must never break a computation's ending
                log.exception("on_idle failed")

    def _run(self, job: Job) -> None:
        from core.device import configure_threads

        configure_threads()  # torch's thread count is per OS thread; this worker is a new one
        result, error, state = None, None, "done"
        try:
            job.token.check()
            with watching(job.token):
                result = job.fn(job)
        except Cancelled as stopped:
            error, state = stopped, "cancelled"
        except Exception as failure:
            log.warning("job %r failed", job.label, exc_info=True)
            error, state = failure, "failed"
        if error is not None:  # its traceback holds the computation's frames, and their tensors (GBs for IG)
            error.__traceback__ = None
        job.fn = _spent  # nor does the page, which keeps the job, need what the function closed over
        self._leave(job)  # its slot is free before anyone waiting for it hears that it is over
        self._finish(job, state, result, error)

    @staticmethod
    def _finish(job: Job, state: str, result: Any = None, error: BaseException | None = None) -> None:
        job.result, job.error, job.finished = result, error, time.monotonic()
        job.state = state
        job._done.set()


class Shelf:
    """The last `size` finished results, shared by every session: thirty students opening the teacher's link
    compute its race once. Only for results that depend on nothing but their key (and are never changed)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_default = WorkQueue(on_idle=give_back_memory)


def default_queue() -> WorkQueue:
    """The process's one queue, made at import with the settings from the environment (NNX_WORK_SLOTS,
    NNX_WORK_MEMORY_GB)."""
    return _default
