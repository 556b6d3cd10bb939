"""The samplers a user would pick instead, as one registry of Peer records, compared at equal model evaluations.

A Peer is a row of the comparison (bench.compare): it says what kind of model it runs on, how many model evaluations
(NFE) a run of n steps costs, and how to run it. Every peer gets the same inputs: the model (a k-diffusion denoiser;
CFG included, one NFE = one call of it), x = the seed's initial noise times sigmas[0], the model's own sigmas for the
step count that fits the NFE budget, extra_args (the labels, and "seed" as ComfyUI puts it there) and the seed.

Sources:
  k_diffusion_peers()   k-diffusion's samplers, noise seeded as ComfyUI seeds them (euler_ancestral: the library's
                        default_noise_sampler, as newer ComfyUI's: a generator seeded with the seed + 1 on the CPU;
                        the SDE solvers: a Brownian tree seeded with the seed).
  ours(...)             DDIM-GMM / RFIM-GMM at a given eta and s, and their matched-noise controls; with cfg_pp
                        (CFG++) each asks the model for (guided, unconditional) x0 (CFGDenoiser's with_uncond).
  extra peers           bench/comfy_sampling.py, if present, exposes comfy_peers() -> [Peer]: ComfyUI's own samplers
                        run through ComfyUI's sampling path. It needs COMFYUI_PATH; without it those rows are left
                        out and the comparison says so (load_extra_peers).

Besides the registry: sampler_call, the sampler function and options of a preset name (bench quality's rows, the
demo).
"""

import importlib
import os
from dataclasses import dataclass
from typing import Callable

from ..sampling import (preset_options, sample_ddim, sample_ddim_control, sample_ddim_gmm, sample_rfim,
                        sample_rfim_control, sample_rfim_gmm)
from ..sampling.samplers import default_noise_sampler
from .streams import stream_version

KINDS = ("diffusion", "flow")


@dataclass(frozen=True)
class Peer:
    """One sampler of the comparison.

    name:    the row's name (unique in a comparison; part of the cache key).
    kind:    "diffusion" (VE sigmas) or "flow" (tau in [0, 1]).
    nfe:     model evaluations of a run with `steps` steps (sigmas ending in 0), e.g. heun: 2 steps - 1.
    call:    call(model, x, sigmas, extra_args, seed) -> samples.
    stream:  the name whose stream version (bench.streams) keys its cached runs; `version` overrides it (for peers
             whose stream this package does not define, e.g. ComfyUI's).
    source:  where the sampler comes from ("k-diffusion", "ddim-gmm", "ComfyUI").
    gmm:     (variant, eta, s) of a DDIM-GMM / RFIM-GMM row or of a control (None for every other row).
    control: the match mode of a matched-noise control row ("offsets" or "total"), else None.
    cfg_pp:  the row runs CFG++ (its mean's noise direction from the unconditional prediction).
    """

    name: str
    kind: str
    nfe: Callable[[int], int]
    call: Callable
    stream: str = ""
    version: int = None
    source: str = "k-diffusion"
    gmm: tuple = None
    control: str = None
    cfg_pp: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    @property
    def stream_version(self):
        return stream_version(self.stream or self.name) if self.version is None else self.version

    def steps_for(self, budget):
        """The most steps whose NFE fits the budget (None if even one step does not)."""
        steps = None
        for n in range(1, budget + 1):
            if self.nfe(n) <= budget:
                steps = n
        return steps



def one_per_step(steps):
    return steps


def two_per_step(steps):
    # Heun-type steps call the model twice, except the last (to sigma = 0), which is an Euler step.
    return 2 * steps - 1


def _k():
    import k_diffusion.sampling as k

    return k


def _plain(name):
    """A k-diffusion sampler that draws no noise."""
    def call(model, x, sigmas, extra_args, seed):
        return getattr(_k(), f"sample_{name}")(model, x, sigmas, extra_args=extra_args, disable=True)
    return call


