"""Which attribution methods exist, what each needs, and one call shape over Captum for all of them.

`METHODS` maps a key to a `MethodSpec`; `attribute(key, problem, settings)` runs the Captum class with the settings
that method uses and returns per-element attributions (and Captum's convergence delta where it has one). A method
that does not apply to a problem says why (`refusal`) instead of returning numbers that mean nothing.
"""

from __future__ import annotations

import contextlib
import copy
import random
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import (
    DeepLift,
    FeatureAblation,
    GradientShap,
    IntegratedGradients,
    KernelShap,
    Lime,
    NoiseTunnel,
    Occlusion,
    Saliency,
    ShapleyValueSampling,
)

from core.attribution.problem import Problem
from core.settings import setting

# Captum's notices that it set requires_grad on our inputs and that DeepLift hooks a copy: expected, not news.
warnings.filterwarnings("ignore", message="Input Tensor .* did not already require gradients")
warnings.filterwarnings("ignore", message=".*Setting forward, backward hooks and attributes on non-linear")
warnings.filterwarnings("ignore", message="You are providing multiple inputs for Lime")
_RNG_LOCK = threading.Lock()  # the global RNGs are process-wide: seeded sampling runs one session at a time
PRECISIONS = ("fp32", "bf16")
INTEGRATION_METHODS = ("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle")


@dataclass(frozen=True)
class MethodSettings:
    """Every setting any method reads; each method uses the ones its spec lists in `uses`."""

    n_steps: int = setting(50, "n_steps (integration points)", low=2, high=2048)
    integration: str = setting("gausslegendre", "integration rule", kind="select", choices=INTEGRATION_METHODS)
    internal_batch_size: int = setting(
        0,
        "internal_batch_size (0 = from the free memory)",
        low=0,
        high=4096,
        problem="must be between 0 (all at once) and 4096",
    )  # 0: all steps in one batch
    n_samples: int = setting(25, "samples", low=1, high=2000)  # GradientSHAP, NoiseTunnel, Shapley, LIME, KernelSHAP
    stdevs: float = setting(
        0.1,
        "noise σ",
        low=0.0,
        high=10.0,
        step=0.01,  # GradientSHAP, SmoothGrad/VarGrad
        number_format="%.3f",
    )  # in input units
    window: int = setting(1, "window (tokens/features)", low=1, high=64)  # Occlusion, in features (tokens)
    seed: int = setting(0, "seed", low=0, high=2**31 - 1, problem="must be between 0 and 2³¹−1")
    perturbations_per_eval: int = setting(16, "perturbations per forward pass", low=1, high=1024)
    precision: str = setting(
        "fp32",
        "precision",
        kind="radio",
        choices=PRECISIONS,
        help="bf16 runs the model under autocast in bfloat16 (fast on GPUs); the page then shows "
        "how far the scores are from fp32.",
    )  # inputs and scores stay fp32


DEFAULT_SETTINGS = MethodSettings()


@dataclass(frozen=True)
class MethodSpec:
    """One attribution method: how to call it and what its numbers promise."""

    key: str
    title: str
    family: str  # "gradient" (one value per input element) or "perturbation" (one value per feature group)
    completeness: str  # "exact": Σ attributions = f(x) − f(baseline) (up to integration error); "approximate"; ""
    uses: tuple[str, ...]  # names of MethodSettings fields this method reads
    explains: str  # one line for the page: what the number means
    call: Callable[[Problem, MethodSettings], tuple[torch.Tensor, torch.Tensor | None]]
    needs_module: bool = False  # DeepLift: layer rules need the model as standard nn.Modules
    has_delta: bool = False  # Captum returns a convergence delta
    evaluations: Callable[[MethodSettings, int], int] = lambda s, n: 1  # model evaluations for n features

    @property
    def grouped(self) -> bool:
        return self.family == "perturbation"


def _summed_gradients(forward_fn, inputs, target_ind=None, additional_forward_args=None):
    """Captum's `compute_gradients` with one backward pass of the summed outputs.

    Captum differentiates `torch.unbind(outputs)`, a tuple of B scalars, which costs ~10 µs per element: half a
    second for a 30×30 map at 50 steps. Every forward here computes each row of the batch independently of the
    others, so the gradient of the sum is, row by row, the gradient of each output.
    """
    with torch.autograd.set_grad_enabled(True):
        outputs = forward_fn(*inputs)
        return torch.autograd.grad(outputs.sum(), inputs)


def _fast(method):
    """A Captum gradient method using `_summed_gradients` (its documented `gradient_func` attribute)."""
    method.gradient_func = _summed_gradients
    return method


def _ibs(settings: MethodSettings) -> int | None:
    return settings.internal_batch_size or None


def _ig(problem: Problem, s: MethodSettings):
    """IG with Captum's convergence delta, Σ attributions − (f(x) − f(x′)), taken from the problem's cached fp32
    endpoints: Captum's own delta would run two more forward passes (7% of IG on a 16-token MiniLM input)."""
    attributions = _fast(IntegratedGradients(problem.forward)).attribute(
        problem.inputs, problem.baselines, n_steps=s.n_steps, method=s.integration, internal_batch_size=_ibs(s)
    )
    with torch.autocast(problem.device.type, enabled=False):  # fp32 endpoints, whatever precision IG ran in
        f_x, f_b = problem.endpoints
    return attributions, attributions.flatten(1).sum(1).float() - (f_x - f_b)


