"""Attributions: which inputs drive a model's output, computed by Captum, with every result checked and exportable.

Thin page: widgets → AttributionSetup → core.attribution computes → core.figures.attribution draws → layout.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st
import torch

from core.attribution.agreement import agreement_matrix, precision_agreement
from core.attribution.cost import estimate
from core.attribution.explain import Attribution, adaptive_steps, explain
from core.attribution.export import export_record, to_csv, to_json
from core.attribution.faithfulness import BINS, faithfulness, faithfulness_evaluations
from core.attribution.methods import INTEGRATION_METHODS, METHODS, PRECISIONS, refusal
from core.attribution.network import (
    BASELINE_KINDS,
    NetworkUnderStudy,
    decision_values,
    from_builder,
    grid_over,
    network_problem,
    train_default_network,
)
from core.attribution.robustness import baseline_sensitivity, feature_infidelity, max_sensitivity
from core.attribution.rollout import rollout_agreement, rollout_scores
from core.attribution.sanity import network_sanity_check, sanity_check
from core.attribution.setup import CLICK_SETS, AttributionSetup, apply_click
from core.attribution.text import BASELINES, TASKS, resolve_target, tasks_for, text_problem, top_predictions
from core.figures import attribution as figures
from core.markdown_literal import literal
from core.models import ModelLoadError, ModelSnapshot, load_model
from core.setup_state import from_query, to_query
from core.tokens import TextInputError
from pages.common import MODEL_HELP, cached_model, left_out_warnings, show_warnings
from pages.heavy import result_of, run_heavy
from pages.kit import TRAINED_NETWORK

KEY = "attributions"
CACHE_SIZE = 24
N_RANDOM = 10  # random orders for the faithfulness band
AUTO_TOKEN_PASSES = 15_000  # faithfulness curves costing more (forward passes × tokens) wait for a button
TEXT_BASELINES = {"pad": "[PAD] tokens", "mask": "[MASK] tokens", "unk": "[UNK] tokens", "zero": "zero embeddings",
                  "random": "random tokens (seeded)"}
NET_BASELINES = {"zero": "all features 0", "mean": "data mean", "point": "a chosen point"}
CLICK_LABELS = {"point": "the explained point", "baseline": "the baseline"}
LINK_NAMES = {"text": "text", "text_b": "text B"}  # set-up fields long enough to stay out of a link

SETTING_WIDGETS = {  # MethodSettings field → how to ask for it (the page never branches per method)
    "n_steps": lambda key: st.number_input("n_steps (integration points)", 2, 2048, key=key, persist_state="session"),
    "integration": lambda key: st.selectbox("integration rule", INTEGRATION_METHODS, key=key, persist_state="session"),
    "internal_batch_size": lambda key: st.number_input("internal_batch_size (0 = from the free memory)", 0, 4096,
                                                       key=key, persist_state="session"),
    "n_samples": lambda key: st.number_input("samples", 1, 2000, key=key, persist_state="session"),
    "stdevs": lambda key: st.number_input("noise σ", 0.0, 10.0, step=0.01, format="%.3f", key=key,
                                          persist_state="session"),
    "window": lambda key: st.number_input("window (tokens/features)", 1, 64, key=key, persist_state="session"),
    "seed": lambda key: st.number_input("seed", 0, 2**31 - 1, key=key, persist_state="session"),
    "perturbations_per_eval": lambda key: st.number_input("perturbations per forward pass", 1, 1024, key=key,
                                                          persist_state="session"),
    "precision": lambda key: st.radio("precision", PRECISIONS, key=key, persist_state="session", horizontal=True,
                                      help="bf16 runs the model under autocast in bfloat16 (fast on GPUs); the page "
                                           "then shows how far the scores are from fp32."),
}


@st.cache_resource(show_spinner="Loading a CPU copy of the model: the GPU ran out of memory…", max_entries=1)
def cpu_model(source: str):
    return load_model(source, torch.device("cpu"))


@st.cache_resource(show_spinner="Training the default network (once per server)…")
def default_network() -> NetworkUnderStudy:
    return train_default_network()


def session_network() -> tuple[NetworkUnderStudy, str]:
    """The network built in this session's Network builder, or the default one."""
    trained = TRAINED_NETWORK.get()
    if trained is not None:
        try:
            return from_builder(trained), "the network you trained in the Network builder"
        except (AttributeError, KeyError, ValueError) as error:
            st.warning(f"The Network builder's network could not be read ({literal(error)}); showing the default "
                       "one.")
    return default_network(), "a default network (train one in the Network builder to explain yours)"


