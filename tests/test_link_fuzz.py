"""No link can break a tool: every field of every set-up (plain and compressed), every racer keyword, hostile values.

The whole path a page takes from its address to its first computation is exercised: query → `from_query`
(parse, validate, fall back) → what the page does next with the set-up (racers parsed and built, the surface and a
short race, the data set and network shape, the model source canonicalised, the texts tokenised). The documented
outcome is a valid set-up and a list of warnings; each step after that raises only the error its page catches and
shows. Warnings quote the user's value with its invisible characters escaped, cut when long, name no server path,
and show nothing of it as Markdown once the page makes the message literal (as every page does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import unicodedata
from collections.abc import Callable

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.attention.setup import AttentionSetup
from core.attribution.setup import AttributionSetup
from core.builder.setup import BuilderSetup, build_dataset, net_spec
from core.catalog import ROOT
from core.markdown_literal import literal
from core.models import ModelLoadError, canonical_source
from core.race.expression import ExpressionError
from core.race.race import run_race
from core.race.racers import OPTIMIZERS, SPECS, Knob, RacerError, parse_racer
from core.race.setup import DEFAULT_RACERS, RaceSetup
from core.settings import flat_types, problems
from core.setup_state import PACKED, QUOTE_CHARS, SetupError, from_json, from_query, pack, quoted, to_query
from core.tokens import TextInputError, encode
from tests.markdown import rendered, visible

NUMBERS = [
    "inf",
    "-inf",
    "+Infinity",
    "nan",
    "-nan",
    "NaN",
    "1e400",
    "-1e400",
    "1e-400",
    str(10**400),
    str(-(10**400)),
    "9" * 5000,
    "-1",
    "-0",
    "0",
    "0.5",
    "1_000",
    "0x10",
    "١٢",
    "2147483648",
    "-9223372036854775809",
    "1e5",
]
TEXTS = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "embedded\x00",
    "\x1b[31m",
    "\x7f",
    "\u202eevil",
    "\ufeff",
    "%00",
    "%ZZ",
    ",",
    ",,,",
    "1,,2",
    "a%2Cb",
    "none",
    "None",
    "true",
    "yes",
    "../../etc/passwd",
    "/etc/passwd",
    "~root/.ssh",
    "~nosuchuser/models",
    "C:\\Windows",
    "\\\\host\\share",
    "**bold**",
    "[x](https://example.com)",
    "<script>alert(1)</script>",
    "$x^2$",
    ":red[red]",
    "`code`",
    "x" * 2001,
    "é" * 3000,
    "🙂‍↔️" * 60,
    "x" * 30_000,
]
SURROGATES = ["\ud800", "a\udfffb"]  # no browser link or AppTest can carry these; a caller's dict can
HOSTILE = NUMBERS + TEXTS + SURROGATES
KEYWORDS = sorted(
    {k.name for spec in SPECS.values() for k in spec.knobs}
    | {
        "optimizer",
        "params",
        "self",
        "maximize",
        "foreach",
        "fused",
        "capturable",
        "differentiable",
        "",
        "LR",
        "lr\x00",
        "__class__",
        "betas[0]",
    }
)


def one_of(values: list[str]) -> st.SearchStrategy[str]:
    """sampled_from, by index: Hypothesis then does not print the long values in every strategy's repr."""
    return st.integers(0, len(values) - 1).map(values.__getitem__)


def _run_race(setup: RaceSetup) -> None:
    """What the race page computes first, for two steps: the page shows an ExpressionError, and a RacerError of a
    racer is reported by the race itself."""
    try:
        surface = setup.build_surface()
    except ExpressionError:
        return
    racers = setup.build_racers()
    for racer in racers:
        with contextlib.suppress(RacerError):
            racer.build([torch.zeros(2, requires_grad=True)])
    run_race(surface, racers, setup.start(surface), dataclasses.replace(setup.config(), steps=min(setup.steps, 2)))


def _build_network(setup: BuilderSetup) -> None:
    net_spec(setup, build_dataset(setup))


