"""Momentum on the quadratic: Goh's closed forms beside the rates measured with real torch.optim.SGD runs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures.race import goh as goh_fig
from core.race.goh import PATH_STEPS, MomentumMap, momentum_map, momentum_path
from core.race.racers import make_racer
from core.race.setup import MAX_RACERS
from pages.heavy import run_heavy, shelf
from pages.race.clicks import new_click
from pages.race.state import STATE, Race
from pages.session import session_fragment

MAPS = shelf("race.momentum_maps", 16)  # a map depends on κ alone: shared by every session


@session_fragment
def render(data: Race) -> None:
    st.markdown(
        "On **f = ½(x² + κy²)** (eigenvalues λ_min = 1, λ_max = κ) Goh's *Why Momentum Really Works* gives "
        "the best settings in closed form. Each cell of the map is a real `torch.optim.SGD` run; its colour "
        "is the measured rate ρ in ‖w_k‖ ~ ρᵏ."
    )
    kappa = st.slider(
        "Condition number κ", 2.0, 200.0, float(min(max(data.setup.kappa, 2.0), 200.0)), key=STATE.key("goh_kappa")
    )
    m = run_heavy(
        STATE.key("goh"),
        kappa,
        lambda report: momentum_map(kappa, report=report),
        label="real torch.optim.SGD over the (α, β) grid",
        shelf=MAPS,
    )
    if m is None:
        return
    c = st.columns(4)
    c[0].metric("best plain step 2/(λ_min+λ_max)", f"{m.plain.alpha:.4g}")
    c[1].metric(
        "rate (κ−1)/(κ+1)",
        f"{m.plain.rate:.4f}",
        f"measured {m.measured_plain:.4f}",
        delta_color="off",
        delta_arrow="off",
    )
    c[2].metric("best momentum α*, β*", f"{m.momentum.alpha:.4g}, {m.momentum.beta:.4g}")
    c[3].metric(
        "rate (√κ−1)/(√κ+1)",
        f"{m.momentum.rate:.4f}",
        f"measured {m.measured_momentum:.4f}",
        delta_color="off",
        delta_arrow="off",
    )
    picked = _picked(m)
    click = new_click(goh_fig.momentum_map_figure(m, picked), "goh_map")
    if click is not None:
        st.session_state[STATE.key("goh_pick")] = (kappa, click)
        st.rerun()
    st.caption(
        f"Plain descent converges iff 0 < αλ < 2, momentum iff 0 < αλ < 2 + 2β (black edge). Inside a "
        f"dotted/dashed region the eigenvalues of the iteration are complex and the rate is √β: at β* that "
        f"is √β* = {np.sqrt(m.momentum.beta):.4f}, the measured rate. (A well-known article prints 2√β, "
        f"which would be {2 * np.sqrt(m.momentum.beta):.4f} here: more than 1, i.e. divergence.)"
    )
    alpha, beta = picked
    st.markdown(
        f"**Click the map** to run real `torch.optim.SGD(lr={alpha:.4g}, momentum={beta:.3g})` from (1, 1) for "
        f"{PATH_STEPS} steps, as in Goh's article (now: "
        + ("the best momentum pair)." if picked == (m.momentum.alpha, m.momentum.beta) else "the pair you clicked).")
    )
    st.plotly_chart(
        goh_fig.momentum_path_figure(momentum_path(alpha, beta, m.lams), alpha, beta, m.lams),
        key=STATE.key("goh_path"),
        width="stretch",
    )
    if st.button(
        "Race these on the quadratic",
        icon=":material/sports_score:",
        key=STATE.key("goh_fill"),
        help="Switches the surface to the quadratic with this κ and adds SGD with α* and with (α*, β*).",
    ):
        best = (
            make_racer("SGD", lr=m.plain.alpha).to_text(),
            make_racer("SGD", lr=m.momentum.alpha, momentum=m.momentum.beta).to_text(),
        )
        STATE.ask(surface="quadratic", kappa=kappa, racers=(*data.racers, *best)[-MAX_RACERS:])
        st.rerun()  # the whole page: the sidebar and the race change


def _picked(m: MomentumMap) -> tuple[float, float]:
    """The (α, β) the user clicked for this κ, else the best momentum pair."""
    kappa, pair = st.session_state.get(STATE.key("goh_pick"), (None, None))
    return pair if kappa == m.lams[1] else (m.momentum.alpha, m.momentum.beta)
