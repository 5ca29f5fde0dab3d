"""What a race is, as one flat set-up that a link can carry (see core.setup_state)."""

from __future__ import annotations

from dataclasses import dataclass

from core.race.expression import custom_surface
from core.race.race import RaceConfig
from core.race.racers import Racer, RacerError, parse_racer
from core.race.schedules import SCHEDULES
from core.race.surfaces import SURFACES, Surface, get_surface
from core.setup_state import quoted

MAX_STEPS = 5000
MAX_RACERS = 10
MAX_SEED = 10_000
CUSTOM = "custom"
# In the racers' own text (Racer.to_text), which the page writes back after every run: an unchanged set-up then
# equals the default and puts no racers into the link.
DEFAULT_RACERS = tuple(
    parse_racer(t).to_text()
    for t in ("SGD lr=0.001", "SGD lr=0.001 momentum=0.9", "Adam lr=0.05", "RMSprop lr=0.01", "LBFGS lr=1")
)


@dataclass(frozen=True)
class RaceSetup:
    """Everything that decides a race. start_x/start_y None means the surface's own default start."""

    surface: str = "rosenbrock"
    kappa: float = 10.0
    formula: str = "sin(x) * cos(y) + 0.1 * (x**2 + y**2)"
    domain: tuple[float, ...] = (-4.0, 4.0, -4.0, 4.0)  # x_min, x_max, y_min, y_max of a custom formula
    start_x: float | None = None
    start_y: float | None = None
    racers: tuple[str, ...] = DEFAULT_RACERS
    steps: int = 300
    max_evals: int = 0  # 0: no evaluation budget
    schedule: str = "none"
    noise: float = 0.0
    seed: int = 0
    clip: float = 0.0

    def validate(self) -> list[str]:
        problems = []
        if self.surface not in SURFACES and self.surface != CUSTOM:
            problems.append(f"surface: unknown surface {quoted(self.surface)}")
        if not 1.0 <= self.kappa <= 1000.0:
            problems.append("kappa: the condition number must be in [1, 1000]")
        if len(self.domain) != 4 or not (self.domain[0] < self.domain[1] and self.domain[2] < self.domain[3]):
            problems.append("domain: needs x_min < x_max and y_min < y_max")
        if not 1 <= self.steps <= MAX_STEPS:
            problems.append(f"steps: must be between 1 and {MAX_STEPS}")
        if not 0 <= self.max_evals <= 20 * MAX_STEPS:
            problems.append(f"max_evals: must be between 0 and {20 * MAX_STEPS}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule: unknown schedule {quoted(self.schedule)}")
        if not 0.0 <= self.noise <= 1e3:
            problems.append("noise: σ must be in [0, 1000]")
        if not 0 <= self.seed <= MAX_SEED:
            problems.append(f"seed: must be between 0 and {MAX_SEED}")
        if not 0.0 <= self.clip <= 1e6:
            problems.append("clip: must be in [0, 1e6] (0 = no clipping)")
        if not self.racers or len(self.racers) > MAX_RACERS:
            problems.append(f"racers: between 1 and {MAX_RACERS} racers")
        else:
            for text in self.racers:
                try:
                    parse_racer(text)
                except RacerError as e:
                    problems.append(f"racers: {quoted(text)}: {e}")
                    break
        return problems

    def build_surface(self) -> Surface:
        """The surface; raises ExpressionError for a bad custom formula."""
        if self.surface == CUSTOM:
            x0, x1, y0, y1 = self.domain
            return custom_surface(self.formula, ((x0, x1), (y0, y1)))
        return get_surface(self.surface, self.kappa)

    def start(self, surface: Surface) -> tuple[float, float]:
        if self.start_x is None or self.start_y is None:
            return surface.start
        return (self.start_x, self.start_y)

    def build_racers(self) -> tuple[Racer, ...]:
        return tuple(parse_racer(t) for t in self.racers)

    def config(self) -> RaceConfig:
        return RaceConfig(
            steps=self.steps,
            schedule=self.schedule,
            noise=self.noise,
            seed=self.seed,
            clip=self.clip,
            max_evals=self.max_evals or None,
        )
