"""bench/comfy_sampling.py inside a real ComfyUI: its path gives the plain path's samples, so rows from both compare.

The embedded DDPM and flow models are wrapped as ComfyUI wraps a checkpoint and sampled through comfy.samplers.sample;
the plain path is k-diffusion (pip) or our library on the same models, seed, initial x and labels.
"""

import os

import k_diffusion.sampling as K
import pytest
import torch

from ddim_gmm.bench import comfy_sampling
from ddim_gmm.models import denoisers
from ddim_gmm.models.data import N_CLASSES
from ddim_gmm.models.schedule import ddpm_alphas_cumprod
from ddim_gmm.sampling import preset_options, sample_ddim_gmm, sample_rfim, sample_rfim_gmm

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

BATCH, STEPS, SEED, CFG = 3, 5, 7, 2.5
LABELS = torch.tensor([1, 4, 7])
NULL = torch.full((BATCH,), N_CLASSES)
TOL = 1e-4  # float32 through two code paths, relative to the samples' scale (O(1); uni_pc's reach 10 at 5 steps)


def close(a, b):
    return float((a - b).abs().max()) <= TOL * max(1.0, float(b.abs().max()))


@pytest.fixture(scope="module")
def ddpm(host):
    unet = denoisers.load_ddpm_unet()
    return unet, denoisers.DiscreteEpsDenoiser(unet, ddpm_alphas_cumprod())


@pytest.fixture(scope="module")
def flow(host):
    return denoisers.load_flow_denoiser()


def noise(seed=0):
    return torch.randn((BATCH, 1, 16, 16), generator=torch.Generator().manual_seed(seed))


@pytest.fixture
def host_step_noise(host, monkeypatch):
    """The host's default_noise_sampler, also as the library's default for the test: ComfyUI's path seeds its step
    noise as the host does (0.3.64: with the seed; newer: seed + 1 on the CPU), the library outside ComfyUI as
    current ComfyUI does, so a plain-path sampler equals ComfyUI's only on the host's stream."""
    import comfy.k_diffusion.sampling as host_sampling

    from ddim_gmm.sampling import samplers

    monkeypatch.setattr(samplers, "default_noise_sampler", host_sampling.default_noise_sampler)
    return host_sampling.default_noise_sampler


def comfy_initial_x(z, sigmas, model_sampling):
    """ComfyUI's EPS noise_scaling from an empty latent: z sqrt(1 + sigma_0^2) at sigma_max, else z sigma_0."""
    sigma_max = float(model_sampling.sigma_max)
    at_max = abs(float(sigmas[0]) - sigma_max) <= 1e-5 * sigma_max
    return z * ((1 + sigmas[0] ** 2) ** 0.5 if at_max else sigmas[0])


def run_both(ddpm, name, plain_fn, timestep="interpolate", quantize=False, cfg=CFG, labels=LABELS, **plain_kw):
    unet, _ = ddpm
    patcher = comfy_sampling.wrap_model(unet, "ddpm", timestep=timestep)
    plain = denoisers.DiscreteEpsDenoiser(unet, ddpm_alphas_cumprod(), quantize=quantize)
    sigmas = plain.get_sigmas(STEPS)          # t = 999, 749.25, ...: fractional timesteps on purpose
    z = noise()
    got, nfe = comfy_sampling.sample(patcher, name, z, sigmas, labels if cfg > 0 else None, NULL, cfg, seed=SEED)
    x = comfy_initial_x(z, sigmas, patcher.get_model_object("model_sampling"))
    extra = {"y": labels} if cfg > 0 else {}
    want = plain_fn(denoisers.CFGDenoiser(plain, cfg), x, sigmas, extra_args=extra, disable=True,
                    **{k: (v(x) if callable(v) else v) for k, v in plain_kw.items()})
    return got, want, nfe


def test_euler_ancestral_matches_k_diffusion(ddpm, host_step_noise):
    got, want, nfe = run_both(ddpm, "euler_ancestral", K.sample_euler_ancestral,
                              noise_sampler=lambda x: host_step_noise(x, seed=SEED))
    assert close(got, want)
    assert nfe == STEPS


def test_dpmpp_2m_matches_k_diffusion(ddpm):
    got, want, nfe = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m)
    assert close(got, want)
    assert nfe == STEPS


def test_ddim_gmm_dropdown_matches_library(ddpm, host_step_noise):
    # The pack's dropdown entry "ddim_gmm" (ORTHO-VUB*, eta 1, s 1) as ComfyUI runs it, vs the library call.
    options = dict(preset_options("ORTHO-VUB*"), eta=1.0, s=1.0, n_components=8)
    got, want, _ = run_both(ddpm, "ddim_gmm", sample_ddim_gmm, seed=SEED, **options)
    assert close(got, want)
    # The mixture did something: without offsets (s = 0) the samples differ.
    _, plain_gauss, _ = run_both(ddpm, "ddim_gmm", sample_ddim_gmm, seed=SEED, **dict(options, s=0.0))
    assert (want - plain_gauss).abs().max() > 100 * TOL


