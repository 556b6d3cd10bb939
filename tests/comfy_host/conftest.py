"""Shared by the host tests: ComfyUI in this process (one per test module), and one random-weight SD1.5 checkpoint per
session (bench/random_sd15.py; writing its 451 MB takes seconds, so the tests that need it share one)."""

import os

import pytest


@pytest.fixture(scope="session")
def random_sd15(tmp_path_factory):
    """Path of bench/random_sd15.py's checkpoint (seed 0), written once per session; needs COMFYUI_PATH."""
    if not os.environ.get("COMFYUI_PATH"):
        pytest.skip("the random SD1.5 checkpoint needs COMFYUI_PATH=/path/to/ComfyUI")
    from ddim_gmm.bench.random_sd15 import write_checkpoint

    return write_checkpoint(tmp_path_factory.mktemp("random_sd15") / "random_sd15.safetensors", seed=0)


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """ComfyUI imported in this process with our pack loaded (so its dropdown names are in ComfyUI's sampler list);
    everything it imported is removed again after the module (comfy_harness.ComfyHost.close)."""
    from comfy_harness import ComfyHost

    comfy_host = ComfyHost(os.environ["COMFYUI_PATH"], tmp_path_factory.mktemp("comfyui") / "custom_nodes")
    yield comfy_host
    comfy_host.close()
