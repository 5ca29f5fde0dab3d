"""How is a tool's setting declared once? As a set-up dataclass field whose metadata says how to ask for it.

A set-up dataclass (BuilderSetup, RaceSetup, AttentionSetup, AttributionSetup) declares each user-facing field
with `setting(...)`: its default, its label and help, its bounds or its choices, and the kind of widget that asks
for it. From that one declaration:

- `problems(setup)` checks bounds and choices, so a set-up's `validate()` adds only what involves several fields;
- `pages/kit.py` draws the widget (label, help, bounds, options, how a choice reads) and keeps its value;
- `core/setup_state.py` reads and writes the link and the JSON export by the field's type, as for any field.

A field whose type is itself a set-up dataclass is a group of settings (AttributionSetup's `settings:
MethodSettings`, which core also uses on its own): its fields stand in the parent's place, by their own names, in
the widgets, the checks, the link and the JSON (`flat_types`, `flat_values`, `build`), so nesting changes no link.

Like TensorFlow Playground's `State.PROPS`: one table per tool. No Streamlit here: the widget kind is a name that
pages/kit.py maps to a Streamlit call.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

KINDS = (
    "number",
    "slider",
    "select_slider",
    "select",
    "radio",
    "segmented",
    "multiselect",
    "checkboxes",
    "checkbox",
    "toggle",
    "text",
    "text_area",
)  # checkboxes: a multiple choice as one box per choice, in the choices' order


@dataclass(frozen=True)
class Setting:
    """How one set-up field is asked for and what values it takes.

    choices: the allowed values (a registry's keys, or a function giving them: evaluated when asked, so a
    registry filled later counts); names: how a choice reads (a mapping or a function); low/high: inclusive bounds
    of a number (or of each number of a tuple); step and number_format: as the number widgets take them.
    """

    label: str
    kind: str = "number"
    help: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    number_format: str | None = None
    choices: Iterable[Any] | Callable[[], Iterable[Any]] | None = None
    names: Mapping[Any, str] | Callable[[Any], str] | None = None
    problem: str = ""  # the message when the value is out of bounds or not a choice (default: says which)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown setting kind {self.kind!r}; one of {', '.join(KINDS)}")

    def allowed(self) -> tuple[Any, ...] | None:
        """The allowed values, or None for a free value (a number within bounds, a text)."""
        if self.choices is None:
            return None
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def name(self, value: Any) -> str:
        """How `value` reads in the widget."""
        if self.names is None:
            return str(value)
        if callable(self.names):
            return self.names(value)
        return self.names.get(value, str(value))

    def check(self, value: Any) -> str | None:
        """Why `value` is not allowed, or None."""
        values = value if isinstance(value, tuple) else (value,)
        allowed = self.allowed()
        if allowed is not None and any(v not in allowed for v in values):
            return self.problem or f"must be one of {', '.join(map(str, allowed))}"
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        # an int is compared as it is (a 400-digit number from a link cannot become a float)
        if (
            any(isinstance(v, float) and not math.isfinite(v) for v in numbers)
            or (self.low is not None and any(v < self.low for v in numbers))
            or (self.high is not None and any(v > self.high for v in numbers))
        ):
            return self.problem or f"must be between {self.low:g} and {self.high:g}"
        return None


def setting(default: Any, label: str, **how: Any) -> Any:
    """A set-up field with its default and how it is asked for (see Setting)."""
    return dataclasses.field(default=default, metadata={"setting": Setting(label, **how)})


@cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field, Any, bool], ...]:
    """(field, its type, whether it is a group: a set-up dataclass) for each field of `cls`."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f, hints[f.name], isinstance(hints[f.name], type) and dataclasses.is_dataclass(hints[f.name]))
        for f in dataclasses.fields(cls)
    )


@cache
def _leaves(cls: type) -> tuple[tuple[str, Any, dataclasses.Field], ...]:
    """(name, type, field) of each field of `cls` in declaration order, a group's fields in its place."""
    leaves: list[tuple[str, Any, dataclasses.Field]] = []
    for f, annotation, group in _fields(cls):
        leaves += _leaves(annotation) if group else [(f.name, annotation, f)]
    names = [name for name, _, _ in leaves]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise TypeError(f"{cls.__name__}: a group's fields share names with other fields ({', '.join(twice)})")
    return tuple(leaves)


def flat_types(cls: type) -> dict[str, Any]:
    """Each field's type by name, a group's fields in its place (the names a link and a JSON export use)."""
    return {name: annotation for name, annotation, _ in _leaves(cls)}


def flat_values(setup: Any) -> dict[str, Any]:
    """Each field's value by name, a group's fields in its place."""
    values: dict[str, Any] = {}
    for f, _, group in _fields(type(setup)):
        value = getattr(setup, f.name)
        values |= flat_values(value) if group else {f.name: value}
    return values


def build(cls: type[T], values: Mapping[str, Any]) -> T:
    """A `cls` from values by flat name (`flat_types`): a field not in `values` keeps its default, a group is built
    from its own fields' values over its default. Raises what the dataclass raises for bad values."""
    given = {}
    for f, annotation, group in _fields(cls):
        if not group:
            if f.name in values:
                given[f.name] = values[f.name]
            continue
        own = {name: values[name] for name in flat_types(annotation) if name in values}
        if own:
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default
            given[f.name] = build(annotation, flat_values(default) | own)
    return cls(**given)


def settings(cls: type) -> dict[str, Setting]:
    """The declared settings of a set-up class, by field name, in declaration order (a group's in its place)."""
    return {name: f.metadata["setting"] for name, _, f in _leaves(cls) if "setting" in f.metadata}


def problems(setup: Any) -> list[str]:
    """'field: message' for each declared setting whose value is out of its bounds or not one of its choices, then
    what the set-up's own `validate()` finds (the checks that involve several fields or a registry's contents),
    then what its groups' own `validate()` find."""
    values = flat_values(setup)
    found = [
        f"{name}: {why}" for name, declared in settings(type(setup)).items() if (why := declared.check(values[name]))
    ]
    return found + _validated(setup)


def _validated(setup: Any) -> list[str]:
    validate = getattr(setup, "validate", None)
    found = list(validate()) if validate is not None else []
    for f, _, group in _fields(type(setup)):
        if group:
            found += _validated(getattr(setup, f.name))
    return found
