"""Light raster frames for the animation: while training plays, the browser only swaps PNG images.

Plotly charts (hover, click) cost the browser ~1 s per redraw on a loaded 2-core machine; a PNG costs
milliseconds. When training pauses the page shows the interactive Plotly figures again. All return uint8 RGB.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from PIL import Image, ImageDraw

from core.data.datasets import DOMAIN
from core.figures.builder.colors import CLASS_COLORS, diverging_rgb
from core.figures.builder.plane import plane_image

BLUE, ORANGE = (8, 119, 189), (245, 147, 34)


def _hex(c: str) -> tuple[int, int, int]:
    return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))


def plane_raster(
    head: str,
    task: str,
    output: np.ndarray,
    points: np.ndarray,
    labels: np.ndarray,
    is_train: np.ndarray,
    show_test: bool = False,
    discretize: bool = False,
    size: int = 360,
) -> np.ndarray:
    """The output heatmap `[K, res, res]` scaled to `size²` pixels with the points drawn on it."""
    img = Image.fromarray(np.ascontiguousarray(plane_image(head, output, discretize)[::-1]))
    img = img.resize((size, size), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(img)
    lo, hi = DOMAIN
    px = (points - lo) / (hi - lo) * size
    fills = (
        diverging_rgb(labels)
        if task == "regression"
        else np.array([_hex(c) for c in CLASS_COLORS])[labels.astype(np.int64) % len(CLASS_COLORS)]
    )
    for i in range(len(points)):
        if not is_train[i] and not show_test:
            continue
        fill = tuple(int(v) for v in fills[i])
        x, y = px[i, 0], size - px[i, 1]
        draw.ellipse(
            (x - 3.5, y - 3.5, x + 3.5, y + 3.5), fill=fill, outline=(255, 255, 255) if is_train[i] else (0, 0, 0)
        )
    return np.asarray(img)


def network_raster(
    columns: list[np.ndarray], weights: list[np.ndarray], width: int = 560, node: int = 44
) -> np.ndarray:
    """Neuron thumbnails `columns[c]` `[n, r, r]` in [-1, 1] joined by weight lines (blue +, orange −)."""
    n_max = max(len(c) for c in columns)
    height = n_max * (node + 14) + 16
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    gap = (width - node) / max(len(columns) - 1, 1)

    def centre(c: int, i: int) -> tuple[float, float]:
        return node / 2 + c * gap, height / 2 + (i - (len(columns[c]) - 1) / 2) * (node + 14)

    w_max = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    for layer, w in enumerate(weights):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                (x0, y0), (x1, y1) = centre(layer, j), centre(layer + 1, i)
                v = float(w[i, j])
                width_px = 1 + int(min(abs(v) / w_max, 1) * 6) if math.isfinite(v) else 1
                draw.line((x0 + node / 2, y0, x1 - node / 2, y1), fill=BLUE if v >= 0 else ORANGE, width=width_px)
    for c, planes in enumerate(columns):
        for i, plane in enumerate(planes):
            x, y = centre(c, i)
            thumb = Image.fromarray(np.ascontiguousarray(diverging_rgb(plane)[::-1])).resize((node, node))
            img.paste(thumb, (int(x - node / 2), int(y - node / 2)))
            draw.rectangle((x - node / 2, y - node / 2, x + node / 2 - 1, y + node / 2 - 1), outline=(160, 160, 160))
    return np.asarray(img)


def jpeg(rgb: np.ndarray, quality: int = 90) -> str:
    """A uint8 RGB frame as a JPEG data URI (≈0.4 ms for 360², against ≈20 ms for PNG).

    Inline, the image travels in the frame's own message. As bytes, Streamlit stored each frame as a media file
    that the browser fetched separately, and at ten frames a second the next frame often replaced the file before
    the fetch: the browser showed a broken image.
    """
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def loss_raster(train: list[float], test: list[float], width: int = 360, height: int = 120) -> np.ndarray:
    """Training (dark) and test (grey) loss against epoch on a log scale, as a small sparkline chart."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    values = [v for v in train + test if math.isfinite(v) and v > 0]
    if len(train) < 2 or not values:
        return np.asarray(img)
    lo, hi = math.log10(min(values)), math.log10(max(values))
    span = hi - lo or 1.0
    draw.rectangle((0, 0, width - 1, height - 1), outline=(220, 220, 220))
    for series, color in ((test, (170, 170, 170)), (train, (40, 40, 40))):
        pts = [
            (4 + (width - 8) * i / (len(series) - 1), height - 4 - (height - 8) * (math.log10(v) - lo) / span)
            for i, v in enumerate(series)
            if math.isfinite(v) and v > 0
        ]
        if len(pts) > 1:
            draw.line(pts, fill=color, width=2)
    return np.asarray(img)
