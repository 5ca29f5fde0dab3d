"""Every number of one training step, layer by layer, computed with the textbook formulas.

Forward:  z = a_prev · Wᵀ + b,  a = f(z),  then the loss.
Backward: dL/da (from the loss or the layer above),  dL/dz = dL/da ⊙ f′(z)  (or the output shortcut ŷ − y),
          dL/dW = dL/dzᵀ · a_prev (+ the regularization term),  dL/db = Σ_batch dL/dz,  dL/da_prev = dL/dz · W.
Update:   the real `torch.optim` step on a copy of the network and optimizer, fed with these gradients.

Shapes: B samples, `a_prev [B, n_in]`, `W [n_out, n_in]`, `b [n_out]`, `z, a, dL/dz [B, n_out]`. Tests check
every field against `torch.autograd` in float64, and the update against `torch.optim`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from core.builder.activations import ACTIVATIONS
from core.builder.losses import LOSSES, REGULARIZATIONS, SHORTCUTS, loss_from_z
from core.builder.model import MLP
from core.builder.optimizers import make_optimizer


@dataclass(frozen=True)
class LayerTrace:
    """One weight layer's forward values, gradients and update (`W_after`/`b_after` None without optimizer)."""

    index: int  # 1 = first hidden layer
    activation: str
    a_prev: torch.Tensor
    W: torch.Tensor
    b: torch.Tensor
    z: torch.Tensor
    a: torch.Tensor
    dL_da: torch.Tensor | None  # None at the output when the shortcut gives dL/dz directly
    dL_dz: torch.Tensor
    dL_dW_data: torch.Tensor
    dL_dW_reg: torch.Tensor
    dL_db: torch.Tensor
    dL_da_prev: torch.Tensor
    W_after: torch.Tensor | None = None
    b_after: torch.Tensor | None = None

    @property
    def dL_dW(self) -> torch.Tensor:
        """The full weight gradient: data term + regularization term."""
        return self.dL_dW_data + self.dL_dW_reg


@dataclass(frozen=True)
class StepTrace:
    """A step: inputs `x [B, F]`, targets `y [B, K]`, losses, and one LayerTrace per weight layer."""

    x: torch.Tensor
    y: torch.Tensor
    layers: tuple[LayerTrace, ...]
    loss_name: str
    data_loss: float
    reg_loss: float
    shortcut: str | None  # the output shortcut's formula when one applies

    @property
    def loss(self) -> float:
        return self.data_loss + self.reg_loss


def trace_step(
    model: MLP,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str,
    regularization: str = "none",
    reg_rate: float = 0.0,
    optimizer: torch.optim.Optimizer | None = None,
    optimizer_name: str = "sgd",
    lr: float = 0.0,
) -> StepTrace:
    """Trace one step of `model` on batch `x [B, F]`, targets `y [B, K]`, in the model's dtype.

    With `optimizer` (the live one, of kind `optimizer_name`), the update is taken by a copy of it (its momentum
    or Adam state included) on a copy of the model; neither original changes.
    """
    acts = model.spec.activations
    reg = REGULARIZATIONS[regularization]
    with torch.no_grad():
        x, y = x.to(model.linears[0].weight.dtype), y.to(model.linears[0].weight.dtype)
        forward = []  # (a_prev, W, b, z, a)
        a = x
        for linear, name in zip(model.linears, acts, strict=True):
            W, b = linear.weight.detach().clone(), linear.bias.detach().clone()
            z = a @ W.T + b
            forward.append((a, W, b, z, ACTIVATIONS[name].f(z)))
            a = forward[-1][4]
        out_act = acts[-1]
        shortcut = SHORTCUTS.get((out_act, loss))
        data_loss = float(loss_from_z(out_act, loss, forward[-1][3], y, ACTIVATIONS[out_act].f))
        reg_loss = float(sum(reg.penalty(W, reg_rate) for _, W, _, _, _ in forward))

        traces = []
        _, _, _, z, a = forward[-1]
        if shortcut:
            dL_da, dL_dz = None, shortcut.dL_dz(z, a, y)
        else:
            if ACTIVATIONS[out_act].df is None:
                raise ValueError(f"{out_act} output needs the cross-entropy loss")
            dL_da = LOSSES[loss].dL_da(a, y)
            dL_dz = dL_da * ACTIVATIONS[out_act].df(z, a)
        for i in range(len(forward) - 1, -1, -1):
            a_prev, W, b, z, a = forward[i]
            if traces:  # a hidden layer: dL/da is what the layer above passed down
                dL_da = traces[-1].dL_da_prev
                dL_dz = dL_da * ACTIVATIONS[acts[i]].df(z, a)
            dL_da_prev = dL_dz @ W
            traces.append(
                LayerTrace(
                    i + 1,
                    acts[i],
                    a_prev,
                    W,
                    b,
                    z,
                    a,
                    dL_da,
                    dL_dz,
                    dL_dz.T @ a_prev,
                    reg.grad(W, reg_rate),
                    dL_dz.sum(dim=0),
                    dL_da_prev,
                )
            )
        traces.reverse()
    if optimizer is not None:
        traces = _with_update(model, traces, optimizer, optimizer_name, lr)
    return StepTrace(x, y, tuple(traces), loss, data_loss, reg_loss, shortcut.formula if shortcut else None)


def _with_update(
    model: MLP, traces: list[LayerTrace], optimizer: torch.optim.Optimizer, name: str, lr: float
) -> list[LayerTrace]:
    """Apply the traced gradients with a copy of the real optimizer; return traces with W_after / b_after."""
    params = []
    for t in traces:  # model.parameters() order: weight, bias per layer
        for value, grad in ((t.W, t.dL_dW), (t.b, t.dL_db)):
            p = torch.nn.Parameter(value.clone())
            p.grad = grad.clone()
            params.append(p)
    opt = make_optimizer(name, params, lr)
    state = optimizer.state_dict()
    opt.load_state_dict(
        {
            "param_groups": state["param_groups"],  # load_state_dict copies the groups
            "state": {
                i: {n: v.clone() if torch.is_tensor(v) else v for n, v in s.items()} for i, s in state["state"].items()
            },
        }
    )  # fresh tensors: the live state is untouched
    opt.step()
    return [
        dataclasses.replace(t, W_after=params[2 * i].detach(), b_after=params[2 * i + 1].detach())
        for i, t in enumerate(traces)
    ]


@dataclass(frozen=True)
class Stage:
    """One stage of a step as the step-through walks it: a layer's forward pass, the loss, a layer's backward pass,
    or the optimizer's update."""

    kind: str  # "forward" | "loss" | "backward" | "update"
    layer: int | None = None  # the weight layer (1 = first hidden) of a forward or backward stage

    @property
    def title(self) -> str:
        """ "Forward: layer 1", "Loss", "Backward: layer 2", "Update"."""
        return self.kind.capitalize() + (f": layer {self.layer}" if self.layer is not None else "")


def stages(n_layers: int) -> tuple[Stage, ...]:
    """The stages of a step of a network with `n_layers` weight layers, in order: forward 1…L, the loss, backward
    L…1, the update."""
    return (
        *(Stage("forward", i) for i in range(1, n_layers + 1)),
        Stage("loss"),
        *(Stage("backward", i) for i in range(n_layers, 0, -1)),
        Stage("update"),
    )
