"""Which way out of θ* is the sharpest, said from the numbers the landscape tab shows: the curvature at θ* along
the top eigenvector and along the random direction drawn beside it, and how high each line climbs in the plot.

The top eigenvalue is the sharpest curvature at θ* itself; farther out the loss is no quadratic, and a random
direction can climb as high as the eigenvector's (a well-trained network's minimum is often flat at the bottom and
steep at the rim). The note says which of the two the plot shows, rather than claiming the eigenvector always wins.
"""

from __future__ import annotations

from core.race.landscape import Curvature

CLEARLY = 1.5  # one line climbs "higher" than the other when it climbs at least this many times as high


def _compared(lam: float, along: float) -> str:
    """How the random direction's curvature compares with the eigenvalue λ > 0."""
    if along <= 0:
        return "flat or curving down there"
    return f"{lam / along:.3g}× less" if lam / along >= CLEARLY else "about as much"


def sharpness_note(c: Curvature) -> str:
    """What the curvatures and the two lines of the plot say, with the numbers (two to four sentences)."""
    lam, along = c.eigenvalue, c.random_curvature
    middle = len(c.a) // 2  # a = 0: θ* itself
    rise_eig = float(c.along_eigenvector.max() - c.along_eigenvector[middle])
    rise_random = float(c.along_random.max() - c.along_random[middle])
    extent = float(c.a[-1])
    parts = [
        f"At θ* the loss curves λ = {lam:.3g} along the top eigenvector (its second derivative per unit of "
        f"parameter distance) and {along:.3g} along the random direction: {_compared(lam, along)}."
        if lam > 0
        else f"At θ* the loss does not curve upward along the top eigenvector (λ = {lam:.3g} ≤ 0): θ* is no "
        f"minimum along it; along the random direction the curvature is {along:.3g}."
    ]
    if rise_eig >= CLEARLY * rise_random:
        parts.append(
            f"In the plot, too, the eigenvector's line climbs higher ({rise_eig:.3g} against {rise_random:.3g} "
            f"within ±{extent:g} × {c.length:.3g} in parameter distance): it is the sharpest way out of θ* here."
        )
    else:
        quadratic = 0.5 * max(lam, 0.0) * (extent * c.length) ** 2
        parts.append(
            f"In the plot the random direction climbs {'higher' if rise_random > rise_eig else 'about as high'} "
            f"({rise_random:.3g} against {rise_eig:.3g} along the eigenvector, within ±{extent:g} × {c.length:.3g} "
            f"in parameter distance): this far from θ* the loss is no longer the quadratic that λ describes (it "
            f"predicts a rise of {quadratic:.3g} at the edge along the eigenvector), so the eigenvector is the "
            "sharpest way out only close to θ*. A smaller extent shows that neighbourhood."
        )
    if c.unstable_lr is not None:
        parts.append(
            f"Plain gradient descent that stays close to θ* is unstable for lr > 2/λ = {c.unstable_lr:.3g} (the "
            "sharpest curvature sets the largest stable step)."
        )
    return " ".join(parts)
