"""ComfyUI's own samplers on the embedded models, run through ComfyUI's own sampling path.

ComfyUI's newer samplers (er_sde, sa_solver, seeds_2, ...) read the model's `model_sampling` through ComfyUI's model
wrapper, so they cannot run on a bare k-diffusion denoiser. Here the embedded models are wrapped the way ComfyUI wraps
a checkpoint:
  DDPM  a BaseModel with ComfyUI's EPS + ModelSamplingDiscrete, its sigma table set from the model's own
        alphas_cumprod (models/schedule.py, linear beta 0.0015 -> 0.0195 over 1000 steps); class labels enter as a
        per-sample `y` cond (CONDRegular), the null label as the negative cond, so ComfyUI's CFG
        uncond + cfg (cond - uncond) is the plain path's CFGDenoiser. cfg 0 (the unconditional model) is run as the
        null label at cfg 1, one model call per step, which is exactly the plain path's unconditional model.
  flow  a BaseModel with ComfyUI's CONST + ModelSamplingDiscreteFlow (shift 1, multiplier 1: timestep = tau, as
        Flux), v-prediction: x0 = x - tau v.
and every run goes through comfy.samplers.sample -> CFGGuider -> KSAMPLER (what SamplerCustom does), with the
sampler from comfy.samplers.sampler_object(name) (what KSamplerSelect gives).

Two choices keep ComfyUI's rows comparable with the plain path's (the host tests check both):
- timestep: ComfyUI's ModelSamplingDiscrete rounds sigma to the nearest of the 1000 training timesteps, the plain path
  (k-diffusion's DiscreteEpsDDPMDenoiser) interpolates t in log sigma. The wrapper interpolates by default so both
  paths run the same model; timestep="nearest" keeps ComfyUI's rounding (equal to DiscreteEpsDenoiser(quantize=True)).
- initial noise: ComfyUI's KSAMPLER scales the noise by sqrt(1 + sigma_0^2) rather than sigma_0 when sigma_0 is the
  schedule's sigma_max (a relative change of 1.3e-5 at this model's sigma_max = 197). Kept: it is what users get.

Two ways to run them:
- `comfy_peers()`: bench.peers Peer rows, which bench compare (`python -m ddim_gmm bench compare`) picks up when
  COMFYUI_PATH is set. bench compare hands every peer the same denoiser (CFG inside, its calls counted as NFE); here
  that denoiser stands in for the UNet inside ComfyUI's BaseModel and ComfyUI samples at cfg 1 (one call per step).
  A host test shows these rows equal the full path (UNet inside ComfyUI, ComfyUI's own CFG) to float precision.
- `sample()`: the full path, which `python -m ddim_gmm bench comfy-peers` (bench/comfy_peers.py) runs on its own,
  with the harness's seeds, labels and metrics.

Nothing here is needed to run the benchmark: without COMFYUI_PATH the rows are left out with a line that says so.
"""

import functools
import importlib
import os
import sys

import torch

# ComfyUI's samplers that k-diffusion lacks and users pick.
COMFY_SAMPLERS = ("er_sde", "sa_solver", "res_multistep", "seeds_2", "gradient_estimation", "uni_pc", "deis", "ipndm")
# Valid on the flow model: er_sde, sa_solver and seeds_2 convert sigma to log-SNR through model_sampling (CONST-aware);
# gradient_estimation, deis and ipndm integrate dx/dsigma = (x - x0) / sigma, which for a rectified flow is exactly
# dx/dtau = v. res_multistep and uni_pc are exponential integrators that take sigma as a VE noise level whatever the
# model is, so on a flow model they solve a different ODE: left out.
FLOW_SAMPLERS = ("er_sde", "sa_solver", "seeds_2", "gradient_estimation", "deis", "ipndm")
# ComfyUI's CFG++ samplers, on the DDPM with CFG: they read the unconditional prediction from ComfyUI's own
# CFG (a post-CFG function), so these rows run the plain denoiser as the UNet with ComfyUI doing the CFG
# (run_cfg_pp_peer), not bench compare's CFG denoiser at cfg 1 as the others.
CFG_PP_SAMPLERS = ("euler_ancestral_cfg_pp", "euler_cfg_pp", "dpmpp_2m_cfg_pp", "res_multistep_cfg_pp")
TIMESTEP_MODES = ("interpolate", "nearest")


def comfyui_path():
    return os.environ.get("COMFYUI_PATH") or None


def available():
    return comfyui_path() is not None


def unavailable_line():
    return ("ComfyUI's samplers (" + ", ".join(COMFY_SAMPLERS) + ") left out: set COMFYUI_PATH=/path/to/ComfyUI "
            "(a checkout whose requirements are installed) to run them through ComfyUI's own sampling path")


