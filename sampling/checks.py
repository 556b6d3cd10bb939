"""The samplers' argument checks and the watch for the model's outputs.

Every bad argument is a ValueError naming the parameter, raised before the first model call (an unknown keyword is
Python's TypeError, naming the nearest valid one); a model output that is not a tensor of x's shape is a ValueError
saying what to return, and one that holds NaN or Inf stops the run with NonFiniteError naming the step.
"""

import dataclasses
import difflib
import functools
import inspect
import math
import operator
from collections.abc import Callable
from typing import Any, TypeVar, cast

import torch

from .covariance import MODES
from .mixture import check_priors
from .options import OPTIONS, SEED, GmmOptions


def check_options(n_dims, **options):
    """Validates sampler options (OPTIONS) for samples of n_dims elements; raises ValueError naming the parameter."""
    if isinstance(n_dims, bool) or not isinstance(n_dims, int) or n_dims < 1:
        raise ValueError(f"n_dims must be an integer >= 1 (the elements of one sample), got {n_dims!r}")
    names = [option.name for option in OPTIONS]
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; the options are {', '.join(names)}")
    opts = GmmOptions(**{o.name: o.check(options.get(o.name, o.default)) for o in OPTIONS})
    # What one option allows depends on another.
    if (opts.offsets == "ortho" or MODES[opts.covariance].limits_n_components) and opts.n_components > n_dims:
        raise ValueError(f"n_components must be in [1, {n_dims}] (the elements of one sample) for offsets='ortho' "
                         f"or covariance='vub', got {opts.n_components}")
    return dataclasses.replace(opts, priors=check_priors(opts.priors, opts.n_components))


Function = TypeVar("Function", bound=Callable[..., Any])


def names_unknown_keywords(function: Function) -> Function:
    """`function` as it is (signature, docstring and type hints, for editors and type checkers too), whose TypeError
    for an unknown keyword also names the nearest valid one and all of them (Python's names only the function)."""
    parameters = tuple(inspect.signature(function).parameters)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        for name in kwargs:
            if name not in parameters:
                raise TypeError(unknown_keyword(function.__name__, name, parameters))
        return function(*args, **kwargs)

    return cast(Function, checked)


def unknown_keyword(function_name, name, parameters):
    """The message for keyword `name`, which function_name's `parameters` lack."""
    nearest = nearest_name(name, parameters)
    hint = f" Did you mean {nearest!r}?" if nearest else ""
    return (f"{function_name}() got an unexpected keyword argument {name!r}.{hint} Its arguments are "
            f"{', '.join(parameters)}.")


def nearest_name(name, names):
    """The one of `names` that `name` most likely misspells or shortens (None if none is close)."""
    lowered = name.lower()
    starting = [candidate for candidate in names if candidate.startswith(lowered)]
    if len(starting) == 1:
        return starting[0]
    close = difflib.get_close_matches(lowered, names, n=1, cutoff=0.6)
    return close[0] if close else None


def described(value):
    """What a model returned, in a few words: "None", "a numpy.ndarray", "a tuple of 3", "a single tensor"."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return "a single tensor"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    kind = type(value)
    return f"a {kind.__qualname__}" if kind.__module__ == "builtins" else f"a {kind.__module__}.{kind.__qualname__}"


def at_step(i, n_steps=None):
    """Where in the run: step i + 1 (of n_steps), and the callback's i, which counts from 0."""
    of = "" if n_steps is None else f" of {n_steps}"
    return f"at step {i + 1}{of} (the callback's i = {i})"


def check_denoised(denoised, x, i, n_steps=None):
    """Step i's denoised estimate must be a tensor of x's shape; a ValueError saying what to return otherwise."""
    if isinstance(denoised, torch.Tensor):
        if denoised.shape != x.shape:
            raise ValueError(f"model must return the denoised estimate in x's shape {tuple(x.shape)}, got "
                             f"{tuple(denoised.shape)} {at_step(i, n_steps)}")
        return
    if isinstance(denoised, (tuple, list)) and len(denoised) == 2:
        advice = ("a pair (denoised, uncond_denoised) is what CFG++ takes: set cfg_pp=True, or return the denoised "
                  "estimate alone")
    elif isinstance(denoised, (tuple, list)):
        advice = "return the denoised estimate alone"
    elif denoised is None:
        advice = "return the denoised estimate (does the model end with a return statement?)"
    else:
        advice = "return a torch.Tensor (a numpy array: torch.from_numpy(array).to(x))"
    raise ValueError(f"model must return the denoised estimate as a torch.Tensor in x's shape {tuple(x.shape)}, but "
                     f"it returned {described(denoised)} {at_step(i, n_steps)}: {advice}")


