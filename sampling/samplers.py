"""The k-diffusion samplers: sample_ddim_gmm, sample_rfim_gmm, their Gaussian baselines and their controls.

One loop, sample_loop, in k-diffusion's convention: model(x, sigma * s_in, **extra_args) returns the denoised
estimate, `sigmas` is non-increasing, the callback gets {"x", "i", "sigma", "sigma_hat", "denoised"} once per step.
Each step but the last is a kernel's: GaussianKernel (DDIM / RFIM), MixtureKernel (DDIM-GMM / RFIM-GMM) or
ControlKernel (the matched-noise control), each drawing what its step needs and calling kernel.py. The options are
declared in options.py, the arguments checked in checks.py, once per run, before the first model call.
"""

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Literal

import torch
from tqdm.auto import trange

from .checks import (FiniteWatch, at_step, check_callables, check_latent, check_options, check_seed, described,
                     names_unknown_keywords)
from .control import MATCH, control_variance
from .covariance import MODES
from .kernel import gaussian_step, gmm_step
from .mixture import Mixture, make_mixture, make_priors
from .options import NOISE_SCALE, OPTION
from .schedule import ddim_constants, rfim_constants, sigmas_to_floats

# The GMM's own draws (offsets, component indices) come from a generator seeded with seed + this constant, so they
# never disturb the Gaussian noise stream: s = 0 then reproduces euler_ancestral bit for bit in the noise it uses.
GMM_SEED_OFFSET = 0x9E3779B97F4A7C15


def noise_seed(x, seed):
    """The seed of the step noise's generator for a latent x and a run's seed: seed + 1 on the CPU, seed elsewhere.

    ComfyUI draws a run's initial noise on the CPU from a generator seeded with the run's seed; a CPU step-noise
    generator seeded with the same seed would repeat those numbers as the first step's noise (ComfyUI issue #9819,
    fixed in its default_noise_sampler by PR #11528, which this follows). The largest seed, 2**64 - 1, wraps to 0
    (torch's manual_seed takes seeds modulo 2**64), so every seed check_seed accepts stays one torch takes."""
    seed = check_seed(seed)
    if seed is None or x.device.type != "cpu":
        return seed
    return seed + 1 if seed + 1 < 2**64 else 0


