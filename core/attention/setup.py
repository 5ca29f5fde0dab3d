"""The BERT attention tool's set-up: everything a shared link needs to reproduce the page."""

from __future__ import annotations

from dataclasses import dataclass

from core.attention.norms import WEIGHTING_LABELS, WEIGHTINGS
from core.attention.rollout import FUSIONS
from core.attention.units import GRANULARITIES, SPECIAL_MODE_LABELS, SPECIAL_MODES
from core.models import SOURCE_HELP, source_problem
from core.settings import setting
from core.setup_state import quoted

DEFAULT_TEXT = "The cat sat on the mat because it was tired."
MAX_INDEX = 128  # more layers or heads than any BERT-family model has: a larger number in a link is refused
VIEWS = ("Head view", "Model view", "Neuron view", "Aggregates", "Head statistics", "Compare", "Ablation", "Export")
OUT_OF_MODEL = f"counted from 1 (and no model has more than {MAX_INDEX})"


@dataclass(frozen=True)
class AttentionSetup:
    """What the BERT attention page shows; layers and heads count from 1, as the page shows them."""

    source: str = setting("embedded", "Model", kind="text", help=SOURCE_HELP)
    view: str = setting(VIEWS[0], "View", kind="segmented", choices=VIEWS)
    text: str = setting(
        DEFAULT_TEXT,
        "Sentence (text A)",
        kind="text_area",
        help="Tokens are shown as the model sees them (WordPiece pieces start with ##).",
    )
    text_b: str = setting("", "Text B", kind="text_area")  # second sentence of a pair; empty for one sentence
    layer: int = setting(
        1,
        "Layer",
        kind="select",
        low=1,
        high=MAX_INDEX,
        names=lambda i: f"Layer {i}",
        problem=f"layers are {OUT_OF_MODEL}",
    )
    heads: tuple[int, ...] = setting(
        (1,),
        "Heads (each gets a colour)",
        kind="multiselect",
        low=1,
        high=MAX_INDEX,
        names=lambda h: f"head {h}",
        problem=f"heads are {OUT_OF_MODEL}",
    )
    granularity: str = setting(
        "tokens",
        "Units",
        kind="segmented",
        choices=lambda: GRANULARITIES,
        help="Words: attention to a word = sum over its pieces, from a word = mean over its "
        "pieces (Clark et al. 2019). [CLS] and [SEP] stay units of their own.",
    )
    special: str = setting(
        "keep", "[CLS] / [SEP]", kind="select", choices=lambda: SPECIAL_MODES, names=SPECIAL_MODE_LABELS
    )
    weighting: str = setting(
        "attention",
        "Weights",
        kind="select",
        choices=lambda: WEIGHTINGS,
        names=WEIGHTING_LABELS,
        help="Kobayashi et al. 2020: ‖α f(x)‖ weighs α by the size of the transformed vector "
        "f(x) = (x W_V + b_V) W_O that it mixes in.",
    )
    fusion: str = setting(
        "mean",
        "Head fusion",
        kind="select",
        choices=lambda: FUSIONS,
        help="How rollout and flow combine a layer's heads.",
    )
    compare_text: str = setting(
        "The cat sat on the mat because it was hungry.", "Second sentence (compared with text A)", kind="text"
    )

    def validate(self) -> list[str]:
        """What the declarations cannot say: a model source must be a usable name."""
        if why := source_problem(self.source):
            return [f"source: {quoted(self.source)} is not used: {why}"]
        return []
