"""The mixture is drawn on the CPU and moved to the latent's device: the same seed gives the same mixture on every
device, and devices without torch.linalg (MPS in released torch, DirectML) sample without error.

No GPU is needed: an MPS-like device is simulated. Its tensors live on the CPU but report device "mps", and any
torch.linalg call on them raises NotImplementedError, as aten::linalg_qr and linalg_eigh do on MPS (PyTorch issue
177370). Factory calls and moves aimed at "mps" land on the CPU and come back as such tensors, so whatever the sampler
computes on the latent's device stays "on MPS" and is checked.
"""

import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map

from ddim_gmm.sampling import (PRESETS, preset_options, sample_ddim, sample_ddim_control, sample_ddim_gmm,
                               sample_rfim_control, sample_rfim_gmm)
from ddim_gmm.sampling.samplers import gmm_generator

from _toys import LATENT_DTYPES, dtype_id, latent_tolerance, shrink_model

MPS = torch.device("mps")
CPU = torch.device("cpu")


class MpsLikeTensor(torch.Tensor):
    """A CPU tensor that says it lives on an MPS device."""

    @property
    def device(self):
        return MPS

    @property
    def is_cpu(self):
        return False


def is_mps(value):
    return isinstance(value, MpsLikeTensor) or (isinstance(value, torch.device) and value == MPS) or value == "mps"


# Calls that make the host wait for the device (read a value back, or copy to the host).
SYNCS = {"item", "tolist", "__bool__", "__int__", "__float__", "__index__", "nonzero", "cpu", "numpy"}


class MpsLikeDevice(TorchFunctionMode):
    """While active, "mps" is a device without torch.linalg; records every linalg call that was refused and every
    call that reads an "mps" tensor back to the host."""

    def __init__(self):
        super().__init__()
        self.refused = []
        self.syncs = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        leaves, _ = tree_flatten((args, kwargs))
        on_mps = any(is_mps(leaf) for leaf in leaves)
        name = getattr(func, "__name__", "")
        if on_mps and (name.startswith("linalg_") or getattr(func, "__module__", "") == "torch.linalg"):
            self.refused.append(name)
            raise NotImplementedError(f"The operator 'aten::{name}.out' is not currently implemented for the MPS "
                                      f"device.")
        if name == "device" or name == "__get__":
            return func(*args, **kwargs)
        moves_to_host = name == "to" and any(leaf == CPU or leaf == "cpu" for leaf in leaves)
        if on_mps and (name in SYNCS or moves_to_host):
            self.syncs.append(name)
        args, kwargs = tree_map(lambda v: CPU if is_mps(v) and not isinstance(v, torch.Tensor) else v, (args, kwargs))
        args, kwargs = tree_map(lambda v: v.as_subclass(torch.Tensor) if isinstance(v, MpsLikeTensor) else v,
                                (args, kwargs))
        with torch._C.DisableTorchFunctionSubclass():
            out = func(*args, **kwargs)
        if not on_mps:
            return out
        return tree_map(lambda v: v.as_subclass(MpsLikeTensor) if type(v) is torch.Tensor else v, out)


def on_mps(t):
    return t.clone().as_subclass(MpsLikeTensor)


def cpu_noise(x, seed):
    """The Gaussian noise of a run, drawn on the CPU and handed over on x's device (as ComfyUI draws its noise)."""
    generator = torch.Generator().manual_seed(seed)
    shape = tuple(x.shape)

    def noise_sampler(sigma, sigma_next):
        z = torch.randn(shape, generator=generator, dtype=torch.float32)
        return on_mps(z) if isinstance(x, MpsLikeTensor) else z

    return noise_sampler


SIGMAS = torch.tensor([14.6, 6.0, 2.0, 0.7, 0.2, 0.0])
TAUS = torch.tensor([1.0, 0.75, 0.5, 0.25, 0.0])


def test_the_simulated_device_refuses_linalg():
    with MpsLikeDevice() as device:
        a = on_mps(torch.randn(6, 3))
        assert a.device == MPS and (a * 2).device == MPS
        assert torch.zeros(3, device="mps").device == MPS and torch.ones(2).to("mps").device == MPS
        with pytest.raises(NotImplementedError, match="linalg_qr"):
            torch.linalg.qr(a)
        with pytest.raises(NotImplementedError, match="linalg_eigh"):
            torch.linalg.eigh(a.T @ a)
        torch.linalg.qr(torch.randn(6, 3))  # CPU tensors keep torch.linalg
    assert device.refused == ["linalg_qr", "linalg_eigh"]


@pytest.mark.parametrize("name", [n for n in PRESETS])
@pytest.mark.parametrize("eta", [0.0, 0.7])
def test_every_preset_samples_on_a_device_without_linalg_and_matches_the_cpu(name, eta):
    flow = name.startswith("RFIM")
    sampler, sigmas = (sample_rfim_gmm, TAUS) if flow else (sample_ddim_gmm, SIGMAS)
    x = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(5)) * sigmas[0]
    options = dict(preset_options(name), eta=eta, s=3.0, n_components=8, priors="random", seed=123)
    reference = sampler(shrink_model, x, sigmas, disable=True, noise_sampler=cpu_noise(x, 9), **options)
    with MpsLikeDevice() as device:
        x_mps = on_mps(x)
        out = sampler(shrink_model, x_mps, sigmas.to("mps"), disable=True, noise_sampler=cpu_noise(x_mps, 9),
                      **options)
        assert isinstance(out, MpsLikeTensor) and out.device == MPS
    assert device.refused == []
    assert torch.equal(out.as_subclass(torch.Tensor), reference)


