"""The Optimizer race's tabs, one module each, each `render(data: Race)` (a fragment: its own controls rerun only
itself)."""

from __future__ import annotations

from collections.abc import Callable

from pages.race.state import Race
from pages.race.views import inside, landscape, momentum, race, tune

VIEW_OF: dict[str, Callable[[Race], None]] = {
    "Race": race.render,
    "Inside one update": inside.render,
    "Tune the learning rate": tune.render,
    "Momentum on the quadratic": momentum.render,
    "Real network landscape": landscape.render,
}
