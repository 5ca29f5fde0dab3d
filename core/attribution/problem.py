"""What an attribution explains: one scalar output, the inputs it is attributed to, and the reference input.

Every model and task (a 2-D network's class probability, a BERT classifier's logit, a masked-LM token score, a
sentence similarity) is reduced to the same `Problem`, so one registry of Captum methods serves them all and the
page never branches per model or per method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import torch

from core.work import checkpoint


@dataclass(frozen=True, eq=False)
class Problem:
    """A scalar function of a batch of inputs, explained at `inputs` relative to `baselines`.

    forward: inputs [B, *shape] → [B] (the chosen target, already selected: Captum's `target` stays None).
    inputs, baselines: [N, *shape]; for text N = 1 and shape = [T, H] (word embeddings), for a 2-D network
    shape = [F] (features).
    feature_mask: [1, *shape] long, the feature each element belongs to (a token groups its H embedding values),
    or None when every element is its own feature.
    feature_names: one per feature (tokens, or feature names such as "X1").
    fixed: per feature, True where perturbation must never change it ([CLS], [SEP], the [MASK] being scored).
    module: an nn.Module computing `forward` from standard layers, for DeepLift's layer rules; None where the
    function is not built from layers Captum's rules handle correctly (BERT).
    kind: "text" or "tabular", for the reasons a method does not apply.
    """

    forward: Callable[[torch.Tensor], torch.Tensor]
    inputs: torch.Tensor
    baselines: torch.Tensor
    feature_names: tuple[str, ...]
    kind: str
    target_label: str  # what the scalar is, e.g. "logit of 'positive'"
    feature_mask: torch.Tensor | None = None
    fixed: tuple[bool, ...] = ()
    module: torch.nn.Module | None = None
    baseline_label: str = ""

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def movable(self) -> np.ndarray | None:
        """Per feature, True where perturbation may change it (agreement is measured there); None when no feature is
        fixed."""
        return np.array([not f for f in self.fixed]) if self.fixed else None

    @property
    def device(self) -> torch.device:
        return self.inputs.device

    def with_baselines(self, baselines: torch.Tensor, label: str) -> Problem:
        """The same problem against another reference input [N, *shape]."""
        return Problem(
            self.forward,
            self.inputs,
            baselines.to(self.inputs),
            self.feature_names,
            self.kind,
            self.target_label,
            self.feature_mask,
            self.fixed,
            self.module,
            label,
        )

    def to_features(self, attributions: torch.Tensor, grouped: bool, reduce: str = "sum") -> torch.Tensor:
        """Per-feature scores [N, n_features] from per-element attributions [N, *shape].

        Grouped methods (perturbations with a feature mask) give every element of a group the group's value, so
        one element is read (0 for fixed features, which are never perturbed); gradient methods give one value per
        element, summed over each group (sign kept) or reduced to the group's L2 norm (`reduce="l2"`, magnitude).
        """
        if self.feature_mask is None:
            return attributions.reshape(attributions.shape[0], -1)
        mask = self.feature_mask[0].reshape(-1)
        flat = attributions.reshape(attributions.shape[0], -1)
        if grouped:
            first = torch.zeros(self.n_features, dtype=torch.long, device=flat.device)
            first.scatter_reduce_(
                0, mask, torch.arange(mask.numel(), device=flat.device), reduce="amin", include_self=False
            )
            scores = flat[:, first]
            if self.fixed:  # never perturbed, so no effect by construction (a fitted surrogate may say otherwise)
                scores = scores.masked_fill(torch.tensor(self.fixed, device=flat.device), 0.0)
            return scores
        values = flat.pow(2) if reduce == "l2" else flat
        out = torch.zeros(flat.shape[0], self.n_features, dtype=flat.dtype, device=flat.device)
        out.index_add_(1, mask, values)
        return out.sqrt() if reduce == "l2" else out

    def perturbed(self, keep: torch.Tensor) -> torch.Tensor:
        """Inputs with some features replaced by the baseline: keep [K, n_features] bool → inputs [K, *shape].

        Used by the faithfulness curves; only for N = 1 problems (one explained input). Fixed features always
        keep their input value.
        """
        keep = keep.clone()
        if self.fixed:
            keep[:, torch.tensor(self.fixed, device=keep.device)] = True
        if self.feature_mask is not None:
            keep = keep[:, self.feature_mask[0].reshape(-1)].reshape(keep.shape[0], *self.inputs.shape[1:])
        keep = keep.to(self.inputs.dtype)
        return self.inputs * keep + self.baselines * (1 - keep)

    @cached_property
    def endpoints(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(f(inputs), f(baselines)), each [N]: computed once per problem, shared by every method run on it."""
        f_x, f_b = self.evaluate(torch.cat([self.inputs, self.baselines])).split(len(self.inputs))
        return f_x, f_b

    @torch.no_grad()
    def evaluate(self, inputs: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
        """forward on a large batch [K, *shape] in chunks → [K]; stops between chunks when cancelled."""
        out = []
        for chunk in inputs.split(batch_size):
            checkpoint()
            out.append(self.forward(chunk).detach())
        return torch.cat(out)

    def counted(self, total: int, progress: Callable[[float, str], None] | None) -> Problem:
        """The same problem whose every forward pass is a cancellation point and reports progress: the share of
        `total` evaluations done so far (Captum calls `forward` once per internal batch)."""
        done = [0]

        def forward(x: torch.Tensor) -> torch.Tensor:
            checkpoint()
            out = self.forward(x)
            done[0] += x.shape[0]
            if progress is not None:
                progress(min(done[0] / max(total, 1), 1.0), f"{done[0]:,} of about {total:,} model evaluations")
            return out

        counted = replace(self, forward=forward)
        if "endpoints" in self.__dict__:  # computed once per problem: the copy shares it
            counted.__dict__["endpoints"] = self.__dict__["endpoints"]
        return counted
