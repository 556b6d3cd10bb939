"""Every sampler's random stream is pinned: a fixed small run of each one has a recorded digest per stream version.

The benchmark caches key their runs by the sampler's stream version (bench.streams). If a change makes the same
options and seed give different samples, this test fails until the sampler's version is bumped in
bench/streams.py and the new digest is recorded here under the new version (print them with
`python tests/test_stream_digest.py`). Keep the old versions' digests: they document what the old caches hold.
"""

import pytest
import torch

from ddim_gmm.bench.quality import sampler_call
from ddim_gmm.bench.streams import STREAM_VERSIONS, stream_version
from ddim_gmm.sampling import VARIANTS

SEED = 7
DIFFUSION_SIGMAS = [14.6, 5.0, 2.0, 0.7, 0.2, 0.0]
FLOW_SIGMAS = [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]
# Diffusion: DDIM and every DDIM-GMM preset; flow: RFIM and every RFIM-GMM preset (same variant names, both forms).
RUNS = [("ddpm", "DDIM")] + [("ddpm", f"DDIM-GMM-{v}") for v in VARIANTS] + \
       [("flow", "RFIM")] + [("flow", f"RFIM-GMM-{v}") for v in VARIANTS]

# name -> {stream version: digest}. eta 0.5 (both the Gaussian stream and the mixture's draws matter), s = 1, K = 4.
DIGESTS = {
    "DDIM": {1: [-0.43217, 0.05981, 0.02071, -0.14498, 0.49215, -0.84963, -0.82836, -0.3309]},
    # Version 1 of the per-step presets: the code before commit 3ea8803 (component indices drawn step by step).
    "DDIM-GMM-RAND": {1: [-0.5693, 0.20084, -0.05161, -0.33197, 0.57233, -0.83943, -0.84977, -0.57215],
                      2: [-0.32447, 0.1049, 0.60523, -0.14893, 0.42177, -0.79153, -1.03369, -0.24069]},
    "DDIM-GMM-ORTHO": {1: [-0.57897, 0.22915, 0.00671, -0.29489, 0.62686, -0.89371, -0.84671, -0.48062],
                       2: [-0.40645, 0.15164, 0.51599, -0.13388, 0.37433, -0.83868, -0.96096, -0.29188]},
    "DDIM-GMM-ORTHO-VUB": {1: [-0.45181, 0.32027, -0.23831, -0.35871, 0.52948, -1.10467, -0.7703, -0.63733],
                           2: [-0.28701, 0.16263, 0.3758, -0.27193, 0.442, -1.01314, -0.91009, -0.31967]},
    "DDIM-GMM-ORTHO-VUB*": {1: [-0.33149, -0.2021, 0.01035, -0.34632, 0.44937, -1.06239, -0.66743, -0.52996]},
    "DDIM-GMM-EXACT": {1: [-0.65776, -0.31303, 0.19172, -0.39629, 0.53299, -0.94923, -0.72738, -0.40518]},
    "DDIM-GMM-NOISE-MATCHED": {1: [-0.45162, -0.0978, 0.09685, -0.2507, 0.5213, -0.82105, -0.73977, -0.39443]},
    "RFIM": {1: [-0.25799, 0.07651, 0.06121, -0.06456, 0.43797, -0.68092, -0.58869, -0.28745]},
    "RFIM-GMM-RAND": {1: [-0.36197, 0.30472, -0.05609, -0.24441, 0.40577, -0.54871, -0.58748, -0.39302],
                      2: [-0.0915, 0.20606, 0.45542, -0.02999, 0.33677, -0.60592, -0.71856, -0.14908]},
    "RFIM-GMM-ORTHO": {1: [-0.38258, 0.32319, 0.00503, -0.19091, 0.46834, -0.64238, -0.60654, -0.3548],
                       2: [-0.1901, 0.19961, 0.38946, -0.04944, 0.28104, -0.64392, -0.66689, -0.18614]},
    "RFIM-GMM-ORTHO-VUB": {1: [-0.34446, 0.31505, -0.14926, -0.26616, 0.42231, -0.7962, -0.60303, -0.50045],
                           2: [-0.10649, 0.16489, 0.25759, -0.15714, 0.36584, -0.83408, -0.6405, -0.23163]},
    "RFIM-GMM-ORTHO-VUB*": {1: [-0.23383, -0.32958, 0.04266, -0.2593, 0.36224, -0.85843, -0.44754, -0.48929]},
    "RFIM-GMM-EXACT": {1: [-0.41042, -0.32598, 0.20144, -0.23135, 0.43601, -0.7537, -0.46735, -0.36846]},
    "RFIM-GMM-NOISE-MATCHED": {1: [-0.24071, -0.03723, 0.10958, -0.11847, 0.44878, -0.65863, -0.50339, -0.36052]},
}


def toy_model(x, sigma, **kwargs):
    """A deterministic, nonlinear stand-in denoiser (the stream, not the model, is under test)."""
    return torch.tanh(x / (1 + sigma.view(-1, 1, 1, 1) ** 2) ** 0.5)


def run_sampler(setting, name):
    fn, options = sampler_call(setting, name, None, 0.5, 1.0, 4)
    sigmas = torch.tensor(FLOW_SIGMAS if setting == "flow" else DIFFUSION_SIGMAS)
    x = torch.randn(3, 2, 4, 4, generator=torch.Generator().manual_seed(1)) * sigmas[0]
    return fn(toy_model, x, sigmas, extra_args={"seed": SEED}, disable=True, **options)


def digest(samples):
    """Eight projections of the samples on fixed random directions, rounded: any change of stream moves them by O(1)."""
    flat = samples.double().flatten()
    directions = torch.randn(8, flat.numel(), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    return [round(v, 5) for v in (directions @ flat / flat.numel() ** 0.5).tolist()]


@pytest.mark.parametrize("setting,name", RUNS, ids=[name for _, name in RUNS])
def test_stream_matches_the_digest_of_its_version(setting, name):
    version = stream_version(name)
    recorded = DIGESTS.get(name, {})
    assert version in recorded, (f"{name}: no digest recorded for stream version {version}; record "
                                 f"{digest(run_sampler(setting, name))}")
    got = digest(run_sampler(setting, name))
    assert got == pytest.approx(recorded[version], abs=1e-4), (
        f"{name}: the same options and seed give different samples than stream version {version} did. Bump "
        f"STREAM_VERSIONS in bench/streams.py and record {got} under the new version.")


def test_every_stream_version_has_its_own_digest():
    # A bump that records the old digest again would hide nothing; a re-recorded old version would hide a change.
    for name, versions in DIGESTS.items():
        digests = [tuple(d) for d in versions.values()]
        assert len(set(digests)) == len(digests), name
        assert max(versions) == stream_version(name), name


def test_every_sampler_has_a_version():
    for _, name in RUNS:
        assert stream_version(name) in STREAM_VERSIONS.values()
    with pytest.raises(ValueError, match="STREAM_VERSIONS"):
        stream_version("no-such-sampler")


if __name__ == "__main__":
    for setting, name in RUNS:
        print(f"    {name!r}: {{{stream_version(name)}: {digest(run_sampler(setting, name))}}},")
