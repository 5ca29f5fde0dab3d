"""Which tools the app has: one entry per page, read by the navigation, the home page and the test harness.

Adding a page is one line here: `app.py` builds `st.navigation` from `TOOLS`, the home page lists them, and the
AppTest and browser tests are parametrised over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tool:
    """One tool page of the app."""

    key: str  # URL path of the page, e.g. "network-builder"
    title: str
    icon: str  # Material icon name as Streamlit writes it, e.g. ":material/hub:"
    page: str  # script path relative to the repository root
    teaches: str  # two short lines for the home page
    thumbnail: str  # PNG path relative to the repository root (a screenshot of the page)

    @property
    def thumbnail_path(self) -> Path:
        return ROOT / self.thumbnail


HOME = Tool(
    key="home",
    title="Home",
    icon=":material/home:",
    page="pages/home.py",
    teaches="What each tool shows, and how to use NN Explorer in a classroom.",
    thumbnail="",
)

TOOLS: tuple[Tool, ...] = (
    Tool(
        key="network-builder",
        title="Network builder",
        icon=":material/hub:",
        page="pages/network_builder.py",
        teaches="Build a small network on 2-D data and train it live.\n"
        "Step through z, a, dL/dz and dL/dW of every neuron, forward and backward.",
        thumbnail="assets/thumbnails/network-builder.png",
    ),
    Tool(
        key="optimizer-race",
        title="Optimizer race",
        icon=":material/sports_score:",
        page="pages/optimizer_race.py",
        teaches="Real torch.optim optimizers race on test surfaces and a real network's loss landscape.\n"
        "Why momentum overshoots, why Adam's first step is lr·sign(g), where step sizes become unstable.",
        thumbnail="assets/thumbnails/optimizer-race.png",
    ),
    Tool(
        key="bert-attention",
        title="BERT attention",
        icon=":material/visibility:",
        page="pages/bert_attention.py",
        teaches="Where every head of a real BERT model looks, how attention composes through the layers "
        "(rollout, flow),\nwhat each head specialises in, and the float64 numbers behind softmax(QKᵀ/√d)V.",
        thumbnail="assets/thumbnails/bert-attention.png",
    ),
    Tool(
        key="attributions",
        title="Attributions",
        icon=":material/insights:",
        page="pages/attributions.py",
        teaches="Which inputs drive an output: Captum's methods on your 2-D network and on BERT models.\n"
        "Every result checked: completeness, faithfulness curves, baselines, a sanity check.",
        thumbnail="assets/thumbnails/attributions.png",
    ),
)
