"""core.work: one bounded, fair line for heavy computations, and computations that stop when cancelled."""

from __future__ import annotations

import threading
import time

import pytest

from core.work import Cancelled, Token, WorkQueue, checkpoint, watching
from tests.threads import run_together

WAIT = 10  # seconds a test waits for something that takes milliseconds


def gate_job(gate: threading.Event, log: list, name: str):
    """A job that records its start, then waits for `gate` while reporting progress (a checkpoint)."""

    def fn(job):
        log.append(("start", name))
        while not gate.wait(0.01):
            job.report(0.5, "waiting for the gate")
        log.append(("end", name))
        return name

    return fn


def test_jobs_run_first_come_first_served_and_never_more_than_the_slots_at_once():
    queue = WorkQueue(slots=2, memory_budget=1 << 30)
    running, peak, lock = [0], [0], threading.Lock()
    order = []

    def fn(job):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            order.append(job.label)
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return job.label

    jobs = [queue.submit(fn, owner="s", label=str(i)) for i in range(8)]
    assert all(job.wait(WAIT) for job in jobs)
    assert [job.result for job in jobs] == [str(i) for i in range(8)]
    assert peak[0] == 2
    assert order[:2] == ["0", "1"] or order[:2] == ["1", "0"]
    assert order[2:] == sorted(order[2:], key=int)  # the rest start in the order they came


def test_a_waiting_job_knows_its_place_in_line():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    gate, log = threading.Event(), []
    first = queue.submit(gate_job(gate, log, "a"), owner="s1", label="a")
    second = queue.submit(gate_job(gate, log, "b"), owner="s2", label="b")
    third = queue.submit(gate_job(gate, log, "c"), owner="s3", label="c")
    assert (queue.place(first), queue.place(second), queue.place(third)) == (0, 1, 2)
    assert (queue.running(), queue.waiting()) == (1, 2)
    gate.set()
    assert third.wait(WAIT) and third.result == "c"
    assert queue.place(third) == 0


def test_running_jobs_stay_within_the_memory_budget_and_a_job_larger_than_it_runs_alone():
    queue = WorkQueue(slots=3, memory_budget=100)
    gate, log = threading.Event(), []
    a = queue.submit(gate_job(gate, log, "a"), owner="s", label="a", memory=60)
    b = queue.submit(gate_job(gate, log, "b"), owner="s", label="b", memory=60)
    assert (a.state, b.state) == ("running", "waiting")  # 60 + 60 > 100: b waits although a slot is free
    gate.set()
    assert b.wait(WAIT)
    huge = queue.submit(lambda job: "ran", owner="s", label="huge", memory=1000)
    assert huge.wait(WAIT) and huge.result == "ran"


def test_a_cancelled_running_job_stops_at_its_next_checkpoint_and_frees_its_slot():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    never, log = threading.Event(), []
    job = queue.submit(gate_job(never, log, "a"), owner="s", label="a")
    after = queue.submit(lambda job: "next", owner="s", label="b")
    time.sleep(0.05)
    job.cancel("its inputs changed")
    assert job.wait(WAIT) and job.state == "cancelled"
    assert str(job.error) == "its inputs changed"
    assert ("end", "a") not in log
    assert after.wait(WAIT) and after.result == "next"


def test_cancelling_an_owner_cancels_its_waiting_and_running_jobs_but_no_one_elses():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    never, log = threading.Event(), []
    running = queue.submit(gate_job(never, log, "mine-running"), owner="gone", label="a")
    mine = queue.submit(lambda job: log.append("mine-waiting ran"), owner="gone", label="b")
    theirs = queue.submit(lambda job: "theirs", owner="stays", label="c")
    queue.cancel_owner("gone")
    assert running.wait(WAIT) and mine.wait(WAIT) and theirs.wait(WAIT)
    assert (running.state, mine.state, theirs.state) == ("cancelled", "cancelled", "done")
    assert "mine-waiting ran" not in log


def test_a_failing_job_hands_its_error_to_the_page_and_the_line_moves_on():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)

    def fails(job):
        raise ValueError("no such method")

    bad = queue.submit(fails, owner="s", label="bad")
    good = queue.submit(lambda job: 42, owner="s", label="good")
    assert good.wait(WAIT) and good.result == 42
    assert bad.state == "failed" and isinstance(bad.error, ValueError)


