"""What a race is, as one flat set-up that a link can carry (see core.setup_state)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.race.expression import custom_surface
from core.race.race import RaceConfig
from core.race.racers import OPTIMIZERS, Racer, RacerError, parse_racer
from core.race.schedules import SCHEDULES
from core.race.surfaces import SURFACES, Surface, get_surface
from core.settings import setting
from core.setup_state import quoted

MAX_STEPS = 5000
MAX_RACERS = 3 * len(OPTIMIZERS)  # every optimizer can race, with twins; the work queue's estimate bounds the work
MAX_SEED = 10_000
CUSTOM = "custom"
# In the racers' own text (Racer.to_text), which the page writes back after every run: an unchanged set-up then
# equals the default and puts no racers into the link.
DEFAULT_RACERS = tuple(
    parse_racer(t).to_text()
    for t in ("SGD lr=0.001", "SGD lr=0.001 momentum=0.9", "Adam lr=0.05", "RMSprop lr=0.01", "LBFGS lr=1")
)


# The page's tabs, short enough for one line at 1024 px; the open one travels in the link, so a shared link opens
# on the same tab.
TABS = ("Race", "Inside a step", "Tune the rate", "Momentum", "Network landscape")
DOMAIN_PROBLEM = "needs four numbers x_min, x_max, y_min, y_max with x_min < x_max and y_min < y_max"


def surface_title(key: str) -> str:
    """How a surface reads in the surface selector."""
    return "Your formula f(x, y)" if key == CUSTOM else SURFACES[key].title


def domain_text(domain: tuple[float, ...]) -> str:
    """A domain as the text the domain widget holds: "-4, 4, -4, 4"."""
    return ", ".join(f"{v:g}" for v in domain)


def read_domain(text: str) -> tuple[float, ...]:
    """The numbers typed as a domain; () when they are not numbers (the set-up then says what a domain needs)."""
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        return ()


@dataclass(frozen=True)
class RaceSetup:
    """Everything that decides a race. start_x/start_y None means the surface's own default start.

    The racers are texts like "Adam lr=0.05" (core.race.racers), asked for by the page's racer editor rather than
    one widget: their count and each one's knobs are checked in `validate`."""

    surface: str = setting(
        "rosenbrock", "Surface", kind="select", choices=lambda: (*SURFACES, CUSTOM), names=surface_title
    )
    kappa: float = setting(
        10.0, "Condition number κ", kind="slider", low=1.0, high=1000.0, help="f = ½(x² + κy²): eigenvalues 1 and κ."
    )
    formula: str = setting(
        "sin(x) * cos(y) + 0.1 * (x**2 + y**2)",
        "f(x, y) =",
        kind="text",
        help="x, y, numbers, pi, e, + - * / ** % and sin cos tan exp log sqrt abs tanh ...",
    )
    domain: tuple[float, ...] = setting(
        (-4.0, 4.0, -4.0, 4.0), "Domain x_min, x_max, y_min, y_max", kind="text", problem=DOMAIN_PROBLEM
    )  # of a custom formula
    start_x: float | None = setting(None, "start x", number_format="%.3f", step=0.1)
    start_y: float | None = setting(None, "start y", number_format="%.3f", step=0.1)
    racers: tuple[str, ...] = DEFAULT_RACERS
    steps: int = setting(300, "Steps", low=1, high=MAX_STEPS, step=50)
    max_evals: int = setting(
        0,
        "Evaluation budget (0 = none)",
        low=0,
        high=20 * MAX_STEPS,
        step=100,
        help="Function+gradient evaluations per racer. One LBFGS step may use up to 25.",
    )
    schedule: str = setting(
        "none",
        "Learning-rate schedule",
        kind="select",
        choices=lambda: SCHEDULES,
        help="torch.optim.lr_scheduler, stepped after every optimizer step. One-cycle peaks at "
        "each racer's lr and leaves its momentum alone.",
    )
    noise: float = setting(
        0.0,
        "Gradient noise σ",
        low=0.0,
        high=1000.0,
        step=0.1,
        number_format="%.3g",
        help="Gaussian noise added to every gradient, like a mini-batch's; seeded.",
    )
    seed: int = setting(0, "Noise seed", low=0, high=MAX_SEED)
    clip: float = setting(0.0, "Clip gradient norm (0 = off)", low=0.0, high=1e6, step=1.0, number_format="%.3g")
    tab: str = setting(TABS[0], "Open tab", kind="select", choices=lambda: TABS)  # drawn as the page's tabs

    def validate(self) -> list[str]:
        """What the declarations cannot say: the domain's four numbers in order, and racers that parse."""
        problems = []
        if len(self.domain) != 4 or not (self.domain[0] < self.domain[1] and self.domain[2] < self.domain[3]):
            problems.append(f"domain: {DOMAIN_PROBLEM}")
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

    @property
    def raced(self) -> RaceSetup:
        """The set-up without the open tab: what decides the race (opening another tab races nothing anew)."""
        return replace(self, tab=TABS[0])

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