def initial_setup() -> AttributionSetup:
    if f"{KEY}.setup" not in st.session_state:
        setup, warnings = from_query(AttributionSetup, st.query_params.to_dict())
        st.session_state[f"{KEY}.setup"] = setup
        st.session_state[f"{KEY}.link_warnings"] = warnings
        for f in dataclasses.fields(AttributionSetup):
            st.session_state.setdefault(f"{KEY}.{f.name}", getattr(setup, f.name))
    return st.session_state[f"{KEY}.setup"]


def value(name: str):
    return st.session_state.get(f"{KEY}.{name}", getattr(AttributionSetup(), name))


def current_setup() -> AttributionSetup:
    values = {f.name: value(f.name) for f in dataclasses.fields(AttributionSetup)}
    setup = AttributionSetup(**values)
    problems = setup.validate()
    if problems:
        st.warning("Some settings were out of range and were reset: " + literal("; ".join(problems)))
        bad = {p.split(":")[0] for p in problems}
        setup = dataclasses.replace(setup, **{n: getattr(AttributionSetup(), n) for n in bad})
    st.session_state[f"{KEY}.setup"] = setup
    st.query_params.from_dict(to_query(setup))
    show_warnings(left_out_warnings(setup, LINK_NAMES))
    return setup


def cached(name: str, key: tuple, compute):
    """Per-session memo of results: a slider elsewhere on the page does not recompute them."""
    store: dict = st.session_state.setdefault(f"{KEY}.cache", {})
    full = (name, *key)
    if full not in store:
        if len(store) >= CACHE_SIZE:
            store.pop(next(iter(store)))
        store[full] = compute()
    return store[full]


def method_controls(n_features_hint: str, offered: list[str]) -> None:
    st.selectbox("Method", offered, key=f"{KEY}.method",
                 persist_state="session", format_func=lambda k: METHODS[k].title)
    spec = METHODS[value("method")]
    st.caption(spec.explains)
    with st.expander("Method settings", expanded=False):
        for name in (*spec.uses, "precision"):
            SETTING_WIDGETS[name](f"{KEY}.{name}")
        st.caption(n_features_hint)


def run_explain(problem, setup: AttributionSetup, config, key: tuple, reduce: str = "sum",
                rebuild=None, slot: str = f"{KEY}.explain") -> Attribution | None:
    """Estimate, then run the method on the server's work queue (with progress and Stop; after a click when it
    would take long), kept per set-up. None while there is no result (the page says why, or offers the button)."""
    settings = setup.method_settings()
    reason = refusal(setup.method, problem)
    if reason:
        st.warning(reason)
        return None
    cost = cached("cost", (*key, setup.method, settings), lambda: estimate(problem, setup.method, settings, config))
    if not settings.internal_batch_size and cost.internal_batch_size < cost.evaluations:
        settings = dataclasses.replace(settings, internal_batch_size=cost.internal_batch_size)
    st.caption(f"Cost: {cost.describe()}.")
    result = run_heavy(slot, (*key, setup.method, settings, reduce),
                       lambda report: explain(problem, setup.method, settings, reduce, rebuild, report),
                       label=f"{METHODS[setup.method].title}, {cost.evaluations:,} evaluations",
                       seconds=cost.seconds, memory=cost.memory)
    if result is None:
        return None
    for message in result.messages:
        st.warning(message)
    return result


