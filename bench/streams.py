"""Sampler stream versions: the part of a benchmark cache key that says which random stream made a run.

A cached run is valid only while the same options and seed still give the same samples. Whenever a change to a sampler
makes them give different samples (a different order of draws, another generator, another way to draw the component
indices), bump that sampler's version here and record its new digest beside the others the test suite pins (the
suite fails when a stream changes without a bump). A bump makes every benchmark re-run that sampler's cells instead
of serving the old ones from its cache.

Names: the Gaussian baselines (DDIM, RFIM, DDPM), the GMM variants (the same version for the DDIM-GMM and RFIM-GMM form
of a variant), the matched-noise controls (all CONTROL, e.g. DDIM-CONTROL-ORTHO-VUB*) and the peer samplers (their
registry names).
"""

# A version names one random stream of a sampler: a bump retires its cached rows. Each bump and the stream it
# names: docs/development.md, "Changelog".
STREAM_VERSIONS = {
    "DDIM": 2, "RFIM": 2, "DDPM": 2,
    "RAND": 3, "ORTHO": 3, "ORTHO-VUB": 3,
    "ORTHO-VUB*": 2, "EXACT": 2, "NOISE-MATCHED": 2,
    # sampling.control: DDIM / RFIM plus Gaussian noise of the mixture's strength (both match modes).
    "CONTROL": 2,
    # k-diffusion's samplers (bench.peers): their streams are k-diffusion's and the noise samplers we seed them with.
    "euler": 1, "euler_ancestral": 2, "heun": 1, "dpm_2": 1, "dpmpp_2m": 1, "dpmpp_2m_sde": 2, "dpmpp_sde": 2,
    "dpmpp_3m_sde": 2, "dpm_fast": 1,
    # ComfyUI's samplers (bench.comfy_sampling), seeded through ComfyUI's own noise samplers.
    "er_sde": 3, "sa_solver": 3, "seeds_2": 3, "res_multistep": 1, "gradient_estimation": 1, "uni_pc": 1, "deis": 1,
    "ipndm": 1, "euler_ancestral_cfg_pp": 3, "euler_cfg_pp": 1, "dpmpp_2m_cfg_pp": 1, "res_multistep_cfg_pp": 1,
    # bench sde-mixture's Gaussian and mixture arms (i.i.d. noise and the mixture's draws from the chunk seed).
    "SDE-MIXTURE": 2,
}
# Every cache row written before the version existed in the key was made by version-1 streams.
LEGACY_VERSION = 1
# The Gaussian baselines at eta 0 draw no noise at all: no stream change touches their samples, so their eta-0 runs
# keep this version whatever STREAM_VERSIONS says (bench quality passes eta).
DETERMINISTIC_AT_ETA_0 = {"DDIM": 1, "RFIM": 1}

FAMILIES = ("DDIM-GMM-", "RFIM-GMM-")


def stream_version(sampler, eta=None):
    """The stream version of a sampler name: a preset (full or bare variant), a baseline, a control or a peer; with
    eta 0, a baseline's deterministic version (DETERMINISTIC_AT_ETA_0)."""
    if eta == 0 and sampler in DETERMINISTIC_AT_ETA_0:
        return DETERMINISTIC_AT_ETA_0[sampler]
    if "-CONTROL-" in sampler or sampler.endswith("-CONTROL"):
        return STREAM_VERSIONS["CONTROL"]
    for family in FAMILIES:
        if sampler.startswith(family):
            sampler = sampler[len(family):]
            break
    if sampler not in STREAM_VERSIONS:
        raise ValueError(f"sampler {sampler!r} has no stream version: add it to bench.streams.STREAM_VERSIONS")
    return STREAM_VERSIONS[sampler]
