"""TF Playground's colours (orange = negative / class 0, blue = positive / class 1) and plane images as PNG."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

NEGATIVE = np.array([245, 147, 34])  # #f59322
NEUTRAL = np.array([232, 234, 235])  # #e8eaeb
POSITIVE = np.array([8, 119, 189])  # #0877bd
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
DIVERGING = [[0.0, "#f59322"], [0.5, "#e8eaeb"], [1.0, "#0877bd"]]


def _hex(c: str) -> np.ndarray:
    return np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)])


def diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] (clipped) → uint8 RGB `[..., 3]`: orange at -1, grey at 0, blue at +1."""
    v = np.clip(np.nan_to_num(values), -1, 1)[..., None]
    rgb = np.where(v < 0, NEUTRAL + (NEGATIVE - NEUTRAL) * -v, NEUTRAL + (POSITIVE - NEUTRAL) * v)
    return rgb.astype(np.uint8)


def class_rgb(probs: np.ndarray) -> np.ndarray:
    """Class probabilities `[K, ...]` → the probability-weighted mix of class colours, uint8 `[..., 3]`."""
    colors = np.stack([_hex(c) for c in CLASS_COLORS[: probs.shape[0]]])  # [K, 3]
    p = np.nan_to_num(probs)
    confidence = p.max(axis=0, keepdims=True)  # fade to grey where the network is unsure
    mix = np.tensordot(np.moveaxis(p, 0, -1), colors, axes=1)
    w = ((confidence - 1 / probs.shape[0]) / (1 - 1 / probs.shape[0]))[0][..., None]
    return (NEUTRAL + (mix - NEUTRAL) * w).clip(0, 255).astype(np.uint8)


def png_uri(rgb: np.ndarray) -> str:
    """A `[rows, cols, 3]` uint8 image with row 0 at the BOTTOM of the plane, as a PNG data URI."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb[::-1])).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
