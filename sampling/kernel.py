"""One kernel step (Eq. 7): x' = mean + out_scale * (delta_k + xi),  k ~ Categorical(pi),  xi ~ N(0, var I - Delta_k).

Samples are flattened to (B, D); the mixture is shared across the batch, the component k is drawn per sample.
The arithmetic is a few in-place passes over (B, D) and K x D numbers, with the noise buffer doubling as the output,
and the per-component numbers of a step come precomputed (the covariance mode's coefficients, covariance.py): the kernel's own cost should be
noise next to any denoiser (see `python -m ddim_gmm bench speed`). sampling/reference.py computes the same step the
paper's way, with explicit D x D matrices; tests/test_sampling_reference.py checks that the two agree.
"""

import torch


def mean_weights(step):
    """The DDIM / RFIM mean (Eq. 6) as weights of x and x0:
    mean = x0_coef x0 + eps_coef eps,  eps = (x - x_coef x0) / sigma
         = (eps_coef / sigma) x + (x0_coef - eps_coef x_coef / sigma) x0."""
    x_weight = step.eps_coef / step.sigma
    return x_weight, step.x0_coef - x_weight * step.x_coef


def add_mean(out, x, x0, step, uncond):
    """out + the step's mean, in place. uncond None: the DDIM / RFIM mean (Eq. 6). With CFG++'s unconditional x0
    prediction x0_u (x0 then the guided one): mean = x0_coef x0 + eps_coef eps_u,  eps_u = (x - x_coef x0_u) / sigma
    = (eps_coef / sigma) x + x0_coef x0 - (eps_coef x_coef / sigma) x0_u."""
    x_weight, x0_weight = mean_weights(step)
    if uncond is None:
        return out.add_(x, alpha=x_weight).add_(x0, alpha=x0_weight)
    return out.add_(x, alpha=x_weight).add_(x0, alpha=step.x0_coef).add_(uncond, alpha=-x_weight * step.x_coef)


def gaussian_step(x, x0, step, z, uncond=None):
    """One DDIM (Eq. 6) / RFIM step on flattened (B, D) tensors: x' = mean + out_scale sqrt(var) z.

    `step` holds the schedule constants (schedule.Step); z may be None when var = 0. uncond: None, or CFG++'s
    unconditional x0 prediction (x0 is then the guided one; see add_mean).
    """
    if z is None or step.var == 0:
        if uncond is None:
            x_weight, x0_weight = mean_weights(step)
            return torch.mul(x, x_weight).add_(x0, alpha=x0_weight)
        return add_mean(torch.zeros_like(x), x, x0, step, uncond)
    noise = torch.mul(z, step.out_scale * step.var**0.5)
    return add_mean(noise, x, x0, step, uncond)


def gmm_step(x, x0, step, z, mix, scale, k, coefficients, uncond=None):
    """One DDIM-GMM / RFIM-GMM step on flattened (B, D) tensors (Eq. 7), with the component indices k already drawn
    and coefficients = mix.covariance.coefficients(mix, step.var, scale); z may be None when var = 0.
    uncond: None, or CFG++'s unconditional x0 prediction (the mean as add_mean; the mixture term unchanged)."""
    offset_and_noise = mix.covariance.offset_and_noise(mix, z, k, step.var, scale, coefficients, alpha=step.out_scale)
    # Eq. 7: x' = mean + out_scale (delta_k + xi)
    return add_mean(offset_and_noise, x, x0, step, uncond)
