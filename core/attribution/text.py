"""Which scalar of a BERT-family model is explained, and against which reference text.

Attribution is taken with respect to the word embeddings fed as `inputs_embeds` [1, T, H]: the model adds position
and segment embeddings itself, so positions stay fixed; no hook touches the shared model; and replacing one token's
row by the [PAD] row is exactly feeding the [PAD] id there, which is how the perturbation methods remove a token.
The task registry offers what the checkpoint's head can compute:

- sequence classification: a class logit (default) or probability;
- masked-LM: the score of a chosen token at a [MASK], or token A minus token B (contrastive);
- bare encoder: cosine similarity between the mean-pooled embeddings of text A and a fixed text B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

from core.attribution.problem import Problem
from core.models import LoadedModel
from core.tokens import Encoded, TextInputError, encode

OUTPUTS = ("logit", "probability")


@dataclass(frozen=True)
class TextTarget:
    """What to explain: a task key of TASKS and its parameters (flat, so it fits a shareable set-up)."""

    task: str = "similarity"
    output: str = "logit"  # "logit" or "probability" (softmax over labels / vocabulary)
    label: int = 0  # classification: class index
    token: str = ""  # masked-LM: the token scored at the [MASK] ("" = the model's top prediction)
    token_b: str = ""  # contrastive masked-LM: the token subtracted
    text_b: str = "A cat is resting on a rug."  # similarity: the reference text


@dataclass(frozen=True)
class TaskSpec:
    key: str
    title: str
    heads: tuple[str, ...]  # LoadedModel.head values that can compute it
    build: Callable[[LoadedModel, Encoded, TextTarget], tuple[Callable, str, tuple[int, ...], tuple[str, ...]]]
    # build → (forward [B, T, H] → [B], what the scalar is, extra positions to keep fixed, warnings about the other
    # inputs it read, such as a truncated text B)
    reads: tuple[str, ...]  # the TextTarget fields it reads besides `task` (the page asks for these)


def _batch_inputs(enc: Encoded, batch: int) -> dict[str, torch.Tensor]:
    inputs = {"attention_mask": enc.attention_mask.expand(batch, -1)}
    if enc.token_type_ids is not None:
        inputs["token_type_ids"] = enc.token_type_ids.expand(batch, -1)
    return inputs


def _squash(scores: torch.Tensor, output: str) -> torch.Tensor:
    return scores.softmax(-1) if output == "probability" else scores


def _classification(loaded: LoadedModel, enc: Encoded, target: TextTarget):
    n = max(1, len(loaded.labels))
    if not 0 <= target.label < n:
        raise TextInputError(f"Class {target.label} does not exist: the model has classes 0–{n - 1}.")
    name = loaded.labels[target.label] if loaded.labels else str(target.label)
    output = "logit" if n == 1 else target.output  # one output is a regression score: nothing to squash

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        logits = loaded.model(inputs_embeds=embeds, **_batch_inputs(enc, embeds.shape[0])).logits
        return _squash(logits, output)[:, target.label]

    return forward, f"{output} of class '{name}'", (), ()


def _mask_position(loaded: LoadedModel, enc: Encoded) -> int:
    mask_id = loaded.tokenizer.mask_token_id
    hits = (enc.input_ids[0] == mask_id).nonzero() if mask_id is not None else torch.empty(0)
    if len(hits) == 0:
        token = loaded.tokenizer.mask_token or "[MASK]"
        raise TextInputError(
            f"The masked-LM task scores a token at a {token}: put {token} in the text, e.g. "
            f"'The cat sat on the {token}.'"
        )
    return int(hits[0])


def _token_id(loaded: LoadedModel, token: str) -> int:
    tokenizer = loaded.tokenizer
    ids = tokenizer(token.strip(), add_special_tokens=False)["input_ids"] if token.strip() else []
    if len(ids) != 1 or ids[0] == tokenizer.unk_token_id:
        pieces = tokenizer.convert_ids_to_tokens(ids) if ids else []
        raise TextInputError(
            f"'{token.strip()[:40]}' is not one token of this model's vocabulary"
            + (f" (it splits into {' '.join(pieces)})" if len(pieces) > 1 else "")
            + ": pick a single vocabulary word."
        )
    return int(ids[0])


def _mlm_logits(loaded: LoadedModel, enc: Encoded, position: int) -> Callable[[torch.Tensor], torch.Tensor]:
    def logits(embeds: torch.Tensor) -> torch.Tensor:
        return loaded.model(inputs_embeds=embeds, **_batch_inputs(enc, embeds.shape[0])).logits[:, position]

    return logits


@torch.no_grad()
def top_predictions(loaded: LoadedModel, enc: Encoded, k: int = 5) -> list[tuple[str, float]]:
    """The model's k most probable tokens at the first [MASK], with probabilities (for the page's target menu)."""
    position = _mask_position(loaded, enc)
    probs = loaded.model(**enc.model_inputs()).logits[0, position].softmax(-1)
    values, ids = probs.topk(min(k, probs.numel()))
    tokens = loaded.tokenizer.convert_ids_to_tokens(ids.tolist())
    # A model's output layer can be larger than its tokenizer's vocabulary: such ids have no token to show.
    return [(t, v) for t, v in zip(tokens, values.tolist(), strict=True) if t is not None]


def resolve_target(loaded: LoadedModel, text: str, target: TextTarget) -> TextTarget:
    """The target with the masked-LM token filled in (the model's top prediction when left empty), so a changed
    model (sanity check) or a re-run from an export explains the same token."""
    if target.task != "masked-lm" or target.token.strip():
        return target
    return replace(target, token=top_predictions(loaded, encode(loaded, text), 1)[0][0])


def _masked_lm(loaded: LoadedModel, enc: Encoded, target: TextTarget):
    position = _mask_position(loaded, enc)
    token = target.token.strip() or top_predictions(loaded, enc, 1)[0][0]
    token_id = _token_id(loaded, token)
    logits = _mlm_logits(loaded, enc, position)

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        return _squash(logits(embeds), target.output)[:, token_id]

    return forward, f"{target.output} of '{token}' at position {position}", (position,), ()


def _contrastive(loaded: LoadedModel, enc: Encoded, target: TextTarget):
    position = _mask_position(loaded, enc)
    if not target.token.strip() or not target.token_b.strip():
        raise TextInputError(
            "The contrastive task needs two tokens: the one to favour (A) and the one to subtract (B)."
        )
    a, b = _token_id(loaded, target.token), _token_id(loaded, target.token_b)
    logits = _mlm_logits(loaded, enc, position)

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        scores = logits(embeds)  # a logit difference is also the log-probability difference
        return scores[:, a] - scores[:, b]

    return (
        forward,
        f"logit '{target.token.strip()}' − logit '{target.token_b.strip()}' at position {position}",
        (position,),
        (),
    )


def mean_pooled(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sentence embedding as sentence-transformers computes it: the mask-weighted mean of tokens [B, T, H] → [B, H]."""
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1e-9)


