"""Training a network with the real `torch.optim`, epoch by epoch, with a stop condition and NaN detection.

A `Trainer` is per-session mutable state (model, optimizer, history); the page keeps it in `st.session_state`.
Streamlit can start a session's next run while the last one still trains, and two threads stepping one optimizer
crashed the whole server (libtorch: "modified by an inplace operation", then a segfault): every verb that reads or
changes the model takes the trainer's `lock`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import threading
import time
from dataclasses import dataclass, field

import torch

from core.builder.activations import ACTIVATIONS
from core.builder.losses import HEADS, head_for, loss_from_z, training_loss, weight_penalty
from core.builder.model import MLP, build_model
from core.builder.optimizers import make_optimizer
from core.builder.setup import BuilderSetup, Dataset, net_spec
from core.builder.trace import StepTrace, trace_step
from core.work import checkpoint

RETUNED = ("learning_rate", "max_epochs", "target_loss", "discretize", "show_test", "hide")  # see Trainer.retune


def _network_part(setup: BuilderSetup) -> BuilderSetup:
    """The set-up with the fields `retune` can change set to their defaults."""
    return dataclasses.replace(setup, **{name: getattr(BuilderSetup(), name) for name in RETUNED})


@dataclass
class History:
    """Per-epoch records, index 0 = before training: losses, and per-layer gradient norms of the epoch's last step."""

    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # [epochs][weight layers]


@dataclass(frozen=True)
class LossChange:
    """The training loss (data + penalty) before and after one step: on the step's batch and on the training set."""

    batch_before: float
    train_before: float
    batch_after: float
    train_after: float

    @property
    def sentence(self) -> str:
        """Both changes with as many decimals as show them (a step often moves the loss in its 4th decimal)."""
        return (
            f"Loss on the step's batch {_before_after(self.batch_before, self.batch_after)}; "
            f"on the training set {_before_after(self.train_before, self.train_after)}."
        )


def _before_after(before: float, after: float) -> str:
    """ "0.693147 → 0.692871 (-0.000276)": two digits past the change's first one, at least 4 decimals."""
    change = after - before
    if not math.isfinite(change) or change == 0:
        return f"{before:.6g} → {after:.6g}" + (" (unchanged)" if change == 0 else "")
    decimals = min(15, max(4, 1 - math.floor(math.log10(abs(change)))))
    return f"{before:.{decimals}f} → {after:.{decimals}f} ({change:+.3g})"


