"""Every sampler's random stream is pinned: a fixed small run of each one has a recorded digest per stream version.

The benchmark caches key their runs by the sampler's stream version (bench.streams). If a change makes the same
options and seed give different samples, this test fails until the sampler's version is bumped in
bench/streams.py and the new digest is recorded here under the new version (print them with
`python tests/test_stream_digest.py`). Keep the old versions' digests: they document what the old caches hold.
"""

import pytest
import torch

from ddim_gmm.bench.harness import chunk_seed
from ddim_gmm.bench.peers import control_peer, gmm_peer, k_diffusion_peers, sampler_call
from ddim_gmm.bench.streams import STREAM_VERSIONS, stream_version
from ddim_gmm.sampling import VARIANTS

pytest.importorskip("k_diffusion")

SEED = 7
DIFFUSION_SIGMAS = [14.6, 5.0, 2.0, 0.7, 0.2, 0.0]
FLOW_SIGMAS = [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]


def preset_run(setting, name):
    fn, options = sampler_call(setting, name, None, 0.5, 1.0, 4)
    return lambda model, x, sigmas, extra_args, seed: fn(model, x, sigmas, extra_args=extra_args, disable=True,
                                                          **options)


def all_runs():
    """[(digest name, setting, stream version, call(model, x, sigmas, extra_args, seed))] of every sampler."""
    runs = []
    for setting, base, family in (("ddpm", "DDIM", "DDIM-GMM"), ("flow", "RFIM", "RFIM-GMM")):
        # Diffusion: DDIM and every DDIM-GMM preset; flow: RFIM and every RFIM-GMM preset.
        for name in [base] + [f"{family}-{v}" for v in VARIANTS]:
            runs.append((name, setting, stream_version(name), preset_run(setting, name)))
        kind = "flow" if setting == "flow" else "diffusion"
        for match in ("offsets", "total"):
            peer = control_peer(kind, "ORTHO-VUB", 0.5, 1.0, match, n_components=4)
            runs.append((f"{base}-CONTROL-{match}", setting, peer.stream_version, peer.call))
    # CFG++ (issue 20): bench compare's DDIM-GMM CFG++ row and its control (the same draws; the mean moves).
    for peer in (gmm_peer("diffusion", "ORTHO-VUB*", 0.5, 1.0, n_components=4, cfg_pp=True),
                 control_peer("diffusion", "ORTHO-VUB*", 0.5, 1.0, "offsets", n_components=4, cfg_pp=True)):
        runs.append((peer.name, "ddpm", peer.stream_version, peer.call))
    for peer in k_diffusion_peers():
        runs.append((f"{peer.name} ({peer.kind})", "flow" if peer.kind == "flow" else "ddpm", peer.stream_version,
                     peer.call))
    return runs


RUNS = all_runs()