def _ancestral(name):
    """euler_ancestral: noise from the library's default_noise_sampler (newer ComfyUI's convention: seed + 1 on the
    CPU)."""
    def call(model, x, sigmas, extra_args, seed):
        return getattr(_k(), f"sample_{name}")(model, x, sigmas, extra_args=extra_args, disable=True,
                                               noise_sampler=default_noise_sampler(x, seed=seed))
    return call


def _brownian(name):
    """The SDE solvers: a Brownian tree over [sigma_min, sigma_max] seeded with the seed (as ComfyUI does)."""
    def call(model, x, sigmas, extra_args, seed):
        k = _k()
        positive = sigmas[sigmas > 0]
        noise = k.BrownianTreeNoiseSampler(x, positive.min(), positive.max(), seed=seed)
        return getattr(k, f"sample_{name}")(model, x, sigmas, extra_args=extra_args, disable=True,
                                            noise_sampler=noise)
    return call


def _dpm_fast(model, x, sigmas, extra_args, seed):
    """DPM-Solver (fast, the paper's Table-5 peer) with exactly n = steps model evaluations, from sigmas[0] to the
    smallest positive sigma (as ComfyUI's dpm_fast runs it); it spaces its own steps in log sigma."""
    positive = sigmas[sigmas > 0]
    return _k().sample_dpm_fast(model, x, positive.min().item(), positive.max().item(), len(sigmas) - 1,
                                extra_args=extra_args, disable=True)


def k_diffusion_peers():
    """k-diffusion's samplers users pick in ComfyUI; for flow only the ODE steps that are exact in tau
    (x = (1 - tau) x0 + tau eps gives dx/dtau = (x - x0) / tau, k-diffusion's to_d): euler (= RFIM at eta 0), heun."""
    peers = [
        Peer("euler", "diffusion", one_per_step, _plain("euler")),
        Peer("euler_ancestral", "diffusion", one_per_step, _ancestral("euler_ancestral")),
        Peer("heun", "diffusion", two_per_step, _plain("heun")),
        Peer("dpm_2", "diffusion", two_per_step, _plain("dpm_2")),
        Peer("dpmpp_2m", "diffusion", one_per_step, _plain("dpmpp_2m")),
        Peer("dpmpp_2m_sde", "diffusion", one_per_step, _brownian("dpmpp_2m_sde")),
        Peer("dpmpp_sde", "diffusion", two_per_step, _brownian("dpmpp_sde")),
        Peer("dpmpp_3m_sde", "diffusion", one_per_step, _brownian("dpmpp_3m_sde")),
        Peer("dpm_fast", "diffusion", one_per_step, _dpm_fast),
    ]
    peers += [Peer("euler", "flow", one_per_step, _plain("euler")),
              Peer("heun", "flow", two_per_step, _plain("heun"))]
    return peers


CFG_PP_SUFFIX = " CFG++"


def with_uncond(model):
    """The model as the samplers' cfg_pp takes it: (guided, unconditional) x0 from bench compare's CFG denoiser (through
    CountingModel, so the batched pair still counts as one NFE)."""
    return lambda x, sigma, **kwargs: model(x, sigma, with_uncond=True, **kwargs)


def gmm_peer(kind, variant, eta, s, n_components=8, cfg_pp=False):
    """DDIM-GMM (diffusion) / RFIM-GMM (flow) preset `variant` at eta and s; cfg_pp: with CFG++ (the same draws)."""
    family, fn = ("RFIM-GMM", sample_rfim_gmm) if kind == "flow" else ("DDIM-GMM", sample_ddim_gmm)
    options = dict(preset_options(variant), eta=eta, s=s, n_components=n_components, cfg_pp=cfg_pp)

    def call(model, x, sigmas, extra_args, seed):
        model = with_uncond(model) if cfg_pp else model
        return fn(model, x, sigmas, extra_args=extra_args, disable=True, seed=seed, **options)
    return Peer(f"{family}-{variant} eta {eta:g} s {s:g}" + (CFG_PP_SUFFIX if cfg_pp else ""), kind, one_per_step,
                call, stream=f"{family}-{variant}", source="ddim-gmm", gmm=(variant, eta, s), cfg_pp=cfg_pp)


