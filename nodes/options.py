"""The node's widgets: its own preset and kernel around the kernel options (sampling/options.py), how each is shown
(its tooltip, INPUT_TYPES extras, when the frontend hides it), widget values -> sampler options, and the flow-aware
sampler function both the node and the dropdown run.

Pure Python: nothing here imports ComfyUI, so the mapping from widgets to options is testable anywhere.
"""

import logging
import sys
from dataclasses import dataclass, field

from ..sampling import (OPTIONS, VARIANTS, GmmOptions, Option, check_options, preset_options, sample_ddim_control,
                        sample_ddim_gmm, sample_rfim_control, sample_rfim_gmm)
from ..sampling.options import OPTION

CUSTOM = "custom"
DEFAULT_PRESET = "ORTHO-VUB*"  # the paper's best (ImageNet FID 6.72 vs DDIM 10.15 at 10 steps)
# The matched-noise control, a diagnostic: DDIM (flow: RFIM) plus plain Gaussian noise with, at every step, the
# variance the default preset's offsets add at the same s and n_components (sampling/control.py). Node only: it is
# kept out of KSampler's dropdown, which lists samplers to use, not diagnostics.
CONTROL = "CONTROL (same-variance noise)"
CONTROL_MIXTURE = DEFAULT_PRESET
PRESET_CHOICES = (CUSTOM,) + tuple(VARIANTS) + (CONTROL,)

AUTO = "auto"
DDIM_GMM = "DDIM-GMM"
RFIM_GMM = "RFIM-GMM"
KERNEL_CHOICES = (AUTO, DDIM_GMM, RFIM_GMM)

# The node's own widgets, declared as the kernel options are.
PRESET = Option(
    "preset", "choice", DEFAULT_PRESET, choices=PRESET_CHOICES,
    doc="The paper's variant. RAND / ORTHO: random or orthonormal offsets, diagonal covariance, fresh each "
        "step. ORTHO-VUB: orthonormal offsets with the paper's variance upper bounds. ORTHO-VUB*: the same, "
        "one draw for the whole run (the paper's best). EXACT (ours): the exact low-rank covariance. "
        "NOISE-MATCHED (ours): EXACT with offsets scaled to each step's noise (needs eta > 0). "
        + CONTROL + ": a diagnostic, not a sampler to use: DDIM (flow: Euler) plus plain Gaussian noise "
        "of the variance ORTHO-VUB*'s offsets add at the same s and n_components; run it next to the "
        "mixture with the same seed to see whether the mixture does more than add noise. A preset fixes "
        "offsets, covariance, share_offsets and offset_schedule; 'custom' takes them from their widgets.")
KERNEL = Option(
    "kernel", "choice", AUTO, choices=KERNEL_CHOICES,
    doc="'auto': RFIM-GMM for flow models (SD3, Flux, anything patched by ModelSamplingSD3/Flux/AuraFlow), "
        "DDIM-GMM for every other model, decided at each run. Or force one kernel.")

# The frontend extension hides a widget while it has no effect; these sentences say so where it does not run
# (API prompts, a frontend without extensions).
FIXED_BY_PRESET = " Used only when preset is 'custom' (shown only then); any other preset fixes it."
NEEDS_ETA = " Matters only when eta > 0 (with eta = 0 the step adds no noise)."


@dataclass(frozen=True)
class Widget:
    """How the node shows one option (a kernel option or its own preset and kernel).

    tooltip: the node's own text, where it has to say what the option's doc does not (the widget's range, ComfyUI's
        guiders); None: the option's doc. note: sentences only the node says, after it (when the widget is hidden).
    spec: the INPUT_TYPES entries that differ from the option's (its default, max, labels).
    preset_fixed: every preset sets it (sampling/presets.py); the frontend hides it unless preset is 'custom'.
    needs_eta: it changes nothing at eta = 0, where the step adds no noise (the tooltip says so).
    schedule: the offset_schedule it takes effect under (None: both); the frontend hides it under the other one.
    """

    tooltip: str | None = None
    note: str = ""
    spec: dict = field(default_factory=dict)
    preset_fixed: bool = False
    needs_eta: bool = False
    schedule: str | None = None

    def tooltip_for(self, option):
        """The widget's tooltip: its own text or the option's doc, then what only the node says."""
        return ((self.tooltip if self.tooltip is not None else option.doc) + self.note
                + (NEEDS_ETA if self.needs_eta else "") + (FIXED_BY_PRESET if self.preset_fixed else ""))


