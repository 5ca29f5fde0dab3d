"""How a 2-D network travels in an export and comes back from one: its weights, activations, features and data,
so that opening the export re-runs the same network (the Network builder's networks live only in a session)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core.attribution.network import OUTPUT_OF, NetworkUnderStudy, layered_model
from core.builder.activations import ACTIVATIONS
from core.data.features import FEATURES, feature_matrix

TASKS = ("binary", "multiclass", "regression")
MAX_UNITS = 4096  # more weights per layer side than any network the builder makes: a bigger file is refused


class NetworkFileError(ValueError):
    """An export whose network cannot be rebuilt; the message says what is wrong with it."""


def network_record(network: NetworkUnderStudy) -> dict[str, Any] | None:
    """The network as plain data (weights as nested lists [out, in] and [out]), or None when it was not built from
    named features and activations (nothing could rebuild it)."""
    if not network.feature_keys or not network.activations:
        return None
    linears = [m for m in network.model.modules() if isinstance(m, torch.nn.Linear)]
    return {
        "features": list(network.feature_keys),
        "feature_names": list(network.feature_names),
        "activations": list(network.activations),
        "layers": [{"weight": m.weight.tolist(), "bias": m.bias.tolist()} for m in linears],
        "output_names": list(network.output_names),
        "task": network.task,
        "points": np.asarray(network.points).tolist(),
        "labels": np.asarray(network.labels).tolist(),
        "source": network.source,
    }


def _floats(value: Any, shape: tuple[int, ...], what: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    try:
        tensor = torch.tensor(value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError) as error:
        raise NetworkFileError(f"{what} is not a table of numbers") from error
    if tuple(tensor.shape) != shape or not torch.isfinite(tensor).all():
        raise NetworkFileError(f"{what} should be {' × '.join(map(str, shape))} finite numbers")
    return tensor


def _linear(layer: Any, n_in: int, i: int) -> torch.nn.Linear:
    if not isinstance(layer, dict) or not isinstance(layer.get("bias"), list):
        raise NetworkFileError(f"layer {i + 1} has no weight and bias")
    n_out = len(layer["bias"])
    if not 0 < n_out <= MAX_UNITS:
        raise NetworkFileError(f"layer {i + 1} has {n_out} units (1 to {MAX_UNITS})")
    linear = torch.nn.Linear(n_in, n_out)
    with torch.no_grad():
        linear.weight.copy_(_floats(layer.get("weight"), (n_out, n_in), f"layer {i + 1}'s weight"))
        linear.bias.copy_(_floats(layer["bias"], (n_out,), f"layer {i + 1}'s bias"))
    return linear


def network_from_record(doc: Any) -> NetworkUnderStudy:
    """The network `network_record` wrote; NetworkFileError for anything else."""
    if not isinstance(doc, dict):
        raise NetworkFileError("the export holds no network")
    keys = doc.get("features")
    if not isinstance(keys, list) or not keys or any(k not in FEATURES for k in keys):
        raise NetworkFileError(f"its features should be some of {', '.join(FEATURES)}")
    names, layers = doc.get("activations"), doc.get("layers")
    if not isinstance(layers, list) or not layers or not isinstance(names, list) or len(names) != len(layers):
        raise NetworkFileError("it needs one activation per layer")
    if any(n not in ACTIVATIONS for n in names) or names[-1] not in OUTPUT_OF:
        raise NetworkFileError(f"its activations should be some of {', '.join(ACTIVATIONS)}")
    linears, n_in = [], len(keys)
    for i, layer in enumerate(layers):
        linears.append(_linear(layer, n_in, i))
        n_in = linears[-1].out_features
    model, layered = layered_model(linears, tuple(names))
    points = _floats(doc.get("points"), (len(doc.get("points") or ()), 2), "the data's points", torch.float64).numpy()
    labels = _floats(doc.get("labels"), (len(points),), "the data's labels", torch.float64).numpy()
    outputs = doc.get("output_names")
    if not isinstance(outputs, list) or len(outputs) != n_in or not len(points):
        raise NetworkFileError(f"it needs {n_in} output names and the data's points")
    if doc.get("task") not in TASKS:
        raise NetworkFileError(f"its task should be one of {', '.join(TASKS)}")
    feature_names = doc.get("feature_names")
    if not isinstance(feature_names, list) or len(feature_names) != len(keys):
        feature_names = keys
    chosen = tuple(keys)
    return NetworkUnderStudy(
        model,
        lambda p: feature_matrix(torch.as_tensor(p, dtype=torch.float32), chosen),
        tuple(str(n) for n in feature_names),
        tuple(str(n) for n in outputs),
        doc["task"],
        points,
        labels,
        OUTPUT_OF[names[-1]],
        source=f"opened from an export ({str(doc.get('source', 'a network'))[:200]})",
        layered=layered,
        feature_keys=chosen,
        activations=tuple(names),
    )
