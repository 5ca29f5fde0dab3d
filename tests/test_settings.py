"""core.settings: a setting declared once carries its bounds and choices, and the set-up checks them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import Setting, problems, setting, settings
from core.setup_state import from_query, to_json, to_query

SHAPES = {"circle": "a circle", "xor": "XOR"}


@dataclass(frozen=True)
class Toy:
    shape: str = setting("circle", "Shape", kind="select", choices=lambda: SHAPES, names=SHAPES)
    points: int = setting(100, "Points", kind="slider", low=10, high=2000, step=10)
    rate: float = setting(0.03, "Learning rate", low=1e-5, high=10.0)
    layers: tuple[int, ...] = setting((4, 2), "Neurons per layer", kind="multiselect", low=1, high=8)
    note: str = ""  # not a setting: no widget, no check

    def validate(self) -> list[str]:
        return ["points: an XOR needs an even number of points"] if self.shape == "xor" and self.points % 2 else []


def test_declared_settings_are_listed_in_order_and_plain_fields_are_not():
    assert list(settings(Toy)) == ["shape", "points", "rate", "layers"]
    assert settings(Toy)["shape"].name("xor") == "XOR" and settings(Toy)["points"].allowed() is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shape": "moons"}, "shape"),
        ({"points": 5}, "points"),
        ({"rate": float("nan")}, "rate"),
        ({"rate": 11.0}, "rate"),
        ({"layers": (4, 9)}, "layers"),
        ({"shape": "xor", "points": 11}, "points"),
    ],
)
def test_a_value_out_of_its_declared_bounds_or_choices_is_named_with_its_field(changes, field):
    found = problems(dataclasses.replace(Toy(), **changes))
    assert [p.split(":")[0] for p in found] == [field]


def test_the_link_reader_applies_the_declarations_and_falls_back_field_by_field():
    setup, warnings = from_query(Toy, {"shape": "xor", "points": "6", "rate": "0.1"})
    assert setup == Toy(shape="xor", rate=0.1) and len(warnings) == 1 and "points" in warnings[0]
    again, none = from_query(Toy, to_query(setup))
    assert again == setup and not none
    assert '"shape": "xor"' in to_json(setup)


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6))
def test_any_number_is_either_within_its_bounds_or_a_problem(rate, points):
    toy = Toy(rate=rate, points=points)
    in_bounds = 1e-5 <= rate <= 10.0 and 10 <= points <= 2000
    assert (problems(toy) == []) == in_bounds


def test_an_unknown_widget_kind_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="unknown setting kind"):
        Setting("x", kind="dial")


@dataclass(frozen=True)
class Training:
    rate: float = setting(0.03, "Learning rate", low=1e-5, high=10.0)
    epochs: int = setting(10, "Epochs", low=1, high=100)

    def validate(self) -> list[str]:
        return ["epochs: a rate over 1 needs at least 5 epochs"] if self.rate > 1 and self.epochs < 5 else []


@dataclass(frozen=True)
class Lesson:
    shape: str = setting("circle", "Shape", kind="select", choices=SHAPES)
    training: Training = Training()
    seed: int = setting(0, "Seed", low=0, high=9)


def test_a_groups_declared_settings_and_checks_count_in_its_parents_place():
    assert list(settings(Lesson)) == ["shape", "rate", "epochs", "seed"]
    assert problems(Lesson(training=Training(epochs=0), seed=10)) == [
        "epochs: must be between 1 and 100",
        "seed: must be between 0 and 9",
    ]
    assert problems(Lesson(training=Training(rate=2.0, epochs=2))) == ["epochs: a rate over 1 needs at least 5 epochs"]
    setup, warnings = from_query(Lesson, {"rate": "20", "epochs": "7", "shape": "xor"})
    assert setup == Lesson(shape="xor", training=Training(epochs=7)) and len(warnings) == 1 and "rate" in warnings[0]