def completeness_panel(result: Attribution, index: int = 0) -> None:
    c = result.completeness
    delta = f"{c.delta[index]:.2e}" if c.delta is not None else "–"
    st.markdown(
        "| quantity | value |\n|:--|--:|\n"
        f"| f(x) | {result.f_input[index]:.5g} |\n| f(baseline) | {result.f_baseline[index]:.5g} |\n"
        f"| f(x) − f(baseline) | {c.difference[index]:.5g} |\n| Σ attributions | {c.total[index]:.5g} |\n"
        f"| Captum's convergence delta | {delta} |")
    text = c.verdict
    if c.holds is None:
        st.info(text, icon=":material/info:")
    elif c.holds:
        st.success(text, icon=":material/check_circle:")
    else:
        st.warning(text, icon=":material/warning:")
    st.caption(f"{result.title} · {result.seconds * 1e3:,.0f} ms on {result.device} · internal batch "
               f"{result.batch_size}")


def precision_panel(problem, setup: AttributionSetup, key: tuple, result: Attribution) -> None:
    """For a bf16 run: the fp32 result of the same settings, and how far the bf16 scores are from it."""
    if result.settings.precision == "fp32":
        return
    reference_settings = dataclasses.replace(result.settings, precision="fp32")
    reference = run_heavy(f"{KEY}.precision", (*key, setup.method, reference_settings, result.reduce),
                          lambda report: explain(problem, setup.method, reference_settings, result.reduce,
                                                 progress=report),
                          label=f"{result.title} in fp32, for comparison", seconds=result.seconds)
    if reference is None:
        return
    rho, gap = precision_agreement(result.scores[0], reference.scores[0])
    delta = ("" if result.completeness.delta is None else
             f" Captum's delta: {result.completeness.delta[0]:.2e} in bf16 vs {reference.completeness.delta[0]:.2e} "
             "in fp32.")
    st.info(f"bf16 vs fp32: Spearman ρ {rho:.3f}, largest difference {gap:.1%} of the largest fp32 score.{delta}",
            icon=":material/compare_arrows:")


def faithfulness_tab(problem, result: Attribution, key: tuple) -> dict:
    passes = faithfulness_evaluations(problem, N_RANDOM)
    f = run_heavy(f"{KEY}.faithfulness", (*key, result.method, result.settings),
                  lambda report: faithfulness(problem, result.scores[0], n_random=N_RANDOM, seed=result.settings.seed,
                                              progress=report),
                  label=f"deletion and insertion curves, {passes:,} forward passes",
                  ask=passes * problem.inputs.shape[1] > AUTO_TOKEN_PASSES)
    if f is None:
        return {}
    st.plotly_chart(figures.faithfulness_plot(f, "explained output f"), key=f"{KEY}.faith_plot")
    cols = st.columns(2)
    cols[0].metric("AOPC comprehensiveness", f"{f.comprehensiveness:.4g}",
                   f"{f.comprehensiveness - f.random_comprehensiveness:+.3g} vs random order", delta_color="normal")
    cols[1].metric("AOPC sufficiency", f"{f.sufficiency:.4g}",
                   f"{f.sufficiency - f.random_sufficiency:+.3g} vs random order", delta_color="inverse")
    bins = ", ".join(f"{b:.0%}" for b in BINS)
    st.markdown(
        f"**Comprehensiveness** = mean over k ∈ {{{bins}}} of f(x) − f(x without its top-k share of features): "
        "high when the top features carry the prediction. **Sufficiency** = mean over the same k of "
        "f(x) − f(only the top-k share kept): low when the top features alone suffice. Removing a feature sets "
        "it to the baseline; [CLS]/[SEP] and the scored [MASK] are never removed. The grey band is what 10 "
        "random orders give.")
    return {"deletion_area": f.deletion_area, "insertion_area": f.insertion_area,
            "random_deletion_area": f.random_deletion_area, "random_insertion_area": f.random_insertion_area,
            "aopc_comprehensiveness": f.comprehensiveness, "aopc_sufficiency": f.sufficiency}


