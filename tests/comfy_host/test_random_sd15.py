"""The random-weight SD1.5 checkpoint (bench/random_sd15.py) in a real ComfyUI: CheckpointLoaderSimple detects it
as SD1.5, and a 64 px text-to-image run with our dropdown name gives finite pixels, the same for the same seed."""

import os
import time

import pytest
import torch

from comfy_harness import ComfyHost

from ddim_gmm.bench.random_sd15 import write_checkpoint

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

CKPT_NAME = "random_sd15.safetensors"


@pytest.fixture(scope="module")
def host(tmp_path_factory, random_sd15):
    assert random_sd15.name == CKPT_NAME
    comfy_host = ComfyHost(COMFYUI_PATH, tmp_path_factory.mktemp("comfyui") / "custom_nodes")
    comfy_host.folder_paths.add_model_folder_path("checkpoints", str(random_sd15.parent))
    yield comfy_host
    comfy_host.close()


@pytest.fixture(scope="module")
def loaded(host):
    return host.node("CheckpointLoaderSimple").load_checkpoint(CKPT_NAME)


def text_to_image(host, loaded, seed, sampler_name="ddim_gmm", steps=4):
    model, clip, vae = loaded[:3]
    positive = host.node("CLIPTextEncode").encode(clip, "a red apple")[0]
    negative = host.node("CLIPTextEncode").encode(clip, "")[0]
    latent = host.node("EmptyLatentImage").generate(64, 64, 1)[0]
    samples = host.node("KSampler").sample(model, seed, steps, 5.0, sampler_name, "normal", positive, negative,
                                           latent)[0]
    return samples["samples"], host.node("VAEDecode").decode(vae, samples)[0]


def test_checkpoint_loads_as_sd15_with_its_clip_and_vae(host, loaded):
    model, clip, vae = loaded[:3]
    assert type(model.model.model_config) is host.comfy.supported_models.SD15
    assert model.model.model_type == host.comfy.model_base.ModelType.EPS
    assert model.model.diffusion_model.model_channels == 320 and clip is not None and vae is not None
    tokens = clip.tokenize("a red apple")
    cond = clip.encode_from_tokens(tokens)
    assert cond.shape == (1, 77, 768) and torch.isfinite(cond).all()


def test_64px_run_is_finite_cheap_and_reproducible(host, loaded):
    start = time.perf_counter()
    latent, image = text_to_image(host, loaded, seed=7)
    seconds = time.perf_counter() - start
    assert latent.shape == (1, 4, 8, 8) and torch.isfinite(latent).all()
    assert image.shape == (1, 64, 64, 3) and torch.isfinite(image).all()
    assert image.std() > 0.01  # not a blank image: the random weights do reach the pixels
    _, again = text_to_image(host, loaded, seed=7)
    _, other = text_to_image(host, loaded, seed=8)
    assert torch.equal(image, again) and not torch.equal(image, other)
    # Generous on a shared CPU: the point is "seconds, not minutes" (the full SD1.5 UNet would take minutes).
    assert seconds < 30, f"one 64 px prompt took {seconds:.1f} s"


def test_bad_arguments_are_value_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="seed"):
        write_checkpoint(tmp_path / "x.safetensors", seed=-1)
    with pytest.raises(ValueError, match="seed"):
        write_checkpoint(tmp_path / "x.safetensors", seed="0")
    monkeypatch.delenv("COMFYUI_PATH")
    with pytest.raises(ValueError, match="comfyui_path"):
        write_checkpoint(tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()
