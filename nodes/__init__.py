"""ComfyUI adapters (the SAMPLER node and the KSampler dropdown registration) live here."""

NODE_CLASS_MAPPINGS = {}
NODE_DISPLAY_NAME_MAPPINGS = {}
