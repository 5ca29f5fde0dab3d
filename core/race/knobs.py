"""What can an optimizer's knob hold, and how is it asked for? One table of knob kinds, `KNOB_KINDS`.

A knob is one hyperparameter of a `torch.optim` class; its default comes from the class signature, only the range
offered to a user is ours (`_RANGES`). Each kind of knob says, in one row of the table, how a value is checked
(from racer text, a link or a widget) and which widgets ask for it (`core.settings.Setting`, one per part: a pair
of betas is two numbers). The racer editor draws every knob from the table and the racer parser checks every
value through it, so neither branches on the kind.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.settings import Setting
from core.setup_state import quoted

# Ranges offered to a user: (low, high, log-scale). Keyed by (optimizer, knob) first, then by knob.
_RANGES: dict[Any, tuple[float, float, bool]] = {
    "lr": (1e-5, 10.0, True),
    "momentum": (0.0, 0.999, False),
    "dampening": (0.0, 1.0, False),
    "weight_decay": (0.0, 1.0, False),
    "betas": (0.0, 0.9999, False),
    "eps": (1e-12, 1.0, True),
    "alpha": (0.0, 0.9999, False),
    ("ASGD", "alpha"): (0.0, 1.0, False),
    "rho": (0.0, 0.9999, False),
    "lambd": (0.0, 1.0, False),
    "t0": (0.0, 1e6, False),
    "lr_decay": (0.0, 1.0, False),
    "initial_accumulator_value": (0.0, 1.0, False),
    "momentum_decay": (0.0, 0.1, False),
    "etas": (0.0, 5.0, False),
    "step_sizes": (0.0, 1e3, False),
    "max_iter": (1, 100, False),
    "max_eval": (1, 500, False),
    "tolerance_grad": (0.0, 1.0, False),
    "tolerance_change": (0.0, 1.0, False),
    "history_size": (1, 200, False),
    "beta2_decay": (-1.0, 0.0, False),  # Adafactor: β₂ at step t is 1 − t^beta2_decay; torch needs it ≤ 0
    "d": (0.0, 10.0, False),  # Adafactor's clipping threshold on the update's RMS
    ("Adafactor", "eps"): (0.0, 1.0, True),  # its first part may be none (torch's default), written 0 as well
}
LINE_SEARCHES = ("none", "strong_wolfe")


class RacerError(ValueError):
    """A racer text or value that cannot be used; the message names the knob."""


@dataclass(frozen=True)
class Knob:
    """One hyperparameter of an optimizer; `kind` is a key of KNOB_KINDS."""

    name: str
    kind: str
    default: Any
    low: float = 0.0
    high: float = 1.0
    log: bool = False

    @property
    def how(self) -> KnobKind:
        return KNOB_KINDS[self.kind]

    def coerce(self, value: Any) -> Any:
        """`value` (text, a number, a bool, a pair) checked against this knob's kind and range; raises RacerError."""
        try:
            return self.how.parse(self, value)
        except RacerError:
            raise
        except (TypeError, ValueError, OverflowError):  # OverflowError: float() of an int with hundreds of digits
            raise RacerError(f"{self.name} = {quoted(value)} is not a {self.kind.replace('_', ' ')} value.") from None

    def asked(self) -> tuple[Setting, ...]:
        """The widgets that ask for this knob, one per part (label, widget kind, bounds, choices)."""
        how = self.how
        numbers = how.widget == "number"
        low = (self.low if how.unset is None else how.unset) if numbers else None
        labels = [self.name + how.note] if how.parts == 1 else [f"{self.name}[{i}]{how.note}" for i in range(how.parts)]
        return tuple(
            Setting(
                label,
                kind=how.widget,
                low=low,
                high=self.high if numbers else None,
                number_format=how.number_format,
                choices=how.choices,
            )
            for label in labels
        )

    def held(self, value: Any) -> tuple[Any, ...]:
        """What each of the widgets holds for `value` (a whole number as an int, None as the kind's `unset`)."""
        how = self.how
        parts = value if how.parts > 1 else (value,)
        parts = tuple(how.unset if v is None else v for v in parts)
        return tuple(how.number(v) for v in parts) if how.widget == "number" else parts

    def read(self, parts: tuple[Any, ...]) -> Any:
        """The knob's value from what its widgets hold (the inverse of `held`)."""
        how = self.how
        values = tuple(None if how.unset is not None and v == how.unset else v for v in parts)
        return values if how.parts > 1 else values[0]


