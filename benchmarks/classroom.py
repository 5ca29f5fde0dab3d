"""A class on one server: N simulated students open the tool pages from their own links and use them at once.

Starts the app as `make run` does (`python app.py` on a free loopback port) and plays N browser tabs over
Streamlit's own websocket protocol (`benchmarks.websocket_session`), not N browsers, so the machine's cores go to
the server. Students are spread over the tool pages; each opens its page from a link of its own (its own seeds,
start point or sentence), then, after all pages have rendered, changes one value or presses one button a few times
(Network builder: Step; Optimizer race: the start's y; BERT attention and Attributions: a new sentence), with a
short pause between clicks; with --players K, K of the Network builder students press Play instead, watch the live
view train for --play-seconds, then press Pause. It prints, per page and for the class:

- latency, p50 / p95: first render (connect → the script's `script_finished`) and interaction (click →
  `script_finished` of the rerun it causes); a page that brings its result later (timed reruns of a fragment,
  or a Run button when the server defers long work) is followed until it shows it, for up to --patience s;
- errors: exception boxes, error alerts, "page not found", disconnects, silences past --timeout, and tracebacks
  in the server's log; warnings are counted apart (a link's warnings are expected);
- cross-talk and echo: every render must show this student's own values (seeds, start point or words, computed
  by the page, not just widget values) for the current round ("no echo" counts those that did not) and none of
  another student's ("cross-talk");
- for players: live-view refreshes per second (completed reruns of the page's timed fragment) and epochs per second;
- the server's CPU seconds per first render and per interaction (/proc/<pid>/stat), and its resident memory
  before, at peak, at the close of the last tab and at intervals for --idle-wait seconds after (/proc), to see
  whether memory comes back once the class has left.

Exit status 0 unless the harness itself fails (the server does not start, a bug here): slow pages, errors,
cross-talk, a missing widget and even a server crash are findings, reported, not failures.

Run: `python -m benchmarks.classroom --students 30 [--interactions 3] [--idle-wait 180] [--json-out FILE]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import load_average
from benchmarks.websocket_session import Run, Session, SessionError
from core.catalog import TOOLS
from tests.e2e.browser import server_process

# Whole words of the embedded model's vocabulary (one WordPiece token each), none a CSS colour or a Plotly attribute
# name: a student's sentence holds two of them, so a token on screen names its student.
STUDENT_WORDS = (
    "apple",
    "river",
    "lighthouse",
    "tiger",
    "piano",
    "garden",
    "rocket",
    "castle",
    "forest",
    "island",
    "candle",
    "mirror",
    "dragon",
    "harbor",
    "bridge",
    "meadow",
    "falcon",
    "comet",
    "pencil",
    "lantern",
    "marble",
    "pepper",
    "quartz",
    "rabbit",
    "saddle",
    "temple",
    "walnut",
    "badger",
    "beacon",
    "cactus",
    "canyon",
    "cherry",
    "crystal",
    "dolphin",
    "eagle",
    "fossil",
    "glacier",
    "granite",
    "hammer",
    "cotton",
    "helmet",
    "jasmine",
    "jungle",
    "kettle",
    "ladder",
    "lemon",
    "lizard",
    "magnet",
    "maple",
    "monkey",
    "nectar",
    "oasis",
    "otter",
    "panther",
    "parrot",
    "pillow",
    "pirate",
    "planet",
    "pumpkin",
    "puzzle",
    "raven",
    "ribbon",
    "saturn",
    "tractor",
    "spider",
    "spruce",
    "squirrel",
    "summit",
    "thunder",
    "timber",
    "turtle",
    "valley",
    "velvet",
    "volcano",
    "wagon",
    "whistle",
    "willow",
    "wizard",
    "zebra",
    "bamboo",
    "basket",
    "blossom",
    "cabbage",
    "camel",
    "cedar",
    "cloud",
    "sparrow",
    "lotus",
    "ginger",
    "banana",
    "lobster",
    "pigeon",
    "mango",
    "penguin",
    "feather",
    "compass",
    "blanket",
    "carrot",
    "trumpet",
    "violin",
    "kitten",
)
ROUND_WORDS = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
MARKERS = frozenset(STUDENT_WORDS) | frozenset(ROUND_WORDS)


# ---------------------------------------------------------------- what each kind of student does
@dataclass(frozen=True)
class Scenario:
    """How a student uses one tool page. Round 0 is the link; round r ≥ 1 the r-th interaction.

    `link(student)` is the query of the student's link; `change(student, r)` the widget key and value
    (`Session.set` keywords) of interaction r. `echo(page_text)` reads what the rendered page shows as ("who", x)
    items, which name a student, and ("round", x) items, which name a round; `expected(student, r)` is what it
    must show. `start` is the button a student clicks when the page waits for a click before it computes."""

    page: str
    interaction: str  # for the report
    link: Callable[[int], dict[str, str]]
    change: Callable[[int, int], tuple[str, dict[str, object]]]
    echo: Callable[[str], set[tuple[str, Hashable]]]
    expected: Callable[[int, int], set[tuple[str, Hashable]]]
    start: str | None = None


def sentence_words(student: int, r: int) -> tuple[str, str, str]:
    """Two words unique to the student (as a pair) and one naming the round."""
    n = len(STUDENT_WORDS)
    a = student % n
    return STUDENT_WORDS[a], STUDENT_WORDS[(a + 1 + student // n) % n], ROUND_WORDS[r % len(ROUND_WORDS)]


def sentence_echo(student: int, r: int) -> set[tuple[str, Hashable]]:
    a, b, count = sentence_words(student, r)
    return {("who", a), ("who", b), ("round", count)}


def sentence(student: int, r: int) -> str:
    a, b, count = sentence_words(student, r)
    return f"The {a} and the {b} counted to {count}."


def shown_tokens(page_text: str) -> set[tuple[str, Hashable]]:
    """Marker words the page shows as computed tokens: strings in a figure's JSON arrays (Attributions' token
    axis) or token labels in an SVG (BERT attention). A widget's value and the link's query are neither, so they
    do not count, and neither do a figure's keys and settings (`"anchor":"x"`)."""
    found = re.findall(r'[\[,]"([a-z]+)"(?=[,\]])|>([a-z]+)</text>', page_text)
    words = {w for pair in found for w in pair if w in MARKERS}
    return {("round" if w in ROUND_WORDS else "who", w) for w in words}


