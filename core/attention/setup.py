"""The BERT attention tool's set-up: everything a shared link needs to reproduce the page."""

from __future__ import annotations

from dataclasses import dataclass

from core.attention.norms import WEIGHTINGS
from core.attention.rollout import FUSIONS
from core.attention.units import GRANULARITIES, SPECIAL_MODES
from core.models import source_problem
from core.setup_state import choice_problems, quoted

DEFAULT_TEXT = "The cat sat on the mat because it was tired."
MAX_INDEX = 128  # more layers or heads than any BERT-family model has: a larger number in a link is refused
VIEWS = ("Head view", "Model view", "Neuron view", "Aggregates", "Head statistics", "Compare", "Ablation", "Export")


@dataclass(frozen=True)
class AttentionSetup:
    source: str = "embedded"
    view: str = VIEWS[0]
    text: str = DEFAULT_TEXT
    text_b: str = ""  # second sentence of a pair; empty for one sentence
    layer: int = 1  # counted from 1, as the page shows it
    heads: tuple[int, ...] = (1,)  # counted from 1
    granularity: str = "tokens"
    special: str = "keep"
    weighting: str = "attention"
    fusion: str = "mean"
    compare_text: str = "The cat sat on the mat because it was hungry."

    def validate(self) -> list[str]:
        problems = choice_problems(self, {"view": VIEWS})
        if why := source_problem(self.source):
            problems.append(f"source: {quoted(self.source)} is not used: {why}")
        if not 1 <= self.layer <= MAX_INDEX:
            problems.append(f"layer: layers are counted from 1 (and no model has more than {MAX_INDEX})")
        if any(not 1 <= h <= MAX_INDEX for h in self.heads):
            problems.append(f"heads: heads are counted from 1 (and no model has more than {MAX_INDEX})")
        problems += choice_problems(self, {"granularity": GRANULARITIES, "special": SPECIAL_MODES,
                                           "weighting": WEIGHTINGS, "fusion": FUSIONS})
        return problems