def hold_a_turn(queue: WorkQueue, gate: threading.Event) -> threading.Thread:
    """Another student's frame that keeps its turn until `gate` is set."""
    held = threading.Event()

    def frame():
        with queue.turn(owner="a", label="busy frame"):
            held.set()
            gate.wait(WAIT)

    thread = threading.Thread(target=frame)
    thread.start()
    assert held.wait(WAIT)
    return thread


def test_a_turn_waits_for_a_slot_in_its_own_thread_and_reports_its_place():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    gate, places = threading.Event(), []
    busy = hold_a_turn(queue, gate)
    entered = threading.Event()

    def take_turn():
        with queue.turn(owner="b", label="frame", on_wait=places.append):
            entered.set()

    thread = threading.Thread(target=take_turn)
    thread.start()
    time.sleep(0.5)
    assert not entered.is_set() and places and set(places) == {1}
    gate.set()
    thread.join(WAIT)
    busy.join(WAIT)
    assert entered.is_set() and queue.running() == 0


def test_a_turn_gives_up_its_place_when_cancelled_or_when_its_caller_stops_waiting():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    gate = threading.Event()
    busy = hold_a_turn(queue, gate)
    token = Token()
    threading.Timer(0.3, token.cancel, args=("a newer run",)).start()
    with pytest.raises(Cancelled), queue.turn(owner="b", label="frame", token=token):
        pass

    def stop_waiting(place):
        raise KeyboardInterrupt  # what Streamlit's StopException does to a superseded run

    with pytest.raises(KeyboardInterrupt), queue.turn(owner="c", label="frame", on_wait=stop_waiting):
        pass
    assert queue.waiting() == 0
    gate.set()
    busy.join(WAIT)


def test_checkpoint_raises_only_inside_a_watched_block_of_a_cancelled_token():
    checkpoint()  # nothing watched: a notebook's call never stops
    token = Token()
    with watching(token):
        checkpoint()
        token.cancel("stop")
        with pytest.raises(Cancelled, match="stop"):
            checkpoint()
    checkpoint()


def test_the_queue_calls_on_idle_once_the_last_computation_ends():
    idle = threading.Event()
    queue = WorkQueue(slots=2, memory_budget=1 << 30, on_idle=idle.set)
    jobs = [queue.submit(lambda job: time.sleep(0.02), owner="s", label=str(i)) for i in range(3)]
    assert all(job.wait(WAIT) for job in jobs)
    assert idle.wait(WAIT)


def test_many_threads_submitting_and_cancelling_at_once_leave_the_queue_consistent():
    queue = WorkQueue(slots=2, memory_budget=1 << 30)
    jobs: list = []
    lock = threading.Lock()

    def student(i):
        for n in range(20):
            job = queue.submit(lambda job: sum(range(1000)), owner=i, label=f"{i}.{n}")
            with lock:
                jobs.append(job)
            if n % 3 == 0:
                job.cancel()
        queue.cancel_owner(i) if i % 2 else None

    assert not run_together(*(lambda i=i: student(i) for i in range(6)))
    assert all(job.wait(WAIT) for job in jobs)
    assert queue.running() == 0 and queue.waiting() == 0
    assert {job.state for job in jobs} <= {"done", "cancelled"}


def test_a_long_job_never_holds_up_live_training_frames_nor_frames_a_long_job():
    queue = WorkQueue(slots=1, memory_budget=1 << 30)
    never, log = threading.Event(), []
    long_job = queue.submit(gate_job(never, log, "KernelSHAP"), owner="a", label="KernelSHAP")
    frames = []

    def frame(i):
        with queue.turn(owner=f"student {i}", label="live training"):
            frames.append(i)

    assert not run_together(*(lambda i=i: frame(i) for i in range(5)))
    assert sorted(frames) == list(range(5)) and long_job.state == "running"
    second = queue.submit(lambda job: "ran", owner="b", label="second")
    assert queue.place(second) == 1  # first of the jobs' lane
    long_job.cancel()
    assert second.wait(WAIT) and second.result == "ran"