def builder_echo(page_text: str) -> set[tuple[str, Hashable]]:
    """The trainer's seeds (who) and epoch (round), as the live view prints them."""
    seeds = {("who", (int(w), int(d))) for w, d in re.findall(r"weight seed (\d+) \S+ data seed (\d+)", page_text)}
    return seeds | {("round", int(e.replace(",", ""))) for e in re.findall(r"#### Epoch ([\d,]+)", page_text)}


def race_start(student: int, r: int) -> tuple[float, float]:
    """A start near the Rosenbrock surface's own (-1.2, 1), x for the student, y for the round. Close to it, the
    default racers all stay in the domain (checked for 60 of these starts); farther away LBFGS lr=1 can leave it,
    which the page reports in an error box."""
    return round(-1.2 - (student % 1000) / 10000, 4), round(1.0 + (r % 100) / 1000, 3)


def race_echo(page_text: str) -> set[tuple[str, Hashable]]:
    """The start marker of the race figure, which the race result places: x names the student, y the round."""
    starts = re.findall(r'"name":"start","x":\[([-\d.e]+)\],"y":\[([-\d.e]+)\]', page_text)
    return {item for x, y in starts for item in (("who", round(float(x), 6)), ("round", round(float(y), 6)))}


def sentence_scenario(page: str, text_key: str, start: str | None = None) -> Scenario:
    """A text page: the link brings the student's sentence, each interaction types a new one into `text_key`."""
    return Scenario(
        page,
        "new sentence",
        link=lambda i: {"text": sentence(i, 0)},
        change=lambda i, r: (text_key, {"string_value": sentence(i, r)}),
        echo=shown_tokens,
        expected=sentence_echo,
        start=start,
    )


