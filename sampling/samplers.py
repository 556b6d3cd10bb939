"""The k-diffusion sampler loops: sample_ddim_gmm, sample_rfim_gmm and their Gaussian baselines.

Each follows k-diffusion's convention: model(x, sigma * s_in, **extra_args) returns the denoised estimate, `sigmas`
is non-increasing, the callback gets {"x", "i", "sigma", "sigma_hat", "denoised"} once per step.
"""

import dataclasses
import math
import operator
from dataclasses import dataclass, fields

import torch
from tqdm.auto import trange

from .kernel import component_coefficients, kernel_step
from .mixture import COVARIANCES, OFFSETS, Mixture, check_priors, draw_mixture, make_priors
from .schedule import ddim_step, rfim_step, sigmas_to_floats

OFFSET_SCHEDULES = ("constant", "noise_matched")
# The paper searched s <= 20. VP data has unit variance per coordinate, so an offset of norm 100 is already a sizeable
# fraction of a whole SDXL latent's norm (256); beyond it a half-precision latent can overflow.
S_MAX = 100.0
# The GMM's own draws (offsets, component indices) come from a generator seeded with seed + this constant, so they
# never disturb the Gaussian noise stream: s = 0 then reproduces euler_ancestral bit for bit in the noise it uses.
GMM_SEED_OFFSET = 0x9E3779B97F4A7C15


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
    if not -2**63 <= seed < 2**64:
        raise ValueError(f"seed must be an integer in [-2**63, 2**64) or None, got {seed}")
    return seed


def default_noise_sampler(x, seed=None):
    """ComfyUI's default: torch.randn from a generator on x's device seeded with `seed` (global RNG without one)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"x must be a torch.Tensor, got {type(x).__name__}")
    seed = check_seed(seed)
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device)
        generator.manual_seed(seed)
    return lambda sigma, sigma_next: torch.randn(x.size(), dtype=x.dtype, layout=x.layout, device=x.device,
                                                 generator=generator)


def gmm_generator(x, seed=None):
    """The generator of the GMM's own draws: on the CPU whatever x's device (the mixture is drawn there, see
    MixtureSource), seeded with seed + GMM_SEED_OFFSET; None (torch's global CPU generator) without a seed."""
    seed = check_seed(seed)
    if seed is None:
        return None
    generator = torch.Generator(device="cpu")
    generator.manual_seed((seed + GMM_SEED_OFFSET) % 2**64)
    return generator


@dataclass(frozen=True)
class GmmOptions:
    """The kernel's options; see sample_ddim_gmm for their meaning."""

    eta: float = 1.0
    s: float = 1.0
    n_components: int = 8
    offsets: str = "ortho"
    covariance: str = "vub"
    share_offsets: bool = True
    priors: object = None
    offset_schedule: str = "constant"
    offset_variance_fraction: float = 0.5


def _check_number(name, value, low, high=math.inf):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ValueError(f"{name} must be a finite number in [{low}, {high}], got {value!r}")
    return float(value)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_eta(eta):
    # eta = 1 is DDPM's posterior variance (flow: independent steps); beyond it the kernel's mean term has no real root.
    return _check_number("eta", eta, 0.0, 1.0)


def check_options(n_dims, **options):
    """Validates sampler options for samples of n_dims elements; raises ValueError naming the parameter."""
    if isinstance(n_dims, bool) or not isinstance(n_dims, int) or n_dims < 1:
        raise ValueError(f"n_dims must be an integer >= 1 (the elements of one sample), got {n_dims!r}")
    unknown = sorted(set(options) - {f.name for f in fields(GmmOptions)})
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; the options are "
                         f"{', '.join(f.name for f in fields(GmmOptions))}")
    opts = GmmOptions(**options)
    if isinstance(opts.n_components, bool) or not isinstance(opts.n_components, int) or opts.n_components < 1:
        raise ValueError(f"n_components must be an integer >= 1, got {opts.n_components!r}")
    offsets = _check_choice("offsets", opts.offsets, OFFSETS)
    covariance = _check_choice("covariance", opts.covariance, COVARIANCES)
    if (offsets == "ortho" or covariance == "vub") and opts.n_components > n_dims:
        raise ValueError(f"n_components must be in [1, {n_dims}] (the elements of one sample) for offsets='ortho' "
                         f"or covariance='vub', got {opts.n_components}")
    if not isinstance(opts.share_offsets, bool):
        raise ValueError(f"share_offsets must be True or False, got {opts.share_offsets!r}")
    return GmmOptions(
        eta=check_eta(opts.eta),
        s=_check_number("s", opts.s, 0.0, S_MAX),
        n_components=opts.n_components,
        offsets=offsets,
        covariance=covariance,
        share_offsets=opts.share_offsets,
        priors=check_priors(opts.priors, opts.n_components),
        offset_schedule=_check_choice("offset_schedule", opts.offset_schedule, OFFSET_SCHEDULES),
        offset_variance_fraction=_check_number("offset_variance_fraction", opts.offset_variance_fraction, 0.0, 1.0),
    )