def _saliency(problem: Problem, s: MethodSettings):
    return _fast(Saliency(problem.forward)).attribute(problem.inputs, abs=False), None


def _input_x_gradient(problem: Problem, s: MethodSettings):
    # Captum's InputXGradient multiplies by x itself; with a baseline the comparable quantity is (x − x')·∂f/∂x.
    grads = _fast(Saliency(problem.forward)).attribute(problem.inputs, abs=False)
    return (problem.inputs - problem.baselines) * grads, None


def _deeplift(problem: Problem, s: MethodSettings):
    # DeepLift registers hooks on every layer while it runs: work on a private copy of the (small) module.
    module = copy.deepcopy(problem.module)
    return DeepLift(module).attribute(problem.inputs, problem.baselines, return_convergence_delta=True)


def _gradient_shap(problem: Problem, s: MethodSettings):
    # GradientSHAP draws baselines from a distribution: the chosen baseline and the input's own baseline set.
    return GradientShap(problem.forward).attribute(
        problem.inputs, problem.baselines, n_samples=s.n_samples, stdevs=s.stdevs, return_convergence_delta=True
    )


def _noise_tunnel(nt_type: str):
    def call(problem: Problem, s: MethodSettings):
        tunnel = NoiseTunnel(_fast(Saliency(problem.forward)))
        return tunnel.attribute(
            problem.inputs,
            nt_type=nt_type,
            nt_samples=s.n_samples,
            stdevs=s.stdevs,
            nt_samples_batch_size=_ibs(s),
            abs=False,
        ), None

    return call


def _occlusion(problem: Problem, s: MethodSettings):
    shape = problem.inputs.shape[1:]
    window = (s.window, *shape[1:])  # a window of tokens (whole embedding rows), or of features
    strides = (1, *shape[1:])
    return Occlusion(problem.forward).attribute(
        problem.inputs,
        sliding_window_shapes=window,
        strides=strides,
        baselines=problem.baselines,
        perturbations_per_eval=s.perturbations_per_eval,
    ), None


def _mask(problem: Problem) -> torch.Tensor | None:
    return problem.feature_mask


def _feature_ablation(problem: Problem, s: MethodSettings):
    return FeatureAblation(problem.forward).attribute(
        problem.inputs,
        baselines=problem.baselines,
        feature_mask=_mask(problem),
        perturbations_per_eval=s.perturbations_per_eval,
    ), None


def _shapley(problem: Problem, s: MethodSettings):
    return ShapleyValueSampling(problem.forward).attribute(
        problem.inputs,
        baselines=problem.baselines,
        feature_mask=_mask(problem),
        n_samples=s.n_samples,
        perturbations_per_eval=s.perturbations_per_eval,
    ), None


def _lime(problem: Problem, s: MethodSettings):
    return Lime(problem.forward).attribute(
        problem.inputs,
        baselines=problem.baselines,
        feature_mask=_mask(problem),
        n_samples=s.n_samples,
        perturbations_per_eval=s.perturbations_per_eval,
    ), None


def _kernel_shap(problem: Problem, s: MethodSettings):
    return KernelShap(problem.forward).attribute(
        problem.inputs,
        baselines=problem.baselines,
        feature_mask=_mask(problem),
        n_samples=s.n_samples,
        perturbations_per_eval=s.perturbations_per_eval,
    ), None


_IG_SETTINGS = ("n_steps", "integration", "internal_batch_size")
_SAMPLED = ("n_samples", "seed", "perturbations_per_eval")

