"""One kernel step (Eq. 7): x' = mean + out_scale * (delta_k + xi),  k ~ Categorical(pi),  xi ~ N(0, var I - Delta_k).

Samples are flattened to (B, D); the mixture is shared across the batch, the component k is drawn per sample.
The arithmetic is a few in-place passes over (B, D) and K x D numbers, with the noise buffer doubling as the output:
the kernel's own cost should be noise next to any denoiser (see `python -m ddim_gmm bench speed`).
"""

import torch


def mixture_noise(z, k, var, scale, mix, covariance, alpha=1.0):
    """alpha * (delta_k + xi) for each row, as a fresh (B, D) tensor (z: (B, D) standard normal, k: (B,) indices).

    diag  (paper, A.5):    xi_j ~ N(0, var - Delta_k[j, j]), clipped at 0.
    vub   (paper, Eq. 34): the first K coordinates get var - u_i, u_i = s^2 pi_(i) / (K pi_k), clipped at 0; the rest var.
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
            shrink = (var - scale**2 * mix.exact_unit.index_select(0, k)).clamp_min_(0).sqrt_().sub_(sd)
            coords = torch.addcmul(coords, shrink, z @ mix.basis.T)
        out = torch.mm(coords, mix.basis)
        return out.mul_(alpha) if z is None else out.add_(z, alpha=sd).mul_(alpha)
    out = mix.offsets.index_select(0, k)
    out = out.mul_(alpha * scale) if isinstance(scale, (int, float)) else out.mul_(scale * alpha)
    if z is None:
        return out
    if covariance == "diag":
        weight = scale**2 / (mix.n_components * mix.priors.index_select(0, k))  # Delta_k = weight * Delta_bar
        std = torch.addcmul(torch.full_like(mix.diag, var), weight[:, None], mix.diag, value=-1).clamp_min_(0).sqrt_()
        return out.addcmul_(std, z, value=alpha)
    # vub: sqrt(var) everywhere, then sqrt(var - u_i) instead on the first K coordinates.
    head = mix.n_components
    out.add_(z, alpha=alpha * sd)
    bounds = (var - scale**2 * mix.vub_unit.index_select(0, k)).clamp_min_(0).sqrt_().sub_(sd)
    out[:, :head].addcmul_(bounds, z[:, :head], value=alpha)
    return out


def kernel_step(x, x0, step, z, k=None, scale=0.0, mix=None, covariance="diag"):
    """One DDIM / RFIM step on flattened (B, D) tensors; `step` holds the schedule constants (schedule.Step).

    eps = (x - x_coef x0) / sigma,  x' = x0_coef x0 + eps_coef eps + out_scale (delta_k + xi)
        = (eps_coef / sigma) x + (x0_coef - eps_coef x_coef / sigma) x0 + out_scale (delta_k + xi).
    With no mixture this is DDIM / RFIM; z may be None when var = 0.
    """
    x_weight = step.eps_coef / step.sigma
    x0_weight = step.x0_coef - x_weight * step.x_coef
    if mix is not None:
        out = mixture_noise(z, k, step.var, scale, mix, covariance, alpha=step.out_scale)
    elif z is not None and step.var > 0:
        out = torch.mul(z, step.out_scale * step.var**0.5)
    else:
        return torch.mul(x, x_weight).add_(x0, alpha=x0_weight)
    return out.add_(x, alpha=x_weight).add_(x0, alpha=x0_weight)