# name -> {stream version: digest}. eta 0.5 (both the Gaussian stream and the mixture's draws matter), s = 1, K = 4.
DIGESTS = {
    "DDIM": {1: [-0.43217, 0.05981, 0.02071, -0.14498, 0.49215, -0.84963, -0.82836, -0.3309],
             2: [-0.06186, 0.62466, -0.0914, -0.02524, 0.58507, -0.89131, 0.25228, -1.16006]},
    # Version 1 of the per-step presets: the code before commit 3ea8803 (component indices drawn step by step).
    "DDIM-GMM-RAND": {1: [-0.5693, 0.20084, -0.05161, -0.33197, 0.57233, -0.83943, -0.84977, -0.57215],
                      2: [-0.32447, 0.1049, 0.60523, -0.14893, 0.42177, -0.79153, -1.03369, -0.24069],
                      3: [0.05089, 0.38937, -0.1176, -0.24569, 0.48106, -0.67172, 0.40509, -1.41462]},
    "DDIM-GMM-ORTHO": {1: [-0.57897, 0.22915, 0.00671, -0.29489, 0.62686, -0.89371, -0.84671, -0.48062],
                       2: [-0.40645, 0.15164, 0.51599, -0.13388, 0.37433, -0.83868, -0.96096, -0.29188],
                       3: [0.16288, 0.40081, -0.17231, -0.19261, 0.53547, -0.7549, 0.34588, -1.40486]},
    "DDIM-GMM-ORTHO-VUB": {1: [-0.45181, 0.32027, -0.23831, -0.35871, 0.52948, -1.10467, -0.7703, -0.63733],
                           2: [-0.28701, 0.16263, 0.3758, -0.27193, 0.442, -1.01314, -0.91009, -0.31967],
                           3: [0.06646, 0.3762, 0.19384, -0.25381, 0.50045, -1.01408, 0.1101, -0.86155]},
    "DDIM-GMM-ORTHO-VUB*": {1: [-0.33149, -0.2021, 0.01035, -0.34632, 0.44937, -1.06239, -0.66743, -0.52996],
                            2: [-0.26625, 0.69947, 0.13187, -0.00882, 0.27423, -1.14509, 0.15106, -0.45797]},
    "DDIM-GMM-EXACT": {1: [-0.65776, -0.31303, 0.19172, -0.39629, 0.53299, -0.94923, -0.72738, -0.40518],
                       2: [-0.10313, 0.76861, -0.0597, 0.05612, 0.2191, -0.48865, 0.53751, -0.80129]},
    "DDIM-GMM-NOISE-MATCHED": {1: [-0.45162, -0.0978, 0.09685, -0.2507, 0.5213, -0.82105, -0.73977, -0.39443],
                               2: [-0.1429, 0.70634, -0.15797, -0.04234, 0.50468, -0.81379, 0.35263, -1.06241]},
    "RFIM": {1: [-0.25799, 0.07651, 0.06121, -0.06456, 0.43797, -0.68092, -0.58869, -0.28745],
             2: [0.05727, 0.36115, 0.04471, 0.01824, 0.4639, -0.50962, 0.28043, -0.91052]},
    "RFIM-GMM-RAND": {1: [-0.36197, 0.30472, -0.05609, -0.24441, 0.40577, -0.54871, -0.58748, -0.39302],
                      2: [-0.0915, 0.20606, 0.45542, -0.02999, 0.33677, -0.60592, -0.71856, -0.14908],
                      3: [0.17381, 0.10675, 0.01789, -0.26091, 0.36386, -0.28857, 0.3253, -1.07119]},
    "RFIM-GMM-ORTHO": {1: [-0.38258, 0.32319, 0.00503, -0.19091, 0.46834, -0.64238, -0.60654, -0.3548],
                       2: [-0.1901, 0.19961, 0.38946, -0.04944, 0.28104, -0.64392, -0.66689, -0.18614],
                       3: [0.26202, 0.13664, -0.07096, -0.18879, 0.41823, -0.34152, 0.28073, -1.10474]},
    "RFIM-GMM-ORTHO-VUB": {1: [-0.34446, 0.31505, -0.14926, -0.26616, 0.42231, -0.7962, -0.60303, -0.50045],
                           2: [-0.10649, 0.16489, 0.25759, -0.15714, 0.36584, -0.83408, -0.6405, -0.23163],
                           3: [0.23336, 0.108, 0.16326, -0.30558, 0.46028, -0.52916, 0.15803, -0.71542]},
    "RFIM-GMM-ORTHO-VUB*": {1: [-0.23383, -0.32958, 0.04266, -0.2593, 0.36224, -0.85843, -0.44754, -0.48929],
                            2: [-0.09116, 0.54054, 0.17616, 0.00048, 0.23233, -0.62458, 0.29264, -0.19559]},
    "RFIM-GMM-EXACT": {1: [-0.41042, -0.32598, 0.20144, -0.23135, 0.43601, -0.7537, -0.46735, -0.36846],
                       2: [0.04839, 0.56138, 0.05958, 0.02739, 0.19115, -0.12112, 0.58555, -0.46511]},
    "RFIM-GMM-NOISE-MATCHED": {1: [-0.24071, -0.03723, 0.10958, -0.11847, 0.44878, -0.65863, -0.50339, -0.36052],
                               2: [0.02177, 0.43952, 0.00944, -0.01454, 0.40405, -0.40453, 0.37948, -0.79079]},
    # The matched-noise controls of ORTHO-VUB (eta 0.5, s 1, K 4) and k-diffusion's samplers (bench.peers).
    "DDIM-CONTROL-offsets": {1: [-0.43489, 0.02728, 0.00661, -0.10446, 0.50922, -0.89987, -0.84059, -0.34008],
                             2: [-0.02397, 0.64692, -0.05922, -0.05797, 0.61816, -0.8714, 0.31619, -1.17059]},
    "DDIM-CONTROL-total": {1: [-0.4287, 0.04334, 0.03149, -0.11114, 0.51758, -0.89541, -0.84463, -0.35693],
                           2: [-0.04157, 0.646, -0.04397, -0.05958, 0.62759, -0.86973, 0.28877, -1.17122]},
    "RFIM-CONTROL-offsets": {1: [-0.25044, 0.03472, 0.04399, -0.02271, 0.47774, -0.74805, -0.61375, -0.30895],
                             2: [0.13927, 0.37996, 0.06628, 0.00371, 0.51517, -0.48282, 0.38427, -0.95638]},
    "RFIM-CONTROL-total": {1: [-0.24673, 0.04422, 0.05923, -0.02352, 0.47774, -0.74318, -0.61488, -0.31489],
                           2: [0.12788, 0.37885, 0.07729, 0.00027, 0.5163, -0.48101, 0.3567, -0.94523]},
    # CFG++ rows (bench.peers cfg_pp): the plain rows' draws, the mean from the unconditional prediction.
    "DDIM-GMM-ORTHO-VUB* eta 0.5 s 1 CFG++": {1: [-0.35837, -0.17246, 0.01819, -0.34988, 0.47794, -1.08709, -0.70048,
                                                  -0.54323],
                                              2: [-0.31916, 0.73905, 0.11778, -0.02922, 0.28165, -1.23597, 0.11806,
                                                  -0.52273]},
    "DDIM-CONTROL of ORTHO-VUB* eta 0.5 s 1 CFG++": {1: [-0.47555, 0.03334, 0.00708, -0.11844, 0.51908, -0.92018,
                                                         -0.88551, -0.34812],
                                                     2: [-0.07161, 0.69824, -0.08628, -0.08142, 0.63781, -0.94763, 0.29361,
                                                         -1.21136]},
    "euler (diffusion)": {1: [-0.27795, 0.3714, 0.58801, -0.16658, 0.63458, -0.81464, -0.82249, -0.53394]},
    "euler_ancestral (diffusion)": {1: [0.15436, -0.2336, -0.27745, -0.12899, 0.47056, -0.70273, -0.28625, -0.12034],
                                    2: [0.71853, 0.02082, -0.18743, 0.24049, 0.39286, -0.16305, 0.92891, -0.87217]},
    "heun (diffusion)": {1: [-0.29055, 0.3533, 0.60222, -0.17942, 0.60907, -0.75436, -0.82116, -0.50258]},
    "dpm_2 (diffusion)": {1: [-0.29177, 0.36488, 0.60705, -0.17924, 0.62765, -0.78483, -0.83433, -0.52092]},
    "dpmpp_2m (diffusion)": {1: [-0.29232, 0.37588, 0.61053, -0.18024, 0.64647, -0.81452, -0.84236, -0.53971]},
    "dpmpp_2m_sde (diffusion)": {1: [0.17251, 0.23242, 0.12026, 0.19527, 0.67518, 0.43357, -1.16782, 0.83034],
                                 2: [-0.21483, 0.12939, -1.09637, -0.97823, -0.56271, 0.61565, -0.12694, 0.35836]},
    "dpmpp_sde (diffusion)": {1: [0.57005, 0.01695, -0.01232, 0.17, 0.43901, 0.08752, -0.76969, 0.77694],
                              2: [-0.33789, 0.02768, -0.92425, -0.89646, -0.11722, 0.53778, -0.14828, 0.38948]},
    "dpmpp_3m_sde (diffusion)": {1: [0.33221, 0.268, -0.17915, 0.33056, 0.30653, 0.08686, -1.18032, 0.69437],
                                 2: [-0.58744, 0.09595, -1.12159, -1.07935, -0.7563, 0.02823, 0.13034, 0.2996]},
    "dpm_fast (diffusion)": {1: [-0.40734, 0.4807, 0.86988, -0.24826, 0.81668, -1.04757, -1.12316, -0.69317]},
    "euler (flow)": {1: [-0.18762, 0.27331, 0.42441, -0.08777, 0.44522, -0.63174, -0.62804, -0.39506]},
    "heun (flow)": {1: [-0.18919, 0.27058, 0.42578, -0.09149, 0.44281, -0.62283, -0.62214, -0.39172]},
}


