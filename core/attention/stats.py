"""What each head looks at, in numbers (Clark et al. 2019, "What does BERT look at?").

For every head: the average over query tokens of the attention that goes to [CLS], to [SEP], to punctuation ("." and
",", as in the paper), to the token itself, to the previous and to the next token; and the average entropy of a
query's attention distribution next to the uniform baseline ln n. Entropy is taken of the smoothed distribution
α' = 0.9999·α + 0.0001/n so that log 0 never occurs.

Role labels: a head whose average attention to one category is at least `ROLE_THRESHOLD` is labelled by it (Clark et
al. single out heads putting more than half their attention on the previous/next token, on [SEP], on punctuation);
otherwise a head whose entropy is at least `BROAD_FRACTION` of ln n is "broad", and the rest "mixed".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ROLE_THRESHOLD = 0.5
BROAD_FRACTION = 0.9
SMOOTHING = 1e-4
PUNCTUATION = frozenset({".", ","})


@dataclass(frozen=True)
class Statistic:
    label: str
    description: str
    compute: Callable[[np.ndarray, tuple[str, ...], tuple[bool, ...]], np.ndarray]  # maps [L,H,n,n] → [L,H]
    role: str | None = None  # the head role this statistic defines, if any


def _to_keys(selected: Callable[[tuple[str, ...], tuple[bool, ...]], np.ndarray]):
    """Average over queries of the attention mass on the keys that `selected(tokens, special)` marks."""

    def compute(maps: np.ndarray, tokens: tuple[str, ...], special: tuple[bool, ...]) -> np.ndarray:
        keys = selected(tokens, special).astype(np.float64)
        return (maps @ keys).mean(axis=-1)

    return compute


def _diagonal(offset: int):
    """Average over queries i (that have a key i + offset) of α(i → i + offset)."""

    def compute(maps: np.ndarray, tokens: tuple[str, ...], special: tuple[bool, ...]) -> np.ndarray:
        return np.diagonal(maps, offset=offset, axis1=-2, axis2=-1).mean(axis=-1)

    return compute


def smoothed_entropy(maps: np.ndarray) -> np.ndarray:
    """Entropy in nats of each row of [..., n, n] after smoothing: [..., n]."""
    n = maps.shape[-1]
    p = (1 - SMOOTHING) * maps + SMOOTHING / n
    return -(p * np.log(p)).sum(axis=-1)


def _entropy(maps: np.ndarray, tokens: tuple[str, ...], special: tuple[bool, ...]) -> np.ndarray:
    return smoothed_entropy(maps).mean(axis=-1)


def _is_cls(tokens, special):
    return np.array([s and t in ("[CLS]", "<s>") for t, s in zip(tokens, special, strict=True)])


def _is_sep(tokens, special):
    return np.array([s and t in ("[SEP]", "</s>") for t, s in zip(tokens, special, strict=True)])


def _is_punct(tokens, special):
    return np.array([t in PUNCTUATION for t in tokens])


STATISTICS: dict[str, Statistic] = {
    "cls": Statistic("→ [CLS]", "average attention to [CLS]", _to_keys(_is_cls), "[CLS]"),
    "sep": Statistic("→ [SEP]", "average attention to [SEP] tokens", _to_keys(_is_sep), "[SEP]"),
    "punct": Statistic("→ . ,", "average attention to '.' and ','", _to_keys(_is_punct), "punctuation"),
    "self": Statistic("→ self", "average attention to the token itself", _diagonal(0), "self"),
    "prev": Statistic("→ previous", "average attention to the previous token", _diagonal(-1), "previous token"),
    "next": Statistic("→ next", "average attention to the next token", _diagonal(1), "next token"),
    "entropy": Statistic("entropy", "average entropy of a query's attention (nats, smoothed)", _entropy),
}


@dataclass(frozen=True)
class HeadStatistics:
    """values[name]: [layers, heads] for each statistic in STATISTICS; roles: [layers][heads] labels."""

    values: dict[str, np.ndarray]
    roles: tuple[tuple[str, ...], ...]
    uniform_entropy: float  # ln n, the entropy of attending equally to all n tokens

    def table(self) -> list[dict[str, object]]:
        """One row per head: layer, head, every statistic, role (layers and heads counted from 1, as on the page)."""
        layers, heads = self.values["entropy"].shape
        return [
            {
                "layer": layer + 1,
                "head": head + 1,
                **{name: float(v[layer, head]) for name, v in self.values.items()},
                "uniform entropy": self.uniform_entropy,
                "role": self.roles[layer][head],
            }
            for layer in range(layers)
            for head in range(heads)
        ]


def role_of(values: dict[str, float], uniform_entropy: float) -> str:
    """A head's label from its statistics, by the thresholds in the module docstring."""
    roles = [(values[name], spec.role) for name, spec in STATISTICS.items() if spec.role]
    best, role = max(roles, key=lambda pair: pair[0])
    if best >= ROLE_THRESHOLD:
        return role
    return "broad" if values["entropy"] >= BROAD_FRACTION * uniform_entropy else "mixed"


def head_statistics(maps: np.ndarray, tokens: tuple[str, ...], special: tuple[bool, ...]) -> HeadStatistics:
    """Clark et al.'s statistics for every head of maps [layers, heads, n, n] over the tokens shown."""
    maps = np.asarray(maps, dtype=np.float64)
    values = {name: spec.compute(maps, tokens, special) for name, spec in STATISTICS.items()}
    uniform = float(np.log(maps.shape[-1]))
    layers, heads = maps.shape[:2]
    roles = tuple(
        tuple(role_of({k: float(v[layer, head]) for k, v in values.items()}, uniform) for head in range(heads))
        for layer in range(layers)
    )
    return HeadStatistics(values, roles, uniform)
