"""The network drawn as TF Playground does: every neuron a thumbnail of its output over the plane, weights as
lines coloured by sign (blue +, orange −) and thick by magnitude, with their values on hover and a legend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.builder.activations import ACTIVATIONS
from core.builder.evaluate import PlaneOutputs, grid_points
from core.builder.model import MLP
from core.data.features import LABELS, feature_matrix
from core.figures.builder.colors import diverging_rgb, png_uri

BLUE, ORANGE = "#0877bd", "#f59322"
NODE = 0.62  # thumbnail side, in column units
WIDTH_BUCKETS = 5
# Above the highest neuron (y units): the highlight box reaches BOX_PAD, the column titles (up to two lines,
# anchored at their bottom) start at TITLE_GAP, above the box; the axis keeps room for them above that.
BOX_PAD, TITLE_GAP = NODE / 2 + 0.12, NODE / 2 + 0.2
TITLE_FONT, MIN_TITLE_FONT, LEGEND_PX = 12, 8, 60


def title_layout(titles: list[str], n_max: int, height: int) -> tuple[float, float]:
    """(font size px, y units above TITLE_GAP) for the column titles, so that the widest title line fits in one
    column's width and the lines fit under the top edge. One y unit is one column (the axes share a scale);
    its size in px is estimated from the height (the width is usually the larger, so it is not the limit)."""
    longest = max((len(line) for t in titles for line in t.split("<br>")), default=1)
    below = (n_max - 1) + 0.7 + TITLE_GAP  # y units from the axis bottom to the titles' baseline
    lines = max((t.count("<br>") + 1 for t in titles), default=1)
    font = TITLE_FONT
    for _ in range(3):  # the room the titles take changes the unit's size: a few rounds settle it
        unit_px = (height - LEGEND_PX - 1.25 * lines * font) / below
        font = float(np.clip(1.5 * unit_px / longest, MIN_TITLE_FONT, TITLE_FONT))
    return font, 1.25 * lines * font / max(unit_px, 1.0) + 0.15


def normalise(planes: np.ndarray) -> np.ndarray:
    """Per-neuron scaling of `[n, res, res]` to [-1, 1] by each neuron's largest |value| (0 stays 0)."""
    scale = np.abs(planes).reshape(len(planes), -1).max(axis=1)
    return planes / np.where(scale > 0, scale, 1)[:, None, None]


@dataclass(frozen=True)
class NetworkDrawing:
    """What the network drawing shows: `columns[c]`, the neurons of column c as thumbnails of their output over
    the plane `[n_c, r, r]` in [-1, 1] (inputs first, output last); a title per column (lines split by <br>); a hover
    label per neuron; the weights `[n_{l+1}, n_l]` of each layer."""

    columns: tuple[np.ndarray, ...]
    titles: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    weights: tuple[np.ndarray, ...]

    @property
    def heading(self) -> str:
        """The column titles on one line (over the drawing's image while training plays)."""
        return " · ".join(t.replace("<br>", " ") for t in self.titles)


