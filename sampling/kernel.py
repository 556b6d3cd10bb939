"""One kernel step on flattened (B, D) samples, the paper's equation beside the line that computes it.

    DDIM / RFIM          (Eq. 6):  x' = mean + out_scale sqrt(var) z
    DDIM-GMM / RFIM-GMM  (Eq. 7):  x' = mean + out_scale (delta_k + xi),  k ~ Cat(pi),  xi ~ N(0, var I - Delta_k)

with mean = x0_coef x0 + eps_coef eps, eps = (x - x_coef x0) / sigma. A step's constants come from schedule.py
(ddim_step: Eq. 6 in VE units; rfim_step: Eqs. 18-21, with the sign of Eq. 20 derived from Eq. 18), delta_k + xi
from the mixture's covariance mode (covariance.py). The arithmetic is a few in-place passes over (B, D), the noise
buffer doubling as the output: the kernel's own cost should be noise next to any denoiser (see
`python -m ddim_gmm bench speed`). sampling/reference.py computes the same step the paper's way, with explicit D x D
matrices; tests/test_sampling_reference.py checks that the two agree.
"""

import torch


def add_mean(out, x, x0, step, uncond=None):
    """out + the step's mean, in place: mean = x0_coef x0 + eps_coef eps = x_weight x + x0_weight x0 (Eq. 6; see
    schedule.Step). CFG++: uncond, the unconditional x0 prediction (x0 then the guided one), gives the noise direction,
    mean = x0_coef x0 + eps_coef eps_u,  eps_u = (x - x_coef uncond) / sigma."""
    if uncond is None:
        return out.add_(x, alpha=step.x_weight).add_(x0, alpha=step.x0_weight)
    return out.add_(x, alpha=step.x_weight).add_(x0, alpha=step.x0_coef).add_(uncond,
                                                                                alpha=-step.x_weight * step.x_coef)


def gaussian_step(x, x0, step, z, uncond=None):
    """One DDIM (Eq. 6) / RFIM step: x' = mean + out_scale sqrt(var) z; z may be None where var = 0."""
    if z is None or step.var == 0:
        if uncond is None:
            return torch.mul(x, step.x_weight).add_(x0, alpha=step.x0_weight)  # x' = mean
        return add_mean(torch.zeros_like(x), x, x0, step, uncond)
    noise = torch.mul(z, step.out_scale * step.var**0.5)  # out_scale sqrt(var) z
    return add_mean(noise, x, x0, step, uncond)  # x' = mean + out_scale sqrt(var) z


def gmm_step(x, x0, step, z, mix, scale, k, coefficients, uncond=None):
    """One DDIM-GMM / RFIM-GMM step (Eq. 7), with the component indices k (B,) drawn, the offset scale s_t and the
    mixture's per-component coefficients of this step (mix.covariance.coefficients); z may be None where var = 0."""
    # out_scale (delta_k + xi),  delta_k = s_t offsets[k],  xi ~ N(0, var I - Delta_k)   (Eqs. 7, 11)
    offset_and_noise = mix.covariance.offset_and_noise(mix, z, k, step.var, scale, coefficients, alpha=step.out_scale)
    return add_mean(offset_and_noise, x, x0, step, uncond)  # x' = mean + out_scale (delta_k + xi)   (Eq. 7)
