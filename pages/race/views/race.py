"""The Race tab: the contour with the racers' paths (animated, click to start there), the metrics, the standings,
the exports, the 3-D surface and the noise fan."""

from __future__ import annotations

import streamlit as st

from core.figures.race import race as race_fig
from core.figures.race.race_gif import MAX_FRAMES, SECONDS, race_gif
from core.markdown_literal import literal
from core.race.export import race_csv
from core.race.race import estimated_seconds, noise_fan, standings
from pages.heavy import run_heavy
from pages.race.clicks import new_click
from pages.race.state import STATE, Race
from pages.session import session_fragment
from pages.widgets import download

TICKS = 60  # animation ticks from the start to the end of the longest race


@session_fragment
def render(data: Race) -> None:
    surface, result, longest = data.surface, data.result, data.longest
    st.markdown(f"**{literal(surface.title)}** — {surface.lesson}")
    if surface.formula:
        st.latex(surface.formula)
    step = STATE.key("step")
    if st.session_state.get(step, longest) > longest or step not in st.session_state:
        st.session_state[step] = longest
    play_col, info_col = st.columns([1, 4], vertical_alignment="center")
    playing = play_col.toggle(
        "Play", key=STATE.key("playing"), on_change=_rewind, args=(longest,), help="Animate the race step by step."
    )
    info_col.caption(
        "Click anywhere on the contour to start the race there. Stars: known minima; × : a racer "
        "that diverged (hover it for why)."
    )
    session_fragment(_race_view, run_every=0.25 if playing else None)(data, playing)
    for run in result.runs:
        if run.diverged:
            st.error(f"**{literal(run.label)}** {literal(run.stop.message)}")
    st.dataframe(standings(result), hide_index=True, width="stretch")
    csv_col, gif_col = st.columns(2)
    download(
        csv_col,
        "Paths and per-step values (CSV)",
        lambda: race_csv(result),
        "optimizer_race.csv",
        "text/csv",
        STATE.key("csv"),
        icon=":material/download:",
    )
    download(
        gif_col,
        "Animated race (GIF)",
        lambda: race_gif(result),
        "optimizer_race.gif",
        "image/gif",
        STATE.key("gif"),
        icon=":material/gif_box:",
        help=f"Up to {MAX_FRAMES} frames over about {SECONDS:g} s, the paths in the plot's colours.",
    )
    with st.expander("3-D surface with the paths"):
        st.plotly_chart(race_fig.surface3d_figure(result, longest), key=STATE.key("surface3d"), width="stretch")
    with st.expander("Noise fan: one racer under several noise seeds"):
        _noise_fan(data)


def _race_view(data: Race, playing: bool) -> None:
    """The contour and the metrics at the chosen step; while playing, one tick per rerun of this fragment."""
    longest, step = data.longest, STATE.key("step")
    if playing:
        st.session_state[step] = min(longest, st.session_state.get(step, 0) + max(1, longest // TICKS))
        if st.session_state[step] >= longest:
            st.session_state[STATE.key("playing")] = False
            st.rerun()
    at = st.slider("Step", 0, longest, key=step)
    click = new_click(race_fig.contour_figure(data.result, at), "contour")
    if click is not None:
        STATE.ask(start_x=round(click[0], 3), start_y=round(click[1], 3))
        st.rerun()
    st.plotly_chart(race_fig.metrics_figure(data.result, at), key=STATE.key("metrics"), width="stretch")


def _rewind(longest: int) -> None:
    """Play pressed at the end of the race starts it again from step 0."""
    if st.session_state.get(STATE.key("playing")) and st.session_state.get(STATE.key("step"), 0) >= longest:
        st.session_state[STATE.key("step")] = 0


def _noise_fan(data: Race) -> None:
    if data.setup.noise <= 0:
        st.info("Set a gradient noise σ > 0 in the sidebar to see how mini-batch-like noise spreads a path.")
        return
    labels = data.labels
    pick = st.selectbox("Racer", range(len(labels)), format_func=labels.__getitem__, key=STATE.key("fan_racer"))
    seeds = st.slider("Seeds", 2, 20, 8, key=STATE.key("fan_seeds"))
    racer, start, config = data.result.runs[pick].racer, data.result.start, data.setup.config()
    paths = run_heavy(
        STATE.key("fan"),
        (data.setup, racer, seeds),
        lambda report: noise_fan(data.surface, racer, start, config, seeds, report),
        label=f"{labels[pick]} under {seeds} noise seeds",
        seconds=estimated_seconds(config, seeds),
    )
    if paths is None:
        return
    st.plotly_chart(
        race_fig.noise_fan_figure(data.surface, data.result.start, paths, labels[pick]),
        key=STATE.key("fan"),
        width="stretch",
    )
