"""What the check tabs draw from: the plain `Explained` record a subject's run hands to every tab, the same for a
text and for the 2-D network."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.attribution.explain import Attribution
from core.attribution.network import Grid, NetworkUnderStudy
from core.attribution.problem import Problem
from core.attribution.sanity import SanityCheck
from core.attribution.setup import AttributionSetup
from pages.heavy import Report


@dataclass(frozen=True, eq=False)
class Explained:
    """One explained input and its result, with what the checks need to vary it.

    key: what the result depends on besides the method and its settings (the results of the checks are kept
    per key); with_baseline(kind): the same problem against another reference input, one of `baselines` (kind →
    how it reads); sanity(report): the cascading randomisation on a copy made for this session; described: the
    model's provenance or the network's description, for the exports. A text adds `rollout()` (attention
    rollout's token scores); a network its explained `point` [1, 2], when drawn the `map` over the `grid`, and the
    `network` itself, which an export carries.
    """

    setup: AttributionSetup
    problem: Problem
    result: Attribution
    key: tuple
    with_baseline: Callable[[str], Problem]
    baselines: Mapping[str, str]
    sanity: Callable[[Report], SanityCheck]
    described: dict[str, Any]
    rollout: Callable[[], np.ndarray] | None = None
    point: np.ndarray | None = None
    map: Attribution | None = None
    grid: Grid | None = None
    network: NetworkUnderStudy | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The features: tokens, or the network's input features."""
        return self.problem.feature_names

    @property
    def asked(self) -> tuple:
        """The key of the checks run on a click (sanity, baselines): the inputs, method and settings asked for."""
        return (*self.key, self.setup.method, self.setup.settings)

    @property
    def checked(self) -> tuple:
        """The key of the checks of this result: its inputs, method and settings."""
        return (*self.key, self.result.method, self.result.settings)
