"""The random-weight checkpoints (bench/host/random_checkpoint.py) in a real ComfyUI: CheckpointLoaderSimple detects the
SD1.5 one as SD1.5 (EPS) and the SD3 one as SD3 (a CONST flow model, whose config is exactly the one we wrote), each
with its CLIP and VAE, and a 64 px text-to-image run with our dropdown name gives finite pixels, the same for the same
seed."""

import os
import time

import pytest
import torch

from comfy_harness import ComfyHost

from ddim_gmm.bench.host.random_checkpoint import SD3_UNET_CONFIG, write_checkpoint

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

# What each architecture's text encoder gives (conditioning, pooled) and its latent channels.
EXPECTED = {"sd15": dict(cond=(1, 77, 768), pooled=(1, 768), channels=4),
            "sd3": dict(cond=(1, 77, 4096), pooled=(1, 2048), channels=16)}


@pytest.fixture(scope="module")
def host(tmp_path_factory, random_sd15, random_sd3):
    comfy_host = ComfyHost(COMFYUI_PATH, tmp_path_factory.mktemp("comfyui") / "custom_nodes")
    for checkpoint in (random_sd15, random_sd3):
        comfy_host.folder_paths.add_model_folder_path("checkpoints", str(checkpoint.parent))
    yield comfy_host
    comfy_host.close()


@pytest.fixture(scope="module", params=["sd15", "sd3"])
def architecture(request):
    return request.param


@pytest.fixture(scope="module")
def loaded(host, architecture):
    return host.node("CheckpointLoaderSimple").load_checkpoint(f"random_{architecture}.safetensors")


def text_to_image(host, loaded, architecture, seed, sampler_name="ddim_gmm", steps=4):
    model, clip, vae = loaded[:3]
    positive = host.node("CLIPTextEncode").encode(clip, "a red apple")[0]
    negative = host.node("CLIPTextEncode").encode(clip, "")[0]
    empty = host.node("EmptySD3LatentImage" if architecture == "sd3" else "EmptyLatentImage")
    latent = empty.generate(64, 64, 1)[0]
    samples = host.node("KSampler").sample(model, seed, steps, 5.0, sampler_name, "normal", positive, negative,
                                           latent)[0]
    return samples["samples"], host.node("VAEDecode").decode(vae, samples)[0]


def test_checkpoint_loads_as_its_architecture_with_its_clip_and_vae(host, loaded, architecture):
    model, clip, vae = loaded[:3]
    supported, model_base = host.comfy.supported_models, host.comfy.model_base
    if architecture == "sd15":
        assert type(model.model.model_config) is supported.SD15
        assert model.model.model_type == model_base.ModelType.EPS
        assert model.model.diffusion_model.model_channels == 320
    else:
        assert type(model.model.model_config) is supported.SD3
        assert model.model.model_type == model_base.ModelType.FLOW
        # CONST is what the node's kernel 'auto' reads as a flow model (RFIM-GMM; tests/comfy_host/test_comfy_host.py)
        assert isinstance(model.get_model_object("model_sampling"), host.comfy.model_sampling.CONST)
        assert model.get_model_object("model_sampling").shift == 3.0
        detected = model.model.model_config.unet_config
        assert {key: detected[key] for key in SD3_UNET_CONFIG} == SD3_UNET_CONFIG
        assert clip.cond_stage_model.clip_l is not None and clip.cond_stage_model.clip_g is None
    assert clip is not None and vae is not None and vae.latent_channels == EXPECTED[architecture]["channels"]
    cond, pooled = clip.encode_from_tokens(clip.tokenize("a red apple"), return_pooled=True)
    assert cond.shape == EXPECTED[architecture]["cond"] and pooled.shape == EXPECTED[architecture]["pooled"]
    assert torch.isfinite(cond).all() and torch.isfinite(pooled).all() and cond.std() > 0.01


def test_64px_run_is_finite_cheap_and_reproducible(host, loaded, architecture):
    start = time.perf_counter()
    latent, image = text_to_image(host, loaded, architecture, seed=7)
    seconds = time.perf_counter() - start
    assert latent.shape == (1, EXPECTED[architecture]["channels"], 8, 8) and torch.isfinite(latent).all()
    assert image.shape == (1, 64, 64, 3) and torch.isfinite(image).all()
    assert image.std() > 0.01  # not a blank image: the random weights do reach the pixels
    _, again = text_to_image(host, loaded, architecture, seed=7)
    _, other = text_to_image(host, loaded, architecture, seed=8)
    assert torch.equal(image, again) and not torch.equal(image, other)
    # Generous on a shared CPU: the point is "seconds, not minutes" (the full models would take minutes).
    assert seconds < 30, f"one 64 px prompt took {seconds:.1f} s"


def test_bad_arguments_are_value_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="seed"):
        write_checkpoint(tmp_path / "x.safetensors", seed=-1)
    with pytest.raises(ValueError, match="seed"):
        write_checkpoint(tmp_path / "x.safetensors", seed="0")
    with pytest.raises(ValueError, match="architecture must be one of sd15, sd3"):
        write_checkpoint(tmp_path / "x.safetensors", architecture="flux")
    monkeypatch.delenv("COMFYUI_PATH")
    with pytest.raises(ValueError, match="comfyui_path"):
        write_checkpoint(tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()
