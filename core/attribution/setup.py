"""The Attributions page's set-up: every choice on the page in one flat dataclass, shareable as a link or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from core.attribution.methods import INTEGRATION_METHODS, METHODS, PRECISIONS, MethodSettings
from core.attribution.network import BASELINE_KINDS, NetworkTarget
from core.attribution.text import BASELINES, OUTPUTS, TASKS, TextTarget
from core.models import source_problem
from core.setup_state import choice_problems, quoted
from core.tokens import MAX_CHARS

SUBJECTS = ("text", "network")
REDUCTIONS = ("sum", "l2")

# What a click on a 2-D map sets → the set-up fields it changes (a clicked baseline is "a chosen point").
CLICK_SETS: dict[str, Callable[[float, float], dict[str, Any]]] = {
    "point": lambda x, y: {"point_x": x, "point_y": y},
    "baseline": lambda x, y: {"net_baseline": "point", "baseline_x": x, "baseline_y": y},
}


@dataclass(frozen=True)
class AttributionSetup:
    """What to explain (a text model or the 2-D network), how (method and settings) and against what."""

    subject: str = "text"
    # text
    source: str = "embedded"
    text: str = "The cat sat on the mat and purred."
    task: str = "similarity"
    output: str = "logit"
    label: int = 0
    token: str = ""
    token_b: str = ""
    text_b: str = "A cat is resting on a rug."
    text_baseline: str = "pad"
    reduce: str = "sum"
    # 2-D network
    point_x: float = 2.0
    point_y: float = 1.5
    net_output: int = 0
    net_scale: str = "logit"
    net_baseline: str = "zero"
    baseline_x: float = 0.0
    baseline_y: float = 0.0
    resolution: int = 30
    # method
    method: str = "integrated-gradients"
    n_steps: int = 50
    integration: str = "gausslegendre"
    internal_batch_size: int = 0
    n_samples: int = 25
    stdevs: float = 0.1
    window: int = 1
    seed: int = 0
    perturbations_per_eval: int = 16
    precision: str = "fp32"

    def method_settings(self) -> MethodSettings:
        return MethodSettings(**{f.name: getattr(self, f.name) for f in fields(MethodSettings)})

    def text_target(self) -> TextTarget:
        return TextTarget(self.task, self.output, self.label, self.token, self.token_b, self.text_b)

    def network_target(self) -> NetworkTarget:
        return NetworkTarget(self.net_output, self.net_scale)

    def validate(self) -> list[str]:
        choices = {"subject": SUBJECTS, "task": tuple(TASKS), "output": OUTPUTS, "text_baseline": tuple(BASELINES),
                   "reduce": REDUCTIONS, "net_scale": OUTPUTS, "net_baseline": BASELINE_KINDS,
                   "method": tuple(METHODS), "integration": INTEGRATION_METHODS, "precision": PRECISIONS}
        problems = choice_problems(self, choices)
        problems += [p for p in self.method_settings().validate() if p.split(":")[0] not in choices]
        if not 0 <= self.label <= 1000:
            problems.append("label: must be between 0 and 1000")
        if not 0 <= self.net_output <= 100:
            problems.append("net_output: must be between 0 and 100")
        if not 8 <= self.resolution <= 80:
            problems.append("resolution: must be between 8 and 80")
        for name in ("point_x", "point_y", "baseline_x", "baseline_y"):
            if not -1e3 <= getattr(self, name) <= 1e3:
                problems.append(f"{name}: must be between -1000 and 1000")
        if why := source_problem(self.source):
            problems.append(f"source: {quoted(self.source)} is not used: {why}")
        for name in ("source", "token", "token_b"):
            if len(getattr(self, name)) > 2000:
                problems.append(f"{name}: too long")
        # texts longer than the model reads are truncated with a warning by core.tokens; only absurd ones are reset
        for name in ("text", "text_b"):
            if len(getattr(self, name)) > MAX_CHARS:
                problems.append(f"{name}: longer than {MAX_CHARS:,} characters")
        return problems


def apply_click(selected: Sequence[Mapping[str, Any]], last: tuple[float, float] | None,
                sets: str) -> tuple[tuple[float, float] | None, dict[str, Any]]:
    """(the click to remember, the set-up fields it changes) for a map's selection.

    selected: the Plotly chart's selected points (dicts with "x", "y"). A selection stays in the chart's state across
    reruns, so only a click other than `last` (the one applied before) changes anything: typed values survive.
    sets: a key of CLICK_SETS. Coordinates are rounded to 3 decimals, as the number inputs show them.
    """
    if not selected:
        return last, {}
    click = (float(selected[0]["x"]), float(selected[0]["y"]))
    if click == last:
        return last, {}
    return click, CLICK_SETS[sets](round(click[0], 3), round(click[1], 3))