class MixtureSource:
    """Hands each step i its mixture, offset scale, component indices and per-component noise coefficients.

    Everything a run can know in advance is computed once: the priors, the component index of every sample at every
    step (one draw), and with shared offsets the mixture and the coefficient tables of all steps (vectorised over
    the steps' variances). Per-step offsets draw a fresh mixture at each step.

    All of it is drawn and computed on the CPU (from a CPU generator) and moved to `device` once per run, or once per
    step for per-step offsets: the same seed then gives the same mixture on every device, and the QR and eigh run
    where torch.linalg exists (MPS lacks linalg_qr and linalg_eigh, DirectML most of torch.linalg). The Gaussian
    noise z stays on the latent's device, drawn by the noise sampler.
    """

    def __init__(self, opts, n_dims, batch, variances, generator, device, dtype):
        self.opts, self.n_dims, self.generator, self.device, self.dtype = opts, n_dims, generator, device, dtype
        if generator is not None and generator.device.type != "cpu":
            raise ValueError(f"generator must be a CPU generator (the mixture is drawn on the CPU), got one on "
                             f"{generator.device}")
        cpu = torch.device("cpu")
        self.priors = make_priors(opts.priors, opts.n_components, generator, cpu, dtype)
        self.prior_list = self.priors.tolist()
        self.shared = self.draw() if opts.share_offsets else None
        # k ~ Categorical(pi) for every sample at every step, by inverting the CDF: one draw for the run.
        u = torch.rand(len(variances), batch, generator=generator, dtype=dtype)
        components = torch.searchsorted(self.priors.cumsum(0), u, right=True).clamp_max_(opts.n_components - 1)
        self.variances = torch.tensor(variances, dtype=dtype)
        if self.shared is not None:
            self.scales = self.scale(self.shared, self.variances)
            coefficients = component_coefficients(self.shared, opts.covariance, self.variances, self.scales)
            self.shared, self.scales, self.coefficients = to_device((self.shared, self.scales, coefficients), device)
        self.components = components.to(device)

    def draw(self):
        """A fresh mixture, on the CPU."""
        o = self.opts
        return draw_mixture(o.offsets, o.covariance, self.priors, self.n_dims, self.generator, self.priors.device,
                            self.dtype, need_max_scale=o.offset_schedule == "noise_matched", prior_list=self.prior_list)

    def scale(self, mix, var):
        """The offset scale s_t for variance(s) var: constant s, or noise-matched s_t^2 = fraction * s_max^2 with
        s_max the largest scale at which var I - Delta_k is PSD for every k."""
        if self.opts.offset_schedule == "constant":
            return self.opts.s
        return (self.opts.offset_variance_fraction * var * mix.max_scale_sq_per_var).sqrt()

    def at(self, i):
        """(mixture, scale, component indices, coefficients) for loop step i, on the latent's device."""
        if self.shared is not None:
            scale = self.scales if isinstance(self.scales, float) else self.scales[i]
            return self.shared, scale, self.components[i], self.coefficients[i]
        mix = self.draw()
        var = self.variances[i]
        scale = self.scale(mix, var)
        coefficients = component_coefficients(mix, self.opts.covariance, var, scale)
        mix, scale, coefficients = to_device((mix, scale, coefficients), self.device)
        return mix, scale, self.components[i], coefficients


def to_device(items, device):
    """Mixtures and tensors moved to `device` (numbers pass through): one host-to-device copy each."""
    return tuple(item.to(device) if isinstance(item, (Mixture, torch.Tensor)) else item for item in items)


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


def compute_dtype(x):
    """Validates the latent x (check_latent) and returns the dtype the GMM arithmetic runs in."""
    check_latent(x)
    # The GMM arithmetic runs in float32 for half-precision latents, in x's own precision otherwise.
    return torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype


def check_callables(model, extra_args, callback, noise_sampler):
    if not callable(model):
        raise ValueError(f"model must be callable as model(x, sigma, **extra_args), got {type(model).__name__}")
    if extra_args is not None and not isinstance(extra_args, dict):
        raise ValueError(f"extra_args must be a dict or None, got {type(extra_args).__name__}")
    for name, value in (("callback", callback), ("noise_sampler", noise_sampler)):
        if value is not None and not callable(value):
            raise ValueError(f"{name} must be callable or None, got {type(value).__name__}")


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

    def see(self, i, denoised, x):
        if denoised.shape != x.shape:
            raise ValueError(f"model must return the denoised estimate in x's shape {tuple(x.shape)}, got "
                             f"{tuple(denoised.shape)} at step {i + 1}")
        total = denoised.sum(dtype=self.dtype)
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
            f"the model returned NaN or Inf at step {i + 1} of {len(self.levels) - 1} (sigma = {self.levels[i]:.4g}). "
            f"This is usually a half-precision overflow: run the model and VAE in fp32 (ComfyUI: --fp32-unet or "
            f"--force-fp32, --fp32-vae) or in bf16 (--bf16-unet), or lower the CFG scale")


def sample_kernel(flow, model, x, sigmas, extra_args=None, callback=None, disable=None, noise_sampler=None,
                  eta=1.0, gmm=None, seed=None, step_variance=None):
    """The shared loop. flow picks RFIM (tau = sigma) or DDIM (VE sigma); gmm is None (the Gaussian kernel) or a
    dict of mixture options, validated here against the latent's size before the first model call.

    step_variance: None, or for the matched-noise control (control.py) a function (mixture, scale, var,
    coefficients, covariance, n_dims) -> v: the mixture is drawn as for the GMM kernel, but each step is the Gaussian
    kernel at eta with variance v instead of var.
    """
    check_callables(model, extra_args, callback, noise_sampler)
    extra_args = {} if extra_args is None else extra_args
    dtype = compute_dtype(x)
    eta = check_eta(eta)
    gmm = None if gmm is None else check_options(x[0].numel(), eta=eta, **gmm)
    levels = sigmas_to_floats(sigmas, flow=flow)
    if not isinstance(sigmas, torch.Tensor):
        sigmas = torch.tensor(levels, device=x.device)
    seed = check_seed(extra_args.get("seed", None) if seed is None else seed)
    noise_sampler = default_noise_sampler(x, seed=seed) if noise_sampler is None else noise_sampler
    batch, n_dims = x.shape[0], x[0].numel()
    make_step = rfim_step if flow else ddim_step
    # Every step's constants up front (None where the step returns the denoised estimate).
    steps = [make_step(a, b, eta) if b > 0 else None for a, b in zip(levels[:-1], levels[1:])]
    source = None if gmm is None else MixtureSource(gmm, n_dims, batch, [st.var if st else 0.0 for st in steps],
                                                    gmm_generator(x, seed), x.device, dtype)
    watch = FiniteWatch(x, levels)

    def flat(t):
        return t.reshape(batch, n_dims).to(dtype)

    s_in = x.new_ones([batch])
    for i in trange(len(levels) - 1, disable=disable):
        denoised = model(x, sigmas[i] * s_in, **extra_args)
        watch.see(i, denoised, x)
        if callback is not None:
            callback({"x": x, "i": i, "sigma": sigmas[i], "sigma_hat": sigmas[i], "denoised": denoised})
        step = steps[i]
        if step is None:
            # The last step returns the denoised estimate: the GMM kernel is defined for t > 1 only.
            x = denoised
            continue
        mixture = ()  # the Gaussian kernel; else (mixture, scale, components, coefficients, covariance)
        if step_variance is not None:
            # The control: the Gaussian kernel, with the variance the step's mixture sets.
            mix, scale, _, coefficients = source.at(i)
            step = dataclasses.replace(step, var=step_variance(mix, scale, step.var, coefficients, gmm.covariance,
                                                               n_dims))
            z = flat(noise_sampler(sigmas[i], sigmas[i + 1])) if step.var > 0 else None
        else:
            # z before the step's mixture: without a seed both come from torch's global generator.
            z = flat(noise_sampler(sigmas[i], sigmas[i + 1])) if eta > 0 else None
            if source is not None:
                mixture = (*source.at(i), gmm.covariance)
        x_next = kernel_step(flat(x), flat(denoised), step, z, *mixture)
        x = x_next.reshape(x.shape).to(x.dtype)
    watch.finish()
    return x