def _similarity(loaded: LoadedModel, enc: Encoded, target: TextTarget):
    reference = encode(loaded, target.text_b, max_length=enc.max_length, name="Text B")
    with torch.no_grad():
        ref = mean_pooled(loaded.encoder(**reference.model_inputs()).last_hidden_state, reference.attention_mask)

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        inputs = _batch_inputs(enc, embeds.shape[0])
        pooled = mean_pooled(loaded.encoder(inputs_embeds=embeds, **inputs).last_hidden_state, inputs["attention_mask"])
        return torch.nn.functional.cosine_similarity(pooled, ref, dim=-1)

    return forward, f"cosine similarity to text B ('{target.text_b.strip()[:40]}')", (), reference.warnings


TASKS: dict[str, TaskSpec] = {
    spec.key: spec
    for spec in (
        TaskSpec(
            "classification",
            "Sequence classification (class score)",
            ("sequence-classification",),
            _classification,
            ("label", "output"),
        ),
        TaskSpec("masked-lm", "Masked-LM: score of a token at [MASK]", ("masked-lm",), _masked_lm, ("token", "output")),
        TaskSpec(
            "masked-lm-contrast",
            "Masked-LM contrastive: token A − token B at [MASK]",
            ("masked-lm",),
            _contrastive,
            ("token", "token_b"),
        ),
        TaskSpec(
            "similarity",
            "Sentence similarity to text B (cosine of mean-pooled embeddings)",
            ("encoder", "sequence-classification", "masked-lm"),
            _similarity,
            ("text_b",),
        ),
    )
}