def test_unconditional_cfg0_is_the_null_label_model(ddpm):
    got, want, nfe = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m, cfg=0.0)
    assert close(got, want)
    assert nfe == STEPS          # one pass per step: no uncond batch at cfg 0


def test_labels_reach_the_model(ddpm):
    got, _, _ = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m)
    other, _, _ = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m, labels=torch.tensor([2, 5, 8]))
    assert (got - other).abs().max() > 0.1


def test_nearest_timestep_is_comfyui_rounding(ddpm):
    # ComfyUI's own ModelSamplingDiscrete.timestep (nearest level) equals the plain path with quantize=True ...
    got, want, _ = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m, timestep="nearest", quantize=True)
    assert close(got, want)
    # ... and differs from the interpolated one on these fractional timesteps (the choice matters).
    interpolated, _, _ = run_both(ddpm, "dpmpp_2m", K.sample_dpmpp_2m)
    assert (got - interpolated).abs().max() > 10 * TOL


def flow_both(flow, name, plain_fn, **plain_kw):
    patcher = comfy_sampling.wrap_model(flow.inner_model, "flow")
    sigmas = denoisers.FlowDenoiser.get_sigmas(STEPS)
    z = noise(1)
    got, nfe = comfy_sampling.sample(patcher, name, z, sigmas, seed=SEED)
    want = plain_fn(flow, z * sigmas[0], sigmas, extra_args={}, disable=True, **plain_kw)
    return got, want, nfe


def test_flow_euler_is_rfim(flow):
    got, want, nfe = flow_both(flow, "euler", sample_rfim, eta=0.0)
    assert close(got, want)
    assert nfe == STEPS


def test_flow_ddim_gmm_dropdown_is_rfim_gmm(flow):
    # "auto" sees ComfyUI's CONST model_sampling of the wrapper and runs RFIM-GMM (eta 0, s 1, ORTHO-VUB*).
    options = dict(preset_options("ORTHO-VUB*"), eta=0.0, s=1.0, n_components=8)
    got, want, _ = flow_both(flow, "ddim_gmm", sample_rfim_gmm, seed=SEED, **options)
    assert close(got, want)


# Model evaluations counted per run of `steps` steps (the NFE the benchmark charges each sampler).
EXPECTED_NFE = {"er_sde": lambda n: n, "sa_solver": lambda n: n, "res_multistep": lambda n: n,
                "seeds_2": lambda n: 2 * n - 1, "gradient_estimation": lambda n: n, "uni_pc": lambda n: n,
                "deis": lambda n: n, "ipndm": lambda n: n, "euler": lambda n: n, "dpmpp_2m": lambda n: n,
                **{name: (lambda n: n) for name in comfy_sampling.CFG_PP_SAMPLERS}}


@pytest.mark.parametrize("name", sorted(EXPECTED_NFE))
def test_nfe_counted(ddpm, name):
    unet, plain = ddpm
    patcher = comfy_sampling.wrap_model(unet, "ddpm")
    z = noise()[:1]
    _, nfe = comfy_sampling.sample(patcher, name, z, plain.get_sigmas(4), LABELS[:1], NULL[:1], CFG, seed=SEED)
    assert nfe == EXPECTED_NFE[name](4)


def test_steps_for_nfe_never_exceeds_the_target(ddpm):
    unet, plain = ddpm
    patcher = comfy_sampling.wrap_model(unet, "ddpm")
    assert comfy_sampling.steps_for_nfe(patcher, "seeds_2", 6, plain.get_sigmas, (1, 16, 16), NULL[:1], CFG) == (3, 5)
    assert comfy_sampling.steps_for_nfe(patcher, "uni_pc", 6, plain.get_sigmas, (1, 16, 16), NULL[:1], CFG) == (6, 6)


def test_bad_arguments(ddpm):
    unet, _ = ddpm
    with pytest.raises(ValueError, match="kind"):
        comfy_sampling.wrap_model(unet, "edm")
    with pytest.raises(ValueError, match="timestep"):
        comfy_sampling.wrap_model(unet, "ddpm", timestep="round")


# --- The Peer rows bench compare runs: its denoiser (CFG inside, calls counted) inside ComfyUI's path. ---

@pytest.mark.parametrize("name", ["er_sde", "seeds_2", "uni_pc", *comfy_sampling.CFG_PP_SAMPLERS])
def test_peer_rows_equal_the_full_comfyui_path(ddpm, name):
    # The Peer stands the plain denoiser in for the UNet and lets CFGDenoiser do the CFG; the full path runs the UNet
    # inside ComfyUI's BaseModel with ComfyUI's own CFG. Same samples, so the rows are ComfyUI's. The CFG++ rows
    # (issue 20) hand ComfyUI the plain denoiser and let ComfyUI do the CFG, since its CFG++ samplers read the
    # unconditional prediction from it: one NFE per CFG evaluation all the same.
    from ddim_gmm.bench.harness import CountingModel

    unet, plain = ddpm
    peer = {(p.name, p.kind): p for p in comfy_sampling.comfy_peers()}[(name, "diffusion")]
    sigmas = plain.get_sigmas(STEPS)
    z = noise()
    full, _ = comfy_sampling.sample(comfy_sampling.wrap_model(unet, "ddpm"), name, z, sigmas, LABELS, NULL, CFG,
                                    seed=comfy_sampling.host_seed(z, SEED))
    counting = CountingModel(denoisers.CFGDenoiser(plain, CFG))
    got = peer.call(counting, z * sigmas[0], sigmas, {"y": LABELS, "seed": SEED}, SEED)
    assert close(got, full)
    assert counting.calls == peer.nfe(STEPS)
    assert peer.source == "ComfyUI" and peer.cfg_pp == name.endswith("_cfg_pp")
    if peer.cfg_pp:
        # Not the plain sampler's samples: CFG++ moves them.
        plain_name = name.replace("_cfg_pp", "")
        assert not close(got, comfy_sampling.sample(comfy_sampling.wrap_model(unet, "ddpm"), plain_name, z, sigmas,
                                                    LABELS, NULL, CFG, seed=comfy_sampling.host_seed(z, SEED))[0])


