"""ddim-gmm: DDIM-GMM / RFIM-GMM samplers.

As a ComfyUI custom node pack (cloned into ComfyUI/custom_nodes/<any name>/) this module is the entry point: it
exports NODE_CLASS_MAPPINGS and registers the samplers in KSampler's list. Imported as the `ddim_gmm` library
(`import ddim_gmm.sampling`) outside ComfyUI it does nothing and never imports comfy.
"""

import sys

NODE_CLASS_MAPPINGS = {}
NODE_DISPLAY_NAME_MAPPINGS = {}

# ComfyUI has imported comfy before it loads custom nodes; a plain script has not, and must not pay for it.
if "comfy.samplers" in sys.modules:
    from .nodes import (NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS,  # noqa: F811
                        place_beside_ksampler_select, register_dropdown_samplers)

    register_dropdown_samplers()
    # ComfyUI's own `nodes` module, which holds the built-in nodes (loaded before any custom node) by then.
    place_beside_ksampler_select(getattr(sys.modules.get("nodes"), "NODE_CLASS_MAPPINGS", {}))

WEB_DIRECTORY = "./web"  # the frontend extension (hides widgets without effect) and the node's help page

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "WEB_DIRECTORY"]
