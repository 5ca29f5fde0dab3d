"""How long and how much memory a run will take, before it runs: for the page's estimate and the internal batch.

The time is the method's number of model evaluations times the measured cost of one, from a forward + backward
pass over a small batch of copies of the explained input (so batching gains are counted). The memory per
evaluation is what autograd keeps for one sequence of a BERT-like encoder (activations of every layer: hidden
states, the feed-forward block and the attention maps), in float32.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from core.attribution.methods import METHODS, MethodSettings
from core.attribution.problem import Problem
from core.work import default_queue

LONG_RUN_S = 1.0  # runs estimated longer than this get a progress message


@dataclass(frozen=True)
class CostEstimate:
    evaluations: int
    seconds: float
    bytes_per_evaluation: int
    internal_batch_size: int  # what fits in the memory one computation may plan for (≤ evaluations)

    @property
    def seconds_per_evaluation(self) -> float:
        """Forward + backward per evaluation, as measured: other work on the same problem is estimated from it."""
        return self.seconds / max(self.evaluations, 1)

    @property
    def memory(self) -> int:
        """Bytes one batch of evaluations holds at its peak (what the run asks the work queue for)."""
        return self.bytes_per_evaluation * self.internal_batch_size

    @property
    def long(self) -> bool:
        return self.seconds > LONG_RUN_S

    def describe(self) -> str:
        return (f"{self.evaluations:,} model evaluations, ≈ {self.seconds:.2g} s, "
                f"≈ {self.bytes_per_evaluation * self.internal_batch_size / 2**20:,.0f} MiB per batch of "
                f"{self.internal_batch_size}")


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


def estimate(problem: Problem, method: str, settings: MethodSettings, config=None,
             memory_limit: int | None = None) -> CostEstimate:
    """The cost of `method` on `problem` (config: the BERT config for memory; None for the small 2-D nets).

    memory_limit: bytes one run may plan for; by default its share of the server's work queue (every session's
    heavy work together stays within the queue's budget, so one run never takes half the free memory)."""
    n = problem.n_features
    evaluations = METHODS[method].evaluations(settings, n) * problem.inputs.shape[0]
    per_eval = bytes_per_evaluation(config, problem.inputs.shape[1]) if config is not None else \
        problem.inputs[0].numel() * 4 * 64
    limit = default_queue().share_bytes if memory_limit is None else memory_limit
    fits = max(1, int(limit // max(per_eval, 1)))
    probe = min(evaluations, 8 if config is not None else 1024, fits)
    seconds = evaluations * time_per_evaluation(problem, probe)
    return CostEstimate(evaluations, seconds, per_eval, min(evaluations, fits))
