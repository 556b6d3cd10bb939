"""One kernel step (Eq. 7): x' = mean + out_scale * (delta_k + xi),  k ~ Categorical(pi),  xi ~ N(0, var I - Delta_k).

Samples are flattened to (B, D); the mixture is shared across the batch, the component k is drawn per sample.
The arithmetic is a few in-place passes over (B, D) and K x D numbers, with the noise buffer doubling as the output,
and the per-component numbers of a step come precomputed (component_coefficients): the kernel's own cost should be
noise next to any denoiser (see `python -m ddim_gmm bench speed`). sampling/reference.py computes the same step the
paper's way, with explicit D x D matrices; tests/test_sampling_reference.py checks that the two agree.
"""

import torch


def component_coefficients(mix, covariance, var, scale):
    """The per-component numbers one noise draw needs, for one step or many.

    var, scale: numbers, or (T,) tensors for T steps at once (each result then gets a leading T).
    With Delta_k = s^2 Delta_bar / (K pi_k):
    diag:  (K,)    s^2 / (K pi_k), the weight of diag(Delta_bar) in Delta_k's diagonal;
    vub:   (K, K)  sqrt(max(var - u_ki, 0)) - sqrt(var), u_ki = s^2 pi_(i) / (K pi_k) the bounds of Eq. 34;
    exact: (K, R)  sqrt(max(var - s^2 lam_r / (K pi_k), 0)) - sqrt(var), lam = eigenvalues of Delta_bar at s = 1.
    """
    n_steps = var.shape[0] if isinstance(var, torch.Tensor) and var.ndim == 1 else None
    if n_steps is not None and isinstance(scale, torch.Tensor):
        scale = scale[:, None, None]
    scale_sq = scale * scale
    if covariance == "diag":
        weight = scale_sq / (mix.n_components * mix.priors)
        return weight if n_steps is None else weight.reshape(-1, mix.n_components).expand(n_steps, -1)
    unit = mix.vub_unit if covariance == "vub" else mix.exact_unit
    var = torch.as_tensor(var, dtype=unit.dtype, device=unit.device)
    var = var if n_steps is None else var[:, None, None]
    return (var - scale_sq * unit).clamp_min(0).sqrt() - var.sqrt()


def mixture_noise(z, k, var, scale, mix, coefficients, covariance, alpha=1.0):
    """alpha * (delta_k + xi) for each row, as a fresh (B, D) tensor (z: (B, D) standard normal, k: (B,) indices,
    coefficients: component_coefficients(mix, covariance, var, scale)).

    diag  (paper, A.5):    xi_j ~ N(0, var - Delta_k[j, j]), clipped at 0.
    vub   (paper, Eq. 34): the first K coordinates get var - u_i, clipped at 0; the rest var.
    exact (ours):  with Delta_bar = V^T diag(lam) V (s = 1),
                   xi = sqrt(var) z + V^T ((sqrt(max(var - s^2 lam / (K pi_k), 0)) - sqrt(var)) * (V z)),
                   whose covariance is exactly var I - Delta_k whenever var >= lam_max / (K pi_k).
    z may be None when var = 0: every mode then leaves only the offset (the paper's deterministic DDIM-GMM).
    """
    sd = var**0.5
    if covariance == "exact":
        # The offsets lie in span(V): delta_k = s V^T (V c_k), so offset and correction share one (B, R) @ (R, D).
        coords = mix.offset_coords.index_select(0, k) * scale  # (B, R)
        if z is not None:
            coords = torch.addcmul(coords, coefficients.index_select(0, k), z @ mix.basis.T)
        out = torch.mm(coords, mix.basis)
        return out.mul_(alpha) if z is None else out.add_(z, alpha=sd).mul_(alpha)
    out = mix.offsets.index_select(0, k).mul_(scale * alpha)  # scale: a number, or a 0-d tensor (noise_matched)
    if z is None:
        return out
    if covariance == "diag":
        std = torch.addcmul(torch.full_like(mix.diag, var), coefficients.index_select(0, k)[:, None], mix.diag,
                            value=-1).clamp_min_(0).sqrt_()
        return out.addcmul_(std, z, value=alpha)
    # vub: sqrt(var) everywhere, then sqrt(var - u_i) instead on the first K coordinates.
    head = mix.n_components
    out.add_(z, alpha=alpha * sd)
    out[:, :head].addcmul_(coefficients.index_select(0, k), z[:, :head], value=alpha)
    return out


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


def gmm_step(x, x0, step, z, mix, scale, k, coefficients, covariance, uncond=None):
    """One DDIM-GMM / RFIM-GMM step on flattened (B, D) tensors (Eq. 7), with the component indices k already drawn
    and coefficients = component_coefficients(mix, covariance, step.var, scale); z may be None when var = 0.
    uncond: None, or CFG++'s unconditional x0 prediction (the mean as add_mean; the mixture term unchanged)."""
    offset_and_noise = mixture_noise(z, k, step.var, scale, mix, coefficients, covariance, alpha=step.out_scale)
    # Eq. 7: x' = mean + out_scale (delta_k + xi)
    return add_mean(offset_and_noise, x, x0, step, uncond)
