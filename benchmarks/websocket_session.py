"""One browser tab without a browser: a Streamlit session driven over Streamlit's own websocket protocol.

The browser talks to the server over one websocket, `/_stcore/stream`, in protobuf messages: it sends a `BackMsg`
whose `rerun_script` names the page, the query string and the widget values, for the first render and again for each
click; the server answers with `ForwardMsg`s: `new_session` when a script run starts, one `delta` per element, and
`script_finished` when the run is over. Speaking that protocol puts a server under the load of real tabs (the same
sessions, script threads, widget callbacks and disconnects) at a fraction of a browser's cost, so one process can
play a whole class.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# What a run can end with; FINISHED_EARLY_FOR_RERUN (an st.rerun() inside the script) is followed by another run.
FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
}


class SessionError(RuntimeError):
    """The server went silent past the timeout, or closed the connection: the tab would show 'Connecting…'."""


def rerun_request(
    query: str,
    widgets: list[WidgetState],
    *,
    page: str = "",
    page_hash: str = "",
    fragment_id: str = "",
    auto: bool = False,
    cached: Iterable[str] = (),
) -> bytes:
    """The BackMsg a browser sends to run a page's script: the page by its URL path on the first load (Streamlit's
    navigation maps it to a script) and by the script's hash after that, the query string without '?', the values
    of the widgets the user has set, and the hashes of the big messages the tab keeps (the server then sends a
    reference instead of the message again). With a `fragment_id`, only that fragment reruns; `auto` marks the
    timer's reruns of an `st.fragment(run_every=...)`."""
    msg = BackMsg()
    state = msg.rerun_script
    if page_hash:
        state.page_script_hash = page_hash
    else:
        state.page_name = page
    state.query_string = query
    state.widget_states.widgets.extend(widgets)
    state.cached_message_hashes.extend(cached)
    if fragment_id:
        state.fragment_id = fragment_id
    state.is_auto_rerun = auto
    return msg.SerializeToString()


def widget_state(widget_id: str, **value: object) -> WidgetState:
    """A widget's value as the browser reports it: `trigger_value=True` for a button click, `int_value`,
    `double_value`, `string_value`, ... (one field of WidgetState's `value` oneof, named as the widget expects)."""
    ((name, v),) = value.items()
    state = WidgetState(id=widget_id)
    setattr(state, name, v)
    return state


