"""Which 2-D test functions the race runs on: formula, plotted domain, known minima and a good start.

Every `fn(x, y)` takes tensors of any (broadcastable) shape and returns f of the same shape, so one call
draws a whole grid and the same call gives autograd the loss of a racer's point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

Fn = Callable[[Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class Surface:
    """One 2-D loss surface. `domain` is ((x_min, x_max), (y_min, y_max)); `minima` are the global minima."""

    key: str
    title: str
    fn: Fn
    domain: tuple[tuple[float, float], tuple[float, float]]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    formula: str  # LaTeX
    lesson: str

    def __call__(self, x: Tensor, y: Tensor) -> Tensor:
        return self.fn(x, y)

    def grid(self, n: int = 121) -> tuple[Tensor, Tensor, Tensor]:
        """f on an n×n grid over the domain in float64: xs [n], ys [n], z [n (y), n (x)]."""
        (x0, x1), (y0, y1) = self.domain
        xs = torch.linspace(x0, x1, n, dtype=torch.float64)
        ys = torch.linspace(y0, y1, n, dtype=torch.float64)
        with torch.no_grad():
            z = self.fn(xs[None, :], ys[:, None]).expand(n, n)
        return xs, ys, z

    @property
    def min_value(self) -> float | None:
        """f at the first known minimum (None for surfaces without a minimum, like the saddles)."""
        if not self.minima:
            return None
        x, y = self.minima[0]
        with torch.no_grad():
            return float(self.fn(torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)))

    def contains(self, x: float, y: float) -> bool:
        (x0, x1), (y0, y1) = self.domain
        return x0 <= x <= x1 and y0 <= y <= y1


def quadratic(kappa: float = 10.0) -> Surface:
    """f = ½(x² + κy²): eigenvalues 1 and κ, the ravine of Goh's "Why Momentum Really Works"."""
    kappa = float(kappa)
    return Surface(
        "quadratic",
        f"Ill-conditioned quadratic (κ = {kappa:g})",
        lambda x, y: 0.5 * (x**2 + kappa * y**2),
        ((-3.0, 3.0), (-2.0, 2.0)),
        ((0.0, 0.0),),
        (-2.6, 1.4),
        r"f = \tfrac12\,(x^2 + \kappa\,y^2)",
        "A ravine: plain SGD zig-zags across the steep axis while crawling along the flat one.",
    )


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _rastrigin(x, y):
    return 20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 - 10 * torch.cos(2 * math.pi * y)


def _ackley(x, y):
    # 1e-12 keeps the gradient of √ finite at the origin itself (f(0, 0) ≈ 4e-6 instead of 0).
    r = torch.sqrt(0.5 * (x**2 + y**2) + 1e-12)
    wave = 0.5 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))
    return -20 * torch.exp(-0.2 * r) - torch.exp(wave) + math.e + 20


def _goldstein_price(x, y):
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    return a * b


def _six_hump_camel(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _styblinski_tang(x, y):
    return 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y)


_ST = -2.903534027771178
SURFACES: dict[str, Surface] = {
    s.key: s
    for s in [
        quadratic(),
        Surface(
            "rosenbrock",
            "Rosenbrock",
            _rosenbrock,
            ((-2.0, 2.0), (-1.0, 3.0)),
            ((1.0, 1.0),),
            (-1.2, 1.0),
            r"f = (1-x)^2 + 100\,(y-x^2)^2",
            "A curved, flat-bottomed valley: finding it is easy, following it to (1, 1) is hard.",
        ),
        Surface(
            "beale",
            "Beale",
            _beale,
            ((-4.5, 4.5), (-4.5, 4.5)),
            ((3.0, 0.5),),
            (1.0, 1.4),
            r"f = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
            "Flat plateaus next to walls that rise like y⁶: a step that crawls on one blows up on the other.",
        ),
        Surface(
            "booth",
            "Booth",
            _booth,
            ((-10.0, 10.0), (-10.0, 10.0)),
            ((1.0, 3.0),),
            (-7.0, -7.0),
            r"f = (x+2y-7)^2 + (2x+y-5)^2",
            "A gently tilted bowl: every optimizer should win here; a baseline.",
        ),
        Surface(
            "himmelblau",
            "Himmelblau",
            _himmelblau,
            ((-5.0, 5.0), (-5.0, 5.0)),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            (-0.3, -0.9),
            r"f = (x^2+y-11)^2 + (x+y^2-7)^2",
            "Four equal minima: which one a racer reaches depends on its momentum, not only on the start.",
        ),
        Surface(
            "rastrigin",
            "Rastrigin",
            _rastrigin,
            ((-5.12, 5.12), (-5.12, 5.12)),
            ((0.0, 0.0),),
            (2.3, -2.6),
            r"f = 20 + \sum_{u\in\{x,y\}} \left(u^2 - 10\cos 2\pi u\right)",
            "A grid of local minima: small steps get stuck in the nearest one.",
        ),
        Surface(
            "ackley",
            "Ackley",
            _ackley,
            ((-5.0, 5.0), (-5.0, 5.0)),
            ((0.0, 0.0),),
            (-3.6, 3.1),
            r"f = -20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
            "A nearly flat, bumpy plain around one deep funnel.",
        ),
        Surface(
            "goldstein_price",
            "Goldstein-Price",
            _goldstein_price,
            ((-2.0, 2.0), (-2.0, 2.0)),
            ((0.0, -1.0),),
            (-1.4, 1.2),
            r"f = [1+(x+y+1)^2(19-14x+3x^2-14y+6xy+3y^2)]\,[30+(2x-3y)^2(18-32x+12x^2+48y-36xy+27y^2)]",
            "Values from 3 to a million: gradients differ by orders of magnitude across the plot.",
        ),
        Surface(
            "six_hump_camel",
            "Six-hump camel",
            _six_hump_camel,
            ((-2.0, 2.0), (-1.2, 1.2)),
            ((0.0898, -0.7126), (-0.0898, 0.7126)),
            (-1.6, -0.9),
            r"f = (4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2-4)\,y^2",
            "Six local minima, two global ones.",
        ),
        Surface(
            "styblinski_tang",
            "Styblinski-Tang",
            _styblinski_tang,
            ((-5.0, 5.0), (-5.0, 5.0)),
            ((_ST, _ST),),
            (4.6, 1.4),
            r"f = \tfrac12 \sum_{u\in\{x,y\}} \left(u^4 - 16u^2 + 5u\right)",
            "Four basins of different depth: the start decides which one gradient descent finds.",
        ),
        Surface(
            "saddle",
            "Saddle x² − y²",
            lambda x, y: x**2 - y**2,
            ((-2.0, 2.0), (-2.0, 2.0)),
            (),
            (1.8, 0.01),
            r"f = x^2 - y^2",
            "No minimum: the point is how fast a racer leaves the saddle at the origin along y.",
        ),
        Surface(
            "monkey_saddle",
            "Monkey saddle x³ − 3xy²",
            lambda x, y: x**3 - 3 * x * y**2,
            ((-2.0, 2.0), (-2.0, 2.0)),
            (),
            (0.4, 0.02),
            r"f = x^3 - 3xy^2",
            "A flat saddle (zero curvature at the origin): gradients vanish, adaptive methods rescale them.",
        ),
    ]
}


def get_surface(key: str, kappa: float = 10.0) -> Surface:
    """The surface registered under `key`; the quadratic is built with condition number `kappa`."""
    if key == "quadratic":
        return quadratic(kappa)
    return SURFACES[key]
