"""How long and how much memory a run will take, before it runs: for the page's estimate and the internal batch.

The time comes from a probe of the method itself: the real Captum call on the first explained input, with its
sample or step count cut down to PROBE_EVALUATIONS, scaled up to the full count and to every input (a 2-D map
has thousands). Timing only the model's forward pass missed what perturbation methods add per input (KernelSHAP
and LIME fit a surrogate model for each): at 80 × 80 points the old estimate was 1,000 times too low. Methods whose
count cannot be cut (occlusion, feature ablation: one evaluation per feature) are timed from the model's forward
and backward pass on a small batch instead, when they would take more than the probe's budget.

The memory per evaluation is what autograd keeps for one sequence of a BERT-like encoder (activations of every
layer: hidden states, the feed-forward block and the attention maps), in float32. The internal batch is what fits
in the run's share of the work queue's memory, and at most what takes CHUNK_S: each batch is a point where the
progress bar moves and Stop takes effect.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import torch

from core.attribution.methods import METHODS, MethodSettings, attribute
from core.attribution.problem import Problem
from core.work import default_queue

LONG_RUN_S = 1.0  # runs estimated longer than this get a progress message
PROBE_EVALUATIONS = 32  # the probe runs the method with its count cut to about this many evaluations
PROBE_S = 0.1  # a map's probe doubles its inputs until it takes this long (longer than the timer's noise)
MAX_PROBE_INPUTS = 1024  # … or covers this many of them
GROWTH_FROM = 64  # inputs from which two probes' growth is trusted (below, noise; LIME at 8 vs 16: 3x high)
CHUNK_S = 0.5  # the longest an internal batch should take


@dataclass(frozen=True)
class CostEstimate:
    evaluations: int
    seconds: float
    bytes_per_evaluation: int
    internal_batch_size: int  # what fits in the memory one computation may plan for, and in CHUNK_S (≤ evaluations)

    @property
    def long(self) -> bool:
        return self.seconds > LONG_RUN_S

    @property
    def seconds_per_evaluation(self) -> float:
        """As measured: other work on the same problem is estimated from it."""
        return self.seconds / max(self.evaluations, 1)

    @property
    def memory(self) -> int:
        """Bytes one batch of evaluations holds at its peak (what the run asks the work queue for)."""
        return self.bytes_per_evaluation * self.internal_batch_size

    def settings_for(self, settings: MethodSettings) -> MethodSettings:
        """`settings` with this estimate's internal batch where they leave the batch to the free memory (0) and all
        evaluations at once would not fit."""
        if settings.internal_batch_size or self.internal_batch_size >= self.evaluations:
            return settings
        return replace(settings, internal_batch_size=self.internal_batch_size)

    def describe(self) -> str:
        seconds = f"{self.seconds:.2g} s" if self.seconds < 10 else f"{self.seconds:,.0f} s"
        return (
            f"{self.evaluations:,} model evaluations, ≈ {seconds}, "
            f"≈ {self.memory / 2**20:,.0f} MiB per batch of {self.internal_batch_size:,}"
        )


def bytes_per_evaluation(config, tokens: int, dtype_bytes: int = 4) -> int:
    """Activation bytes autograd keeps for one sequence of `tokens` through a BERT-like encoder (`config`)."""
    h = int(getattr(config, "hidden_size", 768))
    inter = int(getattr(config, "intermediate_size", 4 * h))
    heads = int(getattr(config, "num_attention_heads", 12))
    layers = int(getattr(config, "num_hidden_layers", 12))
    per_layer = tokens * (10 * h + 2 * inter) + 3 * heads * tokens * tokens
    return dtype_bytes * (layers * per_layer + 4 * tokens * h)


def time_per_evaluation(problem: Problem, batch: int, repeat: int = 2) -> float:
    """Seconds per evaluation of a forward + backward pass over `batch` copies of the first input (best of
    `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        x = problem.inputs[:1].detach().expand(batch, *problem.inputs.shape[1:]).clone().requires_grad_(True)
        started = time.perf_counter()
        torch.autograd.grad(problem.forward(x).sum(), x)
        best = min(best, time.perf_counter() - started)
    return best / batch


def cut_down(settings: MethodSettings, factor: float) -> MethodSettings:
    """The settings with their step and sample counts divided by `factor` (at least 2 steps, 1 sample)."""
    return replace(
        settings,
        n_steps=max(2, round(settings.n_steps / factor)),
        n_samples=max(1, round(settings.n_samples / factor)),
        internal_batch_size=0,
    )


def _probe(problem: Problem, method: str, settings: MethodSettings, inputs: int) -> float:
    """Seconds of the real call on the first `inputs` inputs."""
    first = replace(problem, inputs=problem.inputs[:inputs], baselines=problem.baselines[:inputs])
    started = time.perf_counter()
    attribute(method, first, settings)
    return time.perf_counter() - started


_warm: set[str] = set()  # methods probed before in this process: their first call's set-up cost is paid


def _first_input(problem: Problem, method: str, settings: MethodSettings) -> float:
    """Seconds of the call on the first input; the first probe of a method in a process runs twice (Captum and
    the libraries it loads lazily, such as scikit-learn for LIME, take seconds on a first call only)."""
    if method not in _warm:
        _probe(problem, method, settings, 1)
        _warm.add(method)
    return _probe(problem, method, settings, 1)


def method_seconds(problem: Problem, method: str, settings: MethodSettings) -> float:
    """The method's time on all of the problem's inputs, from probes of the real call with the count cut to about
    PROBE_EVALUATIONS: on one input, then (for a map) on 8, 16, 32… inputs until a probe takes PROBE_S or covers
    every input, since gradient methods run all inputs in one batch (a tiny cost per input that a short probe
    cannot tell from noise) while perturbation methods fit each input apart. Where the count cannot be cut, the
    forward + backward time of one evaluation times their number."""
    spec = METHODS[method]
    n, inputs = problem.n_features, problem.inputs.shape[0]
    full = spec.evaluations(settings, n)
    probe = cut_down(settings, full / PROBE_EVALUATIONS) if full > 2 * PROBE_EVALUATIONS else settings
    scale = full / spec.evaluations(probe, n)
    if spec.evaluations(probe, n) > 2 * PROBE_EVALUATIONS:
        return inputs * full * time_per_evaluation(problem, min(full, 8))
    one = _first_input(problem, method, probe)
    k, seconds, before = 1, one, None
    while k < inputs and (k == 1 or seconds < PROBE_S) and k < MAX_PROBE_INPUTS:
        before = (k, seconds)
        k = min(inputs, 8 * k if k == 1 else 2 * k)
        # best of two: a busy machine's pause (tens of ms, seen here) would be multiplied by inputs / k
        seconds = min(_probe(problem, method, probe, k) for _ in range(2))
    if k == 1:
        return scale * one
    return scale * (one + max(0.0, seconds - one) * ((inputs - 1) / (k - 1)) ** _growth(one, before, (k, seconds)))


def _growth(one: float, before: tuple[int, float] | None, last: tuple[int, float]) -> float:
    """How the time beyond the first input grows with the inputs, t − t₁ ∝ (k − 1)^p, from the last two probes when
    both took long enough to measure and covered GROWTH_FROM inputs or more: p is 1 for most methods, more where
    big batches leave the CPU's caches (GradientSHAP on a 70 × 70 map: 0.6 ms per input at 1,024 inputs, 1.1 ms
    at 4,900). Between 1 and 1.5."""
    if before is None or before[0] < GROWTH_FROM or before[1] < PROBE_S / 4:
        return 1.0
    (k0, t0), (k1, t1) = before, last
    if t0 <= one or t1 <= one:
        return 1.0
    p = math.log((t1 - one) / (t0 - one)) / math.log((k1 - 1) / (k0 - 1))
    return min(1.5, max(1.0, p))


def estimate(
    problem: Problem, method: str, settings: MethodSettings, config=None, memory_limit: int | None = None
) -> CostEstimate:
    """The cost of `method` on `problem` (config: the BERT config for memory; None for the small 2-D nets).

    memory_limit: bytes one run may plan for; by default its share of the server's work queue (every session's
    heavy work together stays within the queue's budget, so one run never takes half the free memory)."""
    n = problem.n_features
    inputs = problem.inputs.shape[0]
    evaluations = METHODS[method].evaluations(settings, n) * inputs
    per_eval = (
        bytes_per_evaluation(config, problem.inputs.shape[1])
        if config is not None
        else problem.inputs[0].numel() * 4 * 64
    )
    limit = default_queue().share_bytes if memory_limit is None else memory_limit
    seconds = method_seconds(problem, method, settings)
    per_chunk = max(1, int(CHUNK_S / max(seconds / max(evaluations, 1), 1e-9)))
    batch = max(1, min(evaluations, int(limit // max(per_eval, 1)), per_chunk))
    return CostEstimate(evaluations, seconds, per_eval, batch)
