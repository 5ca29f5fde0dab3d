"""How the page runs a method and shows what its result promises: the estimate, the server's work queue (progress,
Stop, a click first when it would take long), completeness, bf16 against fp32 and IG's adaptive steps."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import streamlit as st
import torch

from core.attribution.agreement import precision_agreement
from core.attribution.cost import estimate
from core.attribution.explain import Attribution, adaptive_steps, explain
from core.attribution.methods import METHODS, refusal
from core.attribution.problem import Problem
from core.attribution.setup import AttributionSetup
from core.figures import attribution as figures
from pages.attribution.state import STATE
from pages.heavy import run_heavy

ADAPTIVE_TOLERANCE = 0.01  # |delta| / |f(x) − f(baseline)| that adaptive steps aim for


def run_explain(
    problem: Problem,
    setup: AttributionSetup,
    config,
    key: tuple,
    reduce: str = "sum",
    rebuild: Callable[[torch.device], Problem] | None = None,
    slot: str = "explain",
) -> Attribution | None:
    """The method's result for `problem`, kept per set-up; None while there is none (the page says why, or offers
    the button). config: the BERT config for the memory estimate (None for the 2-D network)."""
    reason = refusal(setup.method, problem)
    if reason:
        st.warning(reason)
        return None
    cost = STATE.memo(
        "cost", (*key, setup.method, setup.settings), lambda: estimate(problem, setup.method, setup.settings, config)
    )
    settings = cost.settings_for(setup.settings)
    st.caption(f"Cost: {cost.describe()}.")
    result = run_heavy(
        STATE.key(slot),
        (*key, setup.method, settings, reduce),
        lambda report: explain(problem, setup.method, settings, reduce, rebuild, report),
        label=f"{METHODS[setup.method].title}, {cost.evaluations:,} evaluations",
        seconds=cost.seconds,
        memory=cost.memory,
    )
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
        f"| Captum's convergence delta | {delta} |"
    )
    text = c.verdict
    if c.holds is None:
        st.info(text, icon=":material/info:")
    elif c.holds:
        st.success(text, icon=":material/check_circle:")
    else:
        st.warning(text, icon=":material/warning:")
    st.caption(
        f"{result.title} · {result.seconds * 1e3:,.0f} ms on {result.device} · internal batch {result.batch_size}"
    )


def precision_panel(problem: Problem, setup: AttributionSetup, key: tuple, result: Attribution) -> None:
    """For a bf16 run: the fp32 result of the same settings, and how far the bf16 scores are from it."""
    if result.settings.precision == "fp32":
        return
    reference_settings = dataclasses.replace(result.settings, precision="fp32")
    reference = run_heavy(
        STATE.key("precision"),
        (*key, setup.method, reference_settings, result.reduce),
        lambda report: explain(problem, setup.method, reference_settings, result.reduce, progress=report),
        label=f"{result.title} in fp32, for comparison",
        seconds=result.seconds,
    )
    if reference is None:
        return
    rho, gap = precision_agreement(result.scores[0], reference.scores[0])
    delta = (
        ""
        if result.completeness.delta is None
        else f" Captum's delta: {result.completeness.delta[0]:.2e} in bf16 vs {reference.completeness.delta[0]:.2e} "
        "in fp32."
    )
    st.info(
        f"bf16 vs fp32: Spearman ρ {rho:.3f}, largest difference {gap:.1%} of the largest fp32 score.{delta}",
        icon=":material/compare_arrows:",
    )


def adaptive_panel(problem: Problem, setup: AttributionSetup, key: tuple) -> None:
    """For Integrated Gradients, on a click: n_steps doubled until Captum's delta is small, and the curve."""
    if setup.method != "integrated-gradients":
        return
    convergence = run_heavy(
        STATE.key("adaptive"),
        (*key, setup.settings),
        lambda report: adaptive_steps(problem, setup.settings, ADAPTIVE_TOLERANCE, progress=report),
        label="IG with n_steps doubled from 8 until |delta| is under 1% of |f(x) − f(baseline)|",
        ask=True,
        button="Adaptive steps",
    )
    if convergence is not None:
        st.plotly_chart(
            figures.convergence_plot(convergence.steps, convergence.relative_delta, ADAPTIVE_TOLERANCE),
            key=STATE.key("convergence"),
        )
        st.caption(
            f"Chosen: {convergence.steps[-1]} steps"
            + ("" if convergence.converged else " (the limit; the tolerance was not reached)")
        )
