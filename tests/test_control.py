"""The matched-noise control adds, at every step, exactly the variance the mixture adds (match="offsets") or the GMM
step's total variance (match="total"), measured here through the GMM kernel itself, for diffusion and flow."""

import itertools

import pytest
import torch

from ddim_gmm.sampling import (check_options, ddim_step, rfim_step, sample_ddim, sample_ddim_control, sample_rfim,
                               sample_rfim_control)
from ddim_gmm.sampling.samplers import MixtureSource, gmm_generator

from _toys import LATENT_DTYPES, dtype_id

SHAPE = (2, 2, 4, 4)  # D = 32
D = 32
K = 4
SIGMAS = {False: [6.0, 2.0, 1.0, 0.4, 0.0], True: [1.0, 0.75, 0.5, 0.25, 0.0]}
SEED = 11


def mixture_step_variances(flow, eta, gmm, match):
    """Per step, from the GMM kernel's own noise draw: the variance (per coordinate, kernel units) about the DDIM mean
    that the mixture adds (offsets: var + E_k ||delta_k||^2 / D) or its total (E_k ||delta_k||^2 + tr Cov(xi_k)) / D.
    The kernel's noise is affine in z for a fixed k, so its covariance is read off by feeding it the unit vectors."""
    x = torch.zeros(SHAPE, dtype=torch.float64)
    opts = check_options(D, eta=eta, **gmm)
    make_step = rfim_step if flow else ddim_step
    levels = SIGMAS[flow]
    steps = [make_step(a, b, eta) if b > 0 else None for a, b in zip(levels[:-1], levels[1:])]
    source = MixtureSource(opts, D, SHAPE[0], [st.var if st else 0.0 for st in steps], gmm_generator(x, SEED),
                           x.device, torch.float64)
    out = []
    for i, step in enumerate(steps):
        if step is None:
            continue
        mix, scale, _, coefficients = source.at(i)
        offsets_sq, total = 0.0, 0.0
        for k, prior in enumerate(mix.priors.tolist()):
            ks = torch.full((D,), k)
            offset = mix.covariance.offset_and_noise(mix, None, ks[:1], step.var, scale, coefficients)
            probe = mix.covariance.offset_and_noise(mix, torch.eye(D, dtype=torch.float64), ks, step.var, scale,
                                                    coefficients) - offset
            offsets_sq += prior * float(offset.square().sum())
            total += prior * float(offset.square().sum() + probe.square().sum())
        out.append(step.var + offsets_sq / D if match == "offsets" else total / D)
    return out


def control_step_variances(flow, eta, gmm, match, device="cpu"):
    """Per step, the variance the control sampler actually added: with a denoiser returning 0 a step is
    x' = (eps_coef / sigma) x + out_scale sqrt(v) z, and z is recorded as the noise sampler hands it out.
    The sampler runs on `device` (the noise drawn on the CPU), the arithmetic below on the CPU."""
    gen = torch.Generator().manual_seed(0)
    noises, states = [], []

    def noise_sampler(sigma, sigma_next):
        noises.append(torch.randn(SHAPE, generator=gen, dtype=torch.float64))
        return noises[-1].to(device)

    sampler = sample_rfim_control if flow else sample_ddim_control
    x = torch.randn(SHAPE, generator=gen, dtype=torch.float64)
    sampler(lambda x, sigma: torch.zeros_like(x), x.to(device),
            torch.tensor(SIGMAS[flow], dtype=torch.float64, device=device),
            callback=lambda d: states.append(d["x"].cpu()), disable=True, noise_sampler=noise_sampler, eta=eta,
            seed=SEED, match=match, **gmm)
    make_step = rfim_step if flow else ddim_step
    levels = SIGMAS[flow]
    out = []
    for i, z in enumerate(noises):
        step = make_step(levels[i], levels[i + 1], eta)
        added = states[i + 1] - step.eps_coef / step.sigma * states[i]
        ratio = added / (step.out_scale * z)
        assert torch.allclose(ratio, ratio.flatten()[0].expand_as(ratio), rtol=1e-9), "noise not isotropic"
        out.append(float(ratio.flatten()[0]) ** 2)
    return out


CASES = [dict(offsets=o, covariance=c, share_offsets=sh, priors=p)
         for o, c, sh, p in itertools.product(("ortho", "rand"), ("diag", "vub", "exact"), (True, False),
                                              (None, "random"))]


