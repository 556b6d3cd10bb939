"""The sampler API as k-diffusion and ComfyUI use it: seeds, batches, dtypes, shapes, schedules, bad input."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _toys import LATENT_DTYPES, dtype_id, shrink_model
from ddim_gmm.sampling import PRESETS, VARIANTS, preset_options, sample_ddim, sample_ddim_gmm, sample_rfim, \
    sample_rfim_gmm

ROOT = Path(__file__).resolve().parents[1]
SIGMAS = torch.tensor([14.6, 6.0, 2.5, 1.0, 0.4, 0.1, 0.0])
TAUS = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])


def latent(shape=(2, 4, 8, 8), dtype=torch.float32, seed=0, scale=14.6, device="cpu"):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(device, dtype) * scale


@pytest.mark.device_generic
@pytest.mark.device_quick
@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
def test_every_preset_is_deterministic_per_seed(name, device, dtype):
    sampler, sigmas, scale = (sample_rfim_gmm, TAUS, 1.0) if name.startswith("RFIM") else (sample_ddim_gmm, SIGMAS, 14.6)
    x = latent(scale=scale, device=device, dtype=dtype)
    run = lambda seed: sampler(shrink_model, x, sigmas.to(device), extra_args={"seed": seed}, disable=True, eta=0.5,
                               **preset_options(name))
    a, b, c = run(1), run(1), run(2)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    assert torch.isfinite(a).all() and a.shape == x.shape and a.dtype == x.dtype and a.device == x.device


def test_without_seed_the_global_generator_decides():
    x = latent()
    torch.manual_seed(5)
    a = sample_ddim_gmm(shrink_model, x, SIGMAS, disable=True)
    torch.manual_seed(5)
    b = sample_ddim_gmm(shrink_model, x, SIGMAS, disable=True)
    c = sample_ddim_gmm(shrink_model, x, SIGMAS, disable=True)
    assert torch.equal(a, b) and not torch.allclose(a, c)


def test_batch_items_draw_their_own_components():
    """eta = 0 and identical inputs: items differ only through their component index."""
    x = latent((1, 4, 8, 8)).expand(32, 4, 8, 8).contiguous()
    sigmas = torch.tensor([14.6, 3.0])  # one stochastic step that stops above 0, so the offset shows
    out = sample_ddim_gmm(shrink_model, x, sigmas, extra_args={"seed": 0}, disable=True, eta=0.0, s=1.0,
                          n_components=8)
    distinct = torch.unique(out.reshape(32, -1), dim=0).shape[0]
    assert 4 <= distinct <= 8


@pytest.mark.device_generic
@pytest.mark.parametrize("dtype", [*LATENT_DTYPES, torch.float64], ids=dtype_id)
@pytest.mark.parametrize("covariance", ["vub", "exact", "diag"])
def test_dtypes_are_kept_and_finite(dtype, covariance, device):
    x = latent(dtype=dtype, device=device)
    seen = []
    model = lambda x, sigma, **kw: (seen.append((x.dtype, x.device)), shrink_model(x, sigma))[1]
    out = sample_ddim_gmm(model, x, SIGMAS.to(device), extra_args={"seed": 0}, disable=True, covariance=covariance)
    assert out.dtype == dtype and out.device == x.device and torch.isfinite(out).all()
    assert set(seen) == {(dtype, x.device)}  # the model always sees the latent's own dtype and device


@pytest.mark.parametrize("shape", [(1, 4, 8, 8), (2, 16, 3, 4, 4), (3, 2, 5)])
def test_image_video_and_other_latent_shapes(shape):
    x = latent(shape)
    for sampler, sigmas in ((sample_ddim_gmm, SIGMAS), (sample_rfim_gmm, TAUS)):
        out = sampler(shrink_model, x / 14.6 if sampler is sample_rfim_gmm else x, sigmas, extra_args={"seed": 1},
                      disable=True, n_components=4, eta=0.5)
        assert out.shape == x.shape and torch.isfinite(out).all()


def test_img2img_and_split_schedules():
    """A schedule that starts below sigma_max, and a first pass of two that stops above 0, then the second pass."""
    x = latent(scale=2.5)
    partial = sample_ddim_gmm(shrink_model, x, SIGMAS[2:], extra_args={"seed": 0}, disable=True)
    assert torch.isfinite(partial).all()
    first = sample_ddim_gmm(shrink_model, latent(), SIGMAS[:4], extra_args={"seed": 0}, disable=True)
    assert first.abs().std() > 0.3  # still noisy at sigma = 1
    second = sample_ddim_gmm(shrink_model, first, SIGMAS[3:], extra_args={"seed": 0}, disable=True)
    assert torch.isfinite(second).all() and (second - first).abs().max() > 0


def test_callback_once_per_step():
    calls = []
    sample_ddim_gmm(shrink_model, latent(), SIGMAS, disable=True, callback=calls.append)
    assert [c["i"] for c in calls] == list(range(len(SIGMAS) - 1))
    assert set(calls[0]) == {"x", "i", "sigma", "sigma_hat", "denoised"}


def test_last_step_returns_the_denoised_estimate():
    x = latent()
    denoised = []
    out = sample_ddim_gmm(shrink_model, x, SIGMAS, disable=True, s=10.0,
                          callback=lambda info: denoised.append(info["denoised"]))
    assert torch.equal(out, denoised[-1])


BAD = [
    (dict(eta=-0.1), "eta"), (dict(eta=1.5), "eta"), (dict(eta=float("nan")), "eta"),
    (dict(s=-1.0), "s must"), (dict(s=float("inf")), "s must"), (dict(s=101.0), "s must"), (dict(s="big"), "s must"),
    (dict(n_components=0), "n_components"), (dict(n_components=2.5), "n_components"),
    (dict(n_components=257), "n_components"), (dict(n_components=300, offsets="rand", covariance="vub"),
                                               "n_components"),
    (dict(offsets="svd"), "offsets"), (dict(covariance="full"), "covariance"),
    (dict(offset_schedule="linear"), "offset_schedule"), (dict(offset_variance_fraction=1.5),
                                                          "offset_variance_fraction"),
    (dict(priors=[0.5, 0.5]), "priors"), (dict(priors=[0.5, 0.6, -0.1] + [0.0] * 5), "priors"),
    (dict(priors=[0.2] * 8), "priors"), (dict(priors="dirichlet"), "priors"),
    (dict(share_offsets="yes"), "share_offsets"),
]


@pytest.mark.parametrize("options, name", BAD)
def test_bad_options_are_rejected(options, name):
    x = latent()  # D = 256
    for sampler in (sample_ddim_gmm, sample_rfim_gmm):
        with pytest.raises(ValueError, match=re.escape(name)):
            sampler(shrink_model, x / 14.6, TAUS, disable=True, **options)


@pytest.mark.parametrize("sigmas, flow, what", [
    (torch.tensor([[1.0, 0.0]]), False, "1-D"), (torch.tensor([]), False, "1-D"),
    (torch.tensor([1.0, float("nan"), 0.0]), False, "finite"), (torch.tensor([1.0, -0.5]), False, ">= 0"),
    (torch.tensor([0.5, 0.8, 0.0]), False, "non-increasing"), (torch.tensor([0.5, 0.8, 0.0]), True, "non-increasing"), (torch.tensor([1.5, 0.5, 0.0]), True, "[0, 1]"),
])
def test_bad_sigmas_are_rejected(sigmas, flow, what):
    samplers = (sample_rfim_gmm, sample_rfim) if flow else (sample_ddim_gmm, sample_ddim)
    for sampler in samplers:
        with pytest.raises(ValueError, match=re.escape(what)):
            sampler(shrink_model, latent(), sigmas, disable=True)


def test_bad_latents_are_rejected():
    with pytest.raises(ValueError, match="x must"):
        sample_ddim_gmm(shrink_model, torch.zeros(2, 3, dtype=torch.int64), SIGMAS, disable=True)
    with pytest.raises(ValueError, match="x must"):
        sample_ddim(shrink_model, torch.zeros(5), SIGMAS, disable=True)


def test_preset_names():
    assert set(VARIANTS) == {"RAND", "ORTHO", "ORTHO-VUB", "ORTHO-VUB*", "EXACT", "NOISE-MATCHED"}
    assert preset_options("DDIM-GMM-ORTHO-VUB*") == dict(offsets="ortho", covariance="vub", share_offsets=True)
    assert preset_options("RFIM-GMM-RAND") == dict(offsets="rand", covariance="diag", share_offsets=False)
    with pytest.raises(ValueError, match="preset"):
        preset_options("DDIM-GMM-SVD")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flow=st.booleans(),
    shape=st.sampled_from([(1, 3), (2, 1, 4, 4), (3, 4, 2, 3), (1, 2, 2, 2, 2)]),
    levels=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    sigma_max=st.floats(0.01, 80.0),
    end_at_zero=st.booleans(),
    eta=st.floats(0.0, 1.0),
    s=st.sampled_from([0.0, 0.01, 1.0, 10.0, 100.0]),
    n_components=st.integers(1, 6),
    offsets=st.sampled_from(["ortho", "rand"]),
    covariance=st.sampled_from(["diag", "vub", "exact"]),
    share_offsets=st.booleans(),
    priors=st.sampled_from([None, "random"]),
    offset_schedule=st.sampled_from(["constant", "noise_matched"]),
    fraction=st.floats(0.0, 1.0),
    dtype=st.sampled_from([torch.float32, torch.float16, torch.bfloat16]),
    seed=st.integers(0, 2**64 - 1),
)
def test_no_nan_and_no_crash(flow, shape, levels, sigma_max, end_at_zero, eta, s, n_components, offsets, covariance,
                             share_offsets, priors, offset_schedule, fraction, dtype, seed):
    n_dims = int(torch.tensor(shape[1:]).prod())
    if (offsets == "ortho" or covariance == "vub") and n_components > n_dims:
        n_components = n_dims
    top = 1.0 if flow else sigma_max
    sigmas = torch.tensor(sorted((top * v for v in levels), reverse=True) + ([0.0] if end_at_zero else []))
    x = (torch.randn(shape, generator=torch.Generator().manual_seed(seed % 2**32)) * top).to(dtype)
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    out = sampler(shrink_model, x, sigmas, extra_args={"seed": seed}, disable=True, eta=eta, s=s,
                  n_components=n_components, offsets=offsets, covariance=covariance, share_offsets=share_offsets,
                  priors=priors, offset_schedule=offset_schedule, offset_variance_fraction=fraction)
    assert out.shape == x.shape and out.dtype == dtype
    assert torch.isfinite(out.float()).all() or not torch.isfinite(x.float()).all()


def test_importing_the_library_does_not_import_comfy():
    code = "import sys, ddim_gmm, ddim_gmm.sampling; assert 'comfy' not in sys.modules; print(ddim_gmm.NODE_CLASS_MAPPINGS)"
    done = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{}"


def test_readme_library_example_runs_as_written():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section: library -->")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "torch.Size([2, 4, 32, 32])"
