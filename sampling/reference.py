"""The kernel step written the paper's way, with explicit D x D matrices: slow, for small D, and easy to check by eye.

kernel.py computes the same step in O(K D) without ever forming Delta_k; tests/test_sampling_reference.py records the
random inputs of every step of a real run (z, k, the mixture) and checks that this gives the same next sample.
"""

import math

import torch


def ddim(x, x0, sigma, sigma_next, eta, x0_u=None):
    """DDIM (Eq. 6) on VE samples: (var, finish), var the step's variance in VP units and finish(delta_k + xi) the
    next VE sample, x' = (sqrt(a') x0 + sqrt(1 - a' - var) eps + delta_k + xi) / sqrt(a').
    CFG++: x0 the guided prediction, x0_u the unconditional one, and eps = (x - x0_u) / sigma instead."""
    a, a_next = 1 / (1 + sigma**2), 1 / (1 + sigma_next**2)
    eps = (x - (x0 if x0_u is None else x0_u)) / sigma
    var = eta**2 * (1 - a_next) / (1 - a) * (1 - a / a_next)
    mean_vp = math.sqrt(a_next) * x0 + math.sqrt(1 - a_next - var) * eps
    return var, lambda offset_and_noise: (mean_vp + offset_and_noise) / math.sqrt(a_next)


def rfim(x, x0, tau, tau_next, eta, x0_u=None):
    """RFIM (Section 4, from Eq. 18): (var, finish) with var = (eta tau')^2 and
    finish(delta_k + xi) = (1 - tau') x0 + sqrt(tau'^2 - var) eps + delta_k + xi,  eps = (x - (1 - tau) x0) / tau.
    CFG++: x0 the guided prediction, x0_u the unconditional one, and eps = (x - (1 - tau) x0_u) / tau instead."""
    eps = (x - (1 - tau) * (x0 if x0_u is None else x0_u)) / tau
    var = (eta * tau_next) ** 2
    mean = (1 - tau_next) * x0 + math.sqrt(tau_next**2 - var) * eps
    return var, lambda offset_and_noise: mean + offset_and_noise


def offset_and_noise(z, k, var, scale, mix):
    """delta_k + xi for each row of z (standard normal) and its component k: xi = C_k^(1/2) z, xi ~ N(0, C_k), with
    C_k the covariance the mixture's mode gives component k (Covariance.covariance_sqrt, a D x D matrix), which
    approximates or clips var I - Delta_k, from Delta_k = Delta_bar / (K pi_k), Delta_bar = sum_l pi_l delta_l
    delta_l^T (Eq. 11) and the bounds u_ki = s^2 pi_(i) / (K pi_k) of Delta_k's eigenvalues (Eq. 34)."""
    n_components = mix.priors.shape[0]
    delta = scale * mix.offsets  # (K, D)
    delta_bar = (delta.T * mix.priors) @ delta
    rows = []
    for zi, ki in zip(z, k.tolist()):
        delta_k = delta_bar / (n_components * mix.priors[ki])
        bounds = scale**2 * torch.sort(mix.priors).values / (n_components * mix.priors[ki])
        rows.append(delta[ki] + mix.covariance.covariance_sqrt(var, delta_k, bounds) @ zi)
    return torch.stack(rows)


def gmm_step(flow, x, x0, level, level_next, eta, z, k, scale, mix, x0_u=None):
    """One DDIM-GMM (flow: RFIM-GMM) step, Eq. 7: x' = DDIM's mean + delta_k + xi, k ~ Categorical(pi), on flattened
    (B, D) samples; z may be None when the step's variance is 0 (only the offsets remain). x0_u: CFG++'s
    unconditional prediction (the mean's eps from it, x0 the guided one), or None."""
    var, finish = (rfim if flow else ddim)(x, x0, level, level_next, eta, x0_u)
    if z is None:
        if var != 0:
            raise ValueError(f"z may be None only where the step adds no noise, but var = {var}")
        z = torch.zeros_like(x)
    return finish(offset_and_noise(z, k, var, torch.as_tensor(scale, dtype=x.dtype), mix))