SCENARIOS: dict[str, Scenario] = {
    s.page: s
    for s in (
        Scenario(
            "network-builder",
            "Step (one epoch)",
            link=lambda i: {"data_seed": str(1000 + i), "init_seed": str(2000 + i)},
            change=lambda i, r: ("builder.step", {"trigger_value": True}),
            echo=builder_echo,
            expected=lambda i, r: {("who", (2000 + i, 1000 + i)), ("round", r)},
        ),
        Scenario(
            "optimizer-race",
            "start y",
            link=lambda i: dict(zip(("start_x", "start_y"), map(str, race_start(i, 0)), strict=True)),
            change=lambda i, r: ("race.start_y", {"double_value": race_start(i, r)[1]}),
            echo=race_echo,
            expected=lambda i, r: {("who", round(race_start(i, r)[0], 6)), ("round", round(race_start(i, r)[1], 6))},
        ),
        sentence_scenario("bert-attention", "attention.text"),
        # a run estimated over a few seconds (the server's work queue decides) waits for this button
        sentence_scenario("attributions", "attribution.text", start="attribution.explain.run"),
    )
}


# ---------------------------------------------------------------- one student
@dataclass
class Student:
    """What one student saw."""

    index: int
    page: str
    first_render_s: float | None = None
    interactions_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)  # values of someone else on this student's page
    missing: list[str] = field(default_factory=list)  # own values the page should show and did not
    disconnect: str = ""  # why the tab stopped (disconnect or silence), if it did
    frames: int = 0  # live-view refreshes seen while playing (players only)
    epochs: int = 0  # epochs trained while playing
    watched_s: float = 0.0


def check(student: Student, scenario: Scenario, r: int, runs: list[Run]) -> None:
    """Record the problems of a round's runs and compare what its last run shows with what this student asked
    for: another student's values anywhere are cross-talk."""
    for run in runs:
        student.errors += [f"round {r}: {e}" for e in run.errors]
        if run.status != "ok":
            student.errors.append(f"round {r}: the script ended with a {run.status}")
        student.warnings += run.warnings
        foreign = {x for x in scenario.echo(run.payload.decode("latin-1")) if x[0] == "who"}
        foreign -= scenario.expected(student.index, r)
        if foreign:
            student.crosstalk.append(f"round {r}: shows {sorted(str(x[1]) for x in foreign)}, not its own")
    missing = scenario.expected(student.index, r) - scenario.echo(runs[-1].payload.decode("latin-1"))
    if missing:
        student.missing.append(f"round {r}: does not show {sorted(str(x[1]) for x in missing)}")


QUIET_S = 5.0  # after a page's timers stop, how long a student waits for a rerun they asked for to arrive


async def until_shown(
    session: Session, scenario: Scenario, student: Student, r: int, run: Run, patience_s: float
) -> list[Run]:
    """The runs up to the one that shows this round's values, as a student waits for them: the page's timed
    reruns may bring them (work done frame by frame or in a queue), or the page may wait for a click on
    `scenario.start` before it computes. Gives up after `patience_s`."""
    wanted = scenario.expected(student.index, r)

    def shown(run: Run) -> bool:
        return wanted <= scenario.echo(run.payload.decode("latin-1"))

    runs, clicked = [run], False
    deadline = time.perf_counter() + patience_s
    while not shown(runs[-1]) and (left := deadline - time.perf_counter()) > 0:
        if scenario.start in session.widgets and not clicked:
            clicked = True
            runs.append(await session.set(scenario.start, trigger_value=True))
        elif more := await session.listen(left, shown, quiet_s=QUIET_S):
            runs += more
        else:
            break
    return runs


