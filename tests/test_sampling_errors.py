"""Errors that say what to type: an unknown keyword names the nearest valid one and all of them, a model output that
is not a tensor of x's shape says what came back and what to return, and every step number is the callback's i too."""

import inspect
import math
import re
import sys
from pathlib import Path

import pytest
import torch

from _toys import shrink_model
from ddim_gmm.sampling import (NonFiniteError, sample_ddim, sample_ddim_control, sample_ddim_gmm, sample_rfim,
                               sample_rfim_control, sample_rfim_gmm)

SIGMAS = torch.tensor([14.6, 6.0, 2.0, 0.7, 0.2, 0.0])  # float32: 14.6 is 14.600001335144043 there
TAUS = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])
SAMPLERS = {sample_ddim_gmm: SIGMAS, sample_rfim_gmm: TAUS, sample_ddim: SIGMAS, sample_rfim: TAUS,
            sample_ddim_control: SIGMAS, sample_rfim_control: TAUS}
ROOT = Path(__file__).resolve().parents[1]


def latent():
    return torch.randn(2, 4, 4, 4, generator=torch.Generator().manual_seed(0))


def returning(output_at, step=0):
    """A model that returns shrink_model's estimate, except output_at(x) at call `step` (0 = the first); the calls
    it received, and the callback's i values of the run, are recorded."""
    calls, seen = [], []

    def model(x, sigma, **extra):
        calls.append(len(calls))
        return output_at(x) if len(calls) - 1 == step else shrink_model(x, sigma)

    return model, calls, lambda info: seen.append(info["i"]), seen


# (what a user typed, what they meant): misspelled, shortened, in capitals.
TYPOS = [("etta", "eta"), ("sigma", "sigmas"), ("SEED", "seed"), ("n_component", "n_components"), ("cov", "covariance"),
         ("noise_scal", "noise_scale"), ("mach", "match")]


@pytest.mark.parametrize("sampler, typed, meant", [
    (sampler, typed, meant) for sampler in SAMPLERS for typed, meant in TYPOS
    if meant in inspect.signature(sampler).parameters], ids=lambda value: getattr(value, "__name__", value))
def test_an_unknown_keyword_names_the_function_the_nearest_name_and_every_name(sampler, typed, meant):
    model, calls, _, _ = returning(lambda x: x)
    with pytest.raises(TypeError) as error:
        sampler(model, latent(), SAMPLERS[sampler], **{typed: 1})
    message = str(error.value)
    assert message.startswith(f"{sampler.__name__}() got an unexpected keyword argument {typed!r}. "
                              f"Did you mean {meant!r}?")
    assert message.endswith(f"Its arguments are {', '.join(inspect.signature(sampler).parameters)}.")
    assert calls == []


def test_a_keyword_like_no_argument_gets_no_guess():
    with pytest.raises(TypeError, match=r"argument 'steps'\. Its arguments are model, x, sigmas"):
        sample_ddim(shrink_model, latent(), SIGMAS, steps=10)


def test_the_samplers_still_take_their_arguments_by_position_and_by_name():
    x = latent()
    by_name = sample_ddim_gmm(model=shrink_model, x=x, sigmas=SIGMAS, disable=True, seed=1, eta=0.5)
    by_position = sample_ddim_gmm(shrink_model, x, SIGMAS, None, None, True, 0.5, seed=1)
    torch.testing.assert_close(by_name, by_position, rtol=0, atol=0)
    with pytest.raises(TypeError, match="got multiple values for argument 'x'"):
        sample_ddim_gmm(shrink_model, x, SIGMAS, x=x)


def jedi_script(code, tmp_path):
    """jedi's view of `code`, as an editor has it, with ddim_gmm importable from the source (whatever the checkout's
    folder is named)."""
    jedi = pytest.importorskip("jedi")
    (tmp_path / "ddim_gmm").symlink_to(ROOT, target_is_directory=True)
    project = jedi.Project(tmp_path, added_sys_path=[str(tmp_path)], smart_sys_path=False)
    return jedi.Script(code, path=tmp_path / "script.py", project=project,
                       environment=jedi.create_environment(sys.executable, safe=False))


