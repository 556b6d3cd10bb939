"""Moment matching with an oracle denoiser (docs/method.md, "Which test checks what").

Start at x = x0 + sigma z, take one step with the true x0: the VE residual x' - x0 must have mean 0 and covariance
sigma'^2 I (DDPM's marginal). Monte Carlo over many samples; tolerances are several standard errors wide.
"""

import functools
import math

import pytest
import torch

from _toys import LATENT_DTYPES, dtype_id, oracle, shrink_model
from ddim_gmm.sampling import (PRESETS, ddim_step, draw_mixture, rfim_step, sample_ddim_gmm, sample_rfim,
                               sample_rfim_gmm)
from ddim_gmm.sampling.kernel import gmm_step
from ddim_gmm.sampling.mixture import make_priors

N_DIMS, K, N = 64, 4, 40000


def one_step_residuals(step, offsets, covariance, s=1.0, priors=None, seed=0, flow=False, n=N, n_dims=N_DIMS,
                       device="cpu"):
    """Residuals x' - (clean part) of one kernel step from the exact marginal, and the mixture used (on the CPU).
    Everything is drawn on the CPU, as the sampler draws its mixture; the step runs on `device`."""
    g = torch.Generator().manual_seed(seed)
    p = make_priors(priors, K, g, "cpu", torch.float64)
    mix = draw_mixture(offsets, covariance, p, n_dims, g, "cpu", torch.float64)
    x0 = torch.randn(1, n_dims, generator=g, dtype=torch.float64).expand(n, n_dims).to(device)
    start = torch.randn(n, n_dims, generator=g, dtype=torch.float64).to(device)
    x = (1 - step.sigma) * x0 + step.sigma * start if flow else x0 + step.sigma * start
    z = torch.randn(n, n_dims, generator=g, dtype=torch.float64).to(device)
    k = torch.multinomial(p, n, replacement=True, generator=g).to(device)
    coefficients = mix.covariance.coefficients(mix, step.var, s)
    coefficients = coefficients.to(device) if isinstance(coefficients, torch.Tensor) else coefficients
    x_next = gmm_step(x, x0, step, z, mix.to(torch.device(device)), s, k, coefficients)
    return (x_next - step.x0_coef * x0).cpu(), mix


def expected_coordinate_variance(step, mix, covariance, s):
    """sum_k pi_k (s^2 delta_kj^2 + var_kj) per coordinate, for the mode's own noise law, in the sampler's units."""
    pi = mix.priors
    weight = s**2 / (K * pi)  # Delta_k = weight_k * Delta_bar (unit scale)
    var = torch.full((K, mix.offsets.shape[1]), step.var, dtype=torch.float64)
    if covariance == "diag":
        var = (var - weight[:, None] * mix.diag).clamp_min(0)
    elif covariance == "vub":
        var[:, :K] = (step.var - s**2 * mix.vub_unit).clamp_min(0)
    else:
        # Cov(xi) = var I - V^T diag(min(lam_k, var)) V, lam_k = weight_k * lam (clipped where var is too small)
        removed = (weight[:, None] * mix.eigenvalues).clamp_max(step.var)  # (K, R)
        var = var - (removed[:, :, None] * mix.basis.square()).sum(1)
    mixture = (pi[:, None] * (s**2 * mix.offsets.square() + var)).sum(0)
    return step.eps_coef**2 + step.out_scale**2 * mixture


SIGMA, SIGMA_NEXT = 2.0, 1.0