async def open_page(session: Session, student: Student, scenario: Scenario, delay_s: float, patience_s: float) -> None:
    await asyncio.sleep(delay_s)
    t0 = time.perf_counter()
    try:
        run = await session.open(scenario.page, scenario.link(student.index))
        runs = await until_shown(session, scenario, student, 0, run, patience_s)
    except SessionError as e:
        student.disconnect = f"first render: {e}"
        return
    student.first_render_s = time.perf_counter() - t0
    check(student, scenario, 0, runs)


async def interact(
    session: Session,
    student: Student,
    scenario: Scenario,
    rounds: int,
    until: float,
    think_s: float,
    patience_s: float,
    rng: random.Random,
) -> None:
    """`rounds` interactions (more while time is left before `until`), a jittered pause before each."""
    r = 0
    while not student.disconnect and (r < rounds or time.monotonic() < until):
        r += 1
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
        key, value = scenario.change(student.index, r)
        t0 = time.perf_counter()
        try:
            run = await session.set(key, **value)
            runs = await until_shown(session, scenario, student, r, run, patience_s)
        except SessionError as e:
            student.disconnect = f"interaction {r}: {e}"
            return
        except KeyError as e:  # the page did not draw the widget (an error box instead?): this student stops
            student.errors.append(f"interaction {r}: {e.args[0]}")
            return
        student.interactions_s.append(time.perf_counter() - t0)
        check(student, scenario, r, runs)


PLAY = "builder.play"  # the Network builder's Play button, which reads "Pause" while playing


async def play(session: Session, student: Student, seconds: float) -> None:
    """A Network builder student who presses Play, watches the live view train for `seconds` (the page's timer
    asks for its refreshes), then presses Pause. Play and Pause count as interactions, the refreshes as frames.
    Every run must show the student's own seeds and no one else's (the epoch moves on, so it is not compared),
    except that Play's run may lack them: when a timed rerun starts before the server has sent that run's live
    view, Streamlit drops it and the first refresh brings it."""
    own = {x for x in SCENARIOS["network-builder"].expected(student.index, 0) if x[0] == "who"}
    try:
        pressed = await session.set(PLAY, trigger_value=True)
        frames = [run for run in await session.listen(seconds) if run.fragment]
        paused = await session.set(PLAY, trigger_value=True)
    except SessionError as e:
        student.disconnect = f"playing: {e}"
        return
    except KeyError as e:
        student.errors.append(f"playing: {e.args[0]}")
        return
    student.interactions_s += [pressed.seconds, paused.seconds]
    student.frames, student.watched_s = len(frames), seconds
    epoch = [
        max((x[1] for x in builder_echo(run.payload.decode("latin-1")) if x[0] == "round"), default=0)
        for run in (pressed, paused)
    ]
    student.epochs = epoch[1] - epoch[0]  # what Pause shows minus what Play showed, whatever reached the screen
    for label, run in [("Play", pressed), *(("frame", f) for f in frames), ("Pause", paused)]:
        student.errors += [f"{label}: {e}" for e in run.errors]
        student.warnings += run.warnings
        seeds = {x for x in builder_echo(run.payload.decode("latin-1")) if x[0] == "who"}
        if seeds - own:
            student.crosstalk.append(f"{label}: shows {sorted(str(x[1]) for x in seeds - own)}, not its own")
        if own - seeds and label != "Play":
            student.missing.append(f"{label}: does not show {sorted(str(x[1]) for x in own)}")