def test_flow_peer_equals_the_full_comfyui_path(flow):
    from ddim_gmm.bench.harness import CountingModel

    peer = {(p.name, p.kind): p for p in comfy_sampling.comfy_peers()}[("sa_solver", "flow")]
    sigmas = denoisers.FlowDenoiser.get_sigmas(STEPS)
    z = noise(1)
    full, _ = comfy_sampling.sample(comfy_sampling.wrap_model(flow.inner_model, "flow"), "sa_solver", z, sigmas,
                                    seed=comfy_sampling.host_seed(z, SEED))
    counting = CountingModel(flow)
    got = peer.call(counting, z * sigmas[0], sigmas, {"seed": SEED}, SEED)
    assert close(got, full)
    assert counting.calls == peer.nfe(STEPS)


def test_host_seed_gives_the_librarys_step_noise_on_every_host(host, monkeypatch):
    # bench compare pairs ComfyUI's rows with ours on the step noise: the seed it hands ComfyUI makes the host's
    # default_noise_sampler draw what the library's draws, on the pinned host (seed itself) and on a newer one
    # (seed + 1 on the CPU, played here by the library's own sampler in the host's place).
    import comfy.k_diffusion.sampling as host_sampling

    from ddim_gmm.sampling import default_noise_sampler

    x = torch.zeros(2, 1, 4, 4)
    want = default_noise_sampler(x, seed=SEED)(None, None)
    assert torch.equal(host_sampling.default_noise_sampler(x, seed=comfy_sampling.host_seed(x, SEED))(None, None), want)
    monkeypatch.setattr(host_sampling, "default_noise_sampler", default_noise_sampler)
    assert comfy_sampling.host_seed(x, SEED) == SEED
    assert torch.equal(host_sampling.default_noise_sampler(x, seed=comfy_sampling.host_seed(x, SEED))(None, None), want)


def test_peer_list():
    peers = comfy_sampling.comfy_peers()
    assert sorted(p.name for p in peers if p.kind == "diffusion") == sorted(comfy_sampling.COMFY_SAMPLERS +
                                                                            comfy_sampling.CFG_PP_SAMPLERS)
    assert {p.name for p in peers if p.cfg_pp} == set(comfy_sampling.CFG_PP_SAMPLERS)
    assert sorted(p.name for p in peers if p.kind == "flow") == sorted(comfy_sampling.FLOW_SAMPLERS)
    # NFE per run as counted through ComfyUI (test_nfe_counted) is what bench compare charges.
    for p in peers:
        assert p.nfe(4) == EXPECTED_NFE[p.name](4)


# --- CFG++ (issue 20): ComfyUI's CFG++ samplers with ComfyUI's own CFG, next to ours. ---

@pytest.mark.parametrize("eta, name", [(0.0, "euler_cfg_pp"), (1.0, "euler_ancestral_cfg_pp")])
def test_our_cfg_pp_rows_without_offsets_equal_comfyuis_euler_cfg_pp_rows(ddpm, eta, name):
    # bench compare's DDIM-GMM CFG++ row at s = 0 is ComfyUI's CFG++ row: the two sides of the comparison agree, on
    # the same step noise (the library's default; host_seed makes ComfyUI's row draw it too).
    from ddim_gmm.bench.harness import CountingModel
    from ddim_gmm.bench.peers import gmm_peer

    unet, plain = ddpm
    theirs = {(p.name, p.kind): p for p in comfy_sampling.comfy_peers()}[(name, "diffusion")]
    ours = gmm_peer("diffusion", "ORTHO-VUB*", eta, 0.0, cfg_pp=True)
    sigmas = plain.get_sigmas(STEPS)
    z = noise()
    model_sampling = comfy_sampling.wrap_model(unet, "ddpm").get_model_object("model_sampling")
    x = comfy_initial_x(z, sigmas, model_sampling)
    extra = {"y": LABELS, "seed": SEED}
    want = theirs.call(CountingModel(denoisers.CFGDenoiser(plain, CFG)), z * sigmas[0], sigmas, dict(extra), SEED)
    got = ours.call(CountingModel(denoisers.CFGDenoiser(plain, CFG)), x, sigmas, dict(extra), SEED)
    assert close(got, want)