def control_peer(kind, variant, eta, s, match="offsets", n_components=8, cfg_pp=False):
    """The matched-noise control of gmm_peer(kind, variant, eta, s, cfg_pp): the same options, Gaussian noise
    instead."""
    family, fn = ("RFIM", sample_rfim_control) if kind == "flow" else ("DDIM", sample_ddim_control)
    options = dict(preset_options(variant), eta=eta, s=s, n_components=n_components, match=match, cfg_pp=cfg_pp)

    def call(model, x, sigmas, extra_args, seed):
        model = with_uncond(model) if cfg_pp else model
        return fn(model, x, sigmas, extra_args=extra_args, disable=True, seed=seed, **options)
    return Peer(control_name(kind, variant, eta, s, match, cfg_pp), kind, one_per_step, call, stream="CONTROL",
                source="ddim-gmm", gmm=(variant, eta, s), control=match, cfg_pp=cfg_pp)


def control_name(kind, variant, eta, s, match="offsets", cfg_pp=False):
    """The control's row name. At eta = 0 with a constant s the control's variance depends only on the offset kind
    (ortho: s^2 (1 - 1/K), rand: s^2, spread over D), not on the covariance mode or the sharing, so the controls of
    ORTHO, ORTHO-VUB, ORTHO-VUB* and EXACT are one sampler there and share one name. cfg_pp: " CFG++" appended."""
    family = "RFIM" if kind == "flow" else "DDIM"
    options = preset_options(variant)
    suffix = CFG_PP_SUFFIX if cfg_pp else ""
    if eta == 0 and options.get("offset_schedule", "constant") == "constant":
        return f"{family}-CONTROL {options['offsets']} offsets eta 0 s {s:g}{suffix}"
    label = "CONTROL" if match == "offsets" else "CONTROL-TOTAL"
    return f"{family}-{label} of {variant} eta {eta:g} s {s:g}{suffix}"



def sampler_call(setting, preset, steps, eta, s, n_components):
    """(sampler function, options) of one run; preset "DDIM"/"RFIM"/"DDPM" is the Gaussian baseline,
    "DDIM-CONTROL-X" / "RFIM-CONTROL-X" the matched-noise control of preset X (sampling.control, match="offsets")."""
    flow = setting == "flow"
    if preset in ("DDIM", "RFIM", "DDPM"):
        return (sample_rfim if flow else sample_ddim), dict(eta=eta)
    if "-CONTROL-" in preset:
        options = preset_options(preset.split("-CONTROL-", 1)[1])
        options.update(eta=eta, n_components=n_components, s=s)
        return (sample_rfim_control if flow else sample_ddim_control), options
    options = preset_options(preset)
    options.update(eta=eta, n_components=n_components)
    if options.get("offset_schedule", "constant") == "constant":
        options["s"] = s
    return (sample_rfim_gmm if flow else sample_ddim_gmm), options


def load_extra_peers(log=print):
    """Peers from bench/comfy_sampling.py (comfy_peers() -> [Peer]) when COMFYUI_PATH is set; else [] and a line
    saying those rows were left out."""
    if not os.environ.get("COMFYUI_PATH"):
        log("COMFYUI_PATH is unset: ComfyUI's own samplers (bench/comfy_sampling.py) were left out of this comparison")
        return []
    try:
        module = importlib.import_module(f"{__package__}.comfy_sampling")
    except ModuleNotFoundError as error:
        if error.name != f"{__package__}.comfy_sampling":
            raise
        log("bench/comfy_sampling.py is not there: ComfyUI's own samplers were left out of this comparison")
        return []
    peers = list(module.comfy_peers())
    log(f"ComfyUI peers from bench/comfy_sampling.py: {', '.join(p.name for p in peers)}")
    return peers
