"""How did the race unfold? The race as an animated GIF, drawn with Pillow (numpy colours, no browser).

Plotly's own animation frames would hide the contour (plotly.py #2151), so each frame is drawn here: the
surface's log-spaced loss as a Viridis image over the domain (the contour figure's colours), the known minima,
each racer's path up to the frame's step in the race figure's colours, a step counter and a legend.
Texts are ASCII: Pillow's bundled font has no dashes or ellipses.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont
from plotly.colors import sequential

from core.figures.race.race import color, log_levels
from core.race.race import RaceResult

PLOT = 400  # the plot area is PLOT × PLOT pixels
MARGIN, TOP, LEGEND = 10, 28, 250  # pixels: outer margin, title band, legend column
MAX_FRAMES = 100
SECONDS = 6.0  # the whole race plays in about this long, then the last frame holds
HOLD_MS = 2000
WHITE, BLACK = (255, 255, 255), (0, 0, 0)


@dataclass(frozen=True)
class Canvas:
    """Where the domain lies in the image: x from x0 (left) to x1, y from y1 (top) to y0, over PLOT pixels."""

    x0: float
    x1: float
    y0: float
    y1: float
    left: int = MARGIN
    top: int = TOP

    def pixel(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates [n, 2] (column, row; float) of domain points [n, 2]."""
        px = self.left + (points[:, 0] - self.x0) / (self.x1 - self.x0) * (PLOT - 1)
        py = self.top + (self.y1 - points[:, 1]) / (self.y1 - self.y0) * (PLOT - 1)
        return np.stack([px, py], 1)


def viridis(values: np.ndarray) -> np.ndarray:
    """Colours [..., 3] (uint8) of values in [0, 1], linear between Plotly's Viridis stops as Plotly draws them."""
    stops = np.array([ImageColor.getrgb(c) for c in sequential.Viridis], dtype=float)  # [10, 3]
    where = np.linspace(0, 1, len(stops))
    return np.stack([np.interp(values, where, stops[:, c]) for c in range(3)], -1).round().astype(np.uint8)