@pytest.mark.device_generic
@pytest.mark.parametrize("offsets", ["ortho", "rand"])
@pytest.mark.parametrize("covariance", ["diag", "vub", "exact"])
@pytest.mark.parametrize("priors", [None, [0.1, 0.2, 0.3, 0.4]])
def test_mean_and_coordinate_variance(offsets, covariance, priors, device):
    step = ddim_step(SIGMA, SIGMA_NEXT, eta=1.0)
    r, mix = one_step_residuals(step, offsets, covariance, priors=priors, device=device)
    # Mean 0 in every coordinate: sum_k pi_k delta_k = 0.
    assert r.mean(0).abs().max().item() < 5 * SIGMA_NEXT / math.sqrt(N)
    want = expected_coordinate_variance(step, mix, covariance, 1.0)
    assert ((r.var(0) - want).abs() / want).max().item() < 5 * math.sqrt(2 / N) * 1.2
    weight_max = 1.0 / (K * mix.priors.min().item())
    if covariance == "diag" and step.var >= weight_max * mix.diag.max().item():
        # diag matches DDPM's per-coordinate variance sigma'^2 exactly when no coordinate clips.
        assert (want - SIGMA_NEXT**2).abs().max().item() < 1e-9
    if covariance == "exact" and step.var >= weight_max * mix.eigenvalues.max().item():
        # exact matches it too (and the whole covariance, tested below) when var >= lam_max / (K pi_min).
        assert (want - SIGMA_NEXT**2).abs().max().item() < 1e-9
    if offsets == "ortho" and priors is None:  # the exact-match branches above did run here
        largest = (weight_max * mix.diag.max() if covariance == "diag" else weight_max * mix.eigenvalues.max()
                   if covariance == "exact" else mix.vub_unit.max()).item()
        assert step.var >= largest
    if covariance == "vub" and offsets == "ortho" and priors is None:
        # VUB keeps the total variance but for the bound of the centred mixture's null eigenvalue: s^2 / K too little.
        total = want.sum().item() * step.x0_coef  # x0_coef = 1 for diffusion
        a_next = 1 / (1 + SIGMA_NEXT**2)
        assert abs(total - (N_DIMS * SIGMA_NEXT**2 - 1.0 / (K * a_next))) < 1e-9


def projected_covariance_eigenvalues(r, basis):
    p = r @ basis.T
    return torch.linalg.eigvalsh(torch.cov(p.T))


@pytest.mark.device_generic
def test_exact_matches_in_the_offset_subspace_and_diag_does_not(device):
    """docs/method.md's example: D = 64, K = 4, s = 1, sigma 2 -> 1, eta = 1: exact ~ 1.00 in all of V, diag ~ 1.45."""
    step = ddim_step(SIGMA, SIGMA_NEXT, eta=1.0)
    r_exact, mix = one_step_residuals(step, "ortho", "exact", n=80000, device=device)
    eig_exact = projected_covariance_eigenvalues(r_exact, mix.basis)
    assert (eig_exact - 1.0).abs().max().item() < 0.05
    r_diag, mix_diag = one_step_residuals(step, "ortho", "diag", n=80000, device=device)
    basis, _ = draw_mixture("ortho", "exact", mix_diag.priors, N_DIMS, torch.Generator().manual_seed(0), "cpu",
                            torch.float64).basis, None
    # the same seed draws the same offsets, so this is the diag run's own subspace
    assert torch.allclose(draw_mixture("ortho", "diag", mix_diag.priors, N_DIMS, torch.Generator().manual_seed(0),
                                       "cpu", torch.float64).offsets, mix_diag.offsets)
    eig_diag = projected_covariance_eigenvalues(r_diag, basis)
    assert eig_diag.max().item() > 1.3


@pytest.mark.device_generic
@pytest.mark.device_quick
def test_exact_full_covariance_matches(device):
    """All D eigenvalues of the residual covariance are sigma'^2 (small D so the estimate is tight)."""
    step = ddim_step(SIGMA, SIGMA_NEXT, eta=1.0)
    r, _ = one_step_residuals(step, "ortho", "exact", n=100000, n_dims=12, device=device)
    eig = torch.linalg.eigvalsh(torch.cov(r.T))
    assert (eig - SIGMA_NEXT**2).abs().max().item() < 0.05


@pytest.mark.device_generic
def test_flow_exact_matches(device):
    """RFIM: x_tau' = (1 - tau') x0 + tau' eps, so the residual covariance is tau'^2 I."""
    step = rfim_step(0.8, 0.5, eta=0.6)
    r, mix = one_step_residuals(step, "ortho", "exact", s=0.5, flow=True, n=80000, n_dims=16, device=device)
    eig = torch.linalg.eigvalsh(torch.cov(r.T))
    assert (eig - 0.25).abs().max().item() < 0.25 * 0.06
    assert r.mean(0).abs().max().item() < 5 * 0.5 / math.sqrt(80000)


