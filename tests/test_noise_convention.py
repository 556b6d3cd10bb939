"""The step noise is never the initial noise again (issue 19, item 1).

ComfyUI draws a run's initial noise on the CPU from a generator seeded with the run's seed. A step-noise generator on
the CPU seeded with the same seed repeats those numbers as the first step's noise (ComfyUI issue #9819, fixed by PR
#11528: its default_noise_sampler seeds with seed + 1 on the CPU). The library follows that convention outside
ComfyUI (inside, the nodes use the host's own noise sampler: tests/comfy_host), and the benchmarks seed every chunk's
step noise apart from every initial-noise seed (bench.harness.chunk_seed).
"""

import pytest
import torch

from ddim_gmm.bench import harness
from ddim_gmm.sampling import default_noise_sampler, sample_ddim_gmm
from ddim_gmm.sampling import samplers as samplers_module
from ddim_gmm.sampling.samplers import noise_seed

from _toys import shrink_model

SIGMAS = torch.tensor([14.6, 5.0, 2.0, 0.7, 0.2, 0.0])


def cosine(a, b):
    return float(torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0))


def test_first_step_noise_is_not_the_initial_noise_on_the_cpu(monkeypatch):
    # The measurement: x_T from torch.Generator().manual_seed(0), sample_ddim_gmm(..., seed=0) on the CPU at
    # eta 1 with s = 0 (euler_ancestral). The old default seeded the step noise with 0 too: cosine 1.0.
    x_t = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    draws = []

    def recording(x, seed=None):
        sampler = default_noise_sampler(x, seed=seed)

        def draw(sigma, sigma_next):
            draws.append(sampler(sigma, sigma_next))
            return draws[-1]
        return draw

    monkeypatch.setattr(samplers_module, "default_noise_sampler", recording)
    sample_ddim_gmm(shrink_model, x_t * SIGMAS[0], SIGMAS, disable=True, seed=0, eta=1.0, s=0.0)
    assert draws, "the sampler drew no step noise"
    assert abs(cosine(draws[0], x_t)) < 0.1
    old = torch.randn(x_t.shape, generator=torch.Generator().manual_seed(0))
    assert cosine(old, x_t) == pytest.approx(1.0)   # what the old convention drew


def test_the_cpu_stream_is_the_seed_plus_one():
    x = torch.zeros(2, 3)
    got = default_noise_sampler(x, seed=41)(None, None)
    assert torch.equal(got, torch.randn(2, 3, generator=torch.Generator().manual_seed(42)))


@pytest.mark.parametrize("seed,want", [(0, 1), (41, 42), (-1, 0), (-2**63, -2**63 + 1), (2**64 - 1, 0), (None, None)])
def test_noise_seed_on_the_cpu_stays_in_torchs_range(seed, want):
    assert noise_seed(torch.zeros(1), seed) == want
    if want is not None:
        torch.Generator().manual_seed(noise_seed(torch.zeros(1), seed))   # a seed torch takes


@pytest.mark.parametrize("seed", [0, 7, 2**64 - 1, -5, None])
def test_on_other_devices_the_seed_is_used_as_is(seed):
    # The initial noise is drawn on the CPU: a generator on another device gives other numbers from the same seed.
    assert noise_seed(torch.zeros(1, device="meta"), seed) == seed


@pytest.mark.device_generic
@pytest.mark.device_quick
def test_the_stream_is_the_devices_own_generator(device):
    # seed + 1 on the CPU, the seed itself on any other device (bench gpu runs this on the GPU).
    x = torch.zeros(2, 3, device=device)
    got = default_noise_sampler(x, seed=41)(None, None)
    want_seed = 42 if x.device.type == "cpu" else 41
    want = torch.randn(2, 3, device=device, generator=torch.Generator(x.device).manual_seed(want_seed))
    assert torch.equal(got, want)


def test_bad_seeds_keep_their_errors():
    for bad in ("1", 1.5, True, 2**64, -2**63 - 1):
        with pytest.raises(ValueError, match="seed must be an integer"):
            default_noise_sampler(torch.zeros(1), seed=bad)
        with pytest.raises(ValueError, match="seed must be an integer"):
            noise_seed(torch.zeros(1), bad)


# The benchmarks: seeds 0 .. 9 (bench compare's 10-seed run; 3 elsewhere, the demo's 0), up to 1797 samples per seed
# in chunks of at least 50 (the smallest --batch any committed run used is 500; the demo draws one chunk).
BENCH_SEEDS = range(32)
MAX_CHUNKS = 1797 // 50 + 1


def test_torchs_cpu_generator_takes_its_seed_modulo_2_32():
    # Why the rule below is checked modulo 2**32: a base of 2**32 (or 2**40) would change nothing on the CPU.
    draw = lambda seed: torch.randn(4, generator=torch.Generator().manual_seed(seed))
    assert torch.equal(draw(5), draw(5 + 2**32)) and torch.equal(draw(0), draw(2**40))


@pytest.mark.parametrize("seeds", [BENCH_SEEDS, [harness.MAX_SEED - 1]])
def test_no_chunk_noise_seed_is_an_initial_noise_seed(seeds):
    from ddim_gmm.bench.sde_mixture import MIXTURE_SEED_OFFSET
    from ddim_gmm.sampling.samplers import GMM_SEED_OFFSET

    low = lambda values: {v % 2**32 for v in values}   # what torch's CPU generator sees
    initial = low(BENCH_SEEDS) | low(range(harness.MAX_SEED - 50, harness.MAX_SEED)) | low(seeds)
    chunk = [harness.chunk_seed(s, i) for s in seeds for i in range(MAX_CHUNKS)]
    assert len(low(chunk)) == len(chunk)                         # every chunk its own stream
    assert not low(chunk) & initial
    assert not low(noise_seed(torch.zeros(1), c) for c in chunk) & initial   # the library's + 1 on the CPU
    assert not low(c + 1 for c in chunk) & initial                            # newer ComfyUI's + 1
    for offset in (GMM_SEED_OFFSET, MIXTURE_SEED_OFFSET):                     # the mixture's own draws
        assert not low((c + offset) % 2**64 for c in chunk) & initial
    assert min(chunk) >= harness.NOISE_SEED_BASE > harness.MAX_SEED


def test_chunk_seed_rejects_what_would_break_the_rule():
    for seed, i in ((-1, 0), (harness.MAX_SEED, 0), (0, -1), (0, harness.CHUNK_SEED)):
        with pytest.raises(ValueError, match="seed must lie in"):
            harness.chunk_seed(seed, i)


def test_run_one_hands_each_chunk_its_chunk_seed():
    class Ctx:
        shape = (1, 2, 2)

        def labels_for(self, seed, n):
            return torch.zeros(n, dtype=torch.long)

        noise_for = harness.Context.noise_for

        def metrics(self, setting, samples, labels=None):
            return {}

    seen = []

    def sample_chunk(noise, labels, seed):
        seen.append(seed)
        return noise, None
    harness.run_one(Ctx(), sample_chunk, "exact", 0.0, 3, 10, 4)
    assert seen == [harness.chunk_seed(3, i) for i in range(3)]
    assert not set(seen) & {3, 2}