# Option name -> how the node shows it: every kernel option and the node's own, in widget order.
WIDGET_FOR = {
    "preset": Widget(),
    "eta": Widget(spec={"default": 0.0}),
    "s": Widget(note=" Unused (and hidden) when the offset schedule is 'noise_matched'.", schedule="constant"),
    "n_components": Widget(
        spec={"max": 4096},
        tooltip="K, the number of mixture components, 1 to 4096 (at most the latent's element count for ortho "
                "offsets or vub covariance). The paper uses 8 (and found 8 and 256 better than 1024)."),
    "offsets": Widget(preset_fixed=True),
    "covariance": Widget(preset_fixed=True, needs_eta=True),
    "share_offsets": Widget(spec={"label_on": "once per run", "label_off": "fresh each step"}, preset_fixed=True),
    "priors": Widget(spec={"default": "uniform"}),
    "offset_schedule": Widget(preset_fixed=True),
    "offset_variance_fraction": Widget(
        note=" Shown only for that schedule (preset NOISE-MATCHED, or 'custom' with offset_schedule 'noise_matched').",
        needs_eta=True, schedule="noise_matched"),
    "kernel": Widget(),
    "cfg_pp": Widget(
        spec={"label_on": "CFG++", "label_off": "off"},
        tooltip="CFG++ (Chung et al. 2024): the step keeps the guided x0 prediction but takes its direction back to "
                "noise from the unconditional (negative prompt) prediction, as ComfyUI's *_cfg_pp samplers do; the "
                "mixture is unchanged. Use a much smaller CFG than usual (best on the pack's test model: about 0.75 "
                "at 5-10 steps, 0.25 at 20-50; 1 still guides). With s = 0 it is euler_ancestral_cfg_pp. With "
                "BasicGuider (no negative prompt) ComfyUI hands CFG++ a zero unconditional prediction, as it does its "
                "own CFG++ samplers; use CFGGuider."),
}
# The options a preset fixes; every other widget always applies.
PRESET_FIXED = tuple(name for name, widget in WIDGET_FOR.items() if widget.preset_fixed)

# The node's widgets, in order: its own preset and kernel around the kernel options.
# Widgets added after the node shipped come after kernel, in the order they were added, and are ComfyUI "optional"
# inputs: a saved UI workflow keeps every widget value in its place (the frontend fills the missing trailing ones
# with their defaults), and an API prompt saved before them still validates (ComfyUI rejects a prompt that lacks a
# required input; an optional one missing is left to get_sampler's default).
LATER = (OPTION["cfg_pp"],)
WIDGETS = (PRESET, *(option for option in OPTIONS if option not in LATER), KERNEL, *LATER)

# The latent's size is unknown until sampling starts; n_components <= D is checked there, everything else here.
UNKNOWN_N_DIMS = sys.maxsize


def preset_fixed_options(preset):
    """The options preset `preset` fixes, with the kernel defaults filling what the preset leaves unsaid."""
    defaults = GmmOptions()
    options = preset_options(CONTROL_MIXTURE if preset == CONTROL else preset)
    return {name: options.get(name, getattr(defaults, name)) for name in PRESET_FIXED}


def options_from_widgets(**widgets):
    """The sampler options for the values of the widgets preset and OPTIONS (all of them, by name; a LATER widget
    missing, as in an API prompt saved before it, takes its default), validated; raises ValueError naming a bad
    widget.

    preset "custom" takes offsets, covariance, share_offsets and offset_schedule from their widgets; any other
    preset fixes those four and the widgets are ignored.
    """
    names = [PRESET.name] + [option.name for option in OPTIONS]
    widgets = {**{option.name: option.default for option in LATER}, **widgets}
    if sorted(widgets) != sorted(names):
        raise ValueError(f"the widgets are {', '.join(names)}, got {', '.join(widgets)}")
    preset = PRESET.check(widgets[PRESET.name])
    options = {option.name: widgets[option.name] for option in OPTIONS}
    OPTION["priors"].check_choice(options["priors"])  # the widget offers the named priors, not K weights
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


def model_noise_scale(model):
    """The noise scale c of a flow model (x = (1 - sigma) x0 + sigma c eps): newer ComfyUI's CONST model sampling
    has `noise_scale` (the ModelNoiseScale node; HiDream-O1 uses 8); older hosts and other models have none, c = 1."""
    return float(getattr(model_sampling_of(model), "noise_scale", 1.0))


def host_noise_sampler(x, extra_args):
    """The running ComfyUI's own default noise sampler for this run (seeded from extra_args["seed"] as its samplers
    are), looked up now, so the step noise follows the host's convention in every version: ComfyUI 0.3.64 seeds it
    with the seed itself, later releases with seed + 1 on the CPU, where the initial noise is drawn from the seed.
    None outside ComfyUI: the library's own default then applies."""
    host_sampling = sys.modules.get("comfy.k_diffusion.sampling")
    if host_sampling is None:
        return None
    return host_sampling.default_noise_sampler(x, seed=(extra_args or {}).get("seed"))