def comparison_tab(problem, setup: AttributionSetup, key: tuple, names: tuple[str, ...], movable,
                   rollout_row: np.ndarray | None = None) -> None:
    offered = [k for k in METHODS if refusal(k, problem) is None]
    default = [k for k in ("integrated-gradients", "input-x-gradient", "feature-ablation", "kernel-shap")
               if k in offered]
    chosen = st.multiselect("Methods to compare", offered, default=default, key=f"{KEY}.compare",
                            persist_state="session",
                            format_func=lambda k: METHODS[k].title)
    if len(chosen) < 2:
        st.info("Pick at least two methods.")
        return
    settings = setup.method_settings()
    known = {m: result_of(f"{KEY}.explain", (*key, m, settings, "sum")) for m in chosen}  # the main view's results
    missing = [m for m in chosen if known[m] is None]

    def compute(report) -> dict[str, Attribution]:
        for i, m in enumerate(missing):
            known[m] = explain(problem, m, settings, progress=lambda f, note, i=i, m=m: report(
                (i + f) / len(missing), f"{METHODS[m].title}: {note}"))
        return known

    results = run_heavy(f"{KEY}.compare", (*key, tuple(chosen), settings), compute, ask=bool(missing),
                        label=f"{len(missing)} more method(s)", button=f"Run {len(missing)} more method(s)")
    if results is None:
        st.caption("Each method runs with the settings above; results are kept for this session.")
        return
    scores = {METHODS[m].title: results[m].scores[0] for m in chosen}
    rows = scores if rollout_row is None else {**scores, "attention rollout (≥ 0)": rollout_row}
    st.plotly_chart(figures.comparison_grid(names, rows, "Each method's scores (row-normalised)"),
                    key=f"{KEY}.compare_grid")
    matrix = agreement_matrix(scores, movable)
    st.plotly_chart(figures.agreement_heatmap(list(scores), matrix), key=f"{KEY}.agreement")
    st.caption("Spearman rank correlation over the movable tokens/features: 1 = same order, 0 = unrelated, "
               "−1 = reversed.")
    if rollout_row is not None:
        rho = rollout_agreement(scores, rollout_row, movable)
        st.markdown("**Against attention rollout** (the BERT attention page's rollout, last layer, rows the output "
                    "reads; compared with |attribution|): "
                    + " · ".join(f"{name} ρ = {value:.2f}" for name, value in rho.items()))


def export_tab(result: Attribution, model: dict, setup: AttributionSetup, metrics: dict, points=None) -> None:
    download_buttons(export_record(result, model, dataclasses.asdict(setup), metrics, points),
                     f"attribution-{result.method}")
    st.caption("Both carry the model's source and revision, library versions, device, task and target, method "
               "with every setting, baseline, seed, Captum's delta and the completeness check: re-running these "
               "settings gives the same numbers. The page link holds the same set-up.")


def download_buttons(record: dict, name: str) -> None:
    """JSON and CSV of one export record; the files are written when a button is clicked."""
    row = st.container(horizontal=True)
    row.download_button("Download JSON", lambda: to_json(record), f"{name}.json", "application/json",
                        key=f"{KEY}.{name}.json", icon=":material/download:", on_click="ignore")
    row.download_button("Download CSV", lambda: to_csv(record), f"{name}.csv", "text/csv", key=f"{KEY}.{name}.csv",
                        icon=":material/download:", on_click="ignore")


# ---- text ---------------------------------------------------------------------------------------------------------

