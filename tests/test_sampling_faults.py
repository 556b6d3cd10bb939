"""What a user gets for bad input: a ValueError naming the parameter before the first model call, and for a model
that returns NaN or Inf an error naming the step and the noise level, never a NaN image or an obscure torch error."""

import re

import numpy as np
import pytest
import torch

from ddim_gmm.sampling import (NonFiniteError, check_options, ddim_step, default_noise_sampler, draw_mixture,
                               draw_offsets, preset_options, rfim_step, sample_ddim, sample_ddim_control,
                               sample_ddim_gmm, sample_rfim, sample_rfim_control, sample_rfim_gmm)

from _toys import LATENT_DTYPES, dtype_id, shrink_model

SIGMAS = torch.tensor([14.6, 6.0, 2.0, 0.7, 0.2, 0.0])
TAUS = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])
SAMPLERS = [(sample_ddim_gmm, SIGMAS), (sample_rfim_gmm, TAUS), (sample_ddim, SIGMAS), (sample_rfim, TAUS),
            (sample_ddim_control, SIGMAS), (sample_rfim_control, TAUS)]
IDS = ["ddim_gmm", "rfim_gmm", "ddim", "rfim", "ddim_control", "rfim_control"]


def counting(model):
    calls = []

    def wrapped(x, sigma, **extra):
        calls.append(float(sigma[0]))
        return model(x, sigma, **extra)

    return wrapped, calls


def latent(batch=2, device="cpu", dtype=torch.float32):
    return torch.randn(batch, 4, 4, 4, generator=torch.Generator().manual_seed(0)).to(device, dtype)


@pytest.mark.device_generic
@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
def test_a_non_finite_latent_is_refused_before_the_first_model_call(sampler, sigmas, bad, device, dtype):
    x = latent(device=device, dtype=dtype)
    x[1, 2, 3, 0] = bad
    model, calls = counting(shrink_model)
    with pytest.raises(ValueError, match=r"x must be finite, but the latent holds 1 NaN or Inf"):
        sampler(model, x, sigmas.to(device), disable=True, seed=1)
    assert calls == []


@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
def test_an_empty_batch_or_sample_is_a_value_error(sampler, sigmas):
    for shape in [(0, 4, 4, 4), (2, 0, 4), (3, 0)]:
        with pytest.raises(ValueError, match=re.escape(f"x must hold at least one sample of at least one element, "
                                                       f"got shape {shape}")):
            sampler(shrink_model, torch.zeros(shape), sigmas, disable=True)


@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("seed", ["abc", "7", 1.5, 2.0, True, [1], 2**64, -2**63 - 1, torch.tensor([1, 2])])
def test_a_seed_that_is_not_an_integer_is_a_value_error(sampler, sigmas, seed):
    model, calls = counting(shrink_model)
    with pytest.raises(ValueError, match=r"seed must be an integer in \[-2\*\*63, 2\*\*64\) or None"):
        sampler(model, latent(), sigmas, disable=True, seed=seed)
    with pytest.raises(ValueError, match=r"seed must be an integer"):
        sampler(model, latent(), sigmas, disable=True, extra_args={"seed": seed})
    assert calls == []


@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
def test_integer_seeds_of_every_kind_are_taken(sampler, sigmas):
    out = sampler(shrink_model, latent(), sigmas, disable=True, seed=5)
    for seed in (np.int64(5), torch.tensor(5), 5 + 2**64 - 2**64):
        assert torch.equal(sampler(shrink_model, latent(), sigmas, disable=True, seed=seed), out)
    for seed in (0, 2**64 - 1, -2**63):
        assert torch.isfinite(sampler(shrink_model, latent(), sigmas, disable=True, seed=seed)).all()


def failing_model(bad_call, value=float("nan")):
    """shrink_model, except that call number bad_call (1-based) puts `value` into one element (an fp16 overflow)."""
    calls = []

    def model(x, sigma, **extra):
        calls.append(float(sigma[0]))
        out = shrink_model(x, sigma, **extra)
        if len(calls) == bad_call:
            out = out.clone()
            out[0, 1, 2, 3] = value
        return out

    return model, calls


@pytest.mark.device_generic
@pytest.mark.device_quick
@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("bad_call", [1, 3, 5])
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
def test_a_non_finite_model_output_stops_the_run_naming_the_step_and_the_noise_level(sampler, sigmas, bad_call,
                                                                                     device, dtype):
    for value in (float("nan"), float("inf")):
        model, calls = failing_model(bad_call, value)
        with pytest.raises(NonFiniteError) as error:
            sampler(model, latent(device=device, dtype=dtype), sigmas.to(device), disable=True, seed=3, eta=0.5)
        message = str(error.value)
        assert f"at step {bad_call} of 5 (sigma = {float(sigmas[bad_call - 1]):.4g})" in message
        assert "fp32" in message and "CFG" in message
        # On the CPU the run stops at once; on other devices it runs to its end and is refused there (FiniteWatch).
        assert len(calls) == (bad_call if device.type == "cpu" else len(sigmas) - 1)
        # the model sees sigma in the latent's dtype
        assert calls[bad_call - 1] == pytest.approx(float(sigmas[bad_call - 1]), rel=torch.finfo(dtype).eps)
        assert isinstance(error.value, FloatingPointError)


