"""One kernel step (Eq. 7): x' = mean + out_scale * (delta_k + xi),  k ~ Categorical(pi),  xi ~ N(0, var I - Delta_k).

Samples are flattened to (B, D); the mixture is shared across the batch, the component k is drawn per sample.
The arithmetic is written as a few in-place passes over (B, D) and K x D numbers: the kernel's own cost should be
noise next to any denoiser (see `python -m ddim_gmm bench speed`).
"""

import torch


def add_mixture_noise(out, z, k, var, scale, mix, covariance, alpha=1.0):
    """out += alpha * (delta_k + xi) for each row (z: (B, D) standard normal, k: (B,) component indices).

    diag  (paper, A.5):    xi_j ~ N(0, var - Delta_k[j, j]), clipped at 0.
    vub   (paper, Eq. 34): the first K coordinates get var - u_i, u_i = s^2 pi_(i) / (K pi_k), clipped at 0; the rest var.
    exact (ours):  with Delta_bar = V^T diag(lam) V (s = 1),
                   xi = sqrt(var) z + V^T ((sqrt(max(var - s^2 lam / (K pi_k), 0)) - sqrt(var)) * (V z)),
                   whose covariance is exactly var I - Delta_k whenever var >= lam_max / (K pi_k).
    z may be None when var = 0: every mode then leaves only the offset (the paper's deterministic DDIM-GMM).
    """
    scale_is_number = isinstance(scale, (int, float))
    if covariance == "exact":
        # The offsets lie in span(V): delta_k = s V^T (V c_k), so offset and correction share one (B, R) @ (R, D).
        coords = mix.offset_coords.index_select(0, k) * scale  # (B, R)
        if z is not None:
            sd = var**0.5
            weight = scale**2 / (mix.n_components * mix.priors.index_select(0, k))  # (B,): Delta_k = weight Delta_bar
            shrink = (var - weight[:, None] * mix.eigenvalues).clamp_min_(0).sqrt_().sub_(sd)
            coords = torch.addcmul(coords, shrink, z @ mix.basis.T)
            out.add_(z, alpha=alpha * sd)
        return out.addmm_(coords, mix.basis, alpha=alpha)
    offsets = mix.offsets.index_select(0, k)
    if scale_is_number:
        out.add_(offsets, alpha=alpha * scale)
    else:
        out.addcmul_(offsets, scale * alpha)
    if z is None:
        return out
    weight = scale**2 / (mix.n_components * mix.priors.index_select(0, k))
    if covariance == "diag":
        return out.addcmul_(torch.addcmul(torch.full_like(mix.diag, var), weight[:, None], mix.diag, value=-1)
                            .clamp_min_(0).sqrt_(), z, value=alpha)
    sd = var**0.5
    out.add_(z, alpha=alpha * sd)
    head = mix.n_components
    # vub: replace sqrt(var) by sqrt(var - u_i) on the first K coordinates only.
    bounds = (var - weight[:, None] * mix.sorted_priors).clamp_min_(0).sqrt_().sub_(sd)
    out[:, :head].addcmul_(bounds, z[:, :head], value=alpha)
    return out


def kernel_step(x, x0, step, z, k=None, scale=0.0, mix=None, covariance="diag"):
    """One DDIM / RFIM step on flattened (B, D) tensors; `step` holds the schedule constants (schedule.Step).

    eps = (x - x_coef x0) / sigma,  x' = x0_coef x0 + eps_coef eps + out_scale (delta_k + xi)
        = (eps_coef / sigma) x + (x0_coef - eps_coef x_coef / sigma) x0 + out_scale (delta_k + xi).
    With no mixture this is DDIM / RFIM; z may be None when var = 0.
    """
    x_weight = step.eps_coef / step.sigma
    out = torch.mul(x, x_weight).add_(x0, alpha=step.x0_coef - x_weight * step.x_coef)
    if mix is None:
        return out if z is None or step.var == 0 else out.add_(z, alpha=step.out_scale * step.var**0.5)
    return add_mixture_noise(out, z, k, step.var, scale, mix, covariance, alpha=step.out_scale)