def text_page() -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.text_input("Model", key=f"{KEY}.source", persist_state="session", help=MODEL_HELP)
        try:
            loaded = cached_model(value("source").strip() or "embedded")
        except ModelLoadError as error:
            st.error(literal(error))
            return
        st.caption(f"{literal(loaded.provenance.name)} · {loaded.provenance.architecture} · head: {loaded.head}")
        tasks = tasks_for(loaded)
        if value("task") not in tasks:
            st.session_state[f"{KEY}.task"] = tasks[0]
        st.text_area("Text", key=f"{KEY}.text", persist_state="session", height=80)
        st.selectbox("Task (what scalar is explained)", tasks, key=f"{KEY}.task", persist_state="session",
                     format_func=lambda k: TASKS[k].title)
        task = value("task")
        if task == "classification":
            labels = loaded.labels or ("0",)
            if value("label") >= len(labels):
                st.session_state[f"{KEY}.label"] = 0
            st.selectbox("Class", range(len(labels)), key=f"{KEY}.label",
                         persist_state="session", format_func=lambda i: labels[i])
        elif task in ("masked-lm", "masked-lm-contrast"):
            cols = st.columns(2)
            cols[0].text_input("Token A (scored at [MASK]; empty = top prediction)", key=f"{KEY}.token",
                               persist_state="session")
            if task == "masked-lm-contrast":
                cols[1].text_input("Token B (subtracted)", key=f"{KEY}.token_b", persist_state="session")
        else:
            st.text_input("Text B (the similarity reference; its embedding is held fixed)", key=f"{KEY}.text_b",
                          persist_state="session")
        if task != "similarity" and task != "masked-lm-contrast":
            st.radio("Explain the", ("logit", "probability"), key=f"{KEY}.output",
                     persist_state="session", horizontal=True,
                     help="Logits by default: a softmax squashes the signal, and its attributions mix in every "
                          "other class.")
    with right:
        method_controls("Tokens are the features: perturbation methods replace whole tokens (their word "
                        "embedding row) by the baseline's, keeping positions, [CLS] and [SEP].", list(METHODS))
        st.selectbox("Baseline (reference input)", list(BASELINES), key=f"{KEY}.text_baseline", persist_state="session",
                     format_func=TEXT_BASELINES.get)
        st.radio("Token score", ("sum", "l2"), key=f"{KEY}.reduce", persist_state="session", horizontal=True,
                 format_func=lambda k: {"sum": "sum over embedding (signed)", "l2": "L2 norm (magnitude)"}[k],
                 help="Gradient methods give one number per embedding dimension; a token's score is their sum "
                      "(keeps the sign; adds up to f(x) − f(baseline) for IG) or their L2 norm.")
    setup = current_setup()
    problem, enc = _safe_problem(loaded, setup)
    if problem is None:
        return
    for warning in enc.warnings:
        st.warning(literal(warning))
    if setup.task == "masked-lm":
        preds = top_predictions(loaded, enc, 5)
        st.caption("Top predictions at [MASK]: " + ", ".join(f"{literal(t)} ({p:.1%})" for t, p in preds))
    key = ("text", loaded.provenance.source, loaded.provenance.revision, setup.text, setup.text_target(),
           setup.text_baseline)
    config = loaded.config
    target = resolve_target(loaded, setup.text, setup.text_target())

    def on_cpu(device):  # the last resort of the out-of-memory fallback on a GPU: the same problem on the CPU
        return text_problem(cpu_model(loaded.provenance.source), setup.text, target, setup.text_baseline,
                            setup.seed)[0]

    result = run_explain(problem, setup, config, key, setup.reduce, on_cpu)
    if result is None:
        return
    st.subheader(f"Attributions to the {literal(result.target_label)}")
    st.plotly_chart(figures.token_heatmap(enc.tokens, result.scores[0]), key=f"{KEY}.heatmap")
    bars, checks = st.columns([3, 2], gap="large")
    with bars:
        st.plotly_chart(figures.score_bars(enc.tokens, result.scores[0]), key=f"{KEY}.bars")
    with checks:
        st.markdown("**Completeness**: do the scores add up to f(x) − f(baseline)?")
        completeness_panel(result)
        precision_panel(problem, setup, key, result)
        convergence = None if METHODS[setup.method].key != "integrated-gradients" else run_heavy(
            f"{KEY}.adaptive", (*key, setup.method_settings()),
            lambda report: adaptive_steps(problem, setup.method_settings(), 0.01, progress=report),
            label="IG with n_steps doubled from 8 until |delta| is under 1% of |f(x) − f(baseline)|", ask=True,
            button="Adaptive steps")
        if convergence is not None:
            st.plotly_chart(figures.convergence_plot(convergence.steps, convergence.relative_delta, 0.01),
                            key=f"{KEY}.convergence")
            st.caption(f"Chosen: {convergence.steps[-1]} steps"
                       + ("" if convergence.converged else " (the limit; the tolerance was not reached)"))
    movable = np.array([not f for f in problem.fixed])
    metrics: dict = {}
    tabs = st.tabs(["Faithfulness", "Compare methods", "Baselines", "Infidelity & sensitivity", "Sanity check",
                    "Export"])
    with tabs[0]:
        metrics.update(faithfulness_tab(problem, result, key))
    with tabs[1]:
        comparison_tab(problem, setup, key, enc.tokens, movable,
                       cached("rollout", key, lambda: rollout_scores(loaded, enc, setup.task)))
    with tabs[2]:
        baselines_tab(lambda kind: text_problem(loaded, setup.text, target, kind, setup.seed)[0], tuple(BASELINES),
                      setup, enc.tokens, TEXT_BASELINES, key)
    with tabs[3]:
        metrics.update(robustness_tab(problem, result, setup, key))
    with tabs[4]:
        sanity_tab(lambda report: sanity_check(
            loaded, lambda m: text_problem(m, setup.text, target, setup.text_baseline, setup.seed)[0],
            setup.method, setup.method_settings(), setup.seed, report), enc.tokens,
                   (*key, setup.method, setup.method_settings()))
    with tabs[5]:
        export_tab(result, loaded.provenance.as_dict(), setup, metrics)


