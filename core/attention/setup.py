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


def head_name(layer: int, head: int) -> str:
    """'L1 H3' for layer 0, head 2 (counted from 0): how a head reads on the page and in a link."""
    return f"L{layer + 1} H{head + 1}"


def head_of(name: str) -> tuple[int, int]:
    """(layer, head) counted from 0 of a `head_name`."""
    layer, head = name[1:].split(" H")
    return int(layer) - 1, int(head) - 1


def heads_of(layers: int, heads: int) -> tuple[str, ...]:
    """Every head of a model with `layers` × `heads`, by name, in order."""
    return tuple(head_name(layer, head) for layer in range(layers) for head in range(heads))


ANY_HEAD = heads_of(MAX_INDEX, MAX_INDEX)  # what a link may name; the page offers the model's own heads


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
    ablate: tuple[str, ...] = setting(
        (),
        "Heads to switch off",
        kind="multiselect",
        choices=ANY_HEAD,
        problem=f"heads to switch off are named like 'L1 H3' ({OUT_OF_MODEL})",
    )
    compare_text: str = setting(
        "The cat sat on the mat because it was hungry.", "Second sentence (compared with text A)", kind="text"
    )

    def validate(self) -> list[str]:
        """What the declarations cannot say: a model source must be a usable name."""
        if why := source_problem(self.source):
            return [f"source: {quoted(self.source)} is not used: {why}"]
        return []
