"""Sampler stream versions: the part of a benchmark cache key that says which random stream made a run.

A cached run is valid only while the same options and seed still give the same samples. Whenever a change to a sampler
makes them give different samples (a different order of draws, another generator, another way to draw the component
indices), bump that sampler's version here and record its new digest in tests/test_stream_digest.py; the test fails
when a stream changes without a bump. A bump makes every benchmark re-run that sampler's cells instead of serving the
old ones from its cache.

Names: the Gaussian baselines (DDIM, RFIM, DDPM), the GMM variants (the same version for the DDIM-GMM and RFIM-GMM form
of a variant), the matched-noise controls (all CONTROL, e.g. DDIM-CONTROL-ORTHO-VUB*) and the peer samplers (their
registry names).
"""

# History:
#   1  the first cached runs (bench/results before 2026-11-25).
#   2  RAND, ORTHO, ORTHO-VUB: the component indices of all steps are drawn once per run, before the per-step offset
#      draws (commit 3ea8803), not interleaved with them. The shared-offset presets and the baselines kept their
#      stream: checked bit for bit (eta 0; to 1e-7 float rounding at eta 0.5) between the code of 3b869b1, 3b194b2
#      and 3ea8803^ and the code after it.
STREAM_VERSIONS = {
    "DDIM": 1, "RFIM": 1, "DDPM": 1,
    "RAND": 2, "ORTHO": 2, "ORTHO-VUB": 2,
    "ORTHO-VUB*": 1, "EXACT": 1, "NOISE-MATCHED": 1,
    # sampling.control: DDIM / RFIM plus Gaussian noise of the mixture's strength (both match modes).
    "CONTROL": 1,
    # k-diffusion's samplers (bench.peers): their streams are k-diffusion's and the noise samplers we seed them with.
    "euler": 1, "euler_ancestral": 1, "heun": 1, "dpm_2": 1, "dpmpp_2m": 1, "dpmpp_2m_sde": 1, "dpmpp_sde": 1,
    "dpmpp_3m_sde": 1, "dpm_fast": 1,
}
# Every cache row written before the version existed in the key was made by version-1 streams.
LEGACY_VERSION = 1

FAMILIES = ("DDIM-GMM-", "RFIM-GMM-")


def stream_version(sampler):
    """The stream version of a sampler name: a preset (full or bare variant), a baseline, a control or a peer."""
    if "-CONTROL-" in sampler or sampler.endswith("-CONTROL"):
        return STREAM_VERSIONS["CONTROL"]
    for family in FAMILIES:
        if sampler.startswith(family):
            sampler = sampler[len(family):]
            break
    if sampler not in STREAM_VERSIONS:
        raise ValueError(f"sampler {sampler!r} has no stream version: add it to bench.streams.STREAM_VERSIONS")
    return STREAM_VERSIONS[sampler]
