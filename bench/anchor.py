"""k-diffusion's sampling module, the anchor the samplers are tested and timed against (euler_ancestral = DDIM).

`import k_diffusion.sampling` runs k-diffusion's package __init__, which imports its whole training and evaluation
stack (clip, clean-fid, jsonmerge, dctorch, scikit-image, ...). The sampling module itself needs only torch, scipy,
torchdiffeq, torchsde and k_diffusion/utils.py (PIL, safetensors, torchvision). Where the full import fails for want
of that stack (a GPU machine with no network, say, that was carried only the k-diffusion, torchsde and trampoline
wheels), k_diffusion/sampling.py is imported from the installed package without its __init__.
"""

import importlib
import importlib.util
import sys
import types


def k_diffusion_sampling():
    """k_diffusion.sampling, or None with the reason in `k_diffusion_sampling.missing` when it cannot be imported."""
    k_diffusion_sampling.missing = None
    try:
        return importlib.import_module("k_diffusion.sampling")
    except ImportError as error:
        first = error
    for name in [n for n in sys.modules if n == "k_diffusion" or n.startswith("k_diffusion.")]:
        del sys.modules[name]
    spec = importlib.util.find_spec("k_diffusion")
    if spec is None or not spec.submodule_search_locations:
        k_diffusion_sampling.missing = f"k-diffusion is not installed ({first})"
        return None
    package = types.ModuleType("k_diffusion")
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    sys.modules["k_diffusion"] = package
    try:
        return importlib.import_module("k_diffusion.sampling")
    except ImportError as error:
        for name in [n for n in sys.modules if n == "k_diffusion" or n.startswith("k_diffusion.")]:
            del sys.modules[name]
        k_diffusion_sampling.missing = (f"k-diffusion is installed but its sampling module cannot be imported: "
                                        f"{error} (the package's own import: {first})")
        return None


k_diffusion_sampling.missing = None
