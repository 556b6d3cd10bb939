"""With the offsets off the kernels are the known Gaussian samplers (docs/method.md, "Which test checks what")."""

import pytest
import torch

from _toys import LATENT_DTYPES, dtype_id, latent_tolerance, seeded_noise, shrink_model
from ddim_gmm.bench.anchor import k_diffusion_sampling
from ddim_gmm.sampling import sample_ddim, sample_ddim_gmm, sample_rfim, sample_rfim_gmm

k_sampling = k_diffusion_sampling()
if k_sampling is None:
    pytest.skip(f"k-diffusion is the anchor; install the test extra ({k_diffusion_sampling.missing})",
                allow_module_level=True)


def karras(n=12, device="cpu", dtype=torch.float64):
    """In the latent's dtype: k-diffusion's arithmetic runs in the wider of the two."""
    return k_sampling.get_sigmas_karras(n, 0.03, 14.6).double().to(device, dtype)


@pytest.fixture
def x_start(device, dtype):
    x = torch.randn(3, 4, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 14.6
    return x.to(device, dtype)


def close(got, want):
    """got and want agree to the tolerance of their dtype (latent_tolerance) at the samples' scale."""
    assert got.dtype == want.dtype and got.device == want.device
    scale = want.abs().max().item()
    assert (got.double() - want.double()).abs().max().item() < latent_tolerance(want.dtype, scale)


DTYPES = pytest.mark.parametrize("dtype", [torch.float64, *LATENT_DTYPES], ids=dtype_id)


@pytest.mark.device_generic
@DTYPES
@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("options", [
    dict(s=0.0, covariance="vub"), dict(s=0.0, covariance="diag"), dict(s=0.0, covariance="exact"),
    dict(s=0.0, offsets="rand", share_offsets=False), dict(n_components=1, s=3.0, covariance="exact"),
    dict(n_components=1, s=3.0, offsets="rand", covariance="diag"),
    dict(n_components=1, s=3.0, covariance="diag", share_offsets=False),
    # (not vub with K = 1: Eq. 34 bounds the null eigenvalue of the centred mixture by s^2, not 0, and we keep it)
    dict(s=0.0, offset_schedule="constant", priors="random"),
])
def test_no_offsets_is_euler_ancestral(x_start, eta, options, device, dtype):
    sigmas = karras(device=device, dtype=dtype)
    want = k_sampling.sample_euler_ancestral(shrink_model, x_start, sigmas, eta=eta,
                                             noise_sampler=seeded_noise(x_start, 7), disable=True)
    got = sample_ddim_gmm(shrink_model, x_start, sigmas, eta=eta, noise_sampler=seeded_noise(x_start, 7),
                          disable=True, **options)
    close(got, want)


@pytest.mark.device_generic
@pytest.mark.device_quick
@DTYPES
@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_sample_ddim_is_euler_ancestral(x_start, eta, device, dtype):
    sigmas = karras(device=device, dtype=dtype)
    want = k_sampling.sample_euler_ancestral(shrink_model, x_start, sigmas, eta=eta,
                                             noise_sampler=seeded_noise(x_start, 3), disable=True)
    got = sample_ddim(shrink_model, x_start, sigmas, eta=eta, noise_sampler=seeded_noise(x_start, 3), disable=True)
    close(got, want)


@pytest.mark.device_generic
@DTYPES
def test_offsets_change_the_result(x_start, device, dtype):
    """The equivalences above are not vacuous: with s > 0 the mixture does move the samples."""
    sigmas = karras(device=device, dtype=dtype)
    base = sample_ddim(shrink_model, x_start, sigmas, eta=0.5, noise_sampler=seeded_noise(x_start, 3), disable=True)
    gmm = sample_ddim_gmm(shrink_model, x_start, sigmas, eta=0.5, s=1.0, noise_sampler=seeded_noise(x_start, 3),
                          disable=True)
    assert (gmm - base).abs().max().item() > 1e-3


def euler_flow(model, x, taus):
    """The Euler flow step x' = (tau'/tau) x + (1 - tau'/tau) x0, written out by hand."""
    for tau, tau_next in zip(taus[:-1].tolist(), taus[1:].tolist()):
        x0 = model(x, torch.full((x.shape[0],), tau, dtype=x.dtype, device=x.device))
        x = (tau_next / tau) * x + (1 - tau_next / tau) * x0
    return x


@pytest.mark.parametrize("sampler, options", [
    (sample_rfim, {}), (sample_rfim_gmm, dict(s=0.0)), (sample_rfim_gmm, dict(n_components=1, s=2.0)),
    (sample_rfim_gmm, dict(offset_schedule="noise_matched", covariance="exact")),  # eta = 0: no variance to move
])
@pytest.mark.device_generic
@pytest.mark.parametrize("dtype", [torch.float64], ids=dtype_id)
def test_flow_eta0_no_offsets_is_euler(x_start, sampler, options, device):
    taus = torch.linspace(1.0, 0.0, 9, dtype=torch.float64, device=device)
    x = x_start / 14.6
    want = euler_flow(shrink_model, x, taus)
    got = sampler(shrink_model, x, taus, eta=0.0, disable=True, **options)
    assert (got - want).abs().max().item() < 1e-10


@pytest.mark.device_generic
@DTYPES
def test_noise_matched_at_eta0_is_ddim(x_start, device, dtype):
    """Noise-matched offsets vanish where var = 0, so eta = 0 gives back plain DDIM (Euler)."""
    sigmas = karras(device=device, dtype=dtype)
    want = k_sampling.sample_euler(shrink_model, x_start, sigmas, disable=True)
    got = sample_ddim_gmm(shrink_model, x_start, sigmas, eta=0.0, covariance="exact",
                          offset_schedule="noise_matched", offset_variance_fraction=1.0, disable=True)
    close(got, want)