def test_gaussian_baseline_and_half_precision_on_the_simulated_device():
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(2)).half() * 14.6
    reference = sample_ddim_gmm(shrink_model, x, SIGMAS, disable=True, noise_sampler=cpu_noise(x, 1), seed=4)
    baseline = sample_ddim(shrink_model, x, SIGMAS, disable=True, noise_sampler=cpu_noise(x, 1))
    with MpsLikeDevice():
        x_mps = on_mps(x)
        out = sample_ddim_gmm(shrink_model, x_mps, SIGMAS, disable=True, noise_sampler=cpu_noise(x_mps, 1), seed=4)
        base_mps = sample_ddim(shrink_model, x_mps, SIGMAS, disable=True, noise_sampler=cpu_noise(x_mps, 1))
    assert out.dtype == torch.float16 and torch.equal(out.as_subclass(torch.Tensor), reference)
    assert torch.equal(base_mps.as_subclass(torch.Tensor), baseline)


def test_the_gmm_generator_is_on_the_cpu_whatever_the_latent():
    for x in (torch.zeros(1, 4), torch.zeros(1, 4, dtype=torch.float64)):
        generator = gmm_generator(x, 7)
        assert generator.device == CPU
    assert gmm_generator(torch.zeros(1, 4), None) is None
    with MpsLikeDevice():
        assert gmm_generator(on_mps(torch.zeros(1, 4)), 7).device == CPU


def count_syncs(sampler, sigmas, model=shrink_model, **options):
    x = on_mps(torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(1)) * sigmas[0])
    with MpsLikeDevice() as device:
        sampler(model, x, sigmas.to("mps"), disable=True, noise_sampler=cpu_noise(x, 2), seed=3, **options)
    return device.syncs


@pytest.mark.parametrize("name", ["DDIM-GMM-ORTHO-VUB*", "DDIM-GMM-ORTHO", "DDIM-GMM-NOISE-MATCHED", "RFIM-GMM-RAND"])
def test_no_host_sync_per_step_off_the_cpu(name):
    """The loop never reads the device back: a 40-step run syncs exactly as often as a 4-step run (the latent's
    finiteness check, reading the sigmas, and the model outputs' one check at the end)."""
    flow = name.startswith("RFIM")
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    short = torch.linspace(1.0 if flow else 14.6, 0.0, 5)
    long = torch.linspace(1.0 if flow else 14.6, 0.0, 41)
    syncs = count_syncs(sampler, short, eta=0.5, **preset_options(name))
    assert syncs == count_syncs(sampler, long, eta=0.5, **preset_options(name))
    assert len(syncs) <= 4, syncs


def test_a_non_finite_model_output_off_the_cpu_is_found_at_the_end_of_the_run():
    calls = []

    def model(x, sigma, **extra):
        calls.append(1)
        out = shrink_model(x, sigma)
        return out * float("inf") if len(calls) == 3 else out

    sigmas = torch.linspace(14.6, 0.0, 9)
    with pytest.raises(FloatingPointError, match=r"NaN or Inf at step 3 of 8 \(sigma = 10\.95\)"):
        count_syncs(sample_ddim_gmm, sigmas, model=model)
    assert len(calls) == 8  # the run goes on without waiting for the device, and is refused at its end


@pytest.mark.device_generic
@pytest.mark.device_quick
@pytest.mark.parametrize("name", [*PRESETS, "DDIM-GMM control", "RFIM-GMM control"])
@pytest.mark.parametrize("dtype", LATENT_DTYPES, ids=dtype_id)
def test_same_seed_same_samples_on_the_test_device_as_on_the_cpu(name, dtype, device):
    """A real device (DDIM_GMM_TEST_DEVICE): with the noise drawn on the CPU, every preset and control gives the CPU's
    samples to rounding (bit for bit on the CPU itself), the mixture being drawn on the CPU whatever the device."""
    flow = name.startswith("RFIM")
    sigmas = TAUS if flow else SIGMAS
    sampler = {(False, False): sample_ddim_gmm, (True, False): sample_rfim_gmm, (False, True): sample_ddim_control,
               (True, True): sample_rfim_control}[flow, name.endswith("control")]
    options = {} if name.endswith("control") else preset_options(name)
    options = dict(options, eta=0.7, s=3.0, n_components=8, priors="random", seed=123)
    x = (torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(5)) * sigmas[0]).to(dtype)

    def cpu_noise_on(target):
        generator = torch.Generator().manual_seed(9)
        return lambda sigma, sigma_next: torch.randn(x.shape, generator=generator).to(target, dtype)

    reference = sampler(shrink_model, x, sigmas, disable=True, noise_sampler=cpu_noise_on(CPU), **options)
    out = sampler(shrink_model, x.to(device), sigmas.to(device), disable=True, noise_sampler=cpu_noise_on(device),
                  **options)
    assert out.device == device and out.dtype == dtype
    if device.type == "cpu":
        assert torch.equal(out, reference)
    else:
        difference = (out.cpu().double() - reference.double()).abs().max().item()
        assert difference < latent_tolerance(dtype, reference.abs().max().item()), difference
