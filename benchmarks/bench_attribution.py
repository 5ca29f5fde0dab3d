"""Attribution speed, as ratios in one process: our IG path vs the bare Captum call, and batched vs per-step IG.

`python -m benchmarks.run attribution`. The per-step loop is the naive IG: one forward + backward per step. On a
GPU machine it adds IG on a 128-token input of a random-weight BERT-base (`BertConfig()`), GPU vs CPU, with the
GPU's absolute time in the note (target: under 150 ms).
"""

from __future__ import annotations

import torch
from captum.attr import IntegratedGradients

from benchmarks.common import compare, median_time
from core.attribution.explain import explain
from core.attribution.methods import MethodSettings
from core.attribution.network import NetworkTarget, grid_over, network_problem, train_default_network
from core.attribution.problem import Problem
from core.attribution.text import TextTarget, text_problem
from core.models import load_model

TOOL = "attribution"
TEXT = "The quick brown fox jumps over the lazy dog near the river bank."


def per_step_ig(problem: Problem, n_steps: int) -> torch.Tensor:
    """IG the slow way: one forward + backward per point of a Riemann (midpoint) sum."""
    x, b = problem.inputs, problem.baselines
    total = torch.zeros_like(x)
    for k in range(n_steps):
        point = (b + (k + 0.5) / n_steps * (x - b)).requires_grad_(True)
        (grad,) = torch.autograd.grad(problem.forward(point).sum(), point)
        total += grad
    return (x - b) * total / n_steps


def _bert_base_problem(device: torch.device) -> Problem:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    model = BertModel(BertConfig(), attn_implementation="eager").eval().requires_grad_(False).to(device)
    ids = torch.randint(1000, 30000, (1, 128), device=device)
    embeds = model.get_input_embeddings()(ids)

    def forward(e: torch.Tensor) -> torch.Tensor:
        return model(inputs_embeds=e).last_hidden_state[:, 0].sum(-1)

    mask = torch.arange(128, device=device).view(1, 128, 1).expand(1, 128, 768).contiguous()
    return Problem(forward, embeds, torch.zeros_like(embeds), tuple(str(i) for i in range(128)), "text", "sum", mask)


def rows():
    loaded = load_model("embedded", torch.device("cpu"))
    problem, enc = text_problem(loaded, TEXT, TextTarget())
    settings = MethodSettings(n_steps=50)
    bare = IntegratedGradients(problem.forward)
    yield compare(
        TOOL,
        f"IG 50 steps, MiniLM {enc.length} tokens: explain() vs bare Captum",
        lambda: explain(problem, "integrated-gradients", settings),
        lambda: bare.attribute(problem.inputs, problem.baselines, n_steps=50, return_convergence_delta=True),
        "<= 1.1",
        repeat=5,
        note="ours adds the completeness check; f(x), f(x′) once per problem",
    )
    yield compare(
        TOOL,
        f"IG 50 steps, MiniLM {enc.length} tokens: batched explain() vs per-step loop",
        lambda: explain(problem, "integrated-gradients", settings),
        lambda: per_step_ig(problem, 50),
        ">= 5",
        repeat=3,
        note="CPU-bound here; the loop pays per-call overhead mostly on a GPU",
    )
    network = train_default_network(epochs=50)
    grid = network_problem(network, grid_over(network, 30).points, NetworkTarget())
    yield compare(
        TOOL,
        "IG 50 steps, 2-D map of 30×30 points: explain() vs bare Captum",
        lambda: explain(grid, "integrated-gradients", settings),
        lambda: IntegratedGradients(grid.forward).attribute(
            grid.inputs, grid.baselines, n_steps=50, return_convergence_delta=True
        ),
        "<= 1.1",
        repeat=5,
        note="one backward of the summed outputs instead of Captum's unbind",
    )

    if torch.cuda.is_available():
        gpu, cpu = _bert_base_problem(torch.device("cuda")), _bert_base_problem(torch.device("cpu"))

        def on_gpu():
            out = explain(gpu, "integrated-gradients", settings)
            torch.cuda.synchronize()
            return out

        gpu_s = median_time(on_gpu, repeat=5)
        yield compare(
            TOOL,
            "IG 50 steps, BERT-base 128 tokens: GPU vs CPU",
            on_gpu,
            lambda: explain(cpu, "integrated-gradients", settings),
            ">= 5",
            repeat=3,
            note=f"GPU {gpu_s * 1e3:.0f} ms (target < 150 ms)",
        )