def _safe_problem(loaded, setup: AttributionSetup):
    try:
        target = resolve_target(loaded, setup.text, setup.text_target())
        return text_problem(loaded, setup.text, target, setup.text_baseline, setup.seed)
    except TextInputError as error:
        st.error(literal(error))
        return None, None


def baselines_tab(make_problem, kinds: tuple[str, ...], setup: AttributionSetup, names: tuple[str, ...],
                  labels: dict[str, str], key: tuple) -> None:
    st.markdown(f"The same method against each reference input. Robust explanations keep their order "
                f"(Spearman ρ and top-3 overlap with the {labels[kinds[0]]} baseline near 1).")
    result = run_heavy(f"{KEY}.baselines", (*key, setup.method, setup.method_settings()),
                       lambda report: baseline_sensitivity(make_problem, kinds, setup.method,
                                                           setup.method_settings(), progress=report),
                       label=f"{METHODS[setup.method].title} with {len(kinds)} baselines", ask=True,
                       button="Run every baseline")
    if result is None:
        return
    rows = {f"{labels[k]} (ρ {rho:.2f}, top-{result.k} {overlap:.0%})": r.scores[0]
            for k, rho, overlap, r in zip(result.baselines, result.spearman, result.top_k, result.results,
                                          strict=True)}
    st.plotly_chart(figures.comparison_grid(names, rows, "Scores under each baseline (row-normalised)"),
                    key=f"{KEY}.baseline_grid")


def robustness_tab(problem, result: Attribution, setup: AttributionSetup, key: tuple) -> dict:
    st.markdown("**Infidelity** (Yeh et al. 2019): E[(Σ removed scores − (f(x) − f(x with them removed)))²] over "
                "random removals (to the baseline) of half the tokens/features: 0 when the scores add up like the "
                "model. **Max-sensitivity**: the largest relative change of the explanation when the input moves by "
                "uniform noise of radius 0.02.")
    infid = cached("infid", (*key, result.method, result.settings),
                   lambda: feature_infidelity(problem, result.scores[0], seed=result.settings.seed))
    cols = st.columns(2)
    cols[0].metric("Infidelity", f"{infid:.3g}")
    metrics = {"infidelity": infid}
    with cols[1]:
        sensitivity = run_heavy(f"{KEY}.sensitivity", (*key, result.method, result.settings),
                                lambda report: max_sensitivity(problem, result.method, result.settings,
                                                               seed=result.settings.seed),
                                label=f"{result.title} on 5 noisy inputs", ask=True,
                                button="Compute max-sensitivity (5 re-runs)")
    if sensitivity is not None:
        cols[1].metric("Max-sensitivity", f"{sensitivity:.3g}")
        metrics["max_sensitivity"] = sensitivity
    return metrics


def sanity_tab(run_check, names: tuple[str, ...], key: tuple) -> None:
    """run_check(progress) → SanityCheck: cascading randomisation on a copy made for this session."""
    st.markdown("Adebayo et al. (2018): re-initialise the model's layers at random, top-down, in a copy for this "
                "session, and re-run the method. If the attributions barely change (ρ stays near 1), they describe "
                "the input, not what the model learned.")
    result = run_heavy(f"{KEY}.sanity", key, run_check, label="cascading randomisation", ask=True,
                       button="Run the sanity check")
    if result is None:
        return
    st.plotly_chart(figures.sanity_plot(result), key=f"{KEY}.sanity_plot")
    rows = {stage: scores for stage, scores in zip(result.stages, result.scores, strict=True)}
    st.plotly_chart(figures.comparison_grid(names, rows, "Scores as layers are randomised"),
                    key=f"{KEY}.sanity_grid")


