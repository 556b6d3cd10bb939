"""CFG++ (arXiv 2406.08070) in the library: cfg_pp=True takes each step's noise direction from the unconditional
prediction, eps_u = (x - x_coef x0_u) / sigma, and keeps the guided x0 and the mixture (docs/method.md, CFG++).

The model then returns the pair (denoised, uncond_denoised). Checked here: the optimised step against
sampling/reference.py for every preset, the mixture's part unchanged (same draws, only the mean moves), s = 0 equal to
ComfyUI's euler_ancestral_cfg_pp written out by hand (EPS models: alpha = 1), the flow case at eta = 0 equal to the
Euler step with eps from the unconditional prediction, the control with CFG++, and the errors.
"""

import math
import re

import pytest
import torch

from _toys import record_gmm_steps, seeded_noise, shrink_model
from ddim_gmm.sampling import (NonFiniteError, PRESETS, ddim_step, preset_options, reference, rfim_step, sample_ddim,
                               sample_ddim_control, sample_ddim_gmm, sample_rfim, sample_rfim_control, sample_rfim_gmm)

DIFFUSION_SIGMAS = torch.tensor([8.0, 3.0, 1.2, 0.4, 0.0], dtype=torch.float64)
# Not from tau = 1: there the flow's eps = (x - (1 - tau) x0) / tau = x holds no x0 prediction (CFG++ changes nothing).
FLOW_SIGMAS = torch.tensor([0.95, 0.7, 0.45, 0.2, 0.0], dtype=torch.float64)
GUIDANCE = 1.6


def guided_pair(x, sigma, **extra):
    """A toy CFG model: (guided, unconditional) x0 predictions, guided = u + w (c - u) with c, u two shrinkages."""
    cond = shrink_model(x, sigma)
    uncond = shrink_model(x, sigma) * 0.7 - 0.05
    return uncond + GUIDANCE * (cond - uncond), uncond


def guided_only(x, sigma, **extra):
    return guided_pair(x, sigma)[0]


