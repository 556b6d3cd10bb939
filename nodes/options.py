"""Widget values -> sampler options, and the flow-aware sampler function both the node and the dropdown run.

Pure Python: nothing here imports ComfyUI, so the mapping from widgets to options is testable anywhere.
"""

import logging
import sys

from ..sampling import (COVARIANCES, OFFSET_SCHEDULES, OFFSETS, VARIANTS, GmmOptions, check_options, preset_options,
                        sample_ddim_control, sample_ddim_gmm, sample_rfim_control, sample_rfim_gmm)

CUSTOM = "custom"
DEFAULT_PRESET = "ORTHO-VUB*"  # the paper's best (ImageNet FID 6.72 vs DDIM 10.15 at 10 steps)
# The matched-noise control, a diagnostic: DDIM (flow: RFIM) plus plain Gaussian noise with, at every step, the
# variance the default preset's offsets add at the same s and n_components (sampling/control.py). Node only: it is
# kept out of KSampler's dropdown, which lists samplers to use, not diagnostics.
CONTROL = "CONTROL (same-variance noise)"
CONTROL_MIXTURE = DEFAULT_PRESET
PRESET_CHOICES = (CUSTOM,) + tuple(VARIANTS) + (CONTROL,)
# The options a preset fixes; every other widget (eta, s, n_components, priors, fraction) always applies.
PRESET_FIXED = ("offsets", "covariance", "share_offsets", "offset_schedule")
PRIORS_CHOICES = ("uniform", "random")

AUTO = "auto"
DDIM_GMM = "DDIM-GMM"
RFIM_GMM = "RFIM-GMM"
KERNEL_CHOICES = (AUTO, DDIM_GMM, RFIM_GMM)

# The latent's size is unknown until sampling starts; n_components <= D is checked there, everything else here.
UNKNOWN_N_DIMS = sys.maxsize


def preset_fixed_options(preset):
    """The options preset `preset` fixes, with the kernel defaults filling what the preset leaves unsaid."""
    defaults = GmmOptions()
    options = preset_options(CONTROL_MIXTURE if preset == CONTROL else preset)
    return {name: options.get(name, getattr(defaults, name)) for name in PRESET_FIXED}


def options_from_widgets(preset, eta, s, n_components, offsets, covariance, share_offsets, priors, offset_schedule,
                         offset_variance_fraction):
    """The sampler options for one set of widget values, validated; raises ValueError naming a bad widget.

    preset "custom" takes offsets, covariance, share_offsets and offset_schedule from their widgets; any other
    preset fixes those four and the widgets are ignored.
    """
    if preset not in PRESET_CHOICES:
        raise ValueError(f"preset must be one of {', '.join(PRESET_CHOICES)}, got {preset!r}")
    if priors not in PRIORS_CHOICES:
        raise ValueError(f"priors must be one of {', '.join(PRIORS_CHOICES)}, got {priors!r}")
    options = dict(eta=eta, s=s, n_components=n_components, offsets=offsets, covariance=covariance,
                   share_offsets=share_offsets, priors=priors, offset_schedule=offset_schedule,
                   offset_variance_fraction=offset_variance_fraction)
    if preset != CUSTOM:
        options.update(preset_fixed_options(preset))
    check_options(UNKNOWN_N_DIMS, **options)
    return options


def model_sampling_of(model):
    """ComfyUI's model_sampling behind the denoiser a KSAMPLER hands its sampler function, or None.

    The chain is KSamplerX0Inpaint -> CFGGuider's model wrapper -> BaseModel, as in ComfyUI's own
    sample_euler_ancestral (comfy/k_diffusion/sampling.py).
    """
    inner = getattr(getattr(model, "inner_model", None), "inner_model", None)
    return getattr(inner, "model_sampling", None)


def is_flow_model(model):
    """True when the model samples as a rectified flow: its model_sampling is ComfyUI's CONST (SD3, Flux, any model
    patched by ModelSamplingSD3/Flux/AuraFlow)."""
    model_sampling = model_sampling_of(model)
    if model_sampling is None:
        raise ValueError("kernel='auto' could not find the model's model_sampling (not a ComfyUI model?); "
                         f"set kernel to {DDIM_GMM!r} (diffusion) or {RFIM_GMM!r} (flow)")
    # A CONST instance can only exist once comfy.model_sampling is imported, so looking it up never imports ComfyUI.
    comfy_model_sampling = sys.modules.get("comfy.model_sampling")
    return comfy_model_sampling is not None and isinstance(model_sampling, comfy_model_sampling.CONST)


def sample_gmm(model, x, sigmas, extra_args=None, callback=None, disable=None, kernel=AUTO, control=False,
               **options):
    """k-diffusion sampler function for ComfyUI's KSAMPLER: RFIM-GMM on flow models, DDIM-GMM otherwise.

    kernel: "auto" (decide from the model at every run), "DDIM-GMM" or "RFIM-GMM" (forced). control: run the
    kernel's matched-noise control with the same options instead (preset CONTROL). Options not given take the
    kernel's own defaults (eta = 1 for DDIM-GMM, 0 for RFIM-GMM). The options are validated against the latent's
    size before the first model call.
    """
    if kernel not in KERNEL_CHOICES:
        raise ValueError(f"kernel must be one of {', '.join(KERNEL_CHOICES)}, got {kernel!r}")
    flow = kernel == RFIM_GMM or (kernel == AUTO and is_flow_model(model))
    if kernel == RFIM_GMM and len(sigmas) > 0 and float(sigmas[0]) > 1:
        raise ValueError(f"kernel={RFIM_GMM!r} needs a flow model (noise levels in [0, 1]), but this run starts at "
                         f"sigma = {float(sigmas[0]):.4g}; use 'auto' or {DDIM_GMM!r} for diffusion models")
    if control:
        sampler = sample_rfim_control if flow else sample_ddim_control
    else:
        sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    # One line per run in ComfyUI's console, so a user can see which kernel 'auto' picked.
    logging.getLogger(__name__).info("ddim-gmm: %s kernel%s (%s)", RFIM_GMM if flow else DDIM_GMM,
                                     ", matched-noise control" if control else "",
                                     "forced" if kernel != AUTO else "flow model" if flow else "diffusion model")
    return sampler(model, x, sigmas, extra_args=extra_args, callback=callback, disable=disable, **options)


__all__ = ["PRESET_CHOICES", "DEFAULT_PRESET", "CONTROL", "PRESET_FIXED", "PRIORS_CHOICES", "KERNEL_CHOICES", "OFFSETS",
           "COVARIANCES", "OFFSET_SCHEDULES", "options_from_widgets", "preset_fixed_options", "is_flow_model",
           "sample_gmm"]
