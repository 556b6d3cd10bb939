"""One kernel step (Eq. 7): x' = mean + out_scale * (delta_k + xi),  k ~ Categorical(pi),  xi ~ N(0, var I - Delta_k).

Samples are flattened to (B, D); the mixture is shared across the batch, the component k is drawn per sample.
"""

import torch


def mixture_noise(z, k, var, scale, mix, covariance):
    """delta_k + xi for each row of z (B, D standard normal), in the kernel's units.

    diag  (paper, A.5):   xi_j ~ N(0, var - Delta_k[j, j]), clipped at 0.
    vub   (paper, Eq. 34): the first K coordinates get var - u_i, u_i = s^2 pi_(i) / (K pi_k), clipped at 0; the rest var.
    exact (ours):  with Delta_bar = V^T diag(lam) V,
                   xi = sqrt(var) z + V^T ((sqrt(max(var - lam / (K pi_k), 0)) - sqrt(var)) * (V z)),
                   which has covariance exactly var I - Delta_k whenever var >= lam_max / (K pi_k).
    """
    offset = scale * mix.offsets[k]
    if z is None:  # var = 0: every mode leaves only the offset (the paper's deterministic DDIM-GMM)
        return offset
    n_components = mix.priors.shape[0]
    weight = scale**2 / (n_components * mix.priors[k])  # (B,): Delta_k = weight * Delta_bar at unit scale
    sd = var**0.5
    if covariance == "diag":
        xi = (var - weight[:, None] * mix.diag).clamp_min(0).sqrt() * z
    elif covariance == "vub":
        xi = sd * z
        bounds = weight[:, None] * mix.sorted_priors  # (B, K)
        xi[:, :n_components] = (var - bounds).clamp_min(0).sqrt() * z[:, :n_components]
    else:
        projection = z @ mix.basis.T  # (B, R)
        shrink = (var - weight[:, None] * mix.eigenvalues).clamp_min(0).sqrt() - sd
        xi = torch.addmm(sd * z, shrink * projection, mix.basis)
    return offset + xi


def kernel_step(x, x0, step, z, k=None, scale=0.0, mix=None, covariance="diag"):
    """One DDIM / RFIM step on flattened (B, D) tensors; `step` holds the schedule constants (schedule.Step).

    eps = (x - x_coef x0) / sigma,  x' = x0_coef x0 + eps_coef eps + out_scale (delta_k + xi).
    With no mixture (or scale 0 on the Gaussian path) this is DDIM / RFIM; z may be None when var = 0.
    """
    eps = (x - step.x_coef * x0) / step.sigma
    mean = step.x0_coef * x0 + step.eps_coef * eps
    if mix is None:
        if z is None or step.var == 0:
            return mean
        return mean + (step.out_scale * step.var**0.5) * z
    return mean + step.out_scale * mixture_noise(z, k, step.var, scale, mix, covariance)