def network_drawing(
    model: MLP, plane: PlaneOutputs, feature_names: tuple[str, ...], head: str, thumbnail: int = 20
) -> NetworkDrawing:
    """The drawing of `model` from its outputs over the plane (`evaluate_plane`): every input feature and hidden
    neuron scaled by its largest |value|, the output as TF Playground colours it (a probability p as 2p − 1,
    a score or value clipped to [-1, 1]), each thumbnail about `thumbnail` cells wide."""
    res = plane.resolution
    stride = max(res // thumbnail, 1)
    feats = feature_matrix(grid_points(res), feature_names).T
    inputs = normalise(feats.reshape(-1, res, res).numpy()[:, ::stride, ::stride])
    hidden = [normalise(h[:, ::stride, ::stride]) for h in plane.layers[:-1]]
    out = plane.output[:, ::stride, ::stride]
    out = 2 * out - 1 if head in ("softmax_ce", "sigmoid_bce") else np.clip(out, -1, 1)
    acts = model.spec.activations
    titles = (
        "Inputs",
        *(f"Layer {i + 1}<br>{len(h)} {ACTIVATIONS[acts[i]].title}" for i, h in enumerate(hidden)),
        f"Output<br>{ACTIVATIONS[acts[-1]].title}",
    )
    labels = (
        tuple(LABELS[f] for f in feature_names),
        *(tuple(f"layer {i + 1} neuron {j}" for j in range(len(h))) for i, h in enumerate(hidden)),
        tuple(f"output {j}" for j in range(len(out))),
    )
    weights = tuple(lin.weight.detach().numpy().copy() for lin in model.linears)
    return NetworkDrawing((inputs, *hidden, out), titles, labels, weights)


def network_figure(
    columns: list[np.ndarray],
    titles: list[str],
    node_labels: list[list[str]],
    weights: list[np.ndarray],
    highlight: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """`columns[c]`: neuron planes `[n_c, res, res]` in [-1, 1] (inputs first, output last); `weights[l]`:
    `[n_{l+1}, n_l]`. `highlight` = weight layer index (1-based) whose column is shaded."""
    n_max = max(len(c) for c in columns)
    top = (n_max - 1) / 2  # y of the highest neuron's centre
    height = height or int(150 + 78 * n_max)
    title_font, title_room = title_layout(titles, n_max, height)

    def y_of(c: int, i: int) -> float:
        return (len(columns[c]) - 1) / 2 - i

    traces, images, annotations, shapes = [], [], [], []
    w_max = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    mids_x, mids_y, mids_text = [], [], []
    buckets: dict[tuple[bool, int], tuple[list, list]] = {}
    for layer, w in enumerate(weights):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                x0, x1 = layer + NODE / 2, layer + 1 - NODE / 2
                y0, y1 = y_of(layer, j), y_of(layer + 1, i)
                v = float(w[i, j])
                bucket = int(min(np.nan_to_num(abs(v) / w_max), 1) * (WIDTH_BUCKETS - 1) + 0.5)
                xs, ys = buckets.setdefault((v >= 0, bucket), ([], []))
                xs += [x0, x1, None]
                ys += [y0, y1, None]
                t = 0.5 + 0.12 * ((i + j) % 3 - 1)  # stagger hover points so parallel lines stay hoverable
                mids_x.append(x0 + (x1 - x0) * t)
                mids_y.append(y0 + (y1 - y0) * t)
                mids_text.append(
                    f"W{layer + 1}[{i},{j}] = {v:.4f}<br>{node_labels[layer][j]} → {node_labels[layer + 1][i]}"
                )
    for (positive, bucket), (xs, ys) in sorted(buckets.items()):
        traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line=dict(color=BLUE if positive else ORANGE, width=0.5 + 1.6 * bucket),
            )
        )
    traces.append(
        dict(
            type="scatter",
            x=mids_x,
            y=mids_y,
            mode="markers",
            marker=dict(size=9, opacity=0),
            text=mids_text,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    for name, color in (("positive weight", BLUE), ("negative weight", ORANGE)):
        traces.append(
            dict(type="scatter", x=[None], y=[None], mode="lines", name=name, line=dict(color=color, width=4))
        )
    traces.append(
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="lines",
            name="thicker = larger |w|",
            line=dict(color="grey", width=1),
        )
    )
    # neurons: thumbnails + hover
    nx, ny, ntext = [], [], []
    for c, planes in enumerate(columns):
        for i, plane in enumerate(planes):
            y = y_of(c, i)
            images.append(
                dict(
                    source=png_uri(diverging_rgb(plane)),
                    xref="x",
                    yref="y",
                    x=c - NODE / 2,
                    y=y + NODE / 2,
                    sizex=NODE,
                    sizey=NODE,
                    sizing="stretch",
                    layer="above",
                )
            )
            nx.append(c)
            ny.append(y)
            ntext.append(node_labels[c][i])
        annotations.append(
            dict(x=c, y=top + TITLE_GAP, yanchor="bottom", text=titles[c], showarrow=False, font=dict(size=title_font))
        )
    traces.append(
        dict(
            type="scatter",
            x=nx,
            y=ny,
            mode="markers",
            text=ntext,
            showlegend=False,
            marker=dict(size=28, symbol="square", opacity=0),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    annotations += [
        dict(x=-NODE / 2 - 0.05, y=y_of(0, i), text=label, xanchor="right", showarrow=False)
        for i, label in enumerate(node_labels[0])
    ]
    if highlight is not None:
        shapes.append(
            dict(
                type="rect",
                x0=highlight - 1 + NODE / 2,
                x1=highlight + NODE / 2 + 0.08,
                y0=-top - BOX_PAD,
                y1=top + BOX_PAD,
                layer="below",
                fillcolor="rgba(255,215,0,0.25)",
                line=dict(color="gold", width=2),
            )
        )
    layout = dict(
        height=height,
        margin=dict(l=0, r=0, t=0, b=0),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.02, x=0),
        dragmode=False,
        images=images,
        annotations=annotations,
        shapes=shapes,
        xaxis=dict(visible=False, range=[-1.3, len(columns) - 0.4]),
        yaxis=dict(visible=False, range=[-top - 0.7, top + TITLE_GAP + title_room], scaleanchor="x"),
    )
    return go.Figure(data=traces, layout=layout)  # built in one go: plotly validates once
