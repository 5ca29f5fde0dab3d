"""The BERT attention page's views, one module per tab, each `render(data: Shown)` (a fragment: its own controls
rerun only itself)."""

from __future__ import annotations

from collections.abc import Callable

from pages.attention.data import Shown
from pages.attention.views import ablation, aggregates, compare, export, head_view, model_view, neuron_view, statistics

VIEW_OF: dict[str, Callable[[Shown], None]] = {
    "Head view": head_view.render,
    "Model view": model_view.render,
    "Neuron view": neuron_view.render,
    "Aggregates": aggregates.render,
    "Head statistics": statistics.render,
    "Compare": compare.render,
    "Ablation": ablation.render,
    "Export": export.render,
}
