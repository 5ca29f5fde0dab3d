"""Set-ups round-trip through query parameters and JSON; garbage falls back to defaults with a warning."""

from __future__ import annotations

import base64
import random
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import build, flat_types, flat_values
from core.setup_state import (
    MAX_PACKED_CHARS,
    MAX_TEXT_CHARS,
    MAX_VALUE_CHARS,
    PACKED,
    SetupError,
    from_json,
    from_query,
    left_out_of_link,
    pack,
    to_json,
    to_query,
    unpack,
)


@dataclass(frozen=True)
class Example:
    name: str = "circle"
    layers: tuple[int, ...] = (4, 2)
    rate: float = 0.03
    steps: int = 100
    noisy: bool = False
    seed: int | None = None
    tags: tuple[str, ...] = ("a",)

    def validate(self) -> list[str]:
        problems = []
        if not 0 < self.rate <= 10:
            problems.append("rate: must be in (0, 10]")
        if any(n < 1 or n > 8 for n in self.layers):
            problems.append("layers: each layer has 1 to 8 neurons")
        return problems


def test_only_changed_fields_go_into_the_link_and_come_back():
    setup = Example(name="xor", layers=(8, 8, 3), noisy=True, seed=7)
    query = to_query(setup)
    assert query == {"name": "xor", "layers": "8,8,3", "noisy": "true", "seed": "7"}
    assert from_query(Example, query) == (setup, [])


def test_garbage_in_the_link_falls_back_to_defaults_with_warnings():
    setup, warnings = from_query(
        Example, {"rate": "fast", "steps": "1e999", "layers": "4,x", "unknown": "1", "noisy": "maybe"}
    )
    assert setup == Example()
    assert len(warnings) == 4 and all("Ignored link parameter" in w for w in warnings)


def test_validate_rejects_out_of_range_values():
    setup, warnings = from_query(Example, {"rate": "50", "layers": "0,4", "steps": "5"})
    assert setup == Example(steps=5)
    assert any("rate" in w for w in warnings) and any("layers" in w for w in warnings)


def test_json_round_trip_and_bad_documents():
    setup = Example(rate=0.3, layers=(1,))
    assert from_json(Example, to_json(setup)) == (setup, [])
    for bad in ["not json", "[]", '{"fields": 3}', '{"setup": "Other", "fields": {}}']:
        with pytest.raises(SetupError):
            from_json(Example, bad)


@given(
    st.dictionaries(st.sampled_from(["name", "layers", "rate", "steps", "noisy", "seed", "x"]), st.text(max_size=50))
)
def test_any_query_gives_a_valid_setup(params):
    setup, _ = from_query(Example, params)
    assert setup.validate() == []


@dataclass(frozen=True)
class Free:
    """No validation: every value of the declared types is a valid set-up."""

    name: str = "x"
    tags: tuple[str, ...] = ()
    count: int = 0
    scale: float = 1.0
    flag: bool = False
    seed: int | None = None


@given(
    st.builds(
        Free,
        name=st.text(max_size=30),
        tags=st.lists(st.text(max_size=10), max_size=4).map(tuple),
        count=st.integers(-(10**12), 10**12),
        scale=st.floats(allow_nan=False, allow_infinity=False),
        flag=st.booleans(),
        seed=st.none() | st.integers(0, 2**31),
    )
)
def test_every_setup_round_trips_through_the_link_and_json(setup):
    if setup.tags == ("",):  # the one value a query string cannot tell from ()
        setup = Free(**{**setup.__dict__, "tags": ("", "")})
    assert from_query(Free, to_query(setup)) == (setup, [])
    assert from_json(Free, to_json(setup)) == (setup, [])


def test_a_problem_naming_no_field_discards_the_whole_link():
    @dataclass(frozen=True)
    class Picky:
        n: int = 1

        def validate(self):
            return [] if self.n > 0 else ["n must be positive"]

    assert from_query(Picky, {"n": "-4"})[0] == Picky()


def test_a_setup_that_refuses_construction_falls_back_with_a_warning():
    @dataclass(frozen=True)
    class Strict:
        n: int = 1

        def __post_init__(self):
            if self.n > 10:
                raise ValueError("n too large")

    setup, warnings = from_query(Strict, {"n": "11"})
    assert setup == Strict() and "n too large" in warnings[0]


def test_optional_strings_are_refused_when_a_setup_is_read():
    @dataclass(frozen=True)
    class Ambiguous:
        label: str | None = None

    with pytest.raises(TypeError, match="optional str"):
        from_query(Ambiguous, {})


# ---- long values: compressed under "<field>.z" --------------------------------------------------------------------

ODD = [
    "e\u0301\u0327" * 900,
    "\u202eשלום עולם\u202c" * 300,
    "👩‍👩‍👧🏳️‍🌈" * 500,
    "\x00\x01\x1b\x7f" * 700,
    "a,b%2C%\n\r\t" * 400,
]


def through_a_url(query: dict[str, str]) -> dict[str, list[str]]:
    """What a browser's address bar gives back: percent-encoded, then decoded (lists of values per key)."""
    return parse_qs(urlencode(query), keep_blank_values=True)