METHODS: dict[str, MethodSpec] = {
    spec.key: spec
    for spec in (
        MethodSpec(
            "integrated-gradients",
            "Integrated Gradients",
            "gradient",
            "exact",
            _IG_SETTINGS,
            "(x − x′) times the gradient averaged along the straight path from the baseline x′ to x.",
            _ig,
            has_delta=True,
            evaluations=lambda s, n: s.n_steps,
        ),
        MethodSpec(
            "saliency",
            "Saliency (gradient)",
            "gradient",
            "",
            (),
            "∂f/∂x at the input: how fast the output moves per unit of each input, sign kept.",
            _saliency,
        ),
        MethodSpec(
            "input-x-gradient",
            "Input × Gradient",
            "gradient",
            "",
            (),
            "(x − x′) · ∂f/∂x: the first-order (linear) estimate of each input's share.",
            _input_x_gradient,
        ),
        MethodSpec(
            "deeplift",
            "DeepLift (rescale)",
            "gradient",
            "exact",
            (),
            "Differences from the baseline propagated back layer by layer with multiplier rules.",
            _deeplift,
            needs_module=True,
            has_delta=True,
        ),
        MethodSpec(
            "gradient-shap",
            "GradientSHAP",
            "gradient",
            "approximate",
            ("n_samples", "stdevs", "seed"),
            "Expected gradients: IG at random points between noisy inputs and the baseline (sums to the "
            "difference only on average).",
            _gradient_shap,
            has_delta=True,
            evaluations=lambda s, n: s.n_samples,
        ),
        MethodSpec(
            "smoothgrad",
            "SmoothGrad (NoiseTunnel)",
            "gradient",
            "",
            ("n_samples", "stdevs", "seed", "internal_batch_size"),
            "The gradient averaged over copies of the input with Gaussian noise σ added.",
            _noise_tunnel("smoothgrad"),
            evaluations=lambda s, n: s.n_samples,
        ),
        MethodSpec(
            "vargrad",
            "VarGrad (NoiseTunnel)",
            "gradient",
            "",
            ("n_samples", "stdevs", "seed", "internal_batch_size"),
            "The variance of the gradient over noisy copies: where the gradient is unstable (always ≥ 0).",
            _noise_tunnel("vargrad"),
            evaluations=lambda s, n: s.n_samples,
        ),
        MethodSpec(
            "occlusion",
            "Occlusion",
            "perturbation",
            "",
            ("window", "perturbations_per_eval"),
            "f(x) − f(x with a window of features set to the baseline), averaged over the windows covering "
            "each feature.",
            _occlusion,
            evaluations=lambda s, n: max(1, n - s.window + 1) + 1,
        ),
        MethodSpec(
            "feature-ablation",
            "Feature Ablation",
            "perturbation",
            "",
            ("perturbations_per_eval",),
            "f(x) − f(x with this one feature set to the baseline).",
            _feature_ablation,
            evaluations=lambda s, n: n + 1,
        ),
        MethodSpec(
            "shapley-value-sampling",
            "Shapley Value Sampling",
            "perturbation",
            "exact",
            _SAMPLED,
            "Average marginal contribution over random feature orders (each order sums exactly to f(x) − f(x′)).",
            _shapley,
            evaluations=lambda s, n: s.n_samples * n + 1,
        ),
        MethodSpec(
            "lime",
            "LIME",
            "perturbation",
            "",
            _SAMPLED,
            "Weights of a sparse linear model (Lasso) fitted to the output on random subsets of features near x.",
            _lime,
            evaluations=lambda s, n: s.n_samples + 1,
        ),
        MethodSpec(
            "kernel-shap",
            "KernelSHAP",
            "perturbation",
            "approximate",
            _SAMPLED,
            "A linear model fitted with the Shapley kernel on random feature subsets.",
            _kernel_shap,
            evaluations=lambda s, n: s.n_samples + 1,
        ),
    )
}


def refusal(key: str, problem: Problem) -> str | None:
    """Why method `key` cannot explain `problem`, or None when it can."""
    spec = METHODS[key]
    if spec.needs_module and problem.module is None:
        if problem.kind == "text":
            return (
                f"{spec.title} is not offered for BERT models: Captum's DeepLift rules do not handle the "
                "functional GELU, LayerNorm and attention softmax inside BERT layers, so its numbers would "
                "not be DeepLift's. Use Integrated Gradients (exact completeness) instead."
            )
        return (
            f"{spec.title} needs every activation to be one Captum has a rule for (ReLU, leaky ReLU, tanh, "
            "sigmoid, softplus); this network uses another (e.g. GELU). Use Integrated Gradients."
        )
    if spec.needs_module and any(isinstance(m, torch.nn.Softmax) for m in problem.module.modules()):
        return (
            f"{spec.title} through a softmax does not sum to the change of the probability (Captum's rule for "
            "softmax is approximate): explain the logit instead, or use Integrated Gradients."
        )
    if spec.family == "perturbation" and problem.kind == "tabular" and problem.n_features < 2:
        return f"{spec.title} needs at least two features to perturb."
    return None


@contextlib.contextmanager
def _seeded(seed: int, device: torch.device):
    """Seed the RNGs Captum draws from (torch; numpy and `random` for GradientSHAP), then restore them."""
    numpy_state, python_state = np.random.get_state(), random.getstate()
    with _RNG_LOCK, torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)
            random.setstate(python_state)


def attribute(key: str, problem: Problem, settings: MethodSettings) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Run method `key` on `problem`: per-element attributions [N, *shape] and the convergence delta [N] or None.

    Sampling methods draw from torch's RNG seeded with `settings.seed`, forked and under a lock, so a result is
    reproducible and other sessions' random streams are untouched. Raises ValueError with the refusal reason.
    """
    reason = refusal(key, problem)
    if reason:
        raise ValueError(reason)
    spec = METHODS[key]
    seeded = _seeded(settings.seed, problem.device) if "seed" in spec.uses else contextlib.nullcontext()
    autocast = torch.autocast(problem.device.type, torch.bfloat16, enabled=settings.precision == "bf16")
    with seeded, autocast:
        attributions, delta = spec.call(problem, settings)
    attributions = attributions.float()
    return attributions.detach(), (delta.detach().reshape(-1) if delta is not None else None)