def test_a_model_output_of_the_wrong_shape_is_a_value_error():
    with pytest.raises(ValueError, match=r"model must return the denoised estimate in x's shape \(2, 4, 4, 4\), got "
                                         r"\(2, 64\) at step 1"):
        sample_ddim_gmm(lambda x, sigma: x.reshape(2, 64), latent(), SIGMAS, disable=True)


@pytest.mark.parametrize("sampler, sigmas", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("arguments, name", [
    (dict(model=None), "model"), (dict(model="unet"), "model"),
    (dict(x=[[1.0, 2.0]]), "x must be a torch.Tensor"), (dict(x=np.zeros((1, 4))), "x must be a torch.Tensor"),
    (dict(extra_args=[("seed", 1)]), "extra_args"), (dict(callback=5), "callback"),
    (dict(noise_sampler="brownian"), "noise_sampler"),
    (dict(sigmas="abc"), "sigmas"), (dict(sigmas=None), "sigmas"), (dict(sigmas=[[1.0], [0.5, 0.0]]), "sigmas"),
    (dict(sigmas=torch.tensor([True, False])), "sigmas"),
    (dict(eta="0.5"), "eta"), (dict(eta=None), "eta"),
])
def test_every_bad_argument_of_the_samplers_is_a_value_error_naming_it(sampler, sigmas, arguments, name):
    call = dict(model=shrink_model, x=latent(), sigmas=sigmas, disable=True)
    call.update(arguments)
    with pytest.raises(ValueError, match=re.escape(name)):
        sampler(**call)


@pytest.mark.parametrize("sampler", [sample_ddim_gmm, sample_rfim_gmm])
@pytest.mark.parametrize("options, name", [
    (dict(priors=["a"] * 8), "priors"), (dict(priors=object()), "priors"),
    (dict(priors=[[0.5], [0.25, 0.25]]), "priors"),
    (dict(n_components=None), "n_components"), (dict(n_components="8"), "n_components"),
    (dict(s=None), "s must"), (dict(offsets=None), "offsets"), (dict(covariance=["vub"]), "covariance"),
    (dict(offset_schedule=None), "offset_schedule"),
    (dict(offset_variance_fraction="half"), "offset_variance_fraction"),
])
def test_every_bad_gmm_option_is_a_value_error_naming_it(sampler, options, name):
    model, calls = counting(shrink_model)
    with pytest.raises(ValueError, match=re.escape(name)):
        sampler(model, latent(), TAUS, disable=True, **options)
    assert calls == []


def test_bad_arguments_of_the_helpers_are_value_errors():
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_options(["ORTHO"])
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_options(None)
    with pytest.raises(ValueError, match="n_dims must be an integer >= 1"):
        check_options(0)
    with pytest.raises(ValueError, match="n_dims must be an integer >= 1"):
        check_options(64.0)
    with pytest.raises(ValueError, match="unknown option"):
        check_options(64, sigma=2.0)
    assert check_options(64, s=2).s == 2.0


@pytest.mark.parametrize("call, name", [
    (lambda: draw_offsets("svd", torch.full((4,), 0.25), 16, None, "cpu", torch.float32), "kind must be one of"),
    (lambda: draw_offsets("ortho", torch.full((4,), 0.25), 3, None, "cpu", torch.float32), "at most n_dims = 3"),
    (lambda: draw_offsets("rand", [0.5, 0.5], 16, None, "cpu", torch.float32), "priors must be a 1-D tensor"),
    (lambda: draw_offsets("rand", torch.ones(2, 2), 16, None, "cpu", torch.float32), "priors must be a 1-D tensor"),
    (lambda: draw_offsets("rand", torch.full((2,), 0.5), 0, None, "cpu", torch.float32), "n_dims must be"),
    (lambda: draw_offsets("rand", torch.full((2,), 0.5), 16.0, None, "cpu", torch.float32), "n_dims must be"),
    (lambda: draw_mixture("ortho", "full", torch.full((2,), 0.5), 16, None, "cpu", torch.float32),
     "covariance must be one of"),
    (lambda: ddim_step(1.0, 2.0, 1.0), "sigma_next must be in (0, sigma]"),
    (lambda: ddim_step(1.0, 0.0, 1.0), "sigma_next must be in (0, sigma]"),
    (lambda: ddim_step(float("nan"), 0.5, 1.0), "sigma must be a finite number"),
    (lambda: ddim_step(2.0, 1.0, 1.5), "eta must be a finite number in [0.0, 1.0]"),
    (lambda: ddim_step(torch.tensor(2.0), 1.0, 1.0), "sigma must be a finite number"),
    (lambda: rfim_step(1.5, 0.5, 0.0), "tau must be a finite number in [0.0, 1.0]"),
    (lambda: rfim_step(0.5, 0.8, 0.0), "tau_next must be in (0, tau]"),
    (lambda: default_noise_sampler([1.0], seed=1), "x must be a torch.Tensor"),
    (lambda: default_noise_sampler(torch.zeros(1, 2), seed="1"), "seed must be an integer"),
])
def test_bad_arguments_of_the_building_blocks_are_value_errors(call, name):
    with pytest.raises(ValueError, match=re.escape(name)):
        call()
