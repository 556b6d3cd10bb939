"""ComfyUI adapters: the SAMPLER node and the KSampler dropdown registration.

Importing this package never imports ComfyUI (the comfy imports happen when a node runs or the dropdown is
registered), so the widgets and their mapping to sampler options are testable without it.
"""

from .dropdown import DROPDOWN_SAMPLERS, register_dropdown_samplers
from .sampler_node import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS, SamplerDDIMGMM, place_beside_ksampler_select

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "SamplerDDIMGMM", "DROPDOWN_SAMPLERS",
           "register_dropdown_samplers", "place_beside_ksampler_select"]