def test_an_editor_sees_through_the_keyword_check(tmp_path):
    script = jedi_script("from ddim_gmm.sampling import sample_ddim_gmm\nsample_ddim_gmm(model, x, sigmas, n_",
                         tmp_path)
    completions = [completion.name for completion in script.complete()]
    assert completions == ["n_components="]
    (signature,) = script.get_signatures()
    assert signature.to_string().startswith("sample_ddim_gmm(model: Callable[..., Any], x: torch.Tensor, ")
    assert 'n_components: int=8, offsets: Literal["ortho", "rand"]="ortho"' in signature.to_string()
    assert "DDIM-GMM (Eq. 7)" in signature.docstring()


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("output, what, advice", [
    (lambda x: None, "None", "return the denoised estimate (does the model end with a return statement?)"),
    (lambda x: x.numpy(), "a numpy.ndarray", "return a torch.Tensor (a numpy array: torch.from_numpy(array).to(x))"),
    (lambda x: (x, x), "a tuple of 2", "a pair (denoised, uncond_denoised) is what CFG++ takes: set cfg_pp=True"),
    (lambda x: [x, x, x], "a list of 3", "return the denoised estimate alone"),
    (lambda x: 1.0, "a float", "return a torch.Tensor"),
], ids=["none", "numpy", "pair", "list", "float"])
@pytest.mark.parametrize("step", [0, 2])
def test_a_model_output_that_is_not_a_tensor_says_what_came_back_and_what_to_return(sampler, output, what, advice,
                                                                                     step):
    model, calls, callback, seen = returning(output, step)
    with pytest.raises(ValueError) as error:
        sampler(model, latent(), SAMPLERS[sampler], callback=callback, disable=True)
    message = str(error.value)
    assert message.startswith("model must return the denoised estimate as a torch.Tensor in x's shape (2, 4, 4, 4), "
                              f"but it returned {what} at step {step + 1} of 5 (the callback's i = {step}): ")
    assert advice in message
    assert seen == list(range(step)) and len(calls) == step + 1


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("output, message", [
    (lambda x: x, "but it returned a single tensor at step 2 (the callback's i = 1) (see docs/method.md, CFG++; in "
                  "ComfyUI the node installs this itself); a model that returns the denoised estimate alone needs "
                  "cfg_pp=False"),
    (lambda x: (x, x, x), "but it returned a tuple of 3 at step 2 (the callback's i = 1) (see"),
    (lambda x: None, "but it returned None at step 2 (the callback's i = 1) (see"),
    (lambda x: (x, None), "cfg_pp=True: the model's uncond_denoised must be a torch.Tensor in x's shape (2, 4, 4, 4), "
                          "got None at step 2 (the callback's i = 1)"),
    (lambda x: (x.numpy(), x), "cfg_pp=True: the model's denoised must be a torch.Tensor in x's shape (2, 4, 4, 4), "
                               "got a numpy.ndarray at step 2 (the callback's i = 1)"),
    (lambda x: (x.reshape(2, -1), x), "model must return the denoised estimate in x's shape (2, 4, 4, 4), got "
                                      "(2, 64) at step 2 of 5 (the callback's i = 1)"),
], ids=["tensor", "triple", "none", "uncond-none", "numpy", "shape"])
def test_under_cfg_pp_a_model_output_that_is_not_the_pair_says_what_came_back(sampler, output, message):
    seen = []

    def model(x, sigma, **extra):
        denoised = shrink_model(x, sigma)
        return output(denoised) if seen == [0] else (denoised, denoised)  # the second call returns `output`

    with pytest.raises(ValueError) as error:
        sampler(model, latent(), SAMPLERS[sampler], callback=lambda info: seen.append(info["i"]), disable=True,
                cfg_pp=True)
    assert message in str(error.value)
    assert seen == [0]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("step", [0, 3])
def test_a_non_finite_output_names_the_step_as_the_callback_counts_it_and_a_script_authors_remedies(sampler, step):
    model, _, callback, seen = returning(lambda x: torch.full_like(x, math.nan), step)
    sigmas = SAMPLERS[sampler]
    with pytest.raises(NonFiniteError) as error:
        sampler(model, latent(), sigmas, callback=callback, disable=True)
    message = str(error.value)
    sigma = {SIGMAS: ["14.6", "6", "2", "0.7"], TAUS: ["1", "0.8", "0.6", "0.4"]}[sigmas][step]
    assert f"at step {step + 1} of 5 (sigma = {sigma}), the callback's i = {step}." in message
    assert seen == list(range(step))
    for remedy in ("run the model in fp32 (or bf16) with x in that dtype", "the model alone returns finite values",
                   "the sigmas are the model's", "In ComfyUI: --fp32-unet", "a lower CFG scale"):
        assert remedy in message
    assert not re.search(r"\d\.\d{5,}", message)  # no float32 noise such as 14.600001335144043


@pytest.mark.parametrize("dtype, bad, shown", [
    (torch.float32, 15.0, "sigmas[0] = 14.6 < sigmas[1] = 15"),
    (torch.float32, 14.600001, "sigmas[0] = 14.6 < sigmas[1] = 14.600001"),  # as many digits as tell them apart
    (torch.float64, 15.0, "sigmas[0] = 14.6 < sigmas[1] = 15"),
    (torch.bfloat16, 15.0, "sigmas[0] = 14.6 < sigmas[1] = 15"),
])
def test_bad_sigmas_print_as_written_in_their_dtype(dtype, bad, shown):
    """A float32 14.6 widens to 14.600000381469727; the message prints the shortest text that reads back as the
    sigma in its own dtype, so it shows what the user wrote."""
    sigmas = torch.tensor([14.6, bad, 0.0], dtype=dtype)
    with pytest.raises(ValueError, match=re.escape(f"sigmas must be non-increasing, got {shown}") + "$"):
        sample_ddim_gmm(lambda x, sigma: x, torch.zeros(1, 16), sigmas, n_components=2)
