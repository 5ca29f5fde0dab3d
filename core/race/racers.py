"""Which optimizers can race, with which knobs: specs read from the `torch.optim` class signatures.

A racer is an optimizer name plus hyperparameter values. The knobs and their defaults come from
`inspect.signature(torch.optim.X)`, so a new torch default shows up here by itself; what each kind of knob holds
and how it is asked for is the table in core/race/knobs.py. A racer travels as text
("Adam lr=0.05 betas=0.9/0.999 amsgrad=true") so a set-up can hold it in a link; that text is parsed field by
field, never evaluated.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import torch

from core.race.knobs import Knob, RacerError, knob_of
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
    "Adafactor",
)
# torch.optim classes that cannot race here, with the reason a user reads.
NOT_RACING = {
    "Muon": "torch.optim.Muon updates matrices only (2-D parameters: it orthogonalises each update matrix by "
    "Newton–Schulz iteration). A racer here moves one point (x, y), a 1-D parameter, where orthogonalising "
    "reduces to a step along the normalised gradient; and on the network a second optimizer would have to move "
    "the biases, so the race would no longer be Muon's alone.",
    "SparseAdam": "torch.optim.SparseAdam takes sparse gradients only (embedding tables); the surfaces and the "
    "network here have dense gradients.",
}
_HIDDEN = {"params", "self", "foreach", "fused", "differentiable", "capturable", "maximize"}
# Keywords a racer's text may not set, with the reason a user reads.
_RESERVED = {"optimizer": "the optimizer's name comes first, as in 'SGD lr=0.1'"} | {
    name: "the race sets it, not a racer" for name in _HIDDEN
}


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


def _spec(name: str) -> OptimizerSpec:
    cls = getattr(torch.optim, name)
    params = inspect.signature(cls.__init__).parameters.values()
    return OptimizerSpec(name, cls, tuple(knob_of(name, p) for p in params if p.name not in _HIDDEN))


SPECS: dict[str, OptimizerSpec] = {name: _spec(name) for name in OPTIMIZERS}


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
        return "/".join("none" if v is None else number(float(v)) for v in value)
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
    if optimizer in NOT_RACING:
        raise RacerError(f"{optimizer} cannot race here: {NOT_RACING[optimizer]}")
    if optimizer not in SPECS:
        raise RacerError(f"unknown optimizer {quoted(optimizer)}; choose from {', '.join(OPTIMIZERS)}.")
    spec = SPECS[optimizer]
    checked = []
    for name, value in settings.items():
        v = spec.knob(name).coerce(value)
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


def racers_from_lines(text: str, limit: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The racers typed one per line (the first `limit` lines; blank ones skipped) as racer text, and
    "'line': why" for each line that is no racer."""
    racers, refused = [], []
    for line in text.splitlines()[:limit]:
        if line.strip():
            try:
                racers.append(parse_racer(line).to_text())
            except RacerError as e:
                refused.append(f"{quoted(line.strip())}: {e}")
    return tuple(racers), tuple(refused)


def with_lr(racer: Racer, lr: float) -> Racer:
    """The same racer with another learning rate (used by the tuning sweep)."""
    return Racer(racer.optimizer, (("lr", float(lr)), *((k, v) for k, v in racer.settings if k != "lr")))
