"""The SAMPLER node: DDIM-GMM / RFIM-GMM for SamplerCustom and SamplerCustomAdvanced."""

from .options import CONTROL, KERNEL, LATER, WIDGET_FOR, WIDGETS, options_from_widgets, sample_gmm
from .visibility import TABLE_KEY, visibility_table

WIDGET_TYPES = {"float": "FLOAT", "int": "INT", "bool": "BOOLEAN"}
# Every FLOAT widget: ComfyUI would otherwise round the value to `step`.
FLOAT_SPEC = {"step": 0.01, "round": False}


def widget_input(option):
    """The widget's INPUT_TYPES entry (type, spec) from the option's declaration and how the node shows it."""
    widget = WIDGET_FOR[option.name]
    # Combo choices are lists: ComfyUI's prompt validation checks a value against its combo only for a list.
    kind = WIDGET_TYPES.get(option.kind) or list(option.choices)
    spec = {"default": option.default}
    if option.kind in ("float", "int"):
        spec.update(min=option.low, max=option.high)
    if option.kind == "float":
        spec.update(FLOAT_SPEC)
    spec.update(widget.spec)
    spec["tooltip"] = widget.tooltip_for(option)
    return kind, spec


def widget_inputs():
    """Every widget's INPUT_TYPES entry, in the node's widget order (required ones, then the LATER optional ones)."""
    inputs = SamplerDDIMGMM.INPUT_TYPES()
    return {**inputs["required"], **inputs.get("optional", {})}


class SamplerDDIMGMM:
    @classmethod
    def INPUT_TYPES(s):
        required = {option.name: widget_input(option) for option in WIDGETS if option not in LATER}
        # Read by web/ddim_gmm.js: which widgets to hide for each preset and offset schedule.
        required["preset"][1][TABLE_KEY] = visibility_table()
        # Optional, after every other widget: workflows saved before these widgets load and validate unchanged.
        return {"required": required, "optional": {option.name: widget_input(option) for option in LATER}}

    RETURN_TYPES = ("SAMPLER",)
    # KSamplerSelect's category in ComfyUI up to 0.3.x; place_beside_ksampler_select moves the node to wherever the
    # running host files KSamplerSelect (0.38.1: "model/sampling/samplers").
    CATEGORY = "sampling/custom_sampling/samplers"
    DESCRIPTION = ("DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM whose Gaussian step is a moment-matched Gaussian "
                   "mixture. Connect to SamplerCustom or SamplerCustomAdvanced.")
    # What a user may type in the node search: newer ComfyUI sends these as /object_info's search_aliases, which the
    # frontend's search matches beside the name and display name (ComfyUI 0.3.64 does not read them).
    SEARCH_ALIASES = ["ddim gmm", "rfim gmm", "rfim", "gaussian mixture", "moment matching", "mixture sampler",
                      "gmm sampler"]

    FUNCTION = "get_sampler"

    def get_sampler(self, kernel, **widgets):
        # Imported here so the node's class (its widgets and their mapping) loads and tests without ComfyUI.
        import comfy.samplers

        # Validated now, so a bad combination fails this node in the UI before any sampling starts.
        options = options_from_widgets(**widgets)
        KERNEL.check(kernel)
        sampler = comfy.samplers.KSAMPLER(sample_gmm, extra_options=dict(options, kernel=kernel,
                                                                         control=widgets["preset"] == CONTROL))
        return (sampler, )


def place_beside_ksampler_select(host_node_classes):
    """Files the node in the category of the host's own KSamplerSelect (a V1 class attribute, or a V3 node's
    CATEGORY class property), so it sits next to it in every host version; keeps ours if the host has none."""
    category = getattr(host_node_classes.get("KSamplerSelect"), "CATEGORY", None)
    if isinstance(category, str) and category:
        SamplerDDIMGMM.CATEGORY = category
    return SamplerDDIMGMM.CATEGORY


NODE_CLASS_MAPPINGS = {
    "SamplerDDIMGMM": SamplerDDIMGMM,
}

NODE_DISPLAY_NAME_MAPPINGS = {
    "SamplerDDIMGMM": "Sampler DDIM-GMM / RFIM-GMM",
}
