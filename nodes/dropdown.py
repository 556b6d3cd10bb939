"""Our names in the KSampler / KSamplerAdvanced / KSamplerSelect sampler dropdown.

ComfyUI resolves a dropdown name through comfy.samplers.sampler_object(name) -> ksampler(name) ->
getattr(comfy.k_diffusion.sampling, "sample_" + name), and the nodes list the names from
comfy.samplers.KSampler.SAMPLERS (the same list object as SAMPLER_NAMES unless a pack replaced it) and KSAMPLER_NAMES.
"""

from ..sampling import preset_options
from .options import sample_gmm

# Dropdown name -> preset. Each runs flow-aware (RFIM-GMM on flow models, DDIM-GMM otherwise) with the kernel's
# defaults for the rest: eta = 1 for DDIM-GMM (DDPM variance, like euler_ancestral), eta = 0 for RFIM-GMM
# (the flow Euler step), s = 1, n_components = 8, uniform priors.
DROPDOWN_SAMPLERS = {
    "ddim_gmm": "ORTHO-VUB*",
    "ddim_gmm_ortho_vub": "ORTHO-VUB",
    "ddim_gmm_ortho": "ORTHO",
    "ddim_gmm_rand": "RAND",
    "ddim_gmm_exact": "EXACT",
    "ddim_gmm_noise_matched": "NOISE-MATCHED",
    "ddim_gmm_cfg_pp": "ORTHO-VUB*",
}
# Options a name sets beyond its preset: ddim_gmm_cfg_pp is ddim_gmm with CFG++ (like ComfyUI's *_cfg_pp names).
DROPDOWN_OPTIONS = {
    "ddim_gmm_cfg_pp": {"cfg_pp": True},
}


def dropdown_sampler_function(name):
    """The k-diffusion sampler function ComfyUI finds as comfy.k_diffusion.sampling.sample_<name>."""
    preset = DROPDOWN_SAMPLERS[name]

    def sample(model, x, sigmas, extra_args=None, callback=None, disable=None, **options):
        # KSAMPLER passes its extra_options as keywords: they override the preset (none for the dropdown itself).
        return sample_gmm(model, x, sigmas, extra_args=extra_args, callback=callback, disable=disable,
                          **{**preset_options(preset), **DROPDOWN_OPTIONS.get(name, {}), **options})

    sample.__name__ = sample.__qualname__ = f"sample_{name}"
    extra = "".join(f", {option}={value!r}" for option, value in DROPDOWN_OPTIONS.get(name, {}).items())
    sample.__doc__ = (f"DDIM-GMM / RFIM-GMM, preset {preset}{extra}, flow-aware (the {name!r} entry of ComfyUI's "
                      f"dropdown).")
    return sample


def register_dropdown_samplers():
    """Adds our names to ComfyUI's sampler lists; calling it again (or from a second copy of the pack) adds nothing."""
    import comfy.k_diffusion.sampling
    import comfy.samplers

    for name in DROPDOWN_SAMPLERS:
        setattr(comfy.k_diffusion.sampling, f"sample_{name}", dropdown_sampler_function(name))

    # Another pack may have replaced one of these lists with a copy: extend each distinct list object once.
    name_lists = [comfy.samplers.KSAMPLER_NAMES, comfy.samplers.SAMPLER_NAMES, comfy.samplers.KSampler.SAMPLERS]
    distinct_lists = list({id(names): names for names in name_lists}.values())
    for names in distinct_lists:
        for name in DROPDOWN_SAMPLERS:
            if name not in names:
                names.append(name)
    return list(DROPDOWN_SAMPLERS)


__all__ = ["DROPDOWN_SAMPLERS", "DROPDOWN_OPTIONS", "dropdown_sampler_function", "register_dropdown_samplers"]
