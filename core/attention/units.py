"""Which rows and columns an attention map shows: WordPiece tokens or whole words, with or without special tokens.

Word level (Clark et al. 2019): attention *to* a word is the sum over its pieces (a column sum keeps rows
stochastic), attention *from* a word is the mean over its pieces' rows. Special tokens ([CLS], [SEP]) stay units of
their own. Special-token modes: keep them, hide their rows and columns (rows then no longer sum to 1), or exclude them
and renormalise each row over the remaining tokens; the mass that went to special tokens is reported either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.attention.extract import AttentionResult

_PIECE_MARKS = ("##", "Ġ", "▁")  # WordPiece continuation, byte-level BPE and SentencePiece word starts


@dataclass(frozen=True)
class Units:
    """What one row/column of a displayed map stands for.

    labels: text of each unit; positions: the token indices it merges; special/segments: per unit.
    """

    labels: tuple[str, ...]
    positions: tuple[tuple[int, ...], ...]
    special: tuple[bool, ...]
    segments: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class ShownAttention:
    """Attention in display units. maps: [..., U, U]; removed_mass: [...], the average share of each shown row's
    attention that went to special tokens (0 when they are kept)."""

    maps: np.ndarray
    units: Units
    removed_mass: np.ndarray
    renormalised: bool


def token_units(result: AttentionResult) -> Units:
    """One unit per WordPiece token."""
    return Units(
        result.tokens,
        tuple((i,) for i in range(result.length)),
        result.encoded.special,
        tuple(int(s) for s in result.segments),
    )


def _piece_text(piece: str) -> str:
    for mark in _PIECE_MARKS:
        if piece.startswith(mark):
            return piece[len(mark) :]
    return piece


def word_units(result: AttentionResult) -> Units:
    """One unit per word: pieces sharing (segment, word id) merge; special tokens stay alone."""
    groups: list[list[int]] = []
    keys: list[object] = []
    segments = result.segments
    for i, word in enumerate(result.encoded.word_ids):
        key = ("special", i) if word is None or result.encoded.special[i] else (int(segments[i]), word)
        if keys and keys[-1] == key:
            groups[-1].append(i)
        else:
            groups.append([i])
            keys.append(key)
    tokens = result.tokens
    labels = tuple(tokens[g[0]] if len(g) == 1 else "".join(_piece_text(tokens[p]) for p in g) for g in groups)
    return Units(
        labels,
        tuple(tuple(g) for g in groups),
        tuple(result.encoded.special[g[0]] for g in groups),
        tuple(int(segments[g[0]]) for g in groups),
    )


def merge(maps: np.ndarray, units: Units) -> np.ndarray:
    """Token maps [..., T, T] → unit maps [..., U, U]: sum over a unit's key pieces, mean over its query pieces."""
    t = maps.shape[-1]
    membership = np.zeros((len(units), t))
    for u, pos in enumerate(units.positions):
        membership[u, list(pos)] = 1.0
    to_units = maps @ membership.T  # [..., T, U]
    return (membership / membership.sum(axis=1, keepdims=True)) @ to_units


def _keep(maps: np.ndarray, special: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return maps, np.zeros(maps.shape[:-2])


def _hide(maps: np.ndarray, special: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    content = ~special
    rows = maps[..., content, :]
    return rows[..., content], rows[..., special].sum(-1).mean(-1)


def _exclude(maps: np.ndarray, special: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    shown, removed = _hide(maps, special)
    return shown / shown.sum(axis=-1, keepdims=True), removed


# mode → (maps [..., U, U], special [U] bool) → (shown maps, removed mass [...])
SPECIAL_MODES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
    "keep": _keep,
    "hide": _hide,
    "exclude": _exclude,
}
SPECIAL_MODE_LABELS = {
    "keep": "keep [CLS]/[SEP]",
    "hide": "hide them (rows no longer sum to 1)",
    "exclude": "exclude and renormalise rows",
}
GRANULARITIES: dict[str, Callable[[AttentionResult], Units]] = {"tokens": token_units, "words": word_units}


def shown(
    result: AttentionResult, maps: np.ndarray, granularity: str = "tokens", special_mode: str = "keep"
) -> ShownAttention:
    """Token-level maps [..., T, T] of `result` in the chosen units and special-token mode."""
    units = GRANULARITIES[granularity](result)
    merged = merge(np.asarray(maps, dtype=np.float64), units) if granularity != "tokens" else np.asarray(maps)
    special = np.array(units.special, dtype=bool)
    if special.all():
        special_mode = "keep"  # nothing would be left to show
    out, removed = SPECIAL_MODES[special_mode](merged, special)
    if special_mode != "keep":
        content = np.flatnonzero(~special)
        units = Units(
            tuple(units.labels[i] for i in content),
            tuple(units.positions[i] for i in content),
            tuple(False for _ in content),
            tuple(units.segments[i] for i in content),
        )
    return ShownAttention(out, units, removed, special_mode == "exclude")


def _segment_filter(query_segment: int | None, key_segment: int | None):
    def mask(segments: np.ndarray) -> np.ndarray:
        q = np.ones(len(segments), bool) if query_segment is None else segments == query_segment
        k = np.ones(len(segments), bool) if key_segment is None else segments == key_segment
        return q[:, None] & k[None, :]

    return mask


# For a pair: which (query, key) entries a view shows. [U] segments (0 = A, 1 = B) → [U, U] bool.
PAIR_FILTERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "All": _segment_filter(None, None),
    "A→A": _segment_filter(0, 0),
    "B→B": _segment_filter(1, 1),
    "A→B": _segment_filter(0, 1),
    "B→A": _segment_filter(1, 0),
}


def shown_columns(rows: np.ndarray, special: np.ndarray, mode: str) -> np.ndarray:
    """Rows [..., U] over all units → the columns `mode` shows (special ones dropped, renormalised for exclude)."""
    if mode == "keep" or special.all():
        return rows
    kept = rows[..., ~special]
    return kept / kept.sum(axis=-1, keepdims=True) if mode == "exclude" else kept