def toy_model(x, sigma, with_uncond=False, **kwargs):
    """A deterministic, nonlinear stand-in denoiser (the stream, not the model, is under test); with_uncond (the CFG++
    rows, as bench compare's CFG denoiser): the pair (guided, unconditional)."""
    guided = torch.tanh(x / (1 + sigma.view(-1, 1, 1, 1) ** 2) ** 0.5)
    return (guided, 0.8 * guided) if with_uncond else guided


def run_sampler(setting, call):
    """One chunk as the benchmarks run it: the noise seed of chunk 0 of seed SEED (bench.harness.chunk_seed), so a
    change of the harness's seed rule shows here too. Version 1 of every stream (and 2 of the per-step presets) was
    recorded with the noise seed SEED itself, the rule before issue 19."""
    sigmas = torch.tensor(FLOW_SIGMAS if setting == "flow" else DIFFUSION_SIGMAS)
    x = torch.randn(3, 2, 4, 4, generator=torch.Generator().manual_seed(1)) * sigmas[0]
    seed = chunk_seed(SEED, 0)
    return call(toy_model, x, sigmas, {"seed": seed}, seed)


def digest(samples):
    """Eight projections of the samples on fixed random directions, rounded: any change of stream moves them by O(1)."""
    flat = samples.double().flatten()
    directions = torch.randn(8, flat.numel(), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    return [round(v, 5) for v in (directions @ flat / flat.numel() ** 0.5).tolist()]


@pytest.mark.parametrize("name,setting,version,call", RUNS, ids=[run[0] for run in RUNS])
def test_stream_matches_the_digest_of_its_version(name, setting, version, call):
    recorded = DIGESTS.get(name, {})
    got = digest(run_sampler(setting, call))
    assert version in recorded, f"{name}: no digest recorded for stream version {version}; record {got}"
    assert got == pytest.approx(recorded[version], abs=1e-4), (
        f"{name}: the same options and seed give different samples than stream version {version} did. Bump "
        f"STREAM_VERSIONS in bench/streams.py and record {got} under the new version.")


def test_every_stream_version_has_its_own_digest():
    # A bump that records the old digest again would hide nothing; a re-recorded old version would hide a change.
    current = {name: version for name, _, version, _ in RUNS}
    assert set(DIGESTS) == set(current)
    for name, versions in DIGESTS.items():
        digests = [tuple(d) for d in versions.values()]
        assert len(set(digests)) == len(digests), name
        assert max(versions) == current[name], name


def test_every_sampler_has_a_version():
    assert {run[2] for run in RUNS} <= set(STREAM_VERSIONS.values())
    with pytest.raises(ValueError, match="STREAM_VERSIONS"):
        stream_version("no-such-sampler")


if __name__ == "__main__":
    for name, setting, version, call in RUNS:
        print(f"    {name!r}: {{{version}: {digest(run_sampler(setting, call))}}},")