def frame_steps(longest: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown, from 0 to `longest`, evenly spread over at most `max_frames` frames."""
    return np.unique(np.linspace(0, longest, min(longest + 1, max_frames)).round().astype(int))


def _background(result: RaceResult) -> Image.Image:
    """The white canvas with the surface's log10(f − f_low + δ) as a Viridis image in the plot area."""
    _, _, _, logf, _ = log_levels(result.surface)  # [n (y up), n (x)], the contour figure's grid
    span = float(logf.max() - logf.min()) or 1.0
    rgb = viridis(np.nan_to_num((logf[::-1] - logf.min()) / span))  # row 0 = top = y_max
    image = Image.new("RGB", (MARGIN + PLOT + LEGEND, TOP + PLOT + MARGIN), WHITE)
    image.paste(Image.fromarray(rgb).resize((PLOT, PLOT), Image.Resampling.BILINEAR), (MARGIN, TOP))
    return image


def _palette(racer_colors: list[tuple[int, int, int]]) -> Image.Image:
    """One palette for every frame: the racers' colours, white and black exactly, then Viridis shades."""
    fixed = [*racer_colors, WHITE, BLACK]
    shades = viridis(np.linspace(0, 1, 256 - len(fixed)))
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for rgb in fixed for v in rgb] + shades.reshape(-1).tolist())
    return palette


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, r: float = 8) -> None:
    corners = [
        (
            x + (r if k % 2 == 0 else r / 2.5) * math.sin(k * math.pi / 5),
            y - (r if k % 2 == 0 else r / 2.5) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(corners, fill=WHITE, outline=BLACK)


def _segments(pixels: np.ndarray) -> list[tuple[int, list[tuple[float, float]]]]:
    """Runs of finite pixel points, clamped near the image (a path leaving for 1e30 stays drawable), each with the
    index of its first point. Found once per racer: each frame draws a prefix of them."""
    out, current, first = [], [], 0
    for i, (px, py) in enumerate(np.clip(pixels, -4 * PLOT, 5 * PLOT).tolist()):
        if math.isfinite(px) and math.isfinite(py):
            first = i if not current else first
            current.append((px, py))
        elif current:
            out.append((first, current))
            current = []
    return [*out, (first, current)] if current else out


def race_gif(result: RaceResult, max_frames: int = MAX_FRAMES) -> bytes:
    """The race as an animated GIF (looping): one frame per shown step, at most `max_frames` frames."""
    (x0, x1), (y0, y1) = result.surface.domain
    canvas = Canvas(x0, x1, y0, y1)
    colors = [ImageColor.getrgb(color(i)) for i in range(len(result.runs))]
    palette = _palette(colors)
    background = _background(result)
    font = ImageFont.load_default(size=13)
    pixels = [canvas.pixel(np.asarray(run.points, dtype=float)) for run in result.runs]
    finite = [np.isfinite(p).all(axis=1) for p in pixels]
    segments = [_segments(p) for p in pixels]
    minima = canvas.pixel(np.asarray(result.surface.minima, dtype=float).reshape(-1, 2))
    start = canvas.pixel(np.asarray([result.start], dtype=float))[0]
    longest = max((run.steps for run in result.runs), default=0)
    steps = frame_steps(longest, max_frames)

    base = Image.new("RGB", background.size, WHITE)  # texts around the plot; paths are cut at its edges
    _legend(ImageDraw.Draw(base), result, colors, font)
    box = (MARGIN, TOP, MARGIN + PLOT, TOP + PLOT)

    def frame(step: int) -> Image.Image:
        image = background.copy()
        draw = ImageDraw.Draw(image)
        for run, pix, ok, runs, rgb in zip(result.runs, pixels, finite, segments, colors, strict=True):
            end = min(step, run.steps)
            for first, segment in runs:
                if first <= end:
                    draw.line(segment[: end + 1 - first], fill=rgb, width=2)
            last = np.flatnonzero(ok[: end + 1])
            if len(last) == 0:
                continue
            # the racer's marker, held at the plot's edge when it has left the domain
            cx, cy = np.clip(pix[last[-1]], [box[0], box[1]], [box[2] - 1, box[3] - 1])
            if run.diverged and step >= run.steps:
                draw.line([(cx - 6, cy - 6), (cx + 6, cy + 6)], fill=rgb, width=4)
                draw.line([(cx - 6, cy + 6), (cx + 6, cy - 6)], fill=rgb, width=4)
            else:
                draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=rgb, outline=WHITE)
        for mx, my in minima:
            _star(draw, mx, my)
        draw.ellipse([start[0] - 7, start[1] - 7, start[0] + 7, start[1] + 7], outline=WHITE, width=2)
        out = base.copy()
        out.paste(image.crop(box), box[:2])
        ImageDraw.Draw(out).text((MARGIN, 6), f"{result.surface.title}: step {step} / {longest}", fill=BLACK, font=font)
        return out.quantize(palette=palette, dither=Image.Dither.NONE)

    frames = [frame(int(s)) for s in steps]
    each = max(20, round(1000 * SECONDS / len(frames) / 10) * 10)  # GIF delays are in hundredths of a second
    durations = [each] * (len(frames) - 1) + [HOLD_MS]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return out.getvalue()


def _legend(draw: ImageDraw.ImageDraw, result: RaceResult, colors, font) -> None:
    """Racer names in their colours, diverged ones marked, then the markers' meaning."""
    x, y = MARGIN + PLOT + 12, TOP
    for run, rgb in zip(result.runs, colors, strict=True):
        draw.rectangle([x, y + 3, x + 12, y + 13], fill=rgb)
        label = run.label if len(run.label) <= 30 else run.label[:27] + "..."
        draw.text((x + 18, y), label + (" (diverged)" if run.diverged else ""), fill=BLACK, font=font)
        y += 20
    y += 6
    if result.surface.minima:
        draw.text((x, y), "star: known minimum", fill=BLACK, font=font)
        y += 18
    draw.text((x, y), "ring: start   x: diverged", fill=BLACK, font=font)