class Trainer:
    """Model + optimizer + data for one set-up; `run(k)` trains k more epochs (fewer if it stops or its time is up).

    Thread-safe: `run`, `step`, `step_on`, `next_batch`, `trace`, `retune` and `frozen_model` hold `lock`
    (reentrant) while they work, and a caller that reads `model` or `history` for a consistent picture holds it too
    (`with trainer.lock:`).
    """

    def __init__(self, setup: BuilderSetup, data: Dataset, init_seed: int | None = None):
        self.setup, self.data = setup, data
        self.head_name = head_for(data.task, setup.binary_head)
        self.head = HEADS[self.head_name]
        self.init_seed = setup.init_seed if init_seed is None else init_seed
        self.model: MLP = build_model(net_spec(setup, data), self.init_seed)
        self.optimizer = make_optimizer(setup.optimizer, self.model.parameters(), setup.learning_rate)
        targets = data.targets(self.head_name)
        train = torch.as_tensor(data.is_train)
        self.x_train, self.y_train = data.features[train], targets[train]
        self.x_test, self.y_test = data.features[~train], targets[~train]
        self.batch_size = max(1, min(setup.batch_size, len(self.x_train)))
        self.shuffle = torch.Generator().manual_seed(self.init_seed)
        self.epoch = 0
        self.status = "ready"  # "ready" | "done" | "diverged"
        self.message = ""
        self.history = History()
        self._f_out = ACTIVATIONS[self.head.activation].f
        self._x_all = torch.cat([self.x_train, self.x_test])
        self._batches: list[tuple[torch.Tensor, torch.Tensor]] = []  # the epoch in progress, shuffled
        self._next_batch = 0
        self._params = [p for group in self.optimizer.param_groups for p in group["params"]]
        self.lock = threading.RLock()
        self._record([math.nan] * len(self.model.linears))

    @property
    def ready(self) -> bool:
        """Whether it can train on (not stopped by a stop condition or a diverged loss)."""
        return self.status == "ready"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def accepts(self, setup: BuilderSetup) -> bool:
        """Whether `setup` describes this trainer's network and data, so that `retune` can apply it (it differs
        at most in RETUNED fields); otherwise it needs a new Trainer."""
        return _network_part(setup) == _network_part(self.setup)

    def sample(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Point `index` of the whole dataset as a batch of one: features `[1, F]`, targets `[1, K]`."""
        idx = torch.tensor([index])
        return self.data.features[idx], self.data.targets(self.head_name)[idx]

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The mini-batch training takes next, `[B, F]`, `[B, K]`: the epoch's next shuffled batch (the next epoch
        is shuffled here when none is in progress, exactly as `run` would: the same batches in the same order)."""
        with self.lock:
            if not self._batches:
                self._shuffle()
            return self._batches[self._next_batch]

    @property
    def batch_index(self) -> tuple[int, int]:
        """(i, n): `next_batch()` is batch i (1-based) of the epoch's n."""
        with self.lock:
            return self._next_batch + 1, -(-len(self.x_train) // self.batch_size)

    def trace(self, x: torch.Tensor, y: torch.Tensor) -> StepTrace:
        """Every number of one training step on batch `x [B, F]`, `y [B, K]`, in float64, with the update the
        optimizer would make from its state as it is now; neither the network nor the optimizer changes."""
        with self.lock:
            model64 = copy.deepcopy(self.model).double()
            s = self.setup
            return trace_step(
                model64,
                x.double(),
                y.double(),
                self.head.loss,
                s.regularization,
                s.reg_rate,
                self.optimizer,
                s.optimizer,
                s.learning_rate,
            )

    @property
    def epoch_progress(self) -> float:
        """The share of the current epoch already trained (0 between epochs)."""
        return self._next_batch / len(self._batches) if self._batches else 0.0

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Data loss + regularization penalty on a batch (what the optimizer minimises)."""
        return training_loss(
            self.head_name,
            self.setup.regularization,
            self.setup.reg_rate,
            self.model.logits(x),
            y,
            [lin.weight for lin in self.model.linears],
        )

    def run(self, epochs: int, seconds: float | None = None) -> int:
        """Train up to `epochs` more epochs; returns how many were completed (fewer at the stop condition, a NaN,
        or after `seconds` of this thread's CPU time: an epoch cut short goes on where it stopped at the next call,
        batch for batch the same training as uninterrupted epochs). CPU time, not wall time: on a server busy with a
        class, a frame still trains what it would alone instead of cutting every epoch into many slow frames. Stops
        at a `core.work.checkpoint` when its computation is cancelled."""
        deadline = None if seconds is None else time.thread_time() + seconds
        done = 0
        with self.lock:
            while done < epochs and self.status == "ready":
                checkpoint()
                epoch_over = self._step()
                over_time = deadline is not None and time.thread_time() > deadline
                if epoch_over:
                    done += 1
                    if self._check_stop() or over_time:
                        break
                elif over_time:
                    break
        return done

    def _step(self) -> bool:
        """One optimizer step on `next_batch()`; at the end of an epoch, counts and records it. Returns whether it
        ended an epoch."""
        xb, yb = self.next_batch()
        for p in self._params:  # = optimizer.zero_grad(set_to_none=True), without its profiler wrapper
            p.grad = None
        self.loss(xb, yb).backward()
        self.optimizer.step()
        self._next_batch += 1
        if self._next_batch < len(self._batches):
            return False
        self._batches, self._next_batch = [], 0
        self.epoch += 1
        self._record(torch.stack(torch._foreach_norm([lin.weight.grad for lin in self.model.linears])).tolist())
        return True

    def _shuffle(self) -> None:
        """Shuffle once per epoch and cut the shuffled copy into views: the same batches as indexing
        `x[order[s:s + bs]]` per step, with two tensor ops fewer per step (eager torch pays per op)."""
        order = torch.randperm(len(self.x_train), generator=self.shuffle)
        self._batches = list(
            zip(self.x_train[order].split(self.batch_size), self.y_train[order].split(self.batch_size), strict=True)
        )
        self._next_batch = 0

    def step(self) -> LossChange:
        """The step training takes next (on `next_batch()`), as `run` takes it: an epoch it ends is counted,
        recorded and checked against the stop conditions. The step-through's "take this step" on the mini-batch."""
        with self.lock:
            x, y = self.next_batch()
            before = self._losses(x, y)
            if self._step():
                self._check_stop()
            return LossChange(*before, *self._losses(x, y))

    def step_on(self, x: torch.Tensor, y: torch.Tensor) -> LossChange:
        """One optimizer step on the given batch (the step-through's "take this step" on one sample); the epoch and
        its batches are unchanged."""
        with self.lock:
            before = self._losses(x, y)
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(x, y).backward()
            self.optimizer.step()
            return LossChange(*before, *self._losses(x, y))

    def _losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """What the optimizer minimises on batch `x`, `y` and on the whole training set."""
        with torch.no_grad():
            return float(self.loss(x, y)), float(self.loss(self.x_train, self.y_train))

    def retune(self, setup: BuilderSetup) -> None:
        """Go on training the same network under settings that do not rebuild it (RETUNED: the learning rate, the
        stop conditions and what the page shows). The stop conditions are checked at once: a network stopped by one
        trains again only if the new ones no longer stop it (a change of what is shown leaves it stopped: "Reached
        the maximum of 100 epochs" must not come back at epoch 101), and one that a new condition stops is stopped."""
        if not self.accepts(setup):
            raise ValueError("this set-up describes another network or data: it needs a new Trainer")
        with self.lock:
            for group in self.optimizer.param_groups:
                group["lr"] = setup.learning_rate
            self.setup = setup
            if not self.diverged:  # its stop conditions, checked again: met now (a maximum below this epoch) or not
                self.status, self.message = "ready", ""
                self._check_stop()

    def frozen_model(self) -> MLP:
        """A copy of the network as it is now, for readers on other threads (eval mode, no gradients)."""
        with self.lock:
            out = copy.deepcopy(self.model)
        for p in out.parameters():
            p.grad = None
        return out.eval().requires_grad_(False)

    def _record(self, grad_norms: list[float]) -> None:
        """Losses on the whole train and test sets (one forward pass over both) and the gradient norms."""
        with torch.no_grad():
            z = self.model.logits(self._x_all)
            n = len(self.x_train)
            train = loss_from_z(self.head.activation, self.head.loss, z[:n], self.y_train, self._f_out)
            test = (
                loss_from_z(self.head.activation, self.head.loss, z[n:], self.y_test, self._f_out)
                if len(self.x_test)
                else torch.tensor(math.nan)
            )
            penalty = (
                weight_penalty(
                    self.setup.regularization, self.setup.reg_rate, [lin.weight for lin in self.model.linears]
                )
                if self.setup.regularization != "none"
                else 0.0
            )
            h = self.history
            h.epochs.append(self.epoch)
            train_loss, test_loss = (torch.stack([train, test]) + penalty).tolist()
            h.train_loss.append(train_loss)
            h.test_loss.append(test_loss)
            h.grad_norms.append(grad_norms)

    def _check_stop(self) -> bool:
        loss = self.history.train_loss[-1]
        blown = not all(torch.isfinite(p).all() for p in self.model.parameters())
        if blown or not math.isfinite(loss):
            self.status = "diverged"
            self.message = (
                f"Training stopped at epoch {self.epoch}: the loss became {loss:.4g}"
                + (" (some weights are no longer finite numbers: they blew up)" if blown else "")
                + f". Lower the learning rate (now {self.setup.learning_rate:g}), then press Reset (the same "
                "initial weights) or New weights."
            )
            return True
        if self.setup.max_epochs and self.epoch >= self.setup.max_epochs:
            self.status, self.message = "done", f"Reached the maximum of {self.setup.max_epochs} epochs."
            return True
        if self.setup.target_loss and loss < self.setup.target_loss:
            self.status = "done"
            self.message = f"Training loss {loss:.4g} fell below the target {self.setup.target_loss:g}."
            return True
        return False
