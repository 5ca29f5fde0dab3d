"""What leaves the page: loss history and step values as CSV, weights as safetensors, a runnable PyTorch script.

The CSVs hold numbers and our own names only; they are written by `core.csv_safe` all the same, like every CSV.
"""

from __future__ import annotations

import io
import json

import numpy as np
from safetensors.torch import save

from core.builder.setup import BuilderSetup, Dataset
from core.builder.trace import StepTrace
from core.builder.trainer import History, Trainer
from core.csv_safe import csv_line


def history_csv(history: History) -> str:
    """epoch, train_loss, test_loss, then one gradient-norm column per layer."""
    n_layers = max((len(g) for g in history.grad_norms), default=0)
    out = io.StringIO()
    out.write(csv_line(["epoch", "train_loss", "test_loss", *(f"grad_norm_layer{i + 1}" for i in range(n_layers))]))
    for e, tr, te, g in zip(history.epochs, history.train_loss, history.test_loss, history.grad_norms, strict=True):
        out.write(csv_line([e, f"{tr:.8g}", f"{te:.8g}", *(f"{v:.8g}" for v in g)]))
    return out.getvalue()


def trace_csv(trace: StepTrace) -> str:
    """Long format, one row per number: layer, quantity, sample/row, column, value; the targets `y` and the loss
    under layer 0."""
    out = io.StringIO()
    out.write(csv_line(["layer", "quantity", "row", "col", "value"]))
    for layer in trace.layers:
        items = {
            "a_prev": layer.a_prev,
            "W": layer.W,
            "b": layer.b,
            "z": layer.z,
            "a": layer.a,
            "dL_da": layer.dL_da,
            "dL_dz": layer.dL_dz,
            "dL_dW": layer.dL_dW,
            "dL_db": layer.dL_db,
            "dL_da_prev": layer.dL_da_prev,
            "W_after": layer.W_after,
            "b_after": layer.b_after,
        }
        for name, t in items.items():
            if t is None:
                continue
            m = np.atleast_2d(t.detach().numpy())
            for (r, c), v in np.ndenumerate(m):
                out.write(csv_line([layer.index, name, r, c, f"{v:.10g}"]))
    for (r, c), v in np.ndenumerate(np.atleast_2d(trace.y.detach().numpy())):  # the targets the loss compares with
        out.write(csv_line([0, "y", r, c, f"{v:.10g}"]))
    out.write(csv_line([0, "loss", 0, 0, f"{trace.loss:.10g}"]))
    return out.getvalue()


def weights_safetensors(trainer: Trainer) -> bytes:
    """The parameters as a safetensors file (names `linears.{i}.weight` `[out, in]` / `.bias`, as
    `model.state_dict()`), with what it takes to use them in its metadata (strings; lists as JSON): the layer
    sizes, one activation per weight layer (the last is the output's), the input features in column order, the
    output head and the epoch."""
    with trainer.lock:
        model = trainer.model
        tensors = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
        metadata = {
            "format": "nn-explorer network: z = a_prev @ linears.{i}.weight.T + linears.{i}.bias, a = activation(z)",
            "sizes": json.dumps(list(model.spec.sizes)),
            "activations": json.dumps(list(model.spec.activations)),
            "features": json.dumps(list(trainer.data.feature_names)),
            "head": trainer.head_name,
            "epoch": str(trainer.epoch),
        }
    return save(tensors, metadata=metadata)


