"""Runs ComfyUI in this process for the host tests: import, load our pack the way ComfyUI does, build a tiny model.

Everything ComfyUI adds to sys.modules and sys.path is removed again by `ComfyHost.close`, so the rest of the test
session never sees it.
"""

import asyncio
import os
import sys
from pathlib import Path

import torch

from ddim_gmm.bench.host.server import combo_choices  # noqa: F401 (the host tests read combos through it)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Unlike the package name, with a dot (ComfyUI mangles dots in module names) and a space.
ODD_FOLDER_NAME = "My DDIM-GMM pack.v2"
CONTEXT_DIM = 32


class ComfyHost:
    """ComfyUI imported on CPU, its built-in nodes registered and our pack loaded from custom_nodes/<odd name>."""

    def __init__(self, comfyui_path, custom_nodes_dir):
        self.saved_path = list(sys.path)
        self.saved_modules = set(sys.modules)
        self.saved_threads = torch.get_num_threads()
        # Tiny models: one thread avoids oversubscribing a shared CPU (several times faster here).
        torch.set_num_threads(1)
        self.roots = [Path(comfyui_path).absolute(), Path(comfyui_path).resolve(),
                      Path(custom_nodes_dir).absolute(), Path(custom_nodes_dir).resolve()]
        sys.path.insert(0, str(comfyui_path))
        import comfy.cli_args
        comfy.cli_args.args.cpu = True  # before anything imports comfy.model_management
        # As main.py does: `utils` must be ComfyUI's package before nodes.py puts comfy/ (with utils.py) on sys.path.
        import utils.extra_config  # noqa: F401
        import comfy.model_management
        import comfy.model_patcher
        import comfy.sample
        import comfy.samplers
        import comfy.supported_models
        import execution
        import folder_paths
        import nodes
        self.comfy, self.nodes, self.execution, self.folder_paths = comfy, nodes, execution, folder_paths
        asyncio.run(nodes.init_extra_nodes(init_custom_nodes=False, init_api_nodes=False))
        self.pack_dir = self.install_pack(custom_nodes_dir, ODD_FOLDER_NAME)
        self.pack = self.load_pack(self.pack_dir)

    def close(self):
        # Only ComfyUI's own modules and the pack's go: third-party libraries it pulled in (numpy extensions and the
        # like) must not be imported twice in one process.
        # Decide for every module before deleting any: a namespace package's __path__ is computed from its parent's.
        doomed = [name for name in set(sys.modules) - self.saved_modules if self.is_comfyui_module(sys.modules[name])]
        for name in doomed:
            del sys.modules[name]
        sys.path[:] = self.saved_path
        torch.set_num_threads(self.saved_threads)

    def is_comfyui_module(self, module):
        locations = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or [])
        # The pack lives behind a symlink in custom_nodes/: compare the paths as given and as resolved.
        paths = [p for location in locations if location for p in (Path(location).absolute(), Path(location).resolve())]
        return any(path.is_relative_to(root) for path in paths for root in self.roots)

    def install_pack(self, custom_nodes_dir, folder_name):
        """custom_nodes/<folder_name> -> the repository, as a `git clone` into any folder name would give."""
        pack_dir = Path(custom_nodes_dir) / folder_name
        self.roots.append(pack_dir.absolute())
        pack_dir.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(REPO_ROOT, pack_dir, target_is_directory=True)
        return pack_dir

    def load_pack(self, pack_dir):
        """Loads the pack with ComfyUI's own loader; returns the module it registered."""
        loaded = asyncio.run(self.nodes.load_custom_node(str(pack_dir), module_parent="custom_nodes"))
        assert loaded, f"ComfyUI failed to load {pack_dir} (see the log above)"
        return sys.modules[str(pack_dir).replace(".", "_x_")]

    def pack_module(self, relative_name):
        return sys.modules[f"{self.pack.__name__}.{relative_name}"]

    def node(self, class_type):
        return self.nodes.NODE_CLASS_MAPPINGS[class_type]()

    def tiny_sd15(self, dtype=torch.float32, seed=0):
        """A small SD1.5-class UNet (ComfyUI's SD15 config, shrunk) with deterministic random weights."""
        sd15 = self.comfy.supported_models.SD15
        unet_config = dict(sd15.unet_config)
        unet_config.update(in_channels=4, out_channels=4, model_channels=32, num_res_blocks=[1, 1], channel_mult=[1, 2],
                           transformer_depth=[0, 1], transformer_depth_output=[0, 0, 1, 1], transformer_depth_middle=1,
                           context_dim=CONTEXT_DIM, use_spatial_transformer=True, legacy=False, image_size=32,
                           use_checkpoint=False)
        model_config = sd15(unet_config)
        model_config.set_inference_dtype(dtype, None)
        base_model = model_config.get_model({})
        # ComfyUI's layers skip weight initialisation; small random weights keep the eps prediction moderate.
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in base_model.diffusion_model.parameters():
                p.copy_((torch.randn(p.shape, generator=generator) * 0.02).to(p.dtype))
        cpu = torch.device("cpu")
        return self.comfy.model_patcher.ModelPatcher(base_model, load_device=cpu, offload_device=cpu)

    @staticmethod
    def conds(batch=1, seed=1):
        generator = torch.Generator().manual_seed(seed)
        positive = [[torch.randn(batch, 7, CONTEXT_DIM, generator=generator), {}]]
        negative = [[torch.zeros(batch, 7, CONTEXT_DIM), {}]]
        return positive, negative
