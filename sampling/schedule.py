"""Noise levels: validation of k-diffusion sigmas and the per-step constants of the DDIM and RFIM kernels.

Diffusion (VE view, what k-diffusion and ComfyUI pass): x = x0 + sigma * eps. The paper works in the VP view with
alpha = 1 / (1 + sigma^2) (its cumulative "alpha-bar"), x_vp = sqrt(alpha) * x_ve.
Flow (rectified flow, ComfyUI's CONST): x = (1 - tau) * x0 + tau * eps with tau = sigma in [0, 1].

Everything here works on Python floats (float64), computed once per run, so the loops never sync with the device.
"""

import math
from dataclasses import dataclass

import torch


def sigmas_to_floats(sigmas, flow=False):
    """Checks `sigmas` (1-D, finite, >= 0, non-increasing; <= 1 for flow) and returns them as a list of floats."""
    if not isinstance(sigmas, torch.Tensor):
        try:
            sigmas = torch.as_tensor(sigmas)
        except (TypeError, ValueError, RuntimeError) as error:
            raise ValueError(f"sigmas must be a 1-D tensor or sequence of numbers, got {sigmas!r}") from error
    if sigmas.is_complex() or sigmas.dtype == torch.bool:
        raise ValueError(f"sigmas must be real numbers, got dtype {sigmas.dtype}")
    if sigmas.ndim != 1 or sigmas.numel() < 1:
        raise ValueError(f"sigmas must be a 1-D tensor with at least one element, got shape {tuple(sigmas.shape)}")
    values = sigmas.detach().double().cpu().tolist()

    def shown(j):
        return level_text(values[j], sigmas.dtype)

    for i, v in enumerate(values):
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"sigmas must be finite and >= 0, got sigmas[{i}] = {shown(i)}")
        if flow and v > 1:
            raise ValueError(f"flow sigmas (tau) must lie in [0, 1], got sigmas[{i}] = {shown(i)}")
        if i > 0 and v > values[i - 1]:
            raise ValueError(f"sigmas must be non-increasing, got sigmas[{i - 1}] = {shown(i - 1)} < "
                             f"sigmas[{i}] = {shown(i)}")
    return values


def level_text(value, dtype):
    """The shortest decimal that reads back as `value` in `dtype` (float32 sigmas print as 14.6, not as the float64
    14.600000381469727 they widen to); at most 17 digits, which read back exactly in any float dtype."""
    if not math.isfinite(value) or not dtype.is_floating_point:
        return repr(value)
    for digits in range(1, 18):
        text = f"{value:.{digits}g}"
        if torch.tensor(float(text), dtype=dtype).item() == value:
            return text
    return repr(value)


def alpha_from_sigma(sigma):
    """The paper's alpha-bar for a VE noise level: alpha = 1 / (1 + sigma^2)."""
    return 1.0 / (1.0 + sigma * sigma)


@dataclass(frozen=True)
class Step:
    """Constants of one kernel step x -> x' (sigma -> sigma_next > 0).

    x' = x0_coef * x0 + eps_coef * eps + out_scale * (delta_k + xi),  xi ~ N(0, var I - Delta_k),
    with eps = (x - x_coef * x0) / sigma. `var` and the mixture live in the kernel's own units (VP for diffusion),
    `out_scale` brings them back to the sampler's units.
    """

    sigma: float
    x_coef: float  # eps = (x - x_coef * x0) / sigma
    x0_coef: float
    eps_coef: float
    var: float
    out_scale: float

    @property
    def x_weight(self):
        """The mean's weight of x: mean = x0_coef x0 + eps_coef (x - x_coef x0) / sigma = x_weight x + x0_weight x0."""
        return self.eps_coef / self.sigma

    @property
    def x0_weight(self):
        """The mean's weight of x0: x0_coef - x_weight x_coef. Flow: (1 - tau') - (1 - tau) sqrt(tau'^2 - var) / tau,
        the minus that Eq. 18 implies where Eq. 20 prints a plus."""
        return self.x0_coef - self.x_weight * self.x_coef


