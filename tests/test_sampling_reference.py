"""The optimised kernel against the paper-shaped one of sampling/reference.py (explicit D x D matrices, small D).

Every kernel call of a real run is recorded with its random inputs (z, k, the mixture) and recomputed the slow way:
VP conversion, Eq. 6 mean, Eq. 11 covariance offset, and for `exact` the symmetric square root of the (clipped)
var I - Delta_k. Same draws, so the two must agree to rounding for every preset.
"""

import pytest
import torch

from _toys import record_gmm_steps, shrink_model
from ddim_gmm.sampling import PRESETS, preset_options, reference, sample_ddim_gmm, sample_rfim_gmm


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("eta", [0.0, 0.6])
def test_optimised_kernel_equals_the_reference(monkeypatch, name, eta):
    calls = record_gmm_steps(monkeypatch)
    flow = name.startswith("RFIM")
    sigmas = torch.tensor([1.0, 0.7, 0.45, 0.2, 0.0] if flow else [8.0, 3.0, 1.2, 0.4, 0.0], dtype=torch.float64)
    x = torch.randn(3, 4, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * sigmas[0]
    sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    sampler(shrink_model, x, sigmas, seed=11, disable=True, eta=eta, s=0.7, n_components=5,
            priors=[0.1, 0.15, 0.2, 0.25, 0.3], **preset_options(name))
    assert len(calls) == 3
    for i, ((x_i, x0_i, z, k, scale, mix, uncond), got) in enumerate(calls):
        assert uncond is None
        assert mix.covariance.name == preset_options(name)["covariance"]
        want = reference.gmm_step(flow, x_i, x0_i, sigmas[i].item(), sigmas[i + 1].item(), eta, z, k, scale, mix)
        assert (got - want).abs().max().item() < 1e-9, (name, i)
