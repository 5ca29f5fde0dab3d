"""The Optimizer race's tabs, one module each, each `render(data: Race)` (a fragment: its own controls rerun only
itself)."""

from __future__ import annotations

from collections.abc import Callable

from core.race.setup import TABS
from pages.race.state import Race
from pages.race.views import inside, landscape, momentum, race, tune

VIEW_OF: dict[str, Callable[[Race], None]] = dict(
    zip(TABS, (race.render, inside.render, tune.render, momentum.render, landscape.render), strict=True)
)
