"""Shared by the host tests: one random-weight SD1.5 checkpoint per session (bench/random_sd15.py; writing its 451 MB
takes seconds, so the tests that need it share one)."""

import os

import pytest


@pytest.fixture(scope="session")
def random_sd15(tmp_path_factory):
    """Path of bench/random_sd15.py's checkpoint (seed 0), written once per session; needs COMFYUI_PATH."""
    if not os.environ.get("COMFYUI_PATH"):
        pytest.skip("the random SD1.5 checkpoint needs COMFYUI_PATH=/path/to/ComfyUI")
    from ddim_gmm.bench.random_sd15 import write_checkpoint

    return write_checkpoint(tmp_path_factory.mktemp("random_sd15") / "random_sd15.safetensors", seed=0)
