"""Which optimizers can race, with which knobs: specs read from the `torch.optim` class signatures.

A racer is an optimizer name plus hyperparameter values. The knobs and their defaults come from
`inspect.signature(torch.optim.X)`, so a new torch default shows up here by itself; only the ranges offered to
a user are ours. A racer travels as text ("Adam lr=0.05 betas=0.9/0.999 amsgrad=true") so a set-up can hold
it in a link; that text is parsed field by field, never evaluated.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import torch

from core.setup_state import quoted

OPTIMIZERS = (
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "NAdam",
    "RAdam",
    "Adamax",
    "Adadelta",
    "ASGD",
    "Rprop",
    "LBFGS",
)
_HIDDEN = {"params", "self", "foreach", "fused", "differentiable", "capturable", "maximize"}
# Keywords a racer's text may not set, with the reason a user reads.
_RESERVED = {"optimizer": "the optimizer's name comes first, as in 'SGD lr=0.1'"} | {
    name: "the race sets it, not a racer" for name in _HIDDEN}
# Ranges offered in the page: (low, high, log-scale). Keyed by (optimizer, knob) first, then by knob.
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
}
LINE_SEARCHES = ("none", "strong_wolfe")


class RacerError(ValueError):
    """A racer text or value that cannot be used; the message names the knob."""


@dataclass(frozen=True)
class Knob:
    """One hyperparameter of an optimizer. kind: float | int | bool | pair | choice | optional_int."""

    name: str
    kind: str
    default: Any
    low: float = 0.0
    high: float = 1.0
    log: bool = False


@dataclass(frozen=True)
class OptimizerSpec:
    """One `torch.optim` class and its knobs, in signature order."""

    name: str
    cls: type[torch.optim.Optimizer]
    knobs: tuple[Knob, ...]

    def knob(self, name: str) -> Knob:
        for k in self.knobs:
            if k.name == name:
                return k
        if name in _RESERVED:
            raise RacerError(f"{quoted(name)} cannot be set here: {_RESERVED[name]}.")
        raise RacerError(f"{self.name} has no hyperparameter {quoted(name)} (it has {', '.join(self.names)}).")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.knobs)


def _knob(opt: str, p: inspect.Parameter) -> Knob:
    default = p.default
    low, high, log = _RANGES.get((opt, p.name), _RANGES.get(p.name, (0.0, 1.0, False)))
    if p.name == "line_search_fn":
        return Knob(p.name, "choice", "none")
    if p.name == "max_eval":
        return Knob(p.name, "optional_int", None, low, high)
    if isinstance(default, bool):
        return Knob(p.name, "bool", default)
    if isinstance(default, tuple):
        return Knob(p.name, "pair", tuple(float(v) for v in default), low, high, log)
    if isinstance(default, int) and p.name in ("max_iter", "history_size"):
        return Knob(p.name, "int", default, low, high)
    return Knob(p.name, "float", float(default), low, high, log)


def _spec(name: str) -> OptimizerSpec:
    cls = getattr(torch.optim, name)
    params = inspect.signature(cls.__init__).parameters.values()
    return OptimizerSpec(name, cls, tuple(_knob(name, p) for p in params if p.name not in _HIDDEN))


SPECS: dict[str, OptimizerSpec] = {name: _spec(name) for name in OPTIMIZERS}


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


def coerce(spec: OptimizerSpec, name: str, value: Any) -> Any:
    """A knob value checked against its kind and range (bools, numbers or text); raises RacerError."""
    knob = spec.knob(name)
    try:
        if knob.kind == "bool":
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0"):
                    raise RacerError(f"{name} must be true or false, not {quoted(value)}.")
                return value.lower() in ("true", "1")
            return bool(value)
        if knob.kind == "choice":
            if value is None or str(value).lower() == "none":
                return "none"
            if str(value) not in LINE_SEARCHES:
                raise RacerError(f"{name} must be one of {', '.join(LINE_SEARCHES)}.")
            return str(value)
        if knob.kind == "optional_int" and (value is None or str(value).lower() == "none"):
            return None
        if knob.kind in ("int", "optional_int"):
            number = _number(knob, value)
            if number != int(number):
                raise RacerError(f"{name} must be a whole number.")
            return int(number)
        if knob.kind == "pair":
            parts = value.split("/") if isinstance(value, str) else list(value)
            if len(parts) != 2:
                raise RacerError(f"{name} needs two numbers, written like 0.9/0.999.")
            return tuple(_number(knob, v) for v in parts)
        return _number(knob, value)
    except (TypeError, ValueError, OverflowError) as e:  # OverflowError: float() of an int with hundreds of digits
        if isinstance(e, RacerError):
            raise
        raise RacerError(f"{name} = {quoted(value)} is not a {knob.kind.replace('_', ' ')} value.") from None


def _exact(value: float) -> str:
    """Every digit (repr), without a whole number's ".0": 1.0 → "1", as a person types it, so an unchanged racer
    reads back as the same text (and a link stays free of racers nobody changed)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _format(value: Any, exact: bool = False) -> str:
    """A knob value as racer text: 6 significant digits for labels, every digit when `exact`."""
    number = _exact if exact else (lambda v: f"{v:.6g}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(number(float(v)) for v in value)
    if value is None:
        return "none"
    if isinstance(value, float):
        return number(value)
    return str(value)


@dataclass(frozen=True)
class Racer:
    """An optimizer with the knobs the user changed from the torch defaults (the others keep them)."""

    optimizer: str
    settings: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def spec(self) -> OptimizerSpec:
        return SPECS[self.optimizer]

    def value(self, name: str) -> Any:
        return dict(self.settings).get(name, self.spec.knob(name).default)

    def kwargs(self) -> dict[str, Any]:
        """Constructor keyword arguments for the torch class (line_search 'none' becomes None)."""
        out = {k.name: self.value(k.name) for k in self.spec.knobs}
        if "line_search_fn" in out and out["line_search_fn"] == "none":
            out["line_search_fn"] = None
        return out

    @property
    def lr(self) -> float:
        return float(self.value("lr"))

    @property
    def label(self) -> str:
        changed = ", ".join(f"{k}={_format(v)}" for k, v in self.settings if k != "lr")
        return f"{self.optimizer} lr={_format(self.lr)}" + (f" ({changed})" if changed else "")

    def to_text(self) -> str:
        """The racer as text that parses back to an equal Racer (all digits kept)."""
        return " ".join([self.optimizer, *(f"{k}={_format(v, exact=True)}" for k, v in self.settings)])

    def build(self, params) -> torch.optim.Optimizer:
        """The real torch optimizer over `params`; torch's own argument checks are reported as RacerError."""
        try:
            return self.spec.cls(params, **self.kwargs())
        except ValueError as e:
            raise RacerError(f"torch.optim.{self.optimizer} refused these settings: {e}") from None


def make_racer(optimizer: str, /, **settings: Any) -> Racer:
    """A checked Racer; settings equal to the torch default are dropped so labels stay short.

    `optimizer` is positional-only, so a setting named "optimizer" (from a link) is refused as a knob, not taken
    for a second optimizer name."""
    if optimizer not in SPECS:
        raise RacerError(f"unknown optimizer {quoted(optimizer)}; choose from {', '.join(OPTIMIZERS)}.")
    spec = SPECS[optimizer]
    checked = []
    for name, value in settings.items():
        v = coerce(spec, name, value)
        if name == "lr" or v != spec.knob(name).default:
            checked.append((name, v))
    if "lr" not in dict(checked):
        checked.insert(0, ("lr", spec.knob("lr").default))
    return Racer(optimizer, tuple(checked))


def parse_racer(text: str) -> Racer:
    """A Racer from 'Name knob=value knob=value'; raises RacerError with a message for the page."""
    parts = text.split()
    if not parts:
        raise RacerError("an empty racer.")
    settings = {}
    for item in parts[1:]:
        name, sep, value = item.partition("=")
        if not sep:
            raise RacerError(f"{quoted(item)} should look like knob=value.")
        if name in settings:
            raise RacerError(f"{quoted(name)} is given twice: give each knob once.")
        settings[name] = value
    return make_racer(parts[0], **settings)


def with_lr(racer: Racer, lr: float) -> Racer:
    """The same racer with another learning rate (used by the tuning sweep)."""
    return Racer(racer.optimizer, (("lr", float(lr)), *((k, v) for k, v in racer.settings if k != "lr")))