def tasks_for(loaded: LoadedModel) -> list[str]:
    """Task keys this checkpoint can compute, the head's own task first."""
    return [key for key, spec in TASKS.items() if loaded.head in spec.heads]


# ---- baselines: the reference text, with [CLS]/[SEP] (and the scored [MASK]) kept in place -----------------------


def _token_row(token_attr: str) -> Callable[[LoadedModel, torch.Tensor, torch.Generator], torch.Tensor]:
    def ids(loaded: LoadedModel, input_ids: torch.Tensor, _g: torch.Generator) -> torch.Tensor:
        token_id = getattr(loaded.tokenizer, token_attr)
        if token_id is None:
            raise TextInputError(
                f"This tokenizer has no {token_attr.replace('_token_id', '').upper()} token: pick another baseline."
            )
        return torch.full_like(input_ids, token_id)

    return ids


def _random_ids(loaded: LoadedModel, input_ids: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    special = set(loaded.tokenizer.all_special_ids)
    vocab = torch.tensor([i for i in range(len(loaded.tokenizer)) if i not in special][:50_000])
    return vocab[torch.randint(len(vocab), input_ids.shape, generator=g)].to(input_ids.device)


BASELINES: dict[str, Callable[[LoadedModel, torch.Tensor, torch.Generator], torch.Tensor | None]] = {
    "pad": _token_row("pad_token_id"),
    "mask": _token_row("mask_token_id"),
    "unk": _token_row("unk_token_id"),
    "zero": lambda loaded, input_ids, g: None,  # zero word embeddings
    "random": _random_ids,  # random vocabulary tokens (seeded)
}


def baseline_embeddings(
    loaded: LoadedModel, enc: Encoded, kind: str, keep: tuple[bool, ...], seed: int = 0
) -> torch.Tensor:
    """Word embeddings [1, T, H] of the reference input: `kind` everywhere except the `keep` positions."""
    if kind not in BASELINES:
        raise TextInputError(f"Unknown baseline '{kind}': pick one of {', '.join(BASELINES)}.")
    table = loaded.model.get_input_embeddings()
    inputs = table(enc.input_ids)
    ids = BASELINES[kind](loaded, enc.input_ids, torch.Generator().manual_seed(seed))
    reference = torch.zeros_like(inputs) if ids is None else table(ids)
    kept = torch.tensor(keep, device=inputs.device).view(1, -1, 1)
    return torch.where(kept, inputs, reference).detach()


def text_problem(
    loaded: LoadedModel,
    text: str,
    target: TextTarget,
    baseline: str = "pad",
    seed: int = 0,
    max_length: int | None = None,
) -> tuple[Problem, Encoded]:
    """The Problem for `target` on `text` (tokens as features), with its tokenisation (warnings included).

    Raises TextInputError with a message for the page when the text, the task or the target does not fit.
    """
    if target.task not in TASKS:
        raise TextInputError(f"Unknown task '{target.task}'.")
    spec = TASKS[target.task]
    if loaded.head not in spec.heads:
        raise TextInputError(
            f"This checkpoint is a {loaded.head} model: it cannot compute '{spec.title}'. "
            f"Pick one of: {', '.join(TASKS[k].title for k in tasks_for(loaded))}."
        )
    if target.output not in OUTPUTS:
        raise TextInputError(f"Output must be one of {', '.join(OUTPUTS)}.")
    enc = encode(loaded, text, max_length=max_length)
    forward, label, extra_fixed, notes = spec.build(loaded, enc, target)
    enc = replace(enc, warnings=enc.warnings + notes)
    fixed = tuple(s or i in extra_fixed for i, s in enumerate(enc.special))
    with torch.no_grad():
        inputs = loaded.model.get_input_embeddings()(enc.input_ids).detach()
    baselines = baseline_embeddings(loaded, enc, baseline, fixed, seed)
    t, h = inputs.shape[1:]
    mask = torch.arange(t, device=inputs.device).view(1, t, 1).expand(1, t, h).contiguous()
    problem = Problem(forward, inputs, baselines, enc.tokens, "text", label, mask, fixed, None, baseline)
    return problem, enc
