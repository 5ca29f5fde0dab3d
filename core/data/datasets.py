"""Which 2-D datasets exist, and how each is generated (TF Playground's recipes where it has one).

Every generator takes `(n, noise, rng)` with `noise` in [0, 0.5] (the page's 0-50 %) and a numpy Generator, and
returns points `[n, 2]` (float64, x1 and x2) and labels `[n]`: class ids 0..K-1 for classification, targets in
[-1, 1] for regression. Same seed, same data: all randomness comes from `rng`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DOMAIN = (-6.0, 6.0)  # the input plane shown, in both axes

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of the registry: `n_classes` is 0 for regression."""

    title: str
    task: str  # "binary" | "multiclass" | "regression"
    n_classes: int
    generate: Generator


def _circle(n: int, noise: float, rng: np.random.Generator):
    """TF Playground: positives at radius ≤ 2.5, negatives at 3.5-5; labels use the noisy position."""
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0, 2 * np.pi, n)
    pts = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    noisy = pts + rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.linalg.norm(noisy, axis=1) < radius * 0.5).astype(np.int64)
    return pts, labels


def _xor(n: int, noise: float, rng: np.random.Generator):
    """TF Playground: uniform in [-5, 5] pushed 0.3 off the axes; label sign(x1·x2) of the noisy point."""
    pts = rng.uniform(-5, 5, (n, 2))
    pts += np.where(pts > 0, 0.3, -0.3)
    noisy = pts + rng.uniform(-5, 5, (n, 2)) * noise
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return pts, labels


def _gauss(n: int, noise: float, rng: np.random.Generator):
    """TF Playground: two gaussians at (2, 2) and (-2, -2), variance 0.5 → 4 as noise goes 0 → 50 %."""
    variance = 0.5 + noise / 0.5 * 3.5
    half = n // 2
    centers = np.concatenate([np.full((half, 2), 2.0), np.full((n - half, 2), -2.0)])
    labels = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
    return centers + rng.normal(0, np.sqrt(variance), (n, 2)), labels


def _spiral_arms(n: int, noise: float, rng: np.random.Generator, arms: int):
    """TF Playground's spiral (radius 5, 1.75 turns) with `arms` arms evenly rotated; arm k is class k."""
    per = [n // arms + (k < n % arms) for k in range(arms)]
    pts, labels = [], []
    for k, m in enumerate(per):
        i = np.arange(m)
        r = i / max(m, 1) * 5
        t = 1.75 * i / max(m, 1) * 2 * np.pi + 2 * np.pi * k / arms
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (m, 2)) * noise
        pts.append(xy)
        labels.append(np.full(m, k, np.int64))
    return np.concatenate(pts), np.concatenate(labels)


def _spiral(n, noise, rng):
    pts, labels = _spiral_arms(n, noise, rng, 2)
    return pts, 1 - labels  # TF Playground's first arm (no rotation) is the positive class


def _spiral3(n, noise, rng):
    return _spiral_arms(n, noise, rng, 3)


def _moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (scikit-learn's make_moons), scaled ×2.5 and centred in the plane."""
    half = n // 2
    t_out = rng.uniform(0, np.pi, half)
    t_in = rng.uniform(0, np.pi, n - half)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)
    pts = (np.concatenate([outer, inner]) - [0.5, 0.25]) * 2.5 + rng.normal(0, 1, (n, 2)) * noise * 2
    labels = np.concatenate([np.zeros(half, np.int64), np.ones(n - half, np.int64)])
    return pts, labels


def _blobs(n: int, noise: float, rng: np.random.Generator):
    """Three gaussian blobs on a circle of radius 3; spread 0.5 → 2.5 as noise goes 0 → 50 %."""
    k = 3
    labels = np.arange(n) % k
    angle = 2 * np.pi * labels / k + np.pi / 2
    centers = 3 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centers + rng.normal(0, 0.5 + 4 * noise, (n, 2)), labels.astype(np.int64)


def _plane(n: int, noise: float, rng: np.random.Generator):
    """TF Playground: target (x1 + x2) / 10 of the noisy point, clipped to [-1, 1]."""
    pts = rng.uniform(-6, 6, (n, 2))
    noisy = pts + rng.uniform(-6, 6, (n, 2)) * noise
    return pts, np.clip((noisy[:, 0] + noisy[:, 1]) / 10, -1, 1)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def _bumps(n: int, noise: float, rng: np.random.Generator):
    """TF Playground: six signed bumps, 1 − distance/2 (clamped), the one largest in size wins."""
    pts = rng.uniform(-6, 6, (n, 2))
    noisy = pts + rng.uniform(-6, 6, (n, 2)) * noise
    dist = np.linalg.norm(noisy[:, None, :] - _BUMPS[None, :, :2], axis=2)  # [n, 6]
    values = _BUMPS[None, :, 2] * np.clip(1 - dist / 2, 0, 1)
    pick = np.argmax(np.abs(values), axis=1)
    return pts, values[np.arange(n), pick]


DATASETS: dict[str, DatasetSpec] = {
    "circle": DatasetSpec("Circle", "binary", 2, _circle),
    "xor": DatasetSpec("Exclusive or", "binary", 2, _xor),
    "gauss": DatasetSpec("Two gaussians", "binary", 2, _gauss),
    "spiral": DatasetSpec("Spiral", "binary", 2, _spiral),
    "moons": DatasetSpec("Moons", "binary", 2, _moons),
    "blobs": DatasetSpec("Three blobs", "multiclass", 3, _blobs),
    "spiral3": DatasetSpec("Three-arm spiral", "multiclass", 3, _spiral3),
    "plane": DatasetSpec("Plane (regression)", "regression", 0, _plane),
    "bumps": DatasetSpec("Six bumps (regression)", "regression", 0, _bumps),
}


def generate(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points `[n, 2]` and labels `[n]` of dataset `name`; the same arguments always give the same data."""
    return DATASETS[name].generate(n, noise, np.random.default_rng(seed))


def split(n: int, train_fraction: float, seed: int) -> np.ndarray:
    """A boolean mask `[n]`, True for training points: a seeded shuffle cut at `train_fraction` (≥ 1 each side)."""
    order = np.random.default_rng(seed + 1_000_003).permutation(n)
    n_train = min(max(round(n * train_fraction), 1), max(n - 1, 1))
    mask = np.zeros(n, bool)
    mask[order[:n_train]] = True
    return mask
