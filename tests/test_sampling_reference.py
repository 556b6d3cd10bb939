"""The optimised kernel against a naive one written from docs/method.md with explicit D x D matrices (small D).

Every kernel call of a real run is recorded with its random inputs (z, k, the mixture) and recomputed the slow way:
VP conversion, Eq. 6 mean, Eq. 11 covariance offset, and for `exact` the symmetric square root of the (clipped)
var I - Delta_k. Same draws, so the two must agree to rounding for every preset.
"""

import math

import pytest
import torch

from _toys import shrink_model
from ddim_gmm.sampling import PRESETS, preset_options, sample_ddim_gmm, sample_rfim_gmm
from ddim_gmm.sampling import samplers as samplers_module


def naive_noise(z, k, var, scale, mix, covariance):
    n_components = mix.priors.shape[0]
    delta = scale * mix.offsets  # (K, D)
    delta_bar = (delta.T * mix.priors) @ delta  # Eq. 11: sum_l pi_l delta_l delta_l^T
    rows = []
    for zi, ki in zip(z, k.tolist()):
        delta_k = delta_bar / (n_components * mix.priors[ki])
        if covariance == "diag":
            xi = (var - torch.diagonal(delta_k)).clamp_min(0).sqrt() * zi
        elif covariance == "vub":
            bounds = scale**2 * torch.sort(mix.priors).values / (n_components * mix.priors[ki])
            std = torch.full_like(zi, math.sqrt(var))
            std[:n_components] = (var - bounds).clamp_min(0).sqrt()
            xi = std * zi
        else:
            eig, vec = torch.linalg.eigh(var * torch.eye(len(zi), dtype=zi.dtype) - delta_k)
            xi = vec @ (eig.clamp_min(0).sqrt() * (vec.T @ zi))
        rows.append(delta[ki] + xi)
    return torch.stack(rows)


def naive_ddim(x, x0, sigma, sigma_next, eta, noise):
    a, a_next = 1 / (1 + sigma**2), 1 / (1 + sigma_next**2)
    eps = (x - x0) / sigma
    var = eta**2 * (1 - a_next) / (1 - a) * (1 - a / a_next)
    mean_vp = math.sqrt(a_next) * x0 + math.sqrt(1 - a_next - var) * eps  # Eq. 6
    return var, lambda xi: (mean_vp + xi) / math.sqrt(a_next)


def naive_rfim(x, x0, tau, tau_next, eta, noise):
    eps = (x - (1 - tau) * x0) / tau
    var = (eta * tau_next) ** 2
    mean = (1 - tau_next) * x0 + math.sqrt(tau_next**2 - var) * eps
    return var, lambda xi: mean + xi


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("eta", [0.0, 0.6])
def test_optimised_kernel_equals_the_naive_one(monkeypatch, name, eta):
    calls = []
    real = samplers_module.kernel_step

    def spy(x, x0, step, z, mix=None, scale=0.0, k=None, coefficients=None, covariance="diag"):
        inputs = (x.clone(), x0.clone(), None if z is None else z.clone(), k.clone(), scale, mix, covariance)
        out = real(x, x0, step, z, mix, scale, k, coefficients, covariance)
        calls.append((inputs, out.clone()))
        return out

    monkeypatch.setattr(samplers_module, "kernel_step", spy)
    flow = name.startswith("RFIM")
    sigmas = torch.tensor([1.0, 0.7, 0.45, 0.2, 0.0] if flow else [8.0, 3.0, 1.2, 0.4, 0.0], dtype=torch.float64)
    x = torch.randn(3, 4, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * sigmas[0]
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    sampler(shrink_model, x, sigmas, seed=11, disable=True, eta=eta, s=0.7, n_components=5,
            priors=[0.1, 0.15, 0.2, 0.25, 0.3], **preset_options(name))
    assert len(calls) == 3
    naive_step = naive_rfim if flow else naive_ddim
    for i, ((x_i, x0_i, z, k, scale, mix, covariance), got) in enumerate(calls):
        var, finish = naive_step(x_i, x0_i, sigmas[i].item(), sigmas[i + 1].item(), eta, None)
        if z is None:
            assert var == 0
            z = torch.zeros_like(x_i)
        want = finish(naive_noise(z, k, var, torch.as_tensor(scale, dtype=torch.float64), mix, covariance))
        assert (got - want).abs().max().item() < 1e-9, (name, i)