def sample_gmm(model, x, sigmas, extra_args=None, callback=None, disable=None, kernel=AUTO, control=False,
               **options):
    """k-diffusion sampler function for ComfyUI's KSAMPLER: RFIM-GMM on flow models, DDIM-GMM otherwise.

    kernel: "auto" (decide from the model at every run), "DDIM-GMM" or "RFIM-GMM" (forced). control: run the
    kernel's matched-noise control with the same options instead (preset CONTROL). cfg_pp: CFG++, with the
    unconditional prediction captured from ComfyUI's CFG (cfg_pp_model). Options not given take the kernel's own
    defaults (eta = 1 for DDIM-GMM, 0 for RFIM-GMM). On flow models the step noise and the offsets follow the model's
    noise scale (model_noise_scale). The options are validated against the latent's size before the
    first model call.
    """
    KERNEL.check(kernel)
    flow = kernel == RFIM_GMM or (kernel == AUTO and is_flow_model(model))
    if kernel == RFIM_GMM and len(sigmas) > 0 and float(sigmas[0]) > 1:
        raise ValueError(f"kernel={RFIM_GMM!r} needs a flow model (noise levels in [0, 1]), but this run starts at "
                         f"sigma = {float(sigmas[0]):.4g}; use 'auto' or {DDIM_GMM!r} for diffusion models")
    if control:
        sampler = sample_rfim_control if flow else sample_ddim_control
    else:
        sampler = sample_rfim_gmm if flow else sample_ddim_gmm
    if flow:
        options = {"noise_scale": model_noise_scale(model), **options}
    if options.get("noise_sampler") is None:
        options["noise_sampler"] = host_noise_sampler(x, extra_args)
    cfg_pp = OPTION["cfg_pp"].check(options.get("cfg_pp", OPTION["cfg_pp"].default))
    if cfg_pp:
        model, extra_args = cfg_pp_model(model, extra_args)
    # One line per run in ComfyUI's console, so a user can see which kernel 'auto' picked.
    logging.getLogger(__name__).info("ddim-gmm: %s kernel%s%s (%s)", RFIM_GMM if flow else DDIM_GMM,
                                     ", matched-noise control" if control else "", ", CFG++" if cfg_pp else "",
                                     "forced" if kernel != AUTO else "flow model" if flow else "diffusion model")
    return sampler(model, x, sigmas, extra_args=extra_args, callback=callback, disable=disable, **options)


def set_post_cfg_function(model_options, function):
    """comfy.model_patcher.set_model_options_post_cfg_function(model_options, function,
    disable_cfg1_optimization=True), ComfyUI's own when it is loaded (a KSAMPLER run), else the same two keys."""
    model_patcher = sys.modules.get("comfy.model_patcher")
    if model_patcher is not None:
        return model_patcher.set_model_options_post_cfg_function(model_options, function,
                                                                 disable_cfg1_optimization=True)
    model_options["sampler_post_cfg_function"] = model_options.get("sampler_post_cfg_function", []) + [function]
    model_options["disable_cfg1_optimization"] = True
    return model_options


def cfg_pp_model(model, extra_args):
    """(model', extra_args') for CFG++ in ComfyUI, as its own sample_euler_ancestral_cfg_pp does: a post-CFG function
    on a copy of extra_args["model_options"] captures each call's uncond_denoised (with disable_cfg1_optimization, so
    the unconditional pass runs at CFG 1 too), and model' returns (denoised, uncond_denoised) as the samplers' cfg_pp
    expects. A guider without a negative (BasicGuider) gets ComfyUI's zero uncond_denoised, as ComfyUI's own CFG++
    samplers do; a warning says so once per run."""
    captured, warned = {}, []

    def post_cfg_function(args):
        captured["uncond"] = args["uncond_denoised"]
        if args.get("uncond") is None and not warned:
            warned.append(True)
            logging.getLogger(__name__).warning(
                "ddim-gmm: CFG++ with a guider that has no negative conditioning (BasicGuider): ComfyUI hands CFG++ a "
                "zero unconditional prediction, as it does its own *_cfg_pp samplers; use CFGGuider (or turn CFG++ "
                "off)")
        return args["denoised"]

    extra_args = dict(extra_args or {})
    extra_args["model_options"] = set_post_cfg_function(dict(extra_args.get("model_options", {})), post_cfg_function)

    def guided(x, sigma, **kwargs):
        captured.clear()
        denoised = model(x, sigma, **kwargs)
        if "uncond" not in captured:
            raise ValueError("cfg_pp: ComfyUI's CFG did not run (no post-CFG call), so there is no unconditional "
                             "prediction; use a guider that runs CFG (CFGGuider, KSampler) or turn CFG++ off")
        return denoised, captured.pop("uncond")

    return guided, extra_args


__all__ = ["PRESET_CHOICES", "DEFAULT_PRESET", "CONTROL", "PRESET_FIXED", "KERNEL_CHOICES", "PRESET", "KERNEL",
           "Widget", "WIDGET_FOR", "WIDGETS", "LATER", "cfg_pp_model", "options_from_widgets", "preset_fixed_options",
           "is_flow_model", "sample_gmm"]
