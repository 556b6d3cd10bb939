"""The SAMPLER node: DDIM-GMM / RFIM-GMM for SamplerCustom and SamplerCustomAdvanced."""

from .options import (CONTROL, COVARIANCES, DEFAULT_PRESET, KERNEL_CHOICES, OFFSET_SCHEDULES, OFFSETS, PRESET_CHOICES,
                      PRIORS_CHOICES, options_from_widgets, sample_gmm)
from .visibility import TABLE_KEY, visibility_table

# The pack's frontend extension hides a widget while it has no effect; these sentences say so where it does not run
# (API prompts, a frontend without extensions).
FIXED_BY_PRESET = " Used only when preset is 'custom' (shown only then); any other preset fixes it."
NEEDS_ETA = " Matters only when eta > 0 (with eta = 0 the step adds no noise)."


class SamplerDDIMGMM:
    @classmethod
    def INPUT_TYPES(s):
        # Combo choices are lists: ComfyUI's prompt validation checks a value against its combo only for a list.
        return {"required": {
            "preset": (list(PRESET_CHOICES), {"default": DEFAULT_PRESET, "tooltip":
                "The paper's variant. RAND / ORTHO: random or orthonormal offsets, diagonal covariance, fresh each "
                "step. ORTHO-VUB: orthonormal offsets with the paper's variance upper bounds. ORTHO-VUB*: the same, "
                "one draw for the whole run (the paper's best). EXACT (ours): the exact low-rank covariance. "
                "NOISE-MATCHED (ours): EXACT with offsets scaled to each step's noise (needs eta > 0). "
                + CONTROL + ": a diagnostic, not a sampler to use: DDIM (flow: Euler) plus plain Gaussian noise "
                "of the variance ORTHO-VUB*'s offsets add at the same s and n_components; run it next to the "
                "mixture with the same seed to see whether the mixture does more than add noise. A preset fixes "
                "offsets, covariance, share_offsets and offset_schedule; 'custom' takes them from their widgets.",
                # Read by web/ddim_gmm.js: which widgets to hide for each preset and offset schedule.
                TABLE_KEY: visibility_table()}),
            "eta": ("FLOAT", {"default": 0.0, "min": 0.0, "max": 1.0, "step": 0.01, "round": False, "tooltip":
                "Stochasticity in [0, 1]. 0: deterministic DDIM (flow: Euler) plus the mixture offsets, the paper's "
                "main setting. 1: DDPM variance, like euler_ancestral (flow: independent steps; the paper keeps "
                "flow eta <= 0.5). covariance and noise_matched only matter when eta > 0."}),
            "s": ("FLOAT", {"default": 1.0, "min": 0.0, "max": 100.0, "step": 0.01, "round": False, "tooltip":
                "Offset scale s in [0, 100]: the length of each component's offset from the DDIM mean (VP units). The "
                "paper found s = 10 best at 10 steps and about 1 from 20 steps on. 0 turns the mixture off (plain "
                "DDIM / euler_ancestral). Unused (and hidden) when the offset schedule is 'noise_matched'."}),
            "n_components": ("INT", {"default": 8, "min": 1, "max": 4096, "tooltip":
                "K, the number of mixture components, 1 to 4096 (at most the latent's element count for ortho "
                "offsets or vub covariance). The paper uses 8 (and found 8 and 256 better than 1024)."}),
            "offsets": (list(OFFSETS), {"default": "ortho", "tooltip":
                "How the K offsets are drawn: 'ortho' an orthonormal frame (Eq. 10), 'rand' independent random "
                "directions of length s (Eq. 9)." + FIXED_BY_PRESET}),
            "covariance": (list(COVARIANCES), {"default": "vub", "tooltip":
                "How each component's noise is shrunk to keep the moments matched: 'diag' (the paper's diagonal), "
                "'vub' (the paper's variance upper bounds, Eq. 34) or 'exact' (ours: the exact low-rank "
                "covariance)." + NEEDS_ETA + FIXED_BY_PRESET}),
            "share_offsets": ("BOOLEAN", {"default": True, "label_on": "once per run", "label_off": "fresh each step",
                "tooltip": "Draw the offsets once for the whole run (the paper's '*' variants) or anew at every "
                "step." + FIXED_BY_PRESET}),
            "priors": (list(PRIORS_CHOICES), {"default": "uniform", "tooltip":
                "Component weights: 'uniform' (1/K each, the paper's default) or 'random' (one flat-Dirichlet draw "
                "per run, from the seed)."}),
            "offset_schedule": (list(OFFSET_SCHEDULES), {"default": "constant", "tooltip":
                "'constant': the same scale s at every step (the paper). 'noise_matched' (ours): at each step the "
                "scale that moves offset_variance_fraction of the step's noise variance into the mixture's spread; "
                "exactly moment matched; its offsets vanish where eta = 0." + FIXED_BY_PRESET}),
            "offset_variance_fraction": ("FLOAT", {"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01,
                "round": False, "tooltip": "For offset_schedule 'noise_matched': the fraction in [0, 1] of each "
                "step's noise variance moved into the mixture's spread (0 = plain DDIM). Shown only for that schedule "
                "(preset NOISE-MATCHED, or 'custom' with offset_schedule 'noise_matched')." + NEEDS_ETA}),
            "kernel": (list(KERNEL_CHOICES), {"default": "auto", "tooltip":
                "'auto': RFIM-GMM for flow models (SD3, Flux, anything patched by ModelSamplingSD3/Flux/AuraFlow), "
                "DDIM-GMM for every other model, decided at each run. Or force one kernel."}),
        }}

    RETURN_TYPES = ("SAMPLER",)
    CATEGORY = "sampling/custom_sampling/samplers"
    DESCRIPTION = ("DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM whose Gaussian step is a moment-matched Gaussian "
                   "mixture. Connect to SamplerCustom or SamplerCustomAdvanced.")

    FUNCTION = "get_sampler"

    def get_sampler(self, preset, eta, s, n_components, offsets, covariance, share_offsets, priors, offset_schedule,
                    offset_variance_fraction, kernel):
        # Imported here so the node's class (its widgets and their mapping) loads and tests without ComfyUI.
        import comfy.samplers

        # Validated now, so a bad combination fails this node in the UI before any sampling starts.
        options = options_from_widgets(preset, eta, s, n_components, offsets, covariance, share_offsets, priors,
                                       offset_schedule, offset_variance_fraction)
        if kernel not in KERNEL_CHOICES:
            raise ValueError(f"kernel must be one of {', '.join(KERNEL_CHOICES)}, got {kernel!r}")
        sampler = comfy.samplers.KSAMPLER(sample_gmm, extra_options=dict(options, kernel=kernel,
                                                                         control=preset == CONTROL))
        return (sampler, )


NODE_CLASS_MAPPINGS = {
    "SamplerDDIMGMM": SamplerDDIMGMM,
}

NODE_DISPLAY_NAME_MAPPINGS = {
    "SamplerDDIMGMM": "Sampler DDIM-GMM / RFIM-GMM",
}
