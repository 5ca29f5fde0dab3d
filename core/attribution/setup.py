"""The Attributions tool's set-up: every choice on the page, each declared once, shareable as a link or JSON.

The method's settings are `MethodSettings` itself, nested as a group: they travel in the link and the JSON in the
set-up's place, by their own names (`?method=…&n_steps=…`), as they did when this class repeated them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.attribution.methods import METHODS, MethodSettings
from core.attribution.network import BASELINE_KINDS, NetworkTarget
from core.attribution.text import BASELINES, OUTPUTS, TASKS, TextTarget
from core.models import SOURCE_HELP, source_problem
from core.settings import setting
from core.setup_state import quoted

SUBJECTS = {"text": "A BERT-family model on text", "network": "A network on 2-D data"}
TEXT_BASELINES = {
    "pad": "[PAD] tokens",
    "mask": "[MASK] tokens",
    "unk": "[UNK] tokens",
    "zero": "zero embeddings",
    "random": "random tokens (seeded)",
}
NET_BASELINES = {"zero": "all features 0", "mean": "data mean", "point": "a chosen point"}
REDUCTIONS = {"sum": "sum over embedding (signed)", "l2": "L2 norm (magnitude)"}
NET_SCALES = {"logit": "logit z", "probability": "activated output"}
MAX_TYPED = 2000  # characters of a model name

# What a click on a 2-D map sets → the set-up fields it changes (a clicked baseline is "a chosen point").
CLICK_SETS: dict[str, Callable[[float, float], dict[str, Any]]] = {
    "point": lambda x, y: {"point_x": x, "point_y": y},
    "baseline": lambda x, y: {"net_baseline": "point", "baseline_x": x, "baseline_y": y},
}


def _coordinate(default: float, label: str) -> Any:
    return setting(default, label, low=-1e3, high=1e3, step=0.1, number_format="%.3f")


@dataclass(frozen=True)
class AttributionSetup:
    """What to explain (a text model or the 2-D network), how (method and settings) and against what."""

    subject: str = setting("text", "Explain", kind="segmented", choices=SUBJECTS, names=SUBJECTS)
    # text
    source: str = setting("embedded", "Model", kind="text", help=SOURCE_HELP)
    text: str = setting("The cat sat on the mat and purred.", "Text", kind="text_area")
    task: str = setting(
        "similarity",
        "Task (what scalar is explained)",
        kind="select",
        choices=lambda: TASKS,
        names=lambda k: TASKS[k].title,
    )
    output: str = setting(
        "logit",
        "Explain the",
        kind="radio",
        choices=OUTPUTS,
        help="Logits by default: a softmax squashes the signal, and its attributions mix in every other class.",
    )
    label: int = setting(0, "Class", kind="select", low=0, high=1000)
    token: str = setting("", "Token A (scored at [MASK]; empty = top prediction)", kind="text")
    token_b: str = setting("", "Token B (subtracted)", kind="text")
    text_b: str = setting(
        "A cat is resting on a rug.", "Text B (the similarity reference; its embedding is held fixed)", kind="text"
    )
    text_baseline: str = setting(
        "pad", "Baseline (reference input)", kind="select", choices=lambda: BASELINES, names=TEXT_BASELINES
    )
    reduce: str = setting(
        "sum",
        "Token score",
        kind="radio",
        choices=REDUCTIONS,
        names=REDUCTIONS,
        help="Gradient methods give one number per embedding dimension; a token's score is their "
        "sum (keeps the sign; adds up to f(x) − f(baseline) for IG) or their L2 norm.",
    )
    # 2-D network
    point_x: float = _coordinate(2.0, "Point X1")
    point_y: float = _coordinate(1.5, "Point X2")
    net_output: int = setting(0, "Output", kind="select", low=0, high=100)
    net_scale: str = setting("logit", "Explain the", kind="radio", choices=OUTPUTS, names=NET_SCALES)
    net_baseline: str = setting("zero", "Baseline", kind="select", choices=BASELINE_KINDS, names=NET_BASELINES)
    baseline_x: float = _coordinate(0.0, "Baseline X1")
    baseline_y: float = _coordinate(0.0, "Baseline X2")
    resolution: int = setting(30, "Map resolution (points per side)", kind="slider", low=8, high=80)
    # method
    method: str = setting(
        "integrated-gradients", "Method", kind="select", choices=lambda: METHODS, names=lambda k: METHODS[k].title
    )
    settings: MethodSettings = field(default_factory=MethodSettings)

    def text_target(self) -> TextTarget:
        return TextTarget(self.task, self.output, self.label, self.token, self.token_b, self.text_b)

    def network_target(self) -> NetworkTarget:
        return NetworkTarget(self.net_output, self.net_scale)

    def validate(self) -> list[str]:
        """What the declarations cannot say: a usable model name of a sane length.

        Texts and tokens are not checked here: a value reset here would leave the page explaining the default while
        the box shows what was typed. core.tokens truncates a long text with a notice or refuses an absurd one, and
        a token that is not one vocabulary entry is refused, each with a message where the results would be."""
        problems = []
        if why := source_problem(self.source):
            problems.append(f"source: {quoted(self.source)} is not used: {why}")
        if len(self.source) > MAX_TYPED:
            problems.append("source: too long")
        return problems


def apply_click(
    selected: Sequence[Mapping[str, Any]], last: tuple[float, float] | None, sets: str
) -> tuple[tuple[float, float] | None, dict[str, Any]]:
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
