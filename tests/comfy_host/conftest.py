"""Shared by the host tests: ComfyUI in this process (one per test module), and one random-weight checkpoint of each
architecture per session (bench/host/random_checkpoint.py; writing one takes seconds, so the tests that need it share
it)."""

import os

import pytest


def random_checkpoint(tmp_path_factory, architecture):
    if not os.environ.get("COMFYUI_PATH"):
        pytest.skip(f"the random {architecture} checkpoint needs COMFYUI_PATH=/path/to/ComfyUI")
    from ddim_gmm.bench.host.random_checkpoint import write_checkpoint

    return write_checkpoint(tmp_path_factory.mktemp(f"random_{architecture}") / f"random_{architecture}.safetensors",
                            seed=0, architecture=architecture)


@pytest.fixture(scope="session")
def random_sd15(tmp_path_factory):
    """Path of bench/host/random_checkpoint.py's SD1.5 checkpoint (seed 0), written once per session; needs
    COMFYUI_PATH."""
    return random_checkpoint(tmp_path_factory, "sd15")


@pytest.fixture(scope="session")
def random_sd3(tmp_path_factory):
    """Path of bench/host/random_checkpoint.py's SD3 checkpoint (seed 0), written once per session; needs
    COMFYUI_PATH."""
    return random_checkpoint(tmp_path_factory, "sd3")


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """ComfyUI imported in this process with our pack loaded (so its dropdown names are in ComfyUI's sampler list);
    everything it imported is removed again after the module (comfy_harness.ComfyHost.close)."""
    from comfy_harness import ComfyHost

    comfy_host = ComfyHost(os.environ["COMFYUI_PATH"], tmp_path_factory.mktemp("comfyui") / "custom_nodes")
    yield comfy_host
    comfy_host.close()