@pytest.mark.device_generic
@pytest.mark.parametrize("flow", [False, True], ids=["diffusion", "flow"])
@pytest.mark.parametrize("eta", [0.0, 0.4, 1.0])
@pytest.mark.parametrize("match", ["offsets", "total"])
def test_control_adds_the_mixtures_variance_at_every_step(flow, eta, match, device):
    # s = 2 with K = 4 clips the kernel's covariance at some steps (var < s^2 / K), so "total" must account for it.
    for case in CASES:
        for s in (0.5, 2.0):
            gmm = dict(case, s=s, n_components=K)
            expected = mixture_step_variances(flow, eta, gmm, match)
            got = control_step_variances(flow, eta, gmm, match, device)
            assert len(got) == len(expected) == 3
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-15), (case, s)


@pytest.mark.parametrize("flow", [False, True], ids=["diffusion", "flow"])
def test_noise_matched_schedule_is_matched_too(flow):
    gmm = dict(offsets="ortho", covariance="exact", share_offsets=True, offset_schedule="noise_matched",
               offset_variance_fraction=0.7, n_components=K)
    for match in ("offsets", "total"):
        assert control_step_variances(flow, 0.5, gmm, match) == pytest.approx(
            mixture_step_variances(flow, 0.5, gmm, match), rel=1e-9)


@pytest.mark.parametrize("flow", [False, True], ids=["diffusion", "flow"])
def test_ortho_uniform_at_eta_0_adds_s2_times_1_minus_1_over_k(flow):
    # The formula: s^2 (1 - 1/K) in VP units (flow: tau units) spread over the D coordinates.
    for covariance, share in itertools.product(("diag", "vub", "exact"), (True, False)):
        gmm = dict(s=3.0, n_components=K, offsets="ortho", covariance=covariance, share_offsets=share)
        for match in ("offsets", "total"):
            assert control_step_variances(flow, 0.0, gmm, match) == pytest.approx([9 * (1 - 1 / K) / D] * 3, rel=1e-9)


@pytest.mark.device_generic
@pytest.mark.device_quick
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
def test_without_offsets_the_control_is_ddim_and_rfim(device, dtype):
    x = torch.randn(SHAPE, generator=torch.Generator().manual_seed(2)).to(device, dtype)
    model = lambda x, sigma, **kw: torch.tanh(x)  # noqa: E731
    for flow, control, base in ((False, sample_ddim_control, sample_ddim), (True, sample_rfim_control, sample_rfim)):
        sigmas = torch.tensor(SIGMAS[flow], device=device)
        for eta in (0.0, 0.6):
            ref = base(model, x * sigmas[0], sigmas, disable=True, eta=eta, seed=5)
            for off in (dict(s=0.0), dict(n_components=1)):
                out = control(model, x * sigmas[0], sigmas, disable=True, eta=eta, seed=5, **off)
                assert torch.equal(out, ref), (flow, eta, off)


@pytest.mark.device_generic
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("eta", [0.0, 0.5])
def test_same_seed_same_samples_and_seeded_like_the_rest(device, dtype, eta):
    x = (torch.randn(SHAPE, generator=torch.Generator().manual_seed(3)) * 6).to(device, dtype)
    model = lambda x, sigma, **kw: torch.tanh(x)  # noqa: E731
    sigmas = torch.tensor(SIGMAS[False], device=device)
    for control in (sample_ddim_control, sample_rfim_control):
        levels = sigmas if control is sample_ddim_control else sigmas / sigmas[0]
        a = control(model, x, levels, disable=True, eta=eta, extra_args={"seed": 9})
        b = control(model, x, levels, disable=True, eta=eta, seed=9)
        c = control(model, x, levels, disable=True, eta=eta, seed=10)
        assert torch.equal(a, b) and not torch.equal(a, c)
        assert a.dtype == dtype and a.device == x.device and torch.isfinite(a).all()


def test_bad_options_raise_naming_the_parameter():
    x = torch.randn(SHAPE)
    sigmas = torch.tensor(SIGMAS[False])
    model = lambda x, sigma, **kw: x  # noqa: E731
    for kwargs, name in ((dict(match="gaussian"), "match"), (dict(eta=1.5), "eta"), (dict(s=-1.0), "s"),
                         (dict(n_components=64), "n_components"), (dict(covariance="full"), "covariance")):
        with pytest.raises(ValueError, match=name):
            sample_ddim_control(model, x, sigmas, disable=True, **kwargs)
    with pytest.raises(ValueError, match="sigmas"):
        sample_rfim_control(model, x, sigmas, disable=True)  # tau above 1