def element_problem(element: Element) -> tuple[str, str] | None:
    """("error" | "warning", text) for an element that tells the user something went wrong: an exception box
    (an uncaught exception in the script, or st.exception) or an st.error / st.warning alert; None otherwise."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        return "error", f"exception {element.exception.type}: {element.exception.message}"[:300]
    if kind == "alert" and element.alert.format in (Alert.ERROR, Alert.WARNING):
        return ("error" if element.alert.format == Alert.ERROR else "warning"), element.alert.body[:300]
    return None


@dataclass
class Run:
    """One script run as the tab saw it: seconds from the request to `script_finished`, how it ended, the raw
    bytes of every message (to look for values the page echoes), the problems its elements report, and whether it
    was a fragment's run or the whole page's."""

    seconds: float
    status: str
    payload: bytes
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fragment: bool = False


@dataclass
class Widget:
    """A widget on the page: its id (what a BackMsg names it by) and the fragment it lives in, if any."""

    id: str
    kind: str
    label: str
    fragment_id: str


class Session:
    """One simulated tab. `open()` renders a page from a link; `set()` changes a widget (or clicks a button) and
    waits for the rerun to finish, as the browser would; `listen()` collects the runs that a page's timers ask
    for (a `run_every` fragment, like the Network builder's live view while playing); `close()` closes
    the tab."""

    def __init__(self, base_url: str, timeout_s: float = 300.0):
        self.ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout_s = timeout_s  # longest silence accepted between two messages
        self.page = ""
        self.page_hash = ""  # the page's script, once the server has named it
        self.query = ""
        self.kept: dict[str, bytes] = {}  # cacheable messages by hash, as the browser's message cache keeps them
        self.widgets: dict[str, Widget] = {}  # by the widget's key (the end of its id) or, without one, its id
        self.values: dict[str, WidgetState] = {}  # values the user set, sent again with every rerun
        self._ws: ClientConnection | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id → (interval, task asking for reruns)

    async def open(self, page: str, query: dict[str, str]) -> Run:
        """Connect and render `page` from a link with `query`; the time includes the websocket handshake."""
        t0 = time.perf_counter()
        try:
            # a page message (plotly figure, table) can exceed websockets' 1 MB default; Streamlit allows 200 MB
            self._ws = await asyncio.wait_for(
                connect(self.ws_url, subprotocols=["streamlit"], max_size=2**28, open_timeout=None), self.timeout_s
            )
        except (OSError, TimeoutError) as e:
            raise SessionError(f"could not connect: {e}") from e
        self.page, self.query = page, urlencode(query)
        await self._send(self._rerun([]))
        return await self._read_run(t0, fragment=False)

    async def set(self, key: str, **value: object) -> Run:
        """Give the widget with this key a value (see `widget_state`) and wait for the rerun it causes."""
        widget = self.widgets.get(key)
        if widget is None:
            raise KeyError(f"no widget '{key}' on {self.page} (have: {', '.join(sorted(self.widgets))})")
        state = widget_state(widget.id, **value)
        if "trigger_value" not in value:  # a click is sent once; a value stays set, as in the browser
            self.values[widget.id] = state
        widgets = [s for wid, s in self.values.items() if wid != widget.id] + [state]
        t0 = time.perf_counter()
        await self._send(self._rerun(widgets, widget.fragment_id))
        return await self._read_run(t0, fragment=bool(widget.fragment_id))

    async def listen(
        self, seconds: float, enough: Callable[[Run], bool] | None = None, quiet_s: float = 0.0
    ) -> list[Run]:
        """The runs that start within `seconds` while the page's timers run, and within `quiet_s` after they
        stopped (a rerun they asked for may still wait at the server): the fragment reruns they ask for, and a
        whole-page run the script starts itself (`st.rerun()`, which stops them). Each run's `seconds` is since the
        previous one ended. Stops early at a run for which `enough(run)`."""
        runs: list[Run] = []
        until = time.perf_counter() + seconds
        t0 = time.perf_counter()
        while (wait := min(until - time.perf_counter(), math.inf if self._timers else quiet_s)) > 0:
            run = await self._read_run(t0, fragment=None, first_wait_s=wait)
            if run is None:
                break
            runs.append(run)
            if enough is not None and enough(run):
                break
            t0 = time.perf_counter()
        return runs

    async def close(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    def _rerun(self, widgets: list[WidgetState], fragment_id: str = "", auto: bool = False) -> bytes:
        return rerun_request(
            self.query,
            widgets,
            page=self.page,
            page_hash=self.page_hash,
            fragment_id=fragment_id,
            auto=auto,
            cached=self.kept,
        )

    async def _send(self, message: bytes) -> None:
        try:
            await self._ws.send(message)
        except ConnectionClosed as e:
            raise SessionError(f"disconnected ({e})") from e

    async def _read_run(self, t0: float, fragment: bool | None, first_wait_s: float | None = None) -> Run | None:
        """Read until a run of the kind asked for (a fragment's, the whole page's, or None: either) ends for good,
        keeping the page's widgets for the next request; its payload and problems are those of that run alone.
        None if no message comes within `first_wait_s` (when given)."""
        payload: list[bytes] = []
        errors: list[str] = []
        warnings: list[str] = []
        try:
            while True:
                if first_wait_s is not None:
                    try:
                        raw = await asyncio.wait_for(self._ws.recv(decode=False), first_wait_s)
                    except TimeoutError:
                        return None
                    first_wait_s = None
                else:
                    raw = await asyncio.wait_for(self._ws.recv(decode=False), self.timeout_s)
                raw, msg = self._unpack(raw, errors)
                kind = msg.WhichOneof("type")
                if kind == "new_session" and not msg.metadata.run.fragment_ids:
                    # a full run sends the whole page again and announces its timers again: the browser forgets both
                    self.widgets.clear()
                    for fragment_id in list(self._timers):
                        self._stop_timer(fragment_id)
                if kind == "new_session" and fragment in (None, bool(msg.metadata.run.fragment_ids)):
                    payload, errors, warnings = [], [], []  # the run we wait for starts (again, after st.rerun)
                payload.append(raw)
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._note(msg.delta.new_element, msg.delta.fragment_id, errors, warnings)
                elif kind == "navigation":  # st.navigation names the page's script (new_session names app.py's)
                    self.page_hash = msg.navigation.page_script_hash
                elif kind == "page_not_found":
                    errors.append(f"page not found: {msg.page_not_found.page_name}")
                elif kind == "auto_rerun":
                    self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
                elif kind == "stop_auto_rerun":
                    for fragment_id in msg.stop_auto_rerun.fragment_ids:
                        self._stop_timer(fragment_id)
                elif kind == "script_finished" and msg.script_finished in FINAL:
                    ended = msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    if fragment in (None, ended):
                        return Run(
                            time.perf_counter() - t0,
                            FINAL[msg.script_finished],
                            b"".join(payload),
                            errors,
                            warnings,
                            ended,
                        )
        except TimeoutError as e:
            raise SessionError(f"no message from the server for {self.timeout_s:.0f} s") from e
        except ConnectionClosed as e:
            raise SessionError(f"disconnected ({e})") from e

    def _unpack(self, raw: bytes, errors: list[str]) -> tuple[bytes, ForwardMsg]:
        """A message, or for a reference the message the tab kept; keeps a cacheable message for later."""
        msg = ForwardMsg.FromString(raw)
        if msg.WhichOneof("type") == "ref_hash":
            if msg.ref_hash not in self.kept:
                errors.append(f"the server referred to a message this tab never got ({msg.ref_hash})")
                return raw, msg
            raw = self.kept[msg.ref_hash]
            return raw, ForwardMsg.FromString(raw)
        if msg.metadata.cacheable and msg.hash:
            self.kept[msg.hash] = raw
        return raw, msg

    def _start_timer(self, fragment_id: str, interval_s: float) -> None:
        """Ask for the fragment's rerun every `interval_s`, as the browser's setInterval does: whether or not the
        last one has finished (the server queues them). Like the browser, a timer with the same interval is kept
        when a rerun announces it again."""
        if self._timers.get(fragment_id, (None,))[0] == interval_s:
            return
        self._stop_timer(fragment_id)

        async def tick() -> None:
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await asyncio.sleep(interval_s)
                    await self._ws.send(self._rerun(list(self.values.values()), fragment_id, auto=True))

        self._timers[fragment_id] = interval_s, asyncio.create_task(tick())

    def _stop_timer(self, fragment_id: str) -> None:
        if fragment_id in self._timers:
            self._timers.pop(fragment_id)[1].cancel()

    def _note(self, element: Element, fragment_id: str, errors: list[str], warnings: list[str]) -> None:
        problem = element_problem(element)
        if problem:
            (errors if problem[0] == "error" else warnings).append(problem[1])
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id:
            # a keyed widget's id ends with its key, the handle that stays the same across runs
            key = user_key_from_element_id(widget_id) or widget_id
            self.widgets[key] = Widget(widget_id, kind, getattr(getattr(element, kind), "label", ""), fragment_id)