@given(
    st.one_of(
        st.text(),
        st.sampled_from(ODD),
        st.tuples(st.text(min_size=1, max_size=30), st.integers(1, 400)).map(lambda t: t[0] * t[1]),
    )
)
def test_any_unicode_text_long_or_short_round_trips_through_a_url(name):
    setup = Free(name=name)
    query = to_query(setup)
    if left_out_of_link(setup):  # incompressible and long: left out, the rest of the link still reads
        assert left_out_of_link(setup) == ["name"] and query == {}
        return
    assert all(len(v) <= MAX_PACKED_CHARS for v in query.values())
    assert ("name" + PACKED in query) == (len(name) > MAX_VALUE_CHARS)
    assert from_query(Free, through_a_url(query)) == (setup, [])
    assert from_json(Free, to_json(setup)) == (setup, [])


def test_a_long_text_is_compressed_and_one_too_long_even_compressed_is_named_and_left_out():
    prose = "The cat sat on the mat and purred while the dog slept by the fire. " * 150  # ~10,000 characters
    query = to_query(Free(name=prose, count=3))
    assert set(query) == {"name.z", "count"} and len(query["name.z"]) < len(prose) / 10
    rng = random.Random(0)
    noise = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(6000))  # CJK at random: ~14 bits a character
    assert left_out_of_link(Free(name=noise, count=3)) == ["name"]
    assert to_query(Free(name=noise, count=3)) == {"count": "3"}


BOMB = pack("x" * (5 * MAX_TEXT_CHARS))


@pytest.mark.parametrize(
    ("packed", "reason"),
    [
        ("!!!not base64", "damaged"),
        ("é", "damaged"),
        (base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode(), "damaged"),  # not UTF-8
        (pack("hello world, " * 50)[:-6], "cut short"),
        (pack("hello") + "AAAA", "extra data"),
        (BOMB, "expands to more than"),
        ("A" * (MAX_PACKED_CHARS + 1), "longer than"),
    ],
)
def test_a_corrupt_compressed_value_is_ignored_with_a_warning_and_the_default_used(packed, reason):
    setup, warnings = from_query(Free, {"name.z": packed, "count": "4"})
    assert setup == Free(count=4)
    assert len(warnings) == 1 and "Ignored link parameter 'name'" in warnings[0] and reason in warnings[0]


@given(st.text(max_size=200))
def test_garbage_in_a_compressed_key_never_raises(packed):
    setup, warnings = from_query(Free, {"name.z": packed})
    assert isinstance(setup, Free) and (warnings or setup.name == unpack(packed))


def test_a_plain_value_over_the_limit_is_refused_with_a_warning():
    setup, warnings = from_query(Free, {"name": "x" * (MAX_VALUE_CHARS + 1)})
    assert setup == Free() and "travel compressed" in warnings[0]


def test_warnings_read_as_sentences_without_library_jargon():
    _, warnings = from_query(Free, {"name.z": "notbase64!!"})
    assert warnings and all("base64" not in w and "Error" not in w for w in warnings)
    assert all(not w.endswith("..") for w in warnings)


# ---- a group of fields (a set-up dataclass inside a set-up) travels flat, as its flat twin does --------------------


@dataclass(frozen=True)
class Inner:
    count: int = 0
    scale: float = 1.0
    tags: tuple[str, ...] = ()

    def validate(self) -> list[str]:
        return [] if self.count >= 0 else ["count: must not be negative"]


@dataclass(frozen=True)
class Outer:
    name: str = "x"
    inner: Inner = Inner(count=3)  # a group whose default is not its class's default
    flag: bool = False
    seed: int | None = None


@dataclass(frozen=True)
class OuterTwin:
    """Outer written flat: the same fields, defaults, order and checks."""

    name: str = "x"
    count: int = 3
    scale: float = 1.0
    tags: tuple[str, ...] = ()
    flag: bool = False
    seed: int | None = None

    def validate(self) -> list[str]:
        return [] if self.count >= 0 else ["count: must not be negative"]


TWIN_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=30),
        "count": st.integers(0, 10**12),
        "tags": st.lists(st.text(max_size=10), min_size=2, max_size=4).map(tuple),
        "scale": st.floats(allow_nan=False, allow_infinity=False),
        "flag": st.booleans(),
        "seed": st.none() | st.integers(0, 2**31),
    },
)


@given(TWIN_VALUES)
def test_a_nested_set_up_has_the_link_and_json_of_its_flat_twin_and_reads_back(values):
    twin, nested = OuterTwin(**values), build(Outer, values)
    assert flat_values(nested) == flat_values(twin)
    assert to_query(nested) == to_query(twin)
    assert to_json(nested) == to_json(twin).replace('"OuterTwin"', '"Outer"', 1)
    assert from_query(Outer, to_query(twin)) == (nested, [])
    assert from_json(Outer, to_json(nested)) == (nested, [])


@given(
    st.dictionaries(
        st.sampled_from(["name", "count", "scale", "tags", "flag", "seed", "inner", "x"]),
        st.text(max_size=20) | st.integers(-5, 5).map(str),
    )
)
def test_any_link_reads_into_a_nested_set_up_as_into_its_flat_twin(params):
    nested, warnings = from_query(Outer, params)
    twin, twin_warnings = from_query(OuterTwin, params)
    assert flat_values(nested) == flat_values(twin) and warnings == twin_warnings


def test_a_group_is_built_over_its_own_default_and_its_names_must_be_its_own():
    assert build(Outer, {"scale": 2.0}) == Outer(inner=Inner(count=3, scale=2.0))
    assert build(Outer, {}) == Outer() and list(flat_types(Outer)) == list(flat_types(OuterTwin))

    @dataclass(frozen=True)
    class Clash:
        count: int = 1
        inner: Inner = Inner()

    with pytest.raises(TypeError, match="count"):
        flat_types(Clash)