# ---- 2-D network --------------------------------------------------------------------------------------------------

def take_click() -> None:
    """A click on a map (its invisible grid of markers) sets the explained point or the baseline, as the "Click
    sets" control says, before the inputs are drawn."""
    state = st.session_state.get(f"{KEY}.maps")
    selected = state.selection.points if state is not None and "selection" in state else []
    last, fields = apply_click(selected, st.session_state.get(f"{KEY}.clicked"), click_sets())
    st.session_state[f"{KEY}.clicked"] = last
    for name, new in fields.items():
        st.session_state[f"{KEY}.{name}"] = new


def click_sets() -> str:
    return st.session_state.get(f"{KEY}.click_sets") or "point"


def network_page() -> None:
    take_click()
    network, where = session_network()
    st.caption(f"Explaining {where}: features {', '.join(network.feature_names)} → "
               f"{', '.join(network.output_names)} ({network.task}).")
    left, right = st.columns([3, 2], gap="large")
    with left:
        cols = st.columns(2)
        cols[0].number_input("Point X1", -1e3, 1e3, key=f"{KEY}.point_x",
                             persist_state="session", step=0.1, format="%.3f")
        cols[1].number_input("Point X2", -1e3, 1e3, key=f"{KEY}.point_y",
                             persist_state="session", step=0.1, format="%.3f")
        if value("net_output") >= len(network.output_names):
            st.session_state[f"{KEY}.net_output"] = 0
        cols = st.columns(2)
        cols[0].selectbox("Output", range(len(network.output_names)), key=f"{KEY}.net_output", persist_state="session",
                          format_func=lambda i: network.output_names[i])
        if network.output_activation != "identity":
            cols[1].radio("Explain the", ("logit", "probability"), key=f"{KEY}.net_scale",
                          persist_state="session", horizontal=True,
                          format_func=lambda k: {"logit": "logit z", "probability": "activated output"}[k])
        cols = st.columns([2, 1, 1])
        cols[0].selectbox("Baseline", BASELINE_KINDS, key=f"{KEY}.net_baseline",
                          persist_state="session", format_func=NET_BASELINES.get)
        if value("net_baseline") == "point":
            cols[1].number_input("Baseline X1", -1e3, 1e3, key=f"{KEY}.baseline_x",
                                 persist_state="session", step=0.1, format="%.3f")
            cols[2].number_input("Baseline X2", -1e3, 1e3, key=f"{KEY}.baseline_y",
                                 persist_state="session", step=0.1, format="%.3f")
    with right:
        method_controls("Each input feature is one feature for the perturbation methods.", list(METHODS))
        st.slider("Map resolution (points per side)", 8, 80, key=f"{KEY}.resolution", persist_state="session")
    setup = current_setup()
    target = setup.network_target()
    point = np.array([[setup.point_x, setup.point_y]], dtype=np.float32)
    base = (setup.baseline_x, setup.baseline_y)
    try:
        problem = network_problem(network, torch.from_numpy(point), target, setup.net_baseline, base)
    except ValueError as error:
        st.error(literal(error))
        return
    weights = ModelSnapshot.of(network.model).weights  # results stay valid exactly as long as the weights do
    key = ("net", weights, target, setup.net_baseline, base, setup.point_x, setup.point_y)
    result = run_explain(problem, setup, None, key)
    if result is None:
        return
    st.subheader(f"Attributions to the {literal(result.target_label)} at ({setup.point_x:g}, {setup.point_y:g})")
    bars, checks = st.columns([3, 2], gap="large")
    with bars:
        st.plotly_chart(figures.score_bars(network.feature_names, result.scores[0]), key=f"{KEY}.net_bars")
    with checks:
        completeness_panel(result)
        precision_panel(problem, setup, key, result)
        st.caption("With a few features you can check by eye: the bars add up to f(x) − f(baseline) for the "
                   "methods that promise completeness.")
    grid = grid_over(network, setup.resolution)
    grid_problem = network_problem(network, grid.points, target, setup.net_baseline, base)
    grid_key = ("grid", weights, target, setup.net_baseline, base, setup.resolution)
    st.subheader("Maps over the plane: each feature's attribution at every point")
    maps = None
    if refusal(setup.method, grid_problem) is None:
        maps = run_explain(grid_problem, setup, None, grid_key, slot=f"{KEY}.maps")
    if maps is not None:
        decision = decision_values(network, grid, target)
        boundary = None if network.output_activation == "identity" else (
            0.0 if setup.net_scale == "logit" or network.output_activation == "tanh" else 0.5)
        r = len(grid.ys)
        st.segmented_control("Click on a map sets", tuple(CLICK_SETS), key=f"{KEY}.click_sets",
                             persist_state="session", required=True,
                             default="point", format_func=CLICK_LABELS.get,
                             help="Typing the coordinates above works too.")
        st.plotly_chart(figures.plane_maps(grid.xs, grid.ys, maps.scores.reshape(r, r, -1), network.feature_names,
                                           decision, boundary, network.points, network.labels,
                                           (setup.point_x, setup.point_y),
                                           base if setup.net_baseline == "point" else None), key=f"{KEY}.maps",
                        on_select="rerun", selection_mode="points")
        c = maps.completeness
        check = (f"completeness holds at {c.share_holding:.0%} of the {len(c.total):,} points (largest gap "
                 f"{c.relative_gap.max():.1%}; raise n_steps where it does not)") if c.promise else \
            "this method does not promise completeness"
        where_baseline = "" if setup.net_baseline == "point" else (
            f" The baseline ({NET_BASELINES[setup.net_baseline]}) is a feature vector, not a point of the plane, so "
            "no map marks it.")
        st.caption(f"Black line: the decision boundary. Over the map, {check}.{where_baseline}")
    tabs = st.tabs(["Faithfulness", "Compare methods", "Baselines", "Infidelity & sensitivity", "Sanity check",
                    "Export"])
    metrics: dict = {}
    at_point = torch.from_numpy(point)
    with tabs[0]:
        metrics.update(faithfulness_tab(problem, result, key))
    with tabs[1]:
        comparison_tab(problem, setup, key, network.feature_names, None)
    with tabs[2]:
        baselines_tab(lambda kind: network_problem(network, at_point, target, kind, base), BASELINE_KINDS, setup,
                      network.feature_names, NET_BASELINES, key)
    with tabs[3]:
        metrics.update(robustness_tab(problem, result, setup, key))
    with tabs[4]:
        sanity_tab(lambda report: network_sanity_check(
            network, lambda n: network_problem(n, at_point, target, setup.net_baseline, base), setup.method,
            setup.method_settings(), setup.seed, report), network.feature_names,
                   (*key, setup.method, setup.method_settings()))
    with tabs[5]:
        described = {"network": network.source, "features": list(network.feature_names),
                     "outputs": list(network.output_names), "task": network.task}
        st.markdown("**The explained point**")
        export_tab(result, described, setup, metrics, point)
        if maps is not None:
            st.markdown("**The whole map**")
            download_buttons(export_record(maps, described, dataclasses.asdict(setup), {}, grid.points.numpy()),
                             f"attribution-map-{maps.method}")
            st.caption(f"{len(maps.scores):,} points ({setup.resolution} × {setup.resolution}), one CSV row each: "
                       "x1, x2, f(x), f(baseline), f(x) − f(baseline), Σ attributions, their relative gap and each "
                       "feature's attribution, so completeness can be checked everywhere; the same provenance.")


# ---- page ---------------------------------------------------------------------------------------------------------

st.title("Attributions")
st.markdown("Which inputs drive a model's output? Captum's methods answer, each result comes with its checks "
            "(do the scores add up, do they survive a change of baseline or a randomised model, do the top "
            "features really matter?), and every number can be exported with what produced it.")
initial_setup()
for message in st.session_state.pop(f"{KEY}.link_warnings", []):
    st.warning(literal(message))
st.segmented_control("Explain", ("text", "network"), key=f"{KEY}.subject", persist_state="session", required=True,
                     format_func=lambda k: {"text": "A BERT-family model on text",
                                            "network": "A network on 2-D data"}[k])
if value("subject") == "network":
    network_page()
else:
    text_page()