# ---------------------------------------------------------------- the server's cost
def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (second field of /proc/<pid>/statm, in pages)."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Meter(threading.Thread):
    """Samples the server's CPU time and RSS every `every_s` seconds in the background (a thread, so that a busy
    event loop does not skip samples); `mark(name)` records a labelled sample for the phases of the run."""

    def __init__(self, pid: int, every_s: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.t0 = time.monotonic()
        self.samples: list[tuple[float, float, int]] = []  # (seconds since start, CPU seconds, RSS bytes)
        self.marks: dict[str, tuple[float, float, int]] = {}
        self._halt = threading.Event()  # not `_stop`: threading.Thread has a method of that name

    def sample(self) -> tuple[float, float, int]:
        return time.monotonic() - self.t0, cpu_seconds(self.pid), rss_bytes(self.pid)

    def run(self) -> None:
        while not self._halt.wait(self.every_s):
            try:
                self.samples.append(self.sample())
            except (OSError, IndexError, ValueError):  # the process has gone
                return

    def mark(self, name: str) -> tuple[float, float, int]:
        self.marks[name] = s = self.sample()
        return s

    def peak_rss(self, start: str, end: str) -> int:
        t0, t1 = self.marks[start][0], self.marks[end][0]
        return max([s[2] for s in self.samples if t0 <= s[0] <= t1] + [self.marks[start][2], self.marks[end][2]])

    def stop(self) -> None:
        self._halt.set()


# ---------------------------------------------------------------- the class
async def warm_up(url: str, pages: list[str], timeout_s: float) -> None:
    """The teacher tries each page once before the class: models load and caches fill, outside the figures."""
    for page in pages:
        session = Session(url, timeout_s)
        try:
            await session.open(page, {})
        finally:
            await session.close()


async def hold_class(url: str, args: argparse.Namespace, meter: Meter) -> list[Student]:
    scenarios = [SCENARIOS[p] for p in args.pages]
    students = [Student(i, scenarios[i % len(scenarios)].page) for i in range(args.students)]
    sessions = [Session(url, args.timeout) for _ in students]
    rng = random.Random(args.seed)
    try:
        meter.mark("open")
        print(f"{len(students)} students open their pages ...", flush=True)
        await asyncio.gather(
            *(
                open_page(s, st, SCENARIOS[st.page], args.ramp * st.index / len(students), args.patience)
                for s, st in zip(sessions, students, strict=True)
            )
        )
        meter.mark("opened")
        print(
            f"... and interact ({args.interactions} times each"
            + (f", for at least {args.duration:.0f} s" if args.duration else "")
            + ")",
            flush=True,
        )
        until = time.monotonic() + args.duration
        players = [st for st in students if st.page == "network-builder"][: args.players]
        await asyncio.gather(
            *(
                play(s, st, args.play_seconds)
                if st in players
                else interact(
                    s,
                    st,
                    SCENARIOS[st.page],
                    args.interactions,
                    until,
                    args.think,
                    args.patience,
                    random.Random(rng.random()),
                )
                for s, st in zip(sessions, students, strict=True)
            )
        )
        meter.mark("interacted")
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    meter.mark("closed")
    return students


def watch_memory(meter: Meter, wait_s: float, every_s: float) -> list[tuple[float, int]]:
    """RSS every `every_s` seconds for `wait_s` seconds after the last tab closed, printed as it goes."""
    closed_at, _, closed_rss = meter.marks["closed"]
    points = [(0.0, closed_rss)]
    print(f"RSS after the last tab closed: 0 s {mb(closed_rss)}", end="", flush=True)
    while points[-1][0] < wait_s:
        target = min(len(points) * every_s, wait_s)
        time.sleep(max(0.0, meter.t0 + closed_at + target - time.monotonic()))
        t, _, rss = meter.sample()
        points.append((t - closed_at, rss))
        print(f" · {t - closed_at:.0f} s {mb(rss)}", end="", flush=True)
    print()
    return points


# ---------------------------------------------------------------- report
def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def p50_p95(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f} / {values[0]:.2f} s"
    q = statistics.quantiles(values, n=20, method="inclusive")
    return f"{statistics.median(values):.2f} / {q[18]:.2f} s"


def table(students: list[Student], pages: list[str]) -> str:
    header = (
        f"{'page':<16} {'students':>8}  {'first render p50 / p95':>22}  {'interaction p50 / p95':>22}  "
        f"{'errors':>6} {'warnings':>8} {'cross-talk':>10} {'no echo':>7} {'gone':>4}"
    )
    lines = [header, "-" * len(header)]
    for name, group in [(p, [s for s in students if s.page == p]) for p in pages] + [("all", students)]:
        first = [s.first_render_s for s in group if s.first_render_s is not None]
        inter = [t for s in group for t in s.interactions_s]
        lines.append(
            f"{name:<16} {len(group):>8}  {p50_p95(first):>22}  {p50_p95(inter):>22}  "
            f"{sum(len(s.errors) for s in group):>6} {sum(len(s.warnings) for s in group):>8} "
            f"{sum(len(s.crosstalk) for s in group):>10} {sum(len(s.missing) for s in group):>7} "
            f"{sum(bool(s.disconnect) for s in group):>4}"
        )
    return "\n".join(lines)


ROUND_PREFIX = re.compile(r"^(round|interaction|first render)( \d+)?: ")


def examples(students: list[Student], what: str, limit: int = 5) -> list[str]:
    """The most frequent messages of one kind (`errors`, `crosstalk`, ...), with how many students saw each."""
    counts = Counter()
    for s in students:
        items = [getattr(s, what)] if what == "disconnect" else getattr(s, what)
        counts.update({f"{s.page}: {ROUND_PREFIX.sub('', m)}" for m in items if m})
    return [f"  {n}× {m}" for m, n in counts.most_common(limit)]


def tracebacks(log: Path) -> list[str]:
    """The last line of each traceback in the server's log (the exception), for the report."""
    lines = log.read_text(errors="replace").splitlines()
    found, inside = [], False
    for line in lines:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line.startswith((" ", "\t")):
            found.append(line[:200])
            inside = False
    return found


# ---------------------------------------------------------------- main
def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.classroom", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    pages = [t.key for t in TOOLS]
    parser.add_argument("--students", type=int, default=10, help="simulated sessions (default 10)")
    parser.add_argument(
        "--pages",
        default=",".join(pages),
        help=f"tool pages to spread the students over, comma-separated (default {','.join(pages)})",
    )
    parser.add_argument("--interactions", type=int, default=3, help="interactions per student (default 3)")
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        help="keep interacting until this many seconds after the pages opened (default 0: just --interactions)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause before each interaction, seconds (default 1; jittered ±50%%)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="spread the students' arrivals over this many seconds (default 0: all at once)",
    )
    parser.add_argument(
        "--players",
        type=int,
        default=0,
        help="how many Network builder students press Play (and, after --play-seconds, Pause) "
        "instead of Step (default 0)",
    )
    parser.add_argument(
        "--play-seconds", type=float, default=20.0, help="how long each player watches the live view train (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the pauses' jitter (default 0)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="longest silence from the server a tab waits through, seconds (default 300)",
    )
    parser.add_argument(
        "--patience",
        type=float,
        default=120.0,
        help="how long a student waits, after a run has ended, for the page to show the result "
        "(timed refreshes, a work queue), seconds (default 120)",
    )
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="skip opening each page once before the class (models then load during the run)",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=180.0,
        help="seconds to watch the server's memory after the last tab closed (default 180)",
    )
    parser.add_argument(
        "--report-every",
        type=float,
        default=30.0,
        help="interval of the memory readings after the close, seconds (default 30)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--server-log",
        type=Path,
        default=Path(tempfile.gettempdir()) / "nnx-classroom-server.log",
        help="where the server's output goes (default %(default)s)",
    )
    parser.add_argument("--json-out", type=Path, help="also write every figure and each student's record here")
    args = parser.parse_args(argv)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in args.pages if p not in SCENARIOS]
    if unknown or not args.pages:
        parser.error(
            f"no scenario for page(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(SCENARIOS)}"
        )
    if args.students < 1:
        parser.error("--students must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    load_before = load_average()
    harness_cpu0 = time.process_time()
    with server_process(args.port or None, log_path=args.server_log) as (url, proc):
        meter = Meter(proc.pid)
        meter.start()
        cold = meter.mark("started")
        if args.warm_up:
            print(f"Warm-up: opening {', '.join(args.pages)} once ...", flush=True)
            asyncio.run(warm_up(url, args.pages, args.timeout))
        students = asyncio.run(hold_class(url, args, meter))
        load_during = load_average()
        alive = proc.poll() is None
        after = watch_memory(meter, args.idle_wait, args.report_every) if alive else []
        meter.stop()
        returncode = proc.poll()
    harness_cpu = time.process_time() - harness_cpu0
    opened, interacted = meter.marks["opened"], meter.marks["interacted"]
    before = meter.marks["open"]
    n_first = sum(s.first_render_s is not None for s in students)
    n_inter = sum(len(s.interactions_s) for s in students)
    cpu_open, cpu_inter = opened[1] - before[1], interacted[1] - opened[1]
    wall_open, wall_inter = opened[0] - before[0], interacted[0] - opened[0]
    peak = meter.peak_rss("open", "closed")
    server_errors = tracebacks(args.server_log)

    print()
    print(
        f"{args.students} students on {', '.join(args.pages)}: {args.interactions} interaction(s) each, "
        f"pauses ~{args.think:g} s; {os.cpu_count()} cores, load average before {load_before}, "
        f"at the close {load_during}"
    )
    print("interactions: " + "; ".join(f"{p} {SCENARIOS[p].interaction}" for p in args.pages))
    print()
    print(table(students, args.pages))
    print()
    players = [s for s in students if s.frames or s.watched_s]
    if players:
        rates = [s.frames / s.watched_s for s in players]
        print(
            f"players: {len(players)} pressed Play for {args.play_seconds:g} s: live-view refreshes per second "
            f"median {statistics.median(rates):.1f} (slowest {min(rates):.1f}); epochs per second "
            f"median {statistics.median(s.epochs / s.watched_s for s in players):.0f}"
        )
    print(
        f"server CPU: first renders {cpu_open:.1f} s for {n_first} ({cpu_open / max(n_first, 1):.2f} s each, "
        f"{cpu_open / max(wall_open, 1e-9):.2f} cores over {wall_open:.1f} s); interactions {cpu_inter:.1f} s for "
        f"{n_inter} ({cpu_inter / max(n_inter, 1):.2f} s each, {cpu_inter / max(wall_inter, 1e-9):.2f} cores over "
        f"{wall_inter:.1f} s)"
    )
    print(
        f"server RSS: at start {mb(cold[2])}, before the class {mb(before[2])}"
        f"{' (after the warm-up)' if args.warm_up else ''}, peak {mb(peak)}, when the last tab closed "
        f"{mb(meter.marks['closed'][2])}"
        + (
            f", {after[-1][0]:.0f} s later {mb(after[-1][1])} ({after[-1][1] / before[2] - 1:+.0%} of before)"
            if after
            else ""
        )
    )
    if not alive:
        print(f"SERVER DIED during the class (exit code {returncode}); see {args.server_log}")
    print(f"harness CPU (this process, on the same cores): {harness_cpu:.1f} s")
    print(f"server log: {args.server_log}, {len(server_errors)} traceback(s)")
    for kind in ("errors", "crosstalk", "missing", "disconnect", "warnings"):
        found = examples(students, kind)
        if found:
            print(f"{kind}:", *found, sep="\n")
    for line, n in Counter(server_errors).most_common(5):
        print(f"  server log {n}×: {line}")

    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                    "load_average": {"before": load_before, "at_close": load_during},
                    "cores": os.cpu_count(),
                    "server": {
                        "alive": alive,
                        "returncode": returncode,
                        "log_tracebacks": server_errors,
                        "cpu_s": {"first_renders": cpu_open, "interactions": cpu_inter},
                        "wall_s": {"first_renders": wall_open, "interactions": wall_inter},
                        "rss_bytes": {
                            "start": cold[2],
                            "before": before[2],
                            "peak": peak,
                            "closed": meter.marks["closed"][2],
                            "after_close": after,
                        },
                        "samples": meter.samples,
                    },
                    "harness_cpu_s": harness_cpu,
                    "students": [asdict(s) for s in students],
                },
                indent=1,
            )
        )
        print(f"figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