def _model_and_texts(texts: tuple[str, ...]) -> Callable[[object, object], None]:
    """The text pages' next steps: the source becomes a cache key (ModelLoadError for a bad one, shown by the page)
    and each text is tokenised by the embedded model (TextInputError for unusable text, shown by the page)."""

    def check(setup, minilm) -> None:
        try:
            canonical_source(setup.source)
        except ModelLoadError as e:
            assert_safe(str(e))
        for name in texts:
            with contextlib.suppress(TextInputError):
                encode(minilm, getattr(setup, name))

    return check


def _attribution_parts(setup: AttributionSetup, minilm) -> None:
    setup.settings, setup.text_target(), setup.network_target()
    _model_and_texts(("text", "text_b"))(setup, minilm)


# Each tool's set-up and what its page does with it next (given the set-up and the embedded model).
PATHS: dict[type, Callable] = {
    BuilderSetup: lambda setup, _model: _build_network(setup),
    RaceSetup: lambda setup, _model: _run_race(setup),
    AttentionSetup: _model_and_texts(("text", "text_b", "compare_text")),
    AttributionSetup: _attribution_parts,
}
TOOLS = list(PATHS)
FIELDS = [(cls, name) for cls in TOOLS for name in flat_types(cls)]  # a group's fields travel by their own names
SERVER_PATHS = [str(ROOT), os.path.expanduser("~"), os.path.dirname(torch.__file__)]


def assert_safe(message: str) -> None:
    """A message a page may show: printable, of bounded length, naming no folder of this server."""
    assert isinstance(message, str) and message
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in message), repr(message)
    assert len(message) < 2000, len(message)  # a quoted value is cut at QUOTE_CHARS (its escapes may be longer)
    assert not any(path in message for path in SERVER_PATHS), message


def read_link(cls: type, params: dict[str, str]):
    """The documented outcome: a valid set-up of the class, warnings that are safe to show, a link that reads back
    as the same set-up without warnings."""
    setup, warnings = from_query(cls, params)
    assert type(setup) is cls and problems(setup) == []
    assert isinstance(warnings, list)
    for warning in warnings:
        assert_safe(warning)
    assert from_query(cls, to_query(setup)) == (setup, [])
    return setup, warnings


# ---- the QA links ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("racers", "says"),
    [
        ("LBFGS max_iter=inf", "max_iter = 'inf' is not a finite number"),
        ("LBFGS history_size=1e400", "history_size = '1e400' is not a finite number"),
        ("LBFGS max_iter=" + "9" * 400, "max_iter = '999"),
        ("SGD optimizer=1", "'optimizer' cannot be set here: the optimizer's name comes first"),
        ("SGD maximize=true", "'maximize' cannot be set here"),
        ("SGD lr=0.1 lr=0.2", "'lr' is given twice"),
        ("Adam lr=nan", "not a finite number"),
    ],
)
def test_a_racer_link_that_crashed_the_race_page_falls_back_to_the_default_racers_with_a_warning(racers, says):
    setup, warnings = read_link(RaceSetup, {"racers": racers, "steps": "40"})
    assert setup == RaceSetup(steps=40) and setup.racers == DEFAULT_RACERS
    assert len(warnings) == 1 and says in warnings[0] and quoted(racers) in warnings[0]


@pytest.mark.parametrize("cls", [AttentionSetup, AttributionSetup])
@pytest.mark.parametrize("source", ["embedded\x00", "\x00", "bert-base-uncased\x00x", "../x\x00", "a\nb"])
def test_a_control_character_in_a_linked_model_source_falls_back_to_the_embedded_model(cls, source):
    setup, warnings = read_link(cls, {"source": source})
    assert setup == cls()
    assert len(warnings) == 1 and quoted(source) in warnings[0] and "a control character" in warnings[0]


