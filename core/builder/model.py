"""Network spec → torch module: a stack of `nn.Linear` layers, each followed by an activation from the registry."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.builder.activations import ACTIVATIONS


@dataclass(frozen=True)
class NetSpec:
    """Layer widths `sizes` = (inputs, hidden…, outputs) and one activation name per weight layer."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]

    def __post_init__(self):
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError(
                f"{len(self.sizes) - 1} weight layers need as many activations, got {len(self.activations)}"
            )


class MLP(nn.Module):
    """Features `[N, F]` → activated outputs `[N, K]` (probabilities, tanh scores or values)."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.spec = spec
        self.linears = nn.ModuleList(nn.Linear(i, o) for i, o in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
        self._f = [ACTIVATIONS[a].f for a in spec.activations]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The output layer's pre-activation z `[N, K]` (what the losses take)."""
        last = len(self.linears) - 1
        for i, (linear, f) in enumerate(zip(self.linears, self._f, strict=True)):
            x = linear(x)
            if i < last:
                x = f(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._f[-1](self.logits(x))

    def layer_outputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's activation a `[N, width]`, hidden layers first, output last, in one pass."""
        outs = []
        for linear, f in zip(self.linears, self._f, strict=True):
            x = f(linear(x))
            outs.append(x)
        return outs


def build_model(spec: NetSpec, init_seed: int, dtype: torch.dtype = torch.float32) -> MLP:
    """A fresh MLP with Xavier-uniform weights and zero biases drawn from its own generator (seed `init_seed`)."""
    model = MLP(spec).to(dtype)
    gen = torch.Generator().manual_seed(init_seed)
    with torch.no_grad():
        for linear in model.linears:
            nn.init.xavier_uniform_(linear.weight, generator=gen)
            linear.bias.zero_()
    return model


def load_weights(model: MLP, weights: list[tuple[torch.Tensor, torch.Tensor]]) -> MLP:
    """Copy (W `[out, in]`, b `[out]`) pairs into `model` in place; returns it."""
    with torch.no_grad():
        for linear, (w, b) in zip(model.linears, weights, strict=True):
            linear.weight.copy_(w)
            linear.bias.copy_(b)
    return model
