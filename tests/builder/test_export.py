"""Exports: the runnable script retrains to the same loss as our trainer; weights and CSVs read back."""

import json
import subprocess
import sys

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load

from core.builder.export import history_csv, trace_csv, training_script, weights_safetensors
from core.builder.model import MLP, NetSpec
from core.builder.setup import BuilderSetup, build_dataset, net_spec
from core.builder.trace import trace_step
from core.builder.trainer import Trainer
from core.data.features import feature_matrix
from tests.spreadsheet import formula_cells


@pytest.mark.parametrize(
    "setup",
    [
        BuilderSetup(
            n_points=60,
            features=("x1", "x2", "x1*x2", "sin(x1)"),
            regularization="l2",
            reg_rate=0.01,
            optimizer="adam",
            activation="relu",
        ),
        BuilderSetup(dataset="blobs", n_points=60, hidden=(3,), batch_size=7, optimizer="momentum"),
    ],
)
def test_exported_script_reproduces_our_training(setup, tmp_path):
    data = build_dataset(setup)
    trainer = Trainer(setup, data)
    trainer.run(3)
    src = training_script(setup, data, trainer.head_name, net_spec(setup, data).sizes, 3)
    path = tmp_path / "net.py"
    path.write_text(src)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=True)
    last = float(out.stdout.strip().splitlines()[-1].split()[-1])
    assert last == pytest.approx(trainer.history.train_loss[-1], rel=1e-5)


def test_weights_and_csvs():
    setup = BuilderSetup(n_points=40)
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(2)
    tensors = load(weights_safetensors(trainer))
    torch.testing.assert_close(tensors["linears.0.weight"], trainer.model.linears[0].weight.detach())
    lines = history_csv(trainer.history).splitlines()
    assert lines[0].startswith("epoch,train_loss,test_loss,grad_norm_layer1") and len(lines) == 4
    t = trace_step(trainer.model, trainer.x_train[:2], trainer.y_train[:2], "bce")
    rows = trace_csv(t).splitlines()
    assert rows[0] == "layer,quantity,row,col,value" and any(r.startswith("3,dL_dW,0,1,") for r in rows)
    assert any(r.split(",")[-1].startswith("-") for r in rows)  # negative values, written as numbers
    assert formula_cells(history_csv(trainer.history)) == formula_cells(trace_csv(t)) == []
    y_rows = [r.split(",") for r in rows if r.startswith("0,y,")]
    assert [(int(r[2]), int(r[3]), float(r[4])) for r in y_rows] == [
        (i, 0, float(v)) for i, v in enumerate(trainer.y_train[:2, 0])
    ]


def test_the_weights_file_says_in_its_metadata_how_to_rebuild_the_network(tmp_path):
    """Read back with safetensors alone: the metadata's sizes, activations and features rebuild a network that
    gives the trained one's outputs."""
    setup = BuilderSetup(n_points=40, hidden=(3, 2), activation="tanh", features=("x1", "x1*x2", "sin(x2)"))
    trainer = Trainer(setup, build_dataset(setup))
    trainer.run(2)
    path = tmp_path / "network.safetensors"
    path.write_bytes(weights_safetensors(trainer))
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    spec = NetSpec(tuple(json.loads(meta["sizes"])), tuple(json.loads(meta["activations"])))
    assert spec == trainer.model.spec and spec.sizes == (3, 3, 2, 1) and spec.activations == ("tanh", "tanh", "sigmoid")
    assert json.loads(meta["features"]) == ["x1", "x1*x2", "sin(x2)"]
    assert (meta["head"], meta["epoch"]) == ("sigmoid_bce", "2")
    rebuilt = MLP(spec)
    rebuilt.load_state_dict(tensors)
    points = torch.tensor([[0.5, -1.0], [2.0, 3.0]])
    x = feature_matrix(points, tuple(json.loads(meta["features"])))
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), trainer.model(x))