@pytest.mark.parametrize("source", ["a\x00b", "embedded\x00", "/tmp/\x00", "x\x1by", "\ud800"])
def test_a_typed_model_source_that_no_folder_can_have_is_refused_before_any_look_up_naming_no_server_path(source):
    with pytest.raises(ModelLoadError) as caught:
        canonical_source(source)
    assert caught.value.kind == "invalid-name" and quoted(source.strip()) in str(caught.value)
    assert_safe(str(caught.value))


def test_a_home_folder_of_an_unknown_user_is_no_model_folder_rather_than_a_crash():
    with pytest.raises(ModelLoadError, match="No model folder"):
        canonical_source("~nosuchuser/model")


def test_a_layer_or_head_beyond_any_model_falls_back_before_the_page_names_it_in_a_warning():
    setup, warnings = read_link(AttentionSetup, {"layer": str(10**400), "heads": "2,129", "text": "Hi."})
    assert setup == AttentionSetup(text="Hi.") and len(warnings) == 2
    assert all("no model has more than 128" in w for w in warnings)


# ---- quoting the user's value ------------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())) | one_of(HOSTILE))
def test_quoted_shows_the_value_in_quotes_or_its_escapes(value):
    text = quoted(value)
    body, _, rest = text[1:].rpartition("'")
    assert text.startswith("'") and (rest == "" or rest.startswith("… ("))
    assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in text)
    if all(unicodedata.category(ch)[0] not in "CZ" or ch == " " for ch in value):
        assert body == value[:QUOTE_CHARS]  # printable text is shown as it is
    assert len(text) <= 12 * QUOTE_CHARS + 40


MARKDOWN = "**b**_i_[l](https://example.com)<b>$x$:red[r]"


@pytest.mark.parametrize(("cls", "name"), FIELDS, ids=[f"{c.__name__}.{n}" for c, n in FIELDS])
def test_a_refused_linked_value_shows_as_typed_not_read_as_markdown(cls, name):
    for value in (MARKDOWN, MARKDOWN + "\x00", "`" + MARKDOWN + "``"):
        _setup, warnings = read_link(cls, {name: value})
        for warning in warnings:  # as the page shows it: literal(warning), read as Markdown by Streamlit
            text, tags = rendered(literal(warning))
            assert tags <= {"p", "br"}, warning
            assert text == visible(warning), warning


# ---- every field, every hostile value ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", TOOLS, ids=lambda c: c.__name__)
def test_every_field_plain_or_compressed_takes_any_hostile_value_without_raising(cls):
    for name in flat_types(cls):
        for value in HOSTILE:
            _setup, warnings = read_link(cls, {name: value})
            if value.isascii():  # a number of 400 digits, 2,001 x's: cut in the warning
                assert all(len(w) < 400 for w in warnings), warnings
        for value in TEXTS:
            read_link(cls, {name + PACKED: pack(value)})
            read_link(cls, {name + PACKED: value})  # not a compressed value at all


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_racer_keyword_takes_any_hostile_value_as_a_racer_or_a_racer_error(optimizer):
    for keyword in KEYWORDS:
        for value in [*HOSTILE, "0.9/inf", "nan/0.5", "1/2/3", "strong_wolfe", "1e-5", "true"]:
            text = f"{optimizer} {keyword}={value}"
            try:
                parse_racer(text)
            except RacerError as e:
                assert_safe(str(e))
    read_link(RaceSetup, {"racers": f"{optimizer} lr=1e400"})


# ---- hypothesis over whole links ---------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)
UTF8_TEXT = ANY_TEXT.map(lambda t: t.encode("utf-8", "replace").decode("utf-8"))  # what pack can take
SURROGATE_TEXT = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
NUMBER = (
    one_of(NUMBERS)
    | st.integers(-(10**400), 10**400).map(str)
    | st.floats().map(repr)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=10).map(str)
)
VALUE = (
    one_of(HOSTILE)
    | NUMBER
    | ANY_TEXT
    | SURROGATE_TEXT
    | st.lists(NUMBER | ANY_TEXT, min_size=2, max_size=5).map(",".join)
    | st.tuples(ANY_TEXT, st.integers(100, 3000)).map(lambda t: (t[0] or "x") * t[1])
)