def start(flow, seed=0, batch=3):
    sigmas = FLOW_SIGMAS if flow else DIFFUSION_SIGMAS
    return torch.randn(batch, 4, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * \
        sigmas[0], sigmas


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("eta", [0.0, 0.6])
def test_cfg_pp_step_equals_the_reference(monkeypatch, name, eta):
    calls = record_gmm_steps(monkeypatch)
    flow = name.startswith("RFIM")
    x, sigmas = start(flow)
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    sampler(guided_pair, x, sigmas, seed=11, disable=True, eta=eta, s=0.7, n_components=5, cfg_pp=True,
            priors=[0.1, 0.15, 0.2, 0.25, 0.3], **preset_options(name))
    assert len(calls) == 3
    for i, ((x_i, x0_i, z, k, scale, mix, x0_u), got) in enumerate(calls):
        want = reference.gmm_step(flow, x_i, x0_i, sigmas[i].item(), sigmas[i + 1].item(), eta, z, k, scale, mix,
                                  x0_u)
        assert (got - want).abs().max().item() < 1e-9, (name, i)
        # ... and not the plain step: the unconditional prediction does change the mean.
        plain = reference.gmm_step(flow, x_i, x0_i, sigmas[i].item(), sigmas[i + 1].item(), eta, z, k, scale, mix)
        assert (got - plain).abs().max().item() > 1e-3, (name, i)


@pytest.mark.parametrize("flow", [False, True])
@pytest.mark.parametrize("eta", [0.0, 0.6])
@pytest.mark.parametrize("preset", ["ORTHO-VUB*", "EXACT", "RAND"])
def test_only_the_mean_moves_the_mixture_and_its_noise_are_unchanged(flow, eta, preset):
    # One step to sigma' > 0, same seed: x'_cfg++ - x'_plain = eps_coef (eps_u - eps) = eps_coef x_coef (x0 - x0_u)
    # / sigma exactly, whatever the offsets, component and noise drawn.
    x, sigmas = start(flow)
    sigmas = sigmas[:2]
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    options = dict(seed=4, disable=True, eta=eta, s=2.0, n_components=4, **preset_options(preset))
    plus = sampler(guided_pair, x, sigmas, cfg_pp=True, **options)
    plain = sampler(guided_only, x, sigmas, **options)
    step = rfim_step(*sigmas.tolist(), eta) if flow else ddim_step(*sigmas.tolist(), eta)
    x0, x0_u = guided_pair(x, sigmas[0] * torch.ones(x.shape[0], dtype=x.dtype))
    want = step.eps_coef * step.x_coef / step.sigma * (x0 - x0_u)
    assert ((plus - plain) - want).abs().max().item() < 1e-10
    assert want.abs().max().item() > 1e-2


def get_ancestral_step(sigma_from, sigma_to, eta):
    sigma_up = min(sigma_to, eta * (sigma_to**2 * (sigma_from**2 - sigma_to**2) / sigma_from**2) ** 0.5)
    return (sigma_to**2 - sigma_up**2) ** 0.5, sigma_up


def euler_ancestral_cfg_pp(model, x, sigmas, eta, noise_sampler):
    """ComfyUI's sample_euler_ancestral_cfg_pp (comfy/k_diffusion/sampling.py) for an EPS model, where
    alpha_s = sigma exp(-log sigma) = 1: x' = denoised + sigma_down (x - uncond) / sigma + sigma_up z."""
    levels = sigmas.tolist()
    for i, (sigma, sigma_next) in enumerate(zip(levels[:-1], levels[1:])):
        denoised, uncond = model(x, torch.full((x.shape[0],), sigma, dtype=x.dtype))
        if sigma_next == 0:
            x = denoised
            continue
        sigma_down, sigma_up = get_ancestral_step(sigma, sigma_next, eta)
        x = denoised + sigma_down * (x - uncond) / sigma
        if eta > 0:
            x = x + noise_sampler(sigmas[i], sigmas[i + 1]) * sigma_up
    return x


@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("sampler, options", [
    (sample_ddim_gmm, dict(s=0.0)), (sample_ddim_gmm, dict(s=0.0, covariance="exact")),
    (sample_ddim_gmm, dict(n_components=1, s=3.0, covariance="diag")), (sample_ddim, {}),
    (sample_ddim_control, dict(s=0.0)),
])
def test_offsets_off_is_comfyuis_euler_ancestral_cfg_pp(eta, sampler, options):
    x, _ = start(False)
    sigmas = torch.tensor([14.6, 6.0, 2.5, 1.0, 0.4, 0.1, 0.0], dtype=torch.float64)
    x = x / 8.0 * 14.6
    want = euler_ancestral_cfg_pp(guided_pair, x, sigmas, eta, seeded_noise(x, 7))
    got = sampler(guided_pair, x, sigmas, eta=eta, cfg_pp=True, noise_sampler=seeded_noise(x, 7), disable=True,
                  **options)
    assert (got - want).abs().max().item() < 1e-9
    plain = sampler(guided_only, x, sigmas, eta=eta, noise_sampler=seeded_noise(x, 7), disable=True, **options)
    assert (got - plain).abs().max().item() > 1e-3


def test_flow_at_eta_0_is_the_euler_step_with_the_unconditional_eps():
    # ComfyUI's euler_ancestral_cfg_pp on CONST at eta = 0 is the same step (alpha = 1 - tau, sigma_down = tau').
    x, taus = start(True)
    want = x
    for tau, tau_next in zip(taus[:-1].tolist(), taus[1:].tolist()):
        x0, x0_u = guided_pair(want, torch.full((x.shape[0],), tau, dtype=x.dtype))
        want = x0 if tau_next == 0 else (1 - tau_next) * x0 + tau_next * (want - (1 - tau) * x0_u) / tau
    for sampler, options in ((sample_rfim, {}), (sample_rfim_gmm, dict(s=0.0)), (sample_rfim_control, dict(s=0.0))):
        got = sampler(guided_pair, x, taus, eta=0.0, cfg_pp=True, disable=True, **options)
        assert (got - want).abs().max().item() < 1e-12, sampler.__name__


@pytest.mark.parametrize("flow", [False, True])
def test_the_control_runs_with_cfg_pp_and_differs_from_the_mixture_only_in_its_noise(flow):
    x, sigmas = start(flow)
    gmm, control = (sample_rfim_gmm, sample_rfim_control) if flow else (sample_ddim_gmm, sample_ddim_control)
    options = dict(seed=3, disable=True, eta=0.0, s=1.5, n_components=4)
    plus = control(guided_pair, x, sigmas, cfg_pp=True, **options)
    plain = control(guided_only, x, sigmas, **options)
    mixture = gmm(guided_pair, x, sigmas, cfg_pp=True, **options)
    assert plus.isfinite().all() and not torch.allclose(plus, plain) and not torch.allclose(plus, mixture)
    # One step: the control's CFG++ mean is the mixture's, the noise its own.
    one = sigmas[:2]
    step = rfim_step(*one.tolist(), 0.0) if flow else ddim_step(*one.tolist(), 0.0)
    x0, x0_u = guided_pair(x, one[0] * torch.ones(x.shape[0], dtype=x.dtype))
    shift = step.eps_coef * step.x_coef / step.sigma * (x0 - x0_u)
    assert ((control(guided_pair, x, one, cfg_pp=True, **options) - control(guided_only, x, one, **options)) - shift
            ).abs().max().item() < 1e-10


def test_the_same_unconditional_prediction_is_the_plain_step():
    x, sigmas = start(False)
    same = sample_ddim_gmm(lambda x, s, **kw: (shrink_model(x, s), shrink_model(x, s)), x, sigmas, seed=2,
                           disable=True, cfg_pp=True)
    plain = sample_ddim_gmm(shrink_model, x, sigmas, seed=2, disable=True)
    assert (same - plain).abs().max().item() < 1e-12


def test_the_callback_gets_the_guided_prediction():
    x, sigmas = start(False)
    seen = []
    sample_ddim_gmm(guided_pair, x, sigmas, seed=2, disable=True, cfg_pp=True, callback=seen.append)
    for info in seen:
        torch.testing.assert_close(info["denoised"], guided_only(info["x"], info["sigma"] * torch.ones(3,
                                   dtype=x.dtype)))


@pytest.mark.parametrize("sampler", [sample_ddim_gmm, sample_rfim_gmm, sample_ddim, sample_rfim, sample_ddim_control,
                                     sample_rfim_control])
def test_a_model_that_returns_one_tensor_is_a_clear_error(sampler):
    x, _ = start(sampler.__name__.startswith("sample_rfim"))
    sigmas = FLOW_SIGMAS if sampler.__name__.startswith("sample_rfim") else DIFFUSION_SIGMAS
    with pytest.raises(ValueError, match=r"cfg_pp=True needs a model that returns the pair \(denoised, "
                                         r"uncond_denoised\).*a single tensor at step 1"):
        sampler(shrink_model, x, sigmas, disable=True, cfg_pp=True)
    with pytest.raises(ValueError, match=re.escape("returned a tuple of 3 at step 1 (the callback's i = 0)")):
        sampler(lambda x, s, **kw: (x, x, x), x, sigmas, disable=True, cfg_pp=True)
    with pytest.raises(ValueError, match=r"uncond_denoised must have x's shape \(3, 4, 3, 3\), got \(3, 36\)"):
        sampler(lambda x, s, **kw: (x, x.reshape(3, -1)), x, sigmas, disable=True, cfg_pp=True)
    with pytest.raises(ValueError, match="cfg_pp must be True or False, got 1"):
        sampler(guided_pair, x, sigmas, disable=True, cfg_pp=1)


def test_a_non_finite_unconditional_prediction_names_the_step():
    x, sigmas = start(False)

    def bad(x, sigma, **extra):
        denoised, uncond = guided_pair(x, sigma)
        return denoised, uncond * (math.inf if float(sigma[0]) < 2 else 1.0)

    with pytest.raises(NonFiniteError, match="at step 3 of 4"):
        sample_ddim_gmm(bad, x, sigmas, disable=True, cfg_pp=True)