def import_comfy(path=None):
    """Imports ComfyUI on the CPU (once per process) and returns its `comfy` package."""
    if "comfy.samplers" not in sys.modules:
        path = path or comfyui_path()
        if path is None:
            raise ValueError("COMFYUI_PATH must point at a ComfyUI checkout, got nothing")
        if not os.path.isfile(os.path.join(path, "comfy", "samplers.py")):
            raise ValueError(f"COMFYUI_PATH must point at a ComfyUI checkout (with comfy/samplers.py), got {path!r}")
        sys.path.insert(0, path)
        import comfy.cli_args
        comfy.cli_args.args.cpu = True  # before anything imports comfy.model_management
    import comfy.conds
    import comfy.latent_formats
    import comfy.model_base
    import comfy.model_management
    import comfy.model_patcher
    import comfy.model_sampling
    import comfy.samplers
    import comfy.supported_models_base
    return comfy


class UNetAdapter(torch.nn.Module):
    """Our UNet behind ComfyUI's diffusion_model call: diffusion_model(x, t, context=, control=, transformer_options=,
    **conds) with t from model_sampling.timestep (DDPM: t in [0, 999]; flow: tau) and y the labels, if any."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    @property
    def dtype(self):
        return next(self.unet.parameters()).dtype

    def forward(self, x, t, context=None, control=None, transformer_options=None, y=None, **kwargs):
        return self.unet(x, t, y=y)


def interpolated_timestep(model_sampling, sigma):
    """t(sigma) interpolated in log sigma between the two neighbouring training levels (k-diffusion's and the plain
    path's DiscreteEpsDenoiser.sigma_to_t), in place of ComfyUI's nearest level."""
    log_sigmas = model_sampling.log_sigmas
    log_sigma = sigma.log()
    dists = log_sigma.to(log_sigmas.device) - log_sigmas[:, None]
    low_idx = dists.ge(0).cumsum(dim=0).argmax(dim=0).clamp(max=log_sigmas.shape[0] - 2)
    low, high = log_sigmas[low_idx], log_sigmas[low_idx + 1]
    w = ((low - log_sigma) / (low - high)).clamp(0, 1)
    return ((1 - w) * low_idx + w * (low_idx + 1)).view(sigma.shape).to(sigma.device)


def wrap_model(unet, kind, alphas_cumprod=None, timestep="interpolate"):
    """A ComfyUI ModelPatcher around our UNet: kind "ddpm" (eps, EPS + ModelSamplingDiscrete on alphas_cumprod) or
    "flow" (v, CONST + ModelSamplingDiscreteFlow, shift 1, timestep = tau). unet None: the model calls the k-diffusion
    denoiser put in patcher.model.denoiser instead (the Peer rows of bench compare, which hands every peer its
    denoiser with CFG and counts its calls)."""
    if kind not in ("ddpm", "flow"):
        raise ValueError(f"kind must be 'ddpm' or 'flow', got {kind!r}")
    if timestep not in TIMESTEP_MODES:
        raise ValueError(f"timestep must be one of {', '.join(TIMESTEP_MODES)}, got {timestep!r}")
    comfy = import_comfy()

    class DigitsLatent(comfy.latent_formats.LatentFormat):
        latent_channels = 1                     # 16 x 16 grey digits, no VAE: scale 1

    class DigitsConfig(comfy.supported_models_base.BASE):
        unet_config = {"disable_unet_model_creation": True}
        unet_extra_config = {}
        latent_format = DigitsLatent
        sampling_settings = {"shift": 1.0, "multiplier": 1.0} if kind == "flow" else {}

    class LabelledModel(comfy.model_base.BaseModel):
        denoiser = None   # unet None: a k-diffusion denoiser set per run (run_peer) stands in for the UNet

        def extra_conds(self, **kwargs):
            # The cond dict's "labels" (B,) become the UNet's y, batched by ComfyUI like any per-sample cond.
            labels = kwargs.get("labels")
            return {} if labels is None else {"y": comfy.conds.CONDRegular(labels)}

        def _apply_model(self, x, t, c_concat=None, c_crossattn=None, control=None, transformer_options={},
                         **kwargs):
            if self.denoiser is None:
                return super()._apply_model(x, t, c_concat, c_crossattn, control, transformer_options, **kwargs)
            # t is sigma here. The denoiser does its own input scaling, timestep and output, the same arithmetic as
            # model_sampling's (tested: both give the plain path's samples).
            return self.denoiser(x, t, **({"y": kwargs["y"]} if "y" in kwargs else {}))

        def get_dtype(self):
            return self.diffusion_model.dtype if unet is not None else torch.float32

    model_type = comfy.model_base.ModelType.FLOW if kind == "flow" else comfy.model_base.ModelType.EPS
    config = DigitsConfig(DigitsConfig.unet_config)
    base = LabelledModel(config, model_type)
    if unet is not None:
        base.diffusion_model = UNetAdapter(unet)
    if kind == "ddpm":
        if timestep == "interpolate":
            class InterpolatedSampling(type(base.model_sampling)):  # ComfyUI's EPS + ModelSamplingDiscrete
                def timestep(self, sigma):
                    return interpolated_timestep(self, sigma)
            base.model_sampling = InterpolatedSampling(config)
        if alphas_cumprod is None:
            from ..models.schedule import ddpm_alphas_cumprod
            alphas_cumprod = ddpm_alphas_cumprod()
        # The same float32 table as the plain path's DiscreteEpsDenoiser: sigma_t = sqrt((1 - abar_t) / abar_t).
        base.model_sampling.set_sigmas(((1 - alphas_cumprod) / alphas_cumprod) ** 0.5)
    cpu = torch.device("cpu")
    return comfy.model_patcher.ModelPatcher(base, load_device=cpu, offload_device=cpu)


class ModelCalls:
    """ComfyUI's model_function_wrapper hook: counts the rows the model sees (cond and uncond batched together)."""

    def __init__(self):
        self.rows = 0

    def __call__(self, apply_model, args):
        self.rows += args["input"].shape[0]
        return apply_model(args["input"], args["timestep"], **args["c"])


def conds(labels, null_label, cfg):
    """(positive, negative, cfg) for ComfyUI. labels None: the unconditional model (null label, or no label at all
    for an unconditional network), run as cfg 1 so ComfyUI makes one call per step."""
    def cond(y):
        return [[None, {} if y is None else {"labels": y}]]
    if labels is None or cfg == 0:
        return cond(null_label), cond(null_label), 1.0
    return cond(labels), cond(null_label), float(cfg)


def host_seed(x, seed):
    """The seed to hand ComfyUI so that its default_noise_sampler draws the step noise the library's
    default_noise_sampler(x, seed) draws: ComfyUI 0.3.64 seeds its generator with the seed itself, newer ComfyUI (as
    the library) with seed + 1 on the CPU. Probed on the running host, so bench compare's ComfyUI rows and ours draw
    the same step noise (paired) in every host version."""
    from ..sampling.samplers import noise_seed

    import_comfy()
    host_sampling = importlib.import_module("comfy.k_diffusion.sampling")
    return noise_seed(x, seed) if seeds_as_is(host_sampling.default_noise_sampler) else seed


@functools.lru_cache(maxsize=None)
def seeds_as_is(default_noise_sampler):
    """Whether a host's default_noise_sampler seeds its CPU generator with the seed itself (probed once per function:
    every chunk of every run asks)."""
    drawn = default_noise_sampler(torch.zeros(4), seed=0)(None, None)
    return torch.equal(drawn, torch.randn(4, generator=torch.Generator().manual_seed(0)))


def comfy_sample(patcher, sampler_name, noise, sigmas, positive, negative, cfg, seed, sampler=None):
    """comfy.samplers.sample (as SamplerCustom runs it) from an empty latent; returns (samples, model rows seen)."""
    comfy = import_comfy()
    sampler = comfy.samplers.sampler_object(sampler_name) if sampler is None else sampler
    calls = ModelCalls()
    counted = patcher.clone()
    counted.set_model_unet_function_wrapper(calls)
    # uni_pc writes into the sigmas it is given (timesteps[-1] = 0.001): hand it a copy.
    out = comfy.samplers.sample(counted, noise, positive, negative, cfg, counted.load_device, sampler,
                                sigmas.clone(), model_options=counted.model_options,
                                latent_image=torch.zeros_like(noise), seed=seed, disable_pbar=True)
    return out, calls.rows


def sample(patcher, sampler_name, noise, sigmas, labels=None, null_label=None, cfg=0.0, seed=0, sampler=None):
    """One run through ComfyUI's own path (comfy.samplers.sample, as SamplerCustom does): samples and the NFE.

    noise: (B, ...) standard normal, scaled by ComfyUI (model_sampling.noise_scaling) from an empty latent.
    labels/null_label: (B,) class labels and the null-label tensor (DDPM), or None (unconditional).
    sampler: a ready SAMPLER object, else comfy.samplers.sampler_object(sampler_name).
    Returns (samples, nfe) with nfe = model rows / (B x passes): passes is 2 with CFG, else 1.
    """
    positive, negative, scale = conds(labels, null_label, cfg)
    out, rows = comfy_sample(patcher, sampler_name, noise, sigmas, positive, negative, scale, seed, sampler)
    return out, rows / (noise.shape[0] * (1 if scale == 1.0 else 2))


def steps_for_nfe(patcher, sampler_name, target, make_sigmas, shape, null_label=None, cfg=0.0):
    """(steps, nfe): the most steps whose measured NFE is at most `target`, counted on a one-sample run."""
    noise = torch.zeros((1,) + tuple(shape))
    labels = None if null_label is None else torch.zeros(1, dtype=torch.long)
    null = None if null_label is None else null_label[:1]
    for steps in range(target, 0, -1):
        _, nfe = sample(patcher, sampler_name, noise, make_sigmas(steps), labels, null, cfg, seed=0)
        if nfe <= target:
            return steps, nfe
    raise ValueError(f"target NFE {target} is below one step of {sampler_name}")


# bench compare's Peer rows (bench/peers.py: load_extra_peers calls comfy_peers()).

def nfe_of(name):
    """Model evaluations of a run of n steps, as counted through ComfyUI (a host test counts them):
    seeds_2 calls the model twice per step but once on the last (to sigma = 0); the others once per step."""
    return (lambda n: 2 * n - 1) if name == "seeds_2" else (lambda n: n)


_DENOISER_MODELS = {}


def run_peer(name, kind, model, x, sigmas, extra_args, seed):
    """One Peer run through ComfyUI's path: `model` (bench compare's denoiser, CFG inside) stands in for the UNet,
    ComfyUI runs at cfg 1 (one call per step) with the labels as the cond, from the noise x / sigmas[0] (ComfyUI
    scales it again itself)."""
    # One wrapper per kind and per ComfyUI import (the host tests import and remove ComfyUI more than once).
    key = (kind, id(import_comfy().model_base))
    if key not in _DENOISER_MODELS:
        _DENOISER_MODELS[key] = wrap_model(None, "ddpm" if kind == "diffusion" else "flow")
    patcher = _DENOISER_MODELS[key]
    labels = extra_args.get("y")
    cond = [[None, {} if labels is None else {"labels": labels}]]
    object.__setattr__(patcher.model, "denoiser", model)        # a plain attribute, never a registered submodule
    try:
        return comfy_sample(patcher, name, x / sigmas[0], sigmas, cond, cond, 1.0, host_seed(x, seed))[0]
    finally:
        object.__setattr__(patcher.model, "denoiser", None)


def run_cfg_pp_peer(name, model, x, sigmas, extra_args, seed):
    """One CFG++ Peer run through ComfyUI's path with ComfyUI's own CFG: `model` is bench compare's CountingModel
    around its CFG denoiser; its plain denoiser stands in for the UNet, the labels are the positive cond, the null
    label the negative, at the CFG denoiser's scale (ComfyUI's uncond + cfg (cond - uncond) is the CFG denoiser's).
    Each CFG evaluation (cond and uncond in one batch) counts as one call of `model`, as the other rows count."""
    counting, guided = model, model.model
    comfy = import_comfy()
    key = ("diffusion", id(comfy.model_base))
    if key not in _DENOISER_MODELS:
        _DENOISER_MODELS[key] = wrap_model(None, "ddpm")
    patcher = _DENOISER_MODELS[key].clone()
    labels = extra_args.get("y")
    from ..models.data import N_CLASSES

    null = torch.full((x.shape[0],), N_CLASSES, dtype=torch.long)  # CFGDenoiser's null label
    positive = [[None, {"labels": null if labels is None else labels}]]
    negative = [[None, {"labels": null}]]

    def count(args):
        counting.calls += 1
        return args["denoised"]

    patcher.set_model_sampler_post_cfg_function(count)
    object.__setattr__(patcher.model, "denoiser", guided.denoiser)
    try:
        return comfy_sample(patcher, name, x / sigmas[0], sigmas, positive, negative,
                            guided.scale if labels is not None else 1.0, host_seed(x, seed))[0]
    finally:
        object.__setattr__(patcher.model, "denoiser", None)


def comfy_peers():
    """bench.peers.Peer rows for ComfyUI's samplers: every COMFY_SAMPLERS and CFG_PP_SAMPLERS on the DDPM,
    FLOW_SAMPLERS on the flow."""
    from functools import partial

    from .peers import Peer

    import_comfy()
    peers = [Peer(name, "diffusion", nfe_of(name), partial(run_peer, name, "diffusion"),
                  source="ComfyUI") for name in COMFY_SAMPLERS]
    peers += [Peer(name, "diffusion", nfe_of(name), partial(run_cfg_pp_peer, name), source="ComfyUI",
                   cfg_pp=True) for name in CFG_PP_SAMPLERS]
    peers += [Peer(name, "flow", nfe_of(name), partial(run_peer, name, "flow"), source="ComfyUI")
              for name in FLOW_SAMPLERS]
    return peers