def check_step(name, level, next_name, level_next, eta, top=math.inf):
    """A step from level to 0 < level_next <= level (<= top), eta in [0, 1]; all finite numbers."""
    for what, value, low, high in ((name, level, 0.0, top), (next_name, level_next, 0.0, top), ("eta", eta, 0.0, 1.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise ValueError(f"{what} must be a finite number in [{low}, {high}], got {value!r}")
    if not 0 < level_next <= level:
        raise ValueError(f"{next_name} must be in (0, {name}] = (0, {level}], got {level_next}")


def ddim_step(sigma, sigma_next, eta):
    """DDIM's step constants (ddim_constants), the arguments checked."""
    check_step("sigma", sigma, "sigma_next", sigma_next, eta)
    return ddim_constants(sigma, sigma_next, eta)


def ddim_constants(sigma, sigma_next, eta):
    """DDIM in VE form (Eq. 6), sigma -> sigma_next > 0, for checked arguments (the samplers check a run's once).

    The paper's step, in VP units, with a = 1 / (1 + sigma^2):
        var   = eta^2 (1 - a') / (1 - a) (1 - a / a')
        x'_vp = sqrt(a') x0 + sqrt(1 - a' - var) eps + delta_k + xi                          Eqs. 6, 7
    divided by sqrt(a'): x' = x0 + sigma_down eps + (delta_k + xi) / sqrt(a'), var / a' = k-diffusion's sigma_up^2.
    """
    a_next = alpha_from_sigma(sigma_next)
    # sigma_up written as k-diffusion's get_ancestral_step does, so that s = 0 reproduces euler_ancestral(eta).
    sigma_up = eta * math.sqrt(sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2) if sigma > 0 else 0.0
    sigma_up = min(sigma_next, sigma_up)
    sigma_down = math.sqrt(max(sigma_next**2 - sigma_up**2, 0.0))  # sqrt(1 - a' - var) / sqrt(a')
    return Step(sigma=sigma, x_coef=1.0, x0_coef=1.0, eps_coef=sigma_down,  # eps = (x - x0) / sigma
                var=sigma_up**2 * a_next, out_scale=1.0 / math.sqrt(a_next))


def rfim_step(tau, tau_next, eta, noise_scale=1.0):
    """RFIM's step constants (rfim_constants), the arguments checked."""
    check_step("tau", tau, "tau_next", tau_next, eta, top=1.0)
    return rfim_constants(tau, tau_next, eta, noise_scale)


def rfim_constants(tau, tau_next, eta, noise_scale=1.0):
    """RFIM (Section 4), tau -> tau_next > 0, for checked arguments (the samplers check a run's once).

        x_tau = (1 - tau) x0 + tau eps,  q(x_tau | x0) = N((1 - tau) x0, tau^2 I)             Eq. 18
        x0    = x - tau v  for the velocity v = (x_tau - E[x0 | x_tau]) / tau                  Eq. 21
        x'    = (1 - tau') x0 + sqrt(tau'^2 - var) eps + c (delta_k + xi),  var = (eta tau')^2   Eqs. 19, 20
    As weights of x and x0 the x0 term has a minus (Step.x0_weight), derived from Eq. 18; Eq. 20 as printed has a plus.
    c = noise_scale: a model whose noise is c eps (x_tau = (1 - tau) x0 + tau c eps, ComfyUI's CONST noise_scale) has
    eps of scale c already, so only the fresh noise and the offsets are scaled; c = 1 multiplies by exactly 1.
    """
    var = (eta * tau_next) ** 2
    return Step(sigma=tau, x_coef=1.0 - tau, x0_coef=1.0 - tau_next,  # eps = (x - (1 - tau) x0) / tau
                eps_coef=math.sqrt(max(tau_next**2 - var, 0.0)), var=var, out_scale=noise_scale)