@torch.no_grad()
def sample_ddim_gmm(model, x, sigmas, extra_args=None, callback=None, disable=None, eta=1.0, s=1.0, n_components=8,
                    offsets="ortho", covariance="vub", share_offsets=True, priors=None, offset_schedule="constant",
                    offset_variance_fraction=0.5, noise_sampler=None, seed=None):
    """DDIM-GMM (Eq. 7) for diffusion models: DDIM whose Gaussian kernel is a moment-matched Gaussian mixture.

    eta: DDIM stochasticity in [0, 1] (0 = deterministic DDIM plus offsets, 1 = DDPM variance).
    s: offset scale in [0, 100], VP units (the paper's s; it searched {0.01, 0.1, 1, 10}), for
        offset_schedule="constant".
    n_components: K >= 1 mixture components (<= D for ortho offsets or vub covariance).
    offsets: "ortho" (Eq. 10, orthonormal frame) or "rand" (Eq. 9, random unit directions).
    covariance: "diag" (diagonal of var I - Delta_k), "vub" (the paper's variance upper bounds, Eq. 34) or
        "exact" (ours: the exact low-rank covariance, clipped only where var < lam_max / (K pi_k)).
    share_offsets: one draw for the whole run (the paper's "*" variants) or a fresh draw every step.
    priors: None (uniform), "random" (one flat-Dirichlet draw per run) or K positive weights summing to 1.
    offset_schedule: "constant" (s at every step, the paper) or "noise_matched" (ours: at each step the scale at which
        offset_variance_fraction of the step's Gaussian variance moves into the mixture's spread, s_t^2 =
        fraction * s_max^2, s_max the largest scale keeping var I - Delta_k PSD; `s` is then unused).
    noise_sampler: k-diffusion style noise_sampler(sigma, sigma_next); default seeded like ComfyUI's from `seed`, else
        extra_args["seed"] (ComfyUI puts it there), else torch's global generator. The GMM's own draws use a separate
        CPU generator derived from the same seed, so the mixture is the same on every device.
    seed: an integer, for scripts whose model does not take a `seed` keyword from extra_args.

    Raises ValueError naming the parameter for any bad argument (a latent with NaN or Inf, an empty batch, a seed
    that is not an integer, ...) before the first model call, and NonFiniteError naming the step and the noise level
    if the model returns NaN or Inf.
    """
    gmm = dict(s=s, n_components=n_components, offsets=offsets, covariance=covariance, share_offsets=share_offsets,
               priors=priors, offset_schedule=offset_schedule, offset_variance_fraction=offset_variance_fraction)
    return sample_kernel(False, model, x, sigmas, extra_args, callback, disable, noise_sampler, eta, gmm, seed)


@torch.no_grad()
def sample_rfim_gmm(model, x, sigmas, extra_args=None, callback=None, disable=None, eta=0.0, s=1.0, n_components=8,
                    offsets="ortho", covariance="vub", share_offsets=True, priors=None, offset_schedule="constant",
                    offset_variance_fraction=0.5, noise_sampler=None, seed=None):
    """RFIM-GMM (Section 4) for rectified-flow models (tau = sigma in [0, 1]); options as sample_ddim_gmm.

    eta scales the step variance var = (eta tau')^2: 0 is the Euler flow step plus offsets, 1 makes steps independent.
    """
    gmm = dict(s=s, n_components=n_components, offsets=offsets, covariance=covariance, share_offsets=share_offsets,
               priors=priors, offset_schedule=offset_schedule, offset_variance_fraction=offset_variance_fraction)
    return sample_kernel(True, model, x, sigmas, extra_args, callback, disable, noise_sampler, eta, gmm, seed)


@torch.no_grad()
def sample_ddim(model, x, sigmas, extra_args=None, callback=None, disable=None, eta=1.0, noise_sampler=None,
                seed=None):
    """DDIM (Eq. 6) in VE form: the Gaussian kernel; equals k-diffusion's sample_euler_ancestral(eta)."""
    return sample_kernel(False, model, x, sigmas, extra_args, callback, disable, noise_sampler, eta, seed=seed)


@torch.no_grad()
def sample_rfim(model, x, sigmas, extra_args=None, callback=None, disable=None, eta=0.0, noise_sampler=None,
                seed=None):
    """RFIM (Section 4): the Gaussian flow kernel; eta = 0 is the Euler step x' = (tau'/tau) x + (1 - tau'/tau) x0."""
    return sample_kernel(True, model, x, sigmas, extra_args, callback, disable, noise_sampler, eta, seed=seed)