def knob_value(knob: Knob) -> st.SearchStrategy[str]:
    """A value this knob takes (so that some racers are valid and race) or any number."""
    number, whole = st.floats(knob.low, knob.high).map(repr), st.integers(int(knob.low), int(knob.high)).map(str)
    valid = {
        "bool": st.sampled_from(["true", "false", "1", "0"]),
        "choice": st.sampled_from(["none", "strong_wolfe"]),
        "pair": st.tuples(number, number).map("/".join),
        "int": whole,
        "optional_int": whole | st.just("none"),
    }
    return valid.get(knob.kind, number) | NUMBER


def racer_text(name: str) -> st.SearchStrategy[str]:
    """'name knob=value …': mostly this optimizer's knobs with values they take, then any keyword with any value."""
    own = (
        st.sampled_from(SPECS[name].knobs).flatmap(lambda k: st.tuples(st.just(k.name), knob_value(k)))
        if name in SPECS
        else st.nothing()
    )
    other = st.tuples(st.sampled_from(KEYWORDS), NUMBER | one_of(TEXTS[:20]))
    items = st.lists(st.one_of(own, own, own, other), max_size=3)
    return items.map(lambda pairs: " ".join([name, *(f"{k}={v}" for k, v in pairs)]))


RACER = (st.sampled_from(OPTIMIZERS) | ANY_TEXT).flatmap(racer_text)
RACERS = st.lists(RACER, min_size=1, max_size=3).map(",".join)


def link(cls: type) -> st.SearchStrategy[dict[str, str]]:
    """Query parameters for `cls`: any of its fields, plain or compressed (validly or not), and unknown keys."""
    names = list(flat_types(cls))
    plain = st.dictionaries(st.sampled_from([*names, "unknown", ""]), VALUE, max_size=6)
    packed = st.dictionaries(
        st.sampled_from(names).map(lambda n: n + PACKED), (UTF8_TEXT | one_of(TEXTS)).map(pack) | ANY_TEXT, max_size=2
    )
    race = st.fixed_dictionaries({}, optional={"racers": RACERS}) if cls is RaceSetup else st.just({})
    return st.tuples(plain, packed, race).map(lambda parts: {k: v for part in parts for k, v in part.items()})


@pytest.mark.parametrize("cls", TOOLS, ids=lambda c: c.__name__)
def test_any_link_gives_a_set_up_and_warnings_and_the_page_s_next_steps_raise_only_what_they_show(cls, minilm):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(link(cls))
    def check(params):
        setup, _warnings = read_link(cls, params)
        PATHS[cls](setup, minilm)

    check()


# ---- a set-up file (the Network builder's "Load a set-up JSON") --------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(-(10**400), 10**400) | ANY_TEXT | one_of(HOSTILE),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("cls", TOOLS, ids=lambda c: c.__name__)
def test_any_set_up_file_gives_a_set_up_and_warnings_or_a_setup_error(cls):
    names = list(flat_types(cls))

    @settings(max_examples=150, deadline=None)
    @given(st.dictionaries(st.sampled_from(names) | ANY_TEXT, JSON, max_size=6), st.sampled_from([cls.__name__, None]))
    def check(fields, name):
        setup, warnings = from_json(cls, json.dumps({"setup": name, "fields": fields}))
        assert type(setup) is cls and problems(setup) == []
        for warning in warnings:
            assert_safe(warning)

    check()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"setup": "**x** [l](https://example.com)", "fields": {}}',
        '{"fields": "\\u0000"}',
        "\x00",
        '{"setup": "' + "x" * 5000 + '", "fields": {}}',
    ],
)
def test_a_file_that_is_no_set_up_is_a_setup_error_with_a_safe_message(text):
    with pytest.raises(SetupError) as caught:
        from_json(BuilderSetup, text)
    assert_safe(str(caught.value))
    assert rendered(literal(str(caught.value)))[1] <= {"p", "br"}
