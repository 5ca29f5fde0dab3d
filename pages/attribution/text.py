"""A BERT-family model on text: the model, the text and what scalar is explained, then the tokens' attributions
with their checks."""

from __future__ import annotations

import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from core.attribution.rollout import rollout_scores
from core.attribution.sanity import sanity_check
from core.attribution.setup import TEXT_BASELINES, AttributionSetup
from core.attribution.text import TASKS, resolve_target, tasks_for, text_problem, top_predictions
from core.figures import attribution as figures
from core.markdown_literal import literal
from core.models import EMBEDDED, LoadedModel, ModelLoadError, load_model
from core.tokens import TextInputError
from pages.attribution import tabs
from pages.attribution.data import Explained
from pages.attribution.methods import method_controls
from pages.attribution.run import adaptive_panel, completeness_panel, precision_panel, run_explain
from pages.attribution.state import STATE, current
from pages.common import cached_model

FEATURES = (
    "Tokens are the features: perturbation methods replace whole tokens (their word embedding row) by the "
    "baseline's, keeping positions, [CLS] and [SEP]."
)


@st.cache_resource(show_spinner="Loading a CPU copy of the model: the GPU ran out of memory…", max_entries=1)
def cpu_model(source: str) -> LoadedModel:
    return load_model(source, torch.device("cpu"))


def render() -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        source = STATE.widget("source")
        try:
            loaded = cached_model(source.strip() or EMBEDDED)
        except ModelLoadError as error:
            st.error(literal(error))
            return
        st.caption(f"{literal(loaded.provenance.name)} · {loaded.provenance.architecture} · head: {loaded.head}")
        notices = target_controls(loaded)
    with right:
        method_controls(FEATURES)
        STATE.widget("text_baseline")
        STATE.widget("reduce")
    show(loaded, current(), notices)


def target_controls(loaded: LoadedModel) -> DeltaGenerator:
    """The text, the task this checkpoint can compute (its head's own first) and the target fields it reads;
    returns the place under the text for what is said about it (refused, truncated), where it is seen."""
    tasks = tasks_for(loaded)
    if STATE.value("task") not in tasks:
        STATE.set("task", tasks[0])
    STATE.widget("text", height=80)
    notices = st.container()
    reads = TASKS[STATE.widget("task", choices=tasks)].reads
    if "label" in reads:
        labels = loaded.labels or ("0",)
        STATE.widget("label", choices=range(len(labels)), names=lambda i: labels[i])
    if "token" in reads:
        cols = st.columns(2)
        STATE.widget("token", cols[0])
        if "token_b" in reads:
            STATE.widget("token_b", cols[1])
    if "text_b" in reads:
        STATE.widget("text_b")
    if "output" in reads:
        STATE.widget("output")
    return notices


def show(loaded: LoadedModel, setup: AttributionSetup, notices: DeltaGenerator) -> None:
    """The tokens' attributions for `setup`, their completeness, and the checks under them; `notices` (under the
    text) says when the input is refused or cut."""
    try:
        target = resolve_target(loaded, setup.text, setup.text_target())
        problem, enc = text_problem(loaded, setup.text, target, setup.text_baseline, setup.settings.seed)
    except TextInputError as error:
        notices.error(literal(error), icon=":material/error:")
        return
    for warning in enc.warnings:
        notices.warning(literal(warning), icon=":material/warning:")
    if setup.task == "masked-lm":
        predictions = top_predictions(loaded, enc, 5)
        st.caption("Top predictions at [MASK]: " + ", ".join(f"{literal(t)} ({p:.1%})" for t, p in predictions))
    key = (
        "text",
        loaded.provenance.source,
        loaded.provenance.revision,
        setup.text,
        setup.text_target(),
        setup.text_baseline,
    )

    def problem_with(model: LoadedModel, baseline: str = setup.text_baseline):
        return text_problem(model, setup.text, target, baseline, setup.settings.seed)[0]

    def on_cpu(device):  # the last resort of the out-of-memory fallback on a GPU: the same problem on the CPU
        return problem_with(cpu_model(loaded.provenance.source))

    result = run_explain(problem, setup, loaded.config, key, setup.reduce, on_cpu)
    if result is None:
        return
    st.subheader(f"Attributions to the {literal(result.target_label)}")
    st.plotly_chart(figures.token_heatmap(enc.tokens, result.scores[0]), key=STATE.key("heatmap"))
    bars, checks = st.columns([3, 2], gap="large")
    with bars:
        st.plotly_chart(figures.score_bars(enc.tokens, result.scores[0]), key=STATE.key("bars"))
    with checks:
        st.markdown("**Completeness**: do the scores add up to f(x) − f(baseline)?")
        completeness_panel(result)
        precision_panel(problem, setup, key, result)
        adaptive_panel(problem, setup, key)
    tabs.render(
        Explained(
            setup,
            problem,
            result,
            key,
            lambda kind: problem_with(loaded, kind),
            TEXT_BASELINES,
            lambda report: sanity_check(
                loaded, problem_with, setup.method, setup.settings, setup.settings.seed, report
            ),
            loaded.provenance.as_dict(),
            rollout=lambda: STATE.memo("rollout", key, lambda: rollout_scores(loaded, enc, setup.task)),
        )
    )