def residual_eigenvalues_per_step(schedule, covariance, n=40000, n_dims=12, device="cpu", dtype=torch.float64,
                                  **options):
    """Run the real sampler with an oracle denoiser and return, per step, the residual covariance eigenvalues (the
    latent on `device` in `dtype`, the statistics in float64 on the CPU)."""
    x0 = torch.randn(1, n_dims, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    sigmas = torch.tensor(schedule, dtype=torch.float64)
    x = x0 + sigmas[0] * torch.randn(n, n_dims, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    x, x0_on_device, sigmas = x.to(device, dtype), x0.to(device, dtype), sigmas.to(device)
    seen = []

    def callback(info):
        residual = info["x"].cpu().double() - x0
        seen.append((info["sigma"].item(), torch.linalg.eigvalsh(torch.cov(residual.T))))

    sample_ddim_gmm(oracle(x0_on_device), x, sigmas, extra_args={"seed": 1}, callback=callback, disable=True,
                    covariance=covariance, n_components=K, eta=1.0, **options)
    return seen


@pytest.mark.device_generic
@pytest.mark.parametrize("dtype", [torch.float64, *LATENT_DTYPES], ids=dtype_id)
def test_noise_matched_matches_at_every_step(device, dtype):
    """Half-precision latents too: rounding x to fp16 / bf16 at each step adds a variance of about (eps |x|)^2 / 12
    per coordinate, under 0.5 % of sigma'^2 down to sigma' = 0.2 here, well inside the Monte Carlo tolerance."""
    schedule = [6.0, 3.0, 1.5, 0.8, 0.4, 0.2, 0.0]
    for sigma, eig in residual_eigenvalues_per_step(schedule, "exact", offset_schedule="noise_matched",
                                                    offset_variance_fraction=1.0, device=device, dtype=dtype):
        assert (eig / sigma**2 - 1).abs().max().item() < 0.06, sigma
    # The check has teeth: large constant offsets at small sigma clip and break the match.
    worst = max((eig / sigma**2 - 1).abs().max().item()
                for sigma, eig in residual_eigenvalues_per_step(schedule, "exact", s=1.0, device=device, dtype=dtype))
    assert worst > 0.2


@pytest.mark.parametrize("preset", ["NOISE-MATCHED", None])
def test_flow_marginals_follow_the_models_noise_scale(preset):
    """A flow model whose noise is c eps (ComfyUI's CONST noise_scale): x_tau = (1 - tau) x0 + tau c eps. Started
    there, RFIM-GMM (noise-matched: exactly moment matched at every step) and RFIM with noise_scale = c keep every
    marginal: residual mean 0, covariance (tau c)^2 I; with c left at 1 the added noise and offsets are c times too
    small and the variance falls short."""
    c, n, n_dims = 8.0, 40000, 12
    taus = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2, 0.0], dtype=torch.float64)
    x0 = torch.randn(1, n_dims, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    x = c * torch.randn(n, n_dims, dtype=torch.float64, generator=torch.Generator().manual_seed(6))

    def eigenvalues(noise_scale):
        seen = []

        def callback(info):
            tau = info["sigma"].item()
            r = info["x"] - (1 - tau) * x0
            seen.append((tau, torch.linalg.eigvalsh(torch.cov(r.T)) / (tau * c) ** 2, r.mean(0) / (tau * c)))

        if preset is None:
            sample_rfim(oracle(x0), x, taus, seed=1, callback=callback, disable=True, eta=0.5, noise_scale=noise_scale)
        else:
            sample_rfim_gmm(oracle(x0), x, taus, seed=1, callback=callback, disable=True, eta=0.5, n_components=K,
                            offset_variance_fraction=1.0, noise_scale=noise_scale, **PRESETS[f"RFIM-GMM-{preset}"])
        return seen[1:]  # the first callback sees the start itself

    for tau, eig, mean in eigenvalues(c):
        assert (eig - 1).abs().max().item() < 0.06, tau
        assert mean.abs().max().item() < 5 / math.sqrt(n), tau
    assert max((1 - eig).max().item() for _, eig, _ in eigenvalues(1.0)) > 0.2


def test_noise_scale_one_is_the_default_bit_for_bit():
    x = torch.randn(2, 4, 6, 6, generator=torch.Generator().manual_seed(0))
    sigmas = torch.tensor([1.0, 0.7, 0.3, 0.0])
    run = functools.partial(sample_rfim_gmm, shrink_model, x, sigmas, seed=3, disable=True, eta=0.5)
    assert torch.equal(run(), run(noise_scale=1.0))