def default_noise_sampler(x, seed=None):
    """ComfyUI's current default: torch.randn from a generator on x's device seeded with noise_seed(x, seed) (seed + 1
    on the CPU, where the initial noise is drawn from seed itself; seed elsewhere), the global RNG without a seed.
    Inside ComfyUI the nodes use the host's own default_noise_sampler instead (nodes/options.py)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"x must be a torch.Tensor, got {type(x).__name__}")
    seed = noise_seed(x, seed)
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device)
        generator.manual_seed(seed)
    return lambda sigma, sigma_next: torch.randn(x.size(), dtype=x.dtype, layout=x.layout, device=x.device,
                                                 generator=generator)


def gmm_generator(x, seed=None):
    """The generator of the GMM's own draws: on the CPU whatever x's device (the mixture is drawn there, see
    MixtureSource), seeded with seed + GMM_SEED_OFFSET (seed: one check_seed took); None (torch's global CPU
    generator) without a seed."""
    if seed is None:
        return None
    generator = torch.Generator(device="cpu")
    generator.manual_seed((seed + GMM_SEED_OFFSET) % 2**64)
    return generator


def compute_dtype(x):
    """The dtype the GMM arithmetic runs in: float32 for half-precision latents, x's own precision otherwise."""
    return torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype


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
        self.covariance = MODES[opts.covariance]
        self.priors = make_priors(opts.priors, opts.n_components, generator, cpu, dtype)
        self.prior_list = self.priors.tolist()
        self.shared = self.draw() if opts.share_offsets else None
        # k ~ Categorical(pi) for every sample at every step, by inverting the CDF: one draw for the run.
        u = torch.rand(len(variances), batch, generator=generator, dtype=dtype)
        components = torch.searchsorted(self.priors.cumsum(0), u, right=True).clamp_max_(opts.n_components - 1)
        self.variances = torch.tensor(variances, dtype=dtype)
        if self.shared is not None:
            self.scales = self.scale(self.shared, self.variances)
            coefficients = self.covariance.coefficients(self.shared, self.variances, self.scales)
            self.shared, self.scales, self.coefficients = to_device((self.shared, self.scales, coefficients), device)
        self.components = components.to(device)

    def draw(self):
        """A fresh mixture, on the CPU."""
        o = self.opts
        return make_mixture(o.offsets, self.covariance, self.priors, self.n_dims, self.generator, self.priors.device,
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
        coefficients = self.covariance.coefficients(mix, var, scale)
        mix, scale, coefficients = to_device((mix, scale, coefficients), self.device)
        return mix, scale, self.components[i], coefficients


def to_device(items, device):
    """Mixtures and tensors moved to `device` (numbers pass through): one host-to-device copy each."""
    return tuple(item.to(device) if isinstance(item, (Mixture, torch.Tensor)) else item for item in items)


class GaussianKernel:
    """DDIM (Eq. 6) / RFIM: x' = mean + out_scale sqrt(var) z, z from the noise sampler where eta > 0."""

    def __init__(self, n_dims, eta, cfg_pp):
        self.eta, self.cfg_pp = OPTION["eta"].check(eta), OPTION["cfg_pp"].check(cfg_pp)

    def prepare(self, x, steps, noise, seed):
        """Before the loop: the steps' constants (schedule.Step, None for the last) and noise(i), step i's z."""
        self.steps, self.noise = steps, noise

    def __call__(self, i, x, x0, uncond):
        z = self.noise(i) if self.eta > 0 else None
        return gaussian_step(x, x0, self.steps[i], z, uncond)


class MixtureKernel:
    """DDIM-GMM / RFIM-GMM (Eq. 7): x' = mean + out_scale (delta_k + xi), the mixture of step i from MixtureSource."""

    def __init__(self, n_dims, eta, cfg_pp, **gmm):
        self.opts = check_options(n_dims, eta=eta, cfg_pp=cfg_pp, **gmm)
        self.eta, self.cfg_pp = self.opts.eta, self.opts.cfg_pp

    def prepare(self, x, steps, noise, seed):
        """Before the loop: as GaussianKernel's, and everything of the mixture a run can know in advance."""
        self.steps, self.noise = steps, noise
        self.mixtures = MixtureSource(self.opts, x[0].numel(), x.shape[0], [st.var if st else 0.0 for st in steps],
                                      gmm_generator(x, seed), x.device, compute_dtype(x))

    def __call__(self, i, x, x0, uncond):
        # z before the step's mixture: without a seed both come from torch's global generator.
        z = self.noise(i) if self.eta > 0 else None
        mix, scale, k, coefficients = self.mixtures.at(i)
        return gmm_step(x, x0, self.steps[i], z, mix, scale, k, coefficients, uncond)


class ControlKernel(MixtureKernel):
    """The matched-noise control (control.py): the Gaussian step at the variance v that step i's mixture sets."""

    def __init__(self, n_dims, eta, cfg_pp, match, **gmm):
        super().__init__(n_dims, eta, cfg_pp, **gmm)
        self.match, self.n_dims = MATCH.check(match), n_dims

    def __call__(self, i, x, x0, uncond):
        mix, scale, _, coefficients = self.mixtures.at(i)
        step = self.steps[i]
        step = dataclasses.replace(step, var=control_variance(mix, scale, step.var, coefficients, self.n_dims,
                                                              self.match))
        z = self.noise(i) if step.var > 0 else None
        return gaussian_step(x, x0, step, z, uncond)


def sample_loop(kernel, model, x, sigmas, extra_args=None, callback=None, disable=None, noise_sampler=None, seed=None,
                *, flow=False, noise_scale=1.0, **options):
    """The loop of every sampler: k-diffusion's, each step but the last taken by `kernel`.

    kernel: GaussianKernel, MixtureKernel or ControlKernel, made from `options` (eta, cfg_pp, and the mixture's
    options and the control's match) for samples of x[0].numel() elements, which it checks. flow: rectified flow
    (RFIM's step, tau = sigma in [0, 1]), else diffusion (DDIM's, VE sigma). cfg_pp: the model returns (denoised,
    uncond_denoised) and each step takes its noise direction from the unconditional prediction (see guided_pair).
    Every argument is checked here, once, before the first model call; per step only the model's output.
    """
    check_callables(model, extra_args, callback, noise_sampler)
    extra_args = {} if extra_args is None else extra_args
    check_latent(x)
    batch, n_dims = x.shape[0], x[0].numel()
    transition = kernel(n_dims, **options)
    noise_scale = NOISE_SCALE.check(noise_scale)
    levels = sigmas_to_floats(sigmas, flow=flow)
    if not isinstance(sigmas, torch.Tensor):
        sigmas = torch.tensor(levels, device=x.device)
    seed = check_seed(extra_args.get("seed", None) if seed is None else seed)
    noise_sampler = default_noise_sampler(x, seed=seed) if noise_sampler is None else noise_sampler
    # Every step's constants up front (None where the step returns the denoised estimate).
    eta = transition.eta
    steps = [(rfim_constants(a, b, eta, noise_scale) if flow else ddim_constants(a, b, eta)) if b > 0 else None
             for a, b in zip(levels[:-1], levels[1:])]
    dtype = compute_dtype(x)

    def flat(t):
        return t.reshape(batch, n_dims).to(dtype)

    transition.prepare(x, steps, lambda i: flat(noise_sampler(sigmas[i], sigmas[i + 1])), seed)
    watch = FiniteWatch(x, levels)
    s_in = x.new_ones([batch])
    for i in trange(len(levels) - 1, disable=disable):
        if transition.cfg_pp:
            denoised, uncond = guided_pair(model(x, sigmas[i] * s_in, **extra_args), i, x)
        else:
            denoised, uncond = model(x, sigmas[i] * s_in, **extra_args), None
        watch.see(i, denoised, x, uncond)
        if callback is not None:
            callback({"x": x, "i": i, "sigma": sigmas[i], "sigma_hat": sigmas[i], "denoised": denoised})
        if steps[i] is None:
            # The last step returns the denoised estimate: the GMM kernel is defined for t > 1 only.
            x = denoised
            continue
        x_next = transition(i, flat(x), flat(denoised), None if uncond is None else flat(uncond))
        x = x_next.reshape(x.shape).to(x.dtype)
    watch.finish()
    return x


def guided_pair(output, i, x):
    """CFG++'s model output at step i: (denoised, uncond_denoised), the guided and the unconditional x0 predictions,
    each in x's shape; a ValueError saying what the model must return otherwise."""
    if not (isinstance(output, (tuple, list)) and len(output) == 2):
        advice = "; a model that returns the denoised estimate alone needs cfg_pp=False" if isinstance(
            output, torch.Tensor) else ""
        raise ValueError(f"cfg_pp=True needs a model that returns the pair (denoised, uncond_denoised), the guided "
                         f"and the unconditional x0 predictions, but it returned {described(output)} {at_step(i)} "
                         f"(see docs/method.md, CFG++; in ComfyUI the node installs this itself){advice}")
    denoised, uncond = output
    for name, prediction in (("denoised", denoised), ("uncond_denoised", uncond)):
        if not isinstance(prediction, torch.Tensor):
            raise ValueError(f"cfg_pp=True: the model's {name} must be a torch.Tensor in x's shape {tuple(x.shape)}, "
                             f"got {described(prediction)} {at_step(i)}")
    if uncond.shape != x.shape:
        raise ValueError(f"cfg_pp=True: the model's uncond_denoised must have x's shape {tuple(x.shape)}, got "
                         f"{tuple(uncond.shape)} {at_step(i)}")
    return denoised, uncond


@names_unknown_keywords
def sample_ddim_gmm(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None,
        eta: float = 1.0, s: float = 1.0, n_components: int = 8, offsets: Literal["ortho", "rand"] = "ortho",
        covariance: Literal["diag", "vub", "exact"] = "vub", share_offsets: bool = True,
        priors: Literal["uniform", "random"] | Sequence[float] | torch.Tensor | None = None,
        offset_schedule: Literal["constant", "noise_matched"] = "constant", offset_variance_fraction: float = 0.5,
        cfg_pp: bool = False,
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """DDIM-GMM (Eq. 7) for diffusion models: DDIM whose Gaussian kernel is a moment-matched Gaussian mixture.

    Args:
        model: k-diffusion's denoiser, model(x, sigma * ones(batch), **extra_args) -> the denoised estimate in x's
            shape; with cfg_pp=True the pair (denoised, uncond_denoised).
        x: the latent at sigmas[0], batched (B, ...) of any rank, floating point (fp16 and bf16 kept, the mixture
            computed in float32).
        sigmas: the noise levels (VE sigmas), non-increasing; the step to 0 returns the denoised estimate.
        extra_args: keywords for the model (ComfyUI puts the seed there).
        callback: called once per step with {"x", "i", "sigma", "sigma_hat", "denoised"}, i counting from 0.
        disable: True turns the progress bar off.
        eta: Stochasticity in [0, 1]. 0: deterministic DDIM (flow: Euler) plus the mixture offsets, the paper's main
            setting. 1: DDPM variance, like euler_ancestral (flow: independent steps; the paper keeps flow eta <=
            0.5). covariance and noise_matched only matter when eta > 0.
        s: Offset scale s in [0, 100]: the length of each component's offset from the DDIM mean (VP units). The
            paper found s = 10 best at 10 steps and about 1 from 20 steps on. 0 turns the mixture off (plain DDIM /
            euler_ancestral).
        n_components: K >= 1 mixture components (at most D, the elements of one sample, for 'ortho' offsets or
            'vub').
        offsets: How the K offsets are drawn: 'ortho' an orthonormal frame (Eq. 10), 'rand' independent random
            directions of length s (Eq. 9).
        covariance: How each component's noise is shrunk to keep the moments matched: 'diag' (the paper's
            diagonal), 'vub' (the paper's variance upper bounds, Eq. 34) or 'exact' (ours: the exact low-rank
            covariance).
        share_offsets: Draw the offsets once for the whole run (the paper's '*' variants) or anew at every step.
        priors: Component weights: 'uniform' (1/K each, the paper's default) or 'random' (one flat-Dirichlet draw
            per run, from the seed). None is 'uniform'; K positive weights summing to 1 set them.
        offset_schedule: 'constant': the same scale s at every step (the paper). 'noise_matched' (ours): at each
            step the scale that moves offset_variance_fraction of the step's noise variance into the mixture's
            spread; exactly moment matched; its offsets vanish where eta = 0.
        offset_variance_fraction: For offset_schedule 'noise_matched': the fraction in [0, 1] of each step's noise
            variance moved into the mixture's spread (0 = plain DDIM).
        cfg_pp: CFG++ (arXiv 2406.08070): the step's mean from the guided x0 and the unconditional noise direction
            eps_u = (x - x_coef x0_u) / sigma; the model must then return the pair (denoised, uncond_denoised).
        noise_sampler: k-diffusion's noise_sampler(sigma, sigma_next) -> the step's Gaussian noise in x's shape.
            None: default_noise_sampler(x, seed), seeded as ComfyUI's own (seed + 1 on the CPU, where the initial
            noise is drawn from seed itself).
        seed: The run's seed: an integer in [-2**63, 2**64) (numpy and one-element torch integers too) or None,
            which takes extra_args['seed'] (ComfyUI puts it there) or else torch's global generator. It seeds the
            default noise sampler and, through a separate CPU generator, the mixture's draws, so the mixture is the
            same on every device.

    Returns the sample in x's shape and dtype. The callback gets the guided denoised estimate under cfg_pp too.
    Every option is also in the table of docs/method.md; the presets (PRESETS) set offsets, covariance,
    share_offsets and offset_schedule together.

    Raises ValueError naming the parameter for any bad argument (a latent with NaN or Inf, an empty batch, a seed
    that is not an integer, ...) before the first model call, ValueError saying what to return for a model output
    that is not a tensor of x's shape, NonFiniteError naming the step and the noise level if the model returns NaN or
    Inf, and TypeError naming the nearest valid argument and all of them for an unknown keyword.
    """
    with torch.no_grad():
        return sample_loop(MixtureKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           eta=eta, cfg_pp=cfg_pp, s=s, n_components=n_components, offsets=offsets,
                           covariance=covariance, share_offsets=share_offsets, priors=priors, offset_schedule=offset_schedule,
                           offset_variance_fraction=offset_variance_fraction)


@names_unknown_keywords
def sample_rfim_gmm(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None,
        eta: float = 0.0, s: float = 1.0, n_components: int = 8, offsets: Literal["ortho", "rand"] = "ortho",
        covariance: Literal["diag", "vub", "exact"] = "vub", share_offsets: bool = True,
        priors: Literal["uniform", "random"] | Sequence[float] | torch.Tensor | None = None,
        offset_schedule: Literal["constant", "noise_matched"] = "constant", offset_variance_fraction: float = 0.5,
        cfg_pp: bool = False, noise_scale: float = 1.0,
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """RFIM-GMM (Section 4) for rectified-flow models (tau = sigma in [0, 1]).

    eta scales the step variance var = (eta tau')^2: 0 (the default here) is the Euler flow step plus offsets, 1
    makes steps independent.

    Args:
        noise_scale: Flow samplers only: the scale c of the model's noise, x_tau = (1 - tau) x0 + tau c eps
            (ComfyUI's CONST noise_scale, 8 for HiDream-O1); the step's fresh noise and its offsets are scaled by c.
        The others as sample_ddim_gmm's.
    """
    with torch.no_grad():
        return sample_loop(MixtureKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           flow=True, noise_scale=noise_scale, eta=eta, cfg_pp=cfg_pp, s=s, n_components=n_components, offsets=offsets, covariance=covariance,
                           share_offsets=share_offsets, priors=priors, offset_schedule=offset_schedule,
                           offset_variance_fraction=offset_variance_fraction)


@names_unknown_keywords
def sample_ddim(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None, eta: float = 1.0, cfg_pp: bool = False,
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """DDIM (Eq. 6) in VE form: the Gaussian kernel; equals k-diffusion's sample_euler_ancestral(eta), and with
    cfg_pp ComfyUI's sample_euler_ancestral_cfg_pp(eta).

    Args: as sample_ddim_gmm's.
    """
    with torch.no_grad():
        return sample_loop(GaussianKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           eta=eta, cfg_pp=cfg_pp)


@names_unknown_keywords
def sample_rfim(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None, eta: float = 0.0, cfg_pp: bool = False, noise_scale: float = 1.0,
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """RFIM (Section 4): the Gaussian flow kernel; eta = 0 (the default here) is the Euler step
    x' = (tau'/tau) x + (1 - tau'/tau) x0.

    Args: as sample_rfim_gmm's.
    """
    with torch.no_grad():
        return sample_loop(GaussianKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           flow=True, noise_scale=noise_scale, eta=eta, cfg_pp=cfg_pp)


@names_unknown_keywords
def sample_ddim_control(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None,
        eta: float = 1.0, s: float = 1.0, n_components: int = 8, offsets: Literal["ortho", "rand"] = "ortho",
        covariance: Literal["diag", "vub", "exact"] = "vub", share_offsets: bool = True,
        priors: Literal["uniform", "random"] | Sequence[float] | torch.Tensor | None = None,
        offset_schedule: Literal["constant", "noise_matched"] = "constant", offset_variance_fraction: float = 0.5,
        cfg_pp: bool = False, match: Literal["offsets", "total"] = "offsets",
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """The matched-noise control of sample_ddim_gmm (same options, same defaults): DDIM at eta plus isotropic
    Gaussian noise with, at every step, the variance the mixture adds (match="offsets") or the GMM step's total
    variance (match="total"); see control.py. A diagnostic: run it next to DDIM-GMM at the same s and seed.

    Args:
        match: 'offsets': the step's own variance plus what the offsets add; 'total': the GMM step's total variance
            about the DDIM mean
        The others as sample_ddim_gmm's.
    """
    with torch.no_grad():
        return sample_loop(ControlKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           eta=eta, cfg_pp=cfg_pp, match=match, s=s, n_components=n_components, offsets=offsets, covariance=covariance,
                           share_offsets=share_offsets, priors=priors, offset_schedule=offset_schedule,
                           offset_variance_fraction=offset_variance_fraction)


@names_unknown_keywords
def sample_rfim_control(
        model: Callable[..., Any], x: torch.Tensor, sigmas: torch.Tensor | Sequence[float],
        extra_args: dict[str, Any] | None = None, callback: Callable[[dict[str, Any]], Any] | None = None,
        disable: bool | None = None,
        eta: float = 0.0, s: float = 1.0, n_components: int = 8, offsets: Literal["ortho", "rand"] = "ortho",
        covariance: Literal["diag", "vub", "exact"] = "vub", share_offsets: bool = True,
        priors: Literal["uniform", "random"] | Sequence[float] | torch.Tensor | None = None,
        offset_schedule: Literal["constant", "noise_matched"] = "constant", offset_variance_fraction: float = 0.5,
        cfg_pp: bool = False, match: Literal["offsets", "total"] = "offsets", noise_scale: float = 1.0,
        noise_sampler: Callable[..., torch.Tensor] | None = None, seed: int | None = None) -> torch.Tensor:
    """The matched-noise control of sample_rfim_gmm for rectified-flow models (tau = sigma in [0, 1]): RFIM at eta
    plus isotropic Gaussian noise of the mixture's strength.

    Args: as sample_ddim_control's and sample_rfim_gmm's.
    """
    with torch.no_grad():
        return sample_loop(ControlKernel, model, x, sigmas, extra_args, callback, disable, noise_sampler, seed,
                           flow=True, noise_scale=noise_scale, eta=eta, cfg_pp=cfg_pp, match=match, s=s,
                           n_components=n_components, offsets=offsets, covariance=covariance,
                           share_offsets=share_offsets, priors=priors, offset_schedule=offset_schedule,
                           offset_variance_fraction=offset_variance_fraction)
