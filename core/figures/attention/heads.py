"""Head view: lines from each query token to the keys it attends to (bertviz style, hover in the browser), and
the heatmap form."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.attention.common import base_layout, head_color, matrix_trace, token_axes

MIN_WEIGHT = 0.01  # lines for weights below this are not drawn (keeps long inputs light)
ROW = 22  # px per token row
TEXT_W = 170  # px for each token column
GAP = 220  # px between the two columns, where the lines run
TOP = 52  # px for the head legend and the column titles

# Hovering a token writes one CSS rule that shows only its lines: one rule instead of touching every line element.
_SCRIPT = """
const focus = document.getElementById("focus");
for (const tok of document.querySelectorAll(".tok")) {
  const s = tok.dataset.side, i = tok.dataset.i;
  tok.addEventListener("mouseenter", () => {
    focus.textContent = `line{display:none} line[data-${s}="${i}"]{display:inline}
      .tok[data-side="${s}"][data-i="${i}"] text{font-weight:bold; fill:#000}`;
  });
  tok.addEventListener("mouseleave", () => { focus.textContent = ""; });
}
"""

_STYLE = """
body{margin:0; font:13px Inter, "Segoe UI", sans-serif; color:#333; background:#fff}
.tok{cursor:pointer} .tok rect{fill:transparent} .tok:hover rect{fill:#eef3fb}
.title{fill:#777; font-size:12px} line{stroke-linecap:round}
"""


def head_view_html(
    maps: np.ndarray, labels: tuple[str, ...], heads: tuple[int, ...], visible: np.ndarray | None = None
) -> str:
    """bertviz's head view as a self-contained HTML page (inline SVG + a few lines of JS, nothing fetched).

    maps: [len(heads), U, U] query × key weights; visible: [U, U] bool entries to draw (a pair filter). One line
    per (head, query, key) with weight ≥ MIN_WEIGHT, in the head's colour, stroke opacity = weight. Hovering a token
    on the left keeps only its lines; on the right, only the lines into it. Token text is HTML-escaped.
    """
    n = len(labels)
    visible = np.ones((n, n), bool) if visible is None else visible
    x_left, x_right = TEXT_W, TEXT_W + GAP
    width, height = 2 * TEXT_W + GAP, head_view_height(n)

    def y(i: int) -> float:
        return TOP + ROW * i + ROW / 2

    parts = []
    for k, head in enumerate(heads):
        colour = html.escape(head_color(head))
        parts.append(
            f'<rect x="{8 + 90 * k}" y="4" width="14" height="14" fill="{colour}"/>'
            f'<text x="{26 + 90 * k}" y="16">head {head + 1}</text>'
        )
    parts.append(
        f'<text class="title" x="{x_left - 6}" y="{TOP - 8}" text-anchor="end">query (attending)</text>'
        f'<text class="title" x="{x_right + 6}" y="{TOP - 8}">key (attended to)</text>'
    )
    for k, head in enumerate(heads):
        colour = html.escape(head_color(head))
        qs, ks = np.nonzero(visible & (maps[k] >= MIN_WEIGHT))
        parts += [
            f'<line data-q="{q}" data-k="{key}" x1="{x_left}" y1="{y(q)}" x2="{x_right}" y2="{y(key)}" '
            f'stroke="{colour}" stroke-width="2" stroke-opacity="{maps[k, q, key]:.3f}"/>'
            for q, key in zip(qs, ks, strict=True)
        ]
    for side, x, anchor in (("q", x_left - 6, "end"), ("k", x_right + 6, "start")):
        box_x = 0 if side == "q" else x_right
        for i, label in enumerate(labels):
            parts.append(
                f'<g class="tok" data-side="{side}" data-i="{i}">'
                f'<rect x="{box_x}" y="{TOP + ROW * i}" width="{TEXT_W}" height="{ROW}"/>'
                f'<text x="{x}" y="{y(i) + 4}" text-anchor="{anchor}">{html.escape(label)}</text></g>'
            )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">{"".join(parts)}</svg>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{_STYLE}</style><style id="focus"></style>'
        f"</head><body>{svg}<script>{_SCRIPT}</script></body></html>"
    )


def head_view_height(n: int) -> int:
    """Pixel height of head_view_html's page for n tokens."""
    return TOP + ROW * n + 8


def head_heatmaps(
    maps: np.ndarray,
    labels: tuple[str, ...],
    heads: tuple[int, ...],
    visible: np.ndarray | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """One heatmap per selected head, side by side; values on hover. maps: [len(heads), U, U]."""
    n = len(labels)
    cols = min(len(heads), 3)
    rows = int(np.ceil(len(heads) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"head {h + 1}" for h in heads],
        horizontal_spacing=0.06,
        vertical_spacing=0.12 if rows > 1 else 0.05,
    )
    for k in range(len(heads)):
        matrix = maps[k] if visible is None else np.where(visible, maps[k], np.nan)
        r, c = divmod(k, cols)
        fig.add_trace(matrix_trace(matrix, labels, labels, zmax=zmax or 1.0, showscale=k == 0), row=r + 1, col=c + 1)
        token_axes(fig, labels, labels, row=r + 1, col=c + 1, show_rows=c == 0)
    side = min(560, 120 + 20 * n) if cols > 1 else min(720, 160 + 22 * n)
    return base_layout(fig, rows * side + 60).update_layout(margin={"t": 40})  # room for the subplot titles