def _number(knob: Knob, typed: Any) -> float:
    """`typed` (text or a number) as a finite float inside the knob's range; checked before any conversion to int,
    which inf would break. ValueError/TypeError/OverflowError for what is no number at all."""
    value = float(typed)
    shown = quoted(typed if isinstance(typed, str) else f"{typed:g}")
    span = f"[{knob.low:g}, {knob.high:g}]"
    if not math.isfinite(value):
        raise RacerError(f"{knob.name} = {shown} is not a finite number; it must be in {span}.")
    if not knob.low <= value <= knob.high:
        raise RacerError(f"{knob.name} = {shown} is outside {span}.")
    return value


def _whole(knob: Knob, value: Any) -> int:
    number = _number(knob, value)
    if number != int(number):
        raise RacerError(f"{knob.name} must be a whole number.")
    return int(number)


def _optional_whole(knob: Knob, value: Any) -> int | None:
    return None if value is None or str(value).lower() == "none" else _whole(knob, value)


def _bool(knob: Knob, value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() not in ("true", "false", "1", "0"):
            raise RacerError(f"{knob.name} must be true or false, not {quoted(value)}.")
        return value.lower() in ("true", "1")
    return bool(value)


def _choice(knob: Knob, value: Any) -> str:
    if value is None or str(value).lower() == "none":
        return "none"
    if str(value) not in knob.how.choices:
        raise RacerError(f"{knob.name} must be one of {', '.join(knob.how.choices)}.")
    return str(value)


def _pair(knob: Knob, value: Any) -> tuple[float, float]:
    parts = value.split("/") if isinstance(value, str) else list(value)
    if len(parts) != 2:
        raise RacerError(f"{knob.name} needs two numbers, written like 0.9/0.999.")
    return tuple(_number(knob, v) for v in parts)


def _optional_pair(knob: Knob, value: Any) -> tuple[float | None, float | None]:
    """Two numbers, each of which may be none, also written 0 as its widget shows it (torch's own default, as in
    Adafactor's eps = (None, 1e-3))."""
    parts = value.split("/") if isinstance(value, str) else list(value)
    if len(parts) != 2:
        raise RacerError(f"{knob.name} needs two numbers or none, written like none/0.001.")
    numbers = [None if v is None or str(v).lower() == "none" else _number(knob, v) for v in parts]
    return tuple(None if v == 0 else v for v in numbers)


@dataclass(frozen=True)
class KnobKind:
    """One kind of knob: `parse` checks a value (raising RacerError, or ValueError/TypeError for no value of the
    kind at all); `widget` (a core.settings kind) asks for each of its `parts`, as whole numbers or not, with
    `unset` standing for None (torch's own default) and `note` saying so in the label."""

    parse: Callable[[Knob, Any], Any]
    widget: str = "number"
    parts: int = 1
    whole: bool = False
    unset: Any = None
    note: str = ""
    number_format: str | None = None
    choices: tuple[str, ...] | None = None

    def number(self, value: Any) -> int | float:
        return int(value) if self.whole else float(value)


KNOB_KINDS: dict[str, KnobKind] = {
    "float": KnobKind(_number, number_format="%.6g"),
    "int": KnobKind(_whole, whole=True),
    "optional_int": KnobKind(_optional_whole, whole=True, unset=0, note=" (0 = torch default)"),
    "bool": KnobKind(_bool, widget="checkbox"),
    "choice": KnobKind(_choice, widget="select", choices=LINE_SEARCHES),
    "pair": KnobKind(_pair, parts=2, number_format="%.6g"),
    "optional_pair": KnobKind(_optional_pair, parts=2, unset=0.0, note=" (0 = torch default)", number_format="%.6g"),
}


def knob_of(optimizer: str, parameter: inspect.Parameter) -> Knob:
    """The knob for one parameter of a torch.optim class signature, with its default and our range."""
    name, default = parameter.name, parameter.default
    low, high, log = _RANGES.get((optimizer, name), _RANGES.get(name, (0.0, 1.0, False)))
    if name == "line_search_fn":
        return Knob(name, "choice", "none")
    if name == "max_eval":
        return Knob(name, "optional_int", None, low, high)
    if isinstance(default, bool):
        return Knob(name, "bool", default)
    if isinstance(default, tuple) and None in default:
        return Knob(name, "optional_pair", default, low, high, log)
    if isinstance(default, tuple):
        return Knob(name, "pair", tuple(float(v) for v in default), low, high, log)
    if isinstance(default, int) and name in ("max_iter", "history_size"):
        return Knob(name, "int", default, low, high)
    return Knob(name, "float", float(default), low, high, log)