_SCRIPT = '''"""Rebuild and retrain the NN Explorer network: {summary}.
Needs only torch. Run: python {name}
"""
import torch
import torch.nn.functional as F

POINTS = torch.tensor({points}, dtype=torch.float32)  # [N, 2]: x1, x2
TARGETS = torch.tensor({targets}, dtype=torch.float32)  # [N, K]
IS_TRAIN = torch.tensor({is_train})
FEATURES = [{features}]
SIZES = {sizes}
ACTIVATIONS = [{activations}]
EPOCHS, BATCH, LR, INIT_SEED = {epochs}, {batch}, {lr!r}, {init_seed}


def features(p):
    x1, x2 = p[:, 0], p[:, 1]
    return torch.stack([f(x1, x2) for f in FEATURES], dim=1)


torch.manual_seed(0)
linears = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(SIZES[:-1], SIZES[1:]))
gen = torch.Generator().manual_seed(INIT_SEED)
with torch.no_grad():
    for lin in linears:
        torch.nn.init.xavier_uniform_(lin.weight, generator=gen)
        lin.bias.zero_()


def logits(x):
    for i, lin in enumerate(linears):
        x = lin(x)
        if i < len(linears) - 1:
            x = ACTIVATIONS[i](x)
    return x


def loss_fn(x, y):
    z = logits(x)
    data = {loss}
    return data + {penalty}


x_train, y_train = features(POINTS)[IS_TRAIN], TARGETS[IS_TRAIN]
optimizer = {optimizer}
shuffle = torch.Generator().manual_seed(INIT_SEED)
for epoch in range(1, EPOCHS + 1):
    order = torch.randperm(len(x_train), generator=shuffle)
    for start in range(0, len(x_train), BATCH):
        idx = order[start:start + BATCH]
        optimizer.zero_grad()
        loss_fn(x_train[idx], y_train[idx]).backward()
        optimizer.step()
    with torch.no_grad():
        train_loss = float(loss_fn(x_train, y_train))
    if epoch % max(1, EPOCHS // 10) == 0 or epoch == EPOCHS:
        print(f"epoch {{epoch}}: training loss {{train_loss:.6f}}")
'''

_FEATURE_SRC = {
    "x1": "lambda a, b: a",
    "x2": "lambda a, b: b",
    "x1^2": "lambda a, b: a * a",
    "x2^2": "lambda a, b: b * b",
    "x1*x2": "lambda a, b: a * b",
    "sin(x1)": "lambda a, b: torch.sin(a)",
    "sin(x2)": "lambda a, b: torch.sin(b)",
}
_ACT_SRC = {
    "relu": "torch.relu",
    "tanh": "torch.tanh",
    "sigmoid": "torch.sigmoid",
    "linear": "lambda z: z",
    "leaky_relu": "lambda z: F.leaky_relu(z, 0.01)",
    "gelu": "F.gelu",
}
_LOSS_SRC = {
    "sigmoid_bce": "F.binary_cross_entropy_with_logits(z, y, reduction='sum') / len(z)",
    "tanh_mse": "0.5 * ((torch.tanh(z) - y) ** 2).sum() / len(z)",
    "softmax_ce": "-(y * torch.log_softmax(z, dim=-1)).sum() / len(z)",
    "linear_mse": "0.5 * ((z - y) ** 2).sum() / len(z)",
}
_PENALTY_SRC = {
    "none": "0.0",
    "l1": "{r!r} * sum(lin.weight.abs().sum() for lin in linears)",
    "l2": "0.5 * {r!r} * sum((lin.weight ** 2).sum() for lin in linears)",
}
_OPT_SRC = {
    "sgd": "torch.optim.SGD(linears.parameters(), lr=LR)",
    "momentum": "torch.optim.SGD(linears.parameters(), lr=LR, momentum=0.9)",
    "nesterov": "torch.optim.SGD(linears.parameters(), lr=LR, momentum=0.9, nesterov=True)",
    "rmsprop": "torch.optim.RMSprop(linears.parameters(), lr=LR)",
    "adam": "torch.optim.Adam(linears.parameters(), lr=LR)",
    "adamw": "torch.optim.AdamW(linears.parameters(), lr=LR)",
}


def training_script(setup: BuilderSetup, data: Dataset, head: str, sizes: tuple[int, ...], epochs: int) -> str:
    """Python source that needs only torch and reproduces our trainer's run (same data, init, batch order)."""
    targets = data.targets(head)
    return _SCRIPT.format(
        summary=f"{'-'.join(map(str, sizes))} {setup.activation}, {setup.optimizer} lr {setup.learning_rate}",
        name="nn_explorer_network.py",
        points=data.points.tolist(),
        targets=targets.tolist(),
        is_train=data.is_train.tolist(),
        features=", ".join(_FEATURE_SRC[f] for f in setup.features),
        sizes=tuple(sizes),
        activations=", ".join(_ACT_SRC[setup.activation] for _ in setup.hidden),
        epochs=epochs,
        batch=max(1, min(setup.batch_size, int(data.is_train.sum()))),
        lr=setup.learning_rate,
        init_seed=setup.init_seed,
        loss=_LOSS_SRC[head],
        penalty=_PENALTY_SRC[setup.regularization].format(r=setup.reg_rate),
        optimizer=_OPT_SRC[setup.optimizer],
    )