def check_seed(seed):
    """None, or an integer torch.Generator.manual_seed takes: [-2**63, 2**64) (ComfyUI's seeds are [0, 2**64))."""
    if seed is None:
        return None
    try:
        if isinstance(seed, bool):
            raise TypeError
        seed = operator.index(seed)  # int, numpy and one-element torch integers; not floats or strings
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"seed must be an integer in [-2**63, 2**64) or None, got {seed!r}") from None
    if not SEED.low <= seed < SEED.high:
        raise ValueError(f"seed must be an integer in [-2**63, 2**64) or None, got {seed}")
    return seed


def check_callables(model, extra_args, callback, noise_sampler):
    if not callable(model):
        raise ValueError(f"model must be callable as model(x, sigma, **extra_args), got {type(model).__name__}")
    if extra_args is not None and not isinstance(extra_args, dict):
        raise ValueError(f"extra_args must be a dict or None, got {type(extra_args).__name__}")
    for name, value in (("callback", callback), ("noise_sampler", noise_sampler)):
        if value is not None and not callable(value):
            raise ValueError(f"{name} must be callable or None, got {type(value).__name__}")


def check_latent(x):
    """x must be a batched floating-point tensor with at least one sample, finite everywhere (one sync per run)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise ValueError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"x must be batched (B, ...) with at least 2 dimensions, got shape {tuple(x.shape)}")
    if x.shape[0] == 0 or x[0].numel() == 0:
        raise ValueError(f"x must hold at least one sample of at least one element, got shape {tuple(x.shape)}")
    # The sum first (one cheap pass, 3 us at D = 65,536 on a CPU core); the exact count only when it is not finite.
    if not math.isfinite(x.sum(dtype=sum_dtype(x)).item()) and not bool(torch.isfinite(x).all()):
        raise ValueError(f"x must be finite, but the latent holds {int((~torch.isfinite(x)).sum())} NaN or Inf "
                         f"values (check the input image, the VAE encode, or the previous sampler)")


def sum_dtype(x):
    """The dtype a finiteness sum runs in: NaN or Inf anywhere makes the sum NaN or Inf, and float32 cannot overflow
    on any latent (values beyond 1e38 / D); float64 for float64 tensors."""
    return torch.float64 if x.dtype == torch.float64 else torch.float32


class NonFiniteError(FloatingPointError):
    """The model returned NaN or Inf: raised with the step and the noise level, and the usual cures."""


class FiniteWatch:
    """Checks that every model output is finite, by its sum (one pass, no temporary the size of x). On the CPU at once,
    so the run stops at the bad step; on other devices the sums stay on the device and are read once, at the end of
    the run, so the loop never waits for the device (the error then names the first bad step all the same)."""

    def __init__(self, x, levels):
        self.levels, self.dtype = levels, sum_dtype(x)
        self.deferred = x.device.type != "cpu"
        self.sums = []

    def see(self, i, denoised, x, uncond=None):
        """Step i's model output (CFG++: uncond, the unconditional prediction, too: one sum for both)."""
        check_denoised(denoised, x, i, len(self.levels) - 1)
        total = denoised.sum(dtype=self.dtype)
        if uncond is not None:
            total = total + uncond.sum(dtype=self.dtype)
        if self.deferred:
            self.sums.append(total)
        elif not math.isfinite(total.item()):
            self.fail(i)

    def finish(self):
        if self.sums:
            bad = ~torch.isfinite(torch.stack(self.sums))
            if bool(bad.any()):
                self.fail(int(bad.nonzero()[0, 0]))

    def fail(self, i):
        raise NonFiniteError(
            f"the model returned NaN or Inf at step {i + 1} of {len(self.levels) - 1} (sigma = {self.levels[i]:.4g}), "
            f"the callback's i = {i}. This is usually a half-precision overflow. In a script: run the model in fp32 "
            f"(or bf16) with x in that dtype, check that the model alone returns finite values at this sigma, and "
            f"that the sigmas are the model's (the largest within its training range). In ComfyUI: --fp32-unet or "
            f"--force-fp32, --fp32-vae, or --bf16-unet. With classifier-free guidance, a lower CFG scale.")
