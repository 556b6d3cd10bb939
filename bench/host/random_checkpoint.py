"""Random-weight checkpoints, written at run time, for host tests, frontend tests and the soak benchmark.

Two architectures, each one that ComfyUI's CheckpointLoaderSimple loads like the real file (model, CLIP, VAE from one
.safetensors), with a denoiser shrunk so that a 64 px image costs well under a second on one CPU core:

- "sd15": SD1.5 (model type EPS, SD1 CLIP-L text encoder, SD KL-VAE), for the SD1.5 workflows;
- "sd3": SD3 / SD3.5 (model type FLOW, model_sampling CONST with shift 3: a rectified-flow model, so the node's
  kernel 'auto' runs RFIM-GMM on it; CLIP-L as its one text encoder, SD3's 16-channel VAE), for the flow workflows.

No weights are downloaded: every tensor is drawn here from a seed, so the tensors are the same for the same
architecture, seed and ComfyUI version (the file's bytes may not be: safetensors writes its metadata keys in no fixed
order).

Interface (kept stable; the host tests, the frontend tests and `bench soak` use it):

    write_checkpoint(path, seed=0, comfyui_path=None, architecture="sd15") -> Path
        Writes the .safetensors file (creating its folder) and returns its path. ComfyUI's own model classes build
        the state dict, in a subprocess (ComfyUI stays out of the caller's process); comfyui_path defaults to the
        COMFYUI_PATH environment variable. Raises ValueError for a bad argument or without a ComfyUI, RuntimeError if
        the build fails.

    python -m ddim_gmm.bench.host.random_checkpoint OUT.safetensors [--architecture sd3] [--seed N] (needs COMFYUI_PATH)
    python path/to/bench/host/random_checkpoint.py OUT.safetensors [...]   (the same, without installing the package)

What is inside (float16, keys as in the released files):
- sd15 (451 MB), keys as in an original SD1.5 .ckpt:
  - model.diffusion_model.*: the SD1.5 UNet shrunk to one resolution level, one ResBlock and one cross-attention
    transformer per block, no middle block. ComfyUI detects SD1.5 from the fields it reads off the state dict
    (model_channels 320, context_dim 768, use_linear_in_transformer False, adm_in_channels None), which the shrunk
    UNet keeps; the full 860M-parameter UNet would cost ~100x more per step.
  - cond_stage_model.transformer.text_model.*: the full CLIP ViT-L/14 text encoder (ComfyUI's SD1 text encoder has
    a fixed 12-layer config, so it cannot shrink).
  - first_stage_model.*: the full SD KL-VAE (ComfyUI's SD VAE config is fixed too).
- sd3 (about 420 MB), keys as in Comfy-Org's SD3.5 checkpoints that include their text encoders:
  - model.diffusion_model.*: an MMDiT-X of depth 2 (hidden size 128 = 64 x depth, 2 heads; ComfyUI reads the depth
    off x_embedder) with SD3.5 Medium's features: RMS q/k norm, a self-attention block in the first layer, a
    192 x 192 position table, a 4096-wide context and a 2048-wide pooled vector (CLIP-L 768 + CLIP-G 1280).
  - text_encoders.clip_l.transformer.*: the full CLIP-L text encoder. ComfyUI's SD3 text encoder takes whichever of
    CLIP-L, CLIP-G and T5-XXL the file holds and zero-fills the rest, so CLIP-L alone gives conditioning of the real
    shapes (77 x 4096 and 2048) without CLIP-G's 695M or T5-XXL's 4.7B parameters.
  - first_stage_model.*: the full SD3 VAE (16 latent channels, no quant convs; a fixed config too).

Weights: normalisation layers scale 1, shift 0; biases 0; every other tensor N(0, 1 / fan_in) (embeddings N(0,
0.02^2)), so activations stay O(1) and every output is finite. The images are noise-like, which is all a host test
needs: the pixels are a deterministic function of the seed and the sampler.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

# The shrunk SD1.5 UNet: what ComfyUI's SD15 entry matches on, plus the smallest layout that still has a
# cross-attention transformer (model detection reads context_dim off one) and a skip connection.
SD15_UNET_CONFIG = dict(
    model_channels=320, context_dim=768, use_linear_in_transformer=False, adm_in_channels=None,
    use_temporal_attention=False, use_temporal_resblock=False, in_channels=4, out_channels=4,
    num_res_blocks=[1], channel_mult=[1], transformer_depth=[1], transformer_depth_output=[1, 1],
    transformer_depth_middle=-2,
)
# The shrunk SD3.5 MMDiT-X, in the fields ComfyUI's model detection reads off the state dict (the test of this module
# checks that detection gives back exactly these).
SD3_UNET_CONFIG = dict(
    in_channels=16, out_channels=16, patch_size=2, depth=2, input_size=None, adm_in_channels=2048,
    context_embedder_config={"target": "torch.nn.Linear", "params": {"in_features": 4096, "out_features": 128}},
    num_patches=192**2, pos_embed_max_size=192, qk_norm="rms", pos_embed_scaling_factor=None,
    x_block_self_attn_layers=[0],
)
# ComfyUI's SD VAE (comfy/sd.py) as it builds it for a checkpoint; SD1.5's has 4 latent channels and quant convs,
# SD3's has 16 and none.
VAE_CONFIG = {"double_z": True, "z_channels": 4, "resolution": 256, "in_channels": 3, "out_ch": 3, "ch": 128,
              "ch_mult": [1, 2, 4, 4], "num_res_blocks": 2, "attn_resolutions": [], "dropout": 0.0}
EMBEDDING_STD = 0.02
TITLES = {"sd15": "SD1.5", "sd3": "SD3"}
ARCHITECTURES = tuple(TITLES)


def write_checkpoint(path, seed=0, comfyui_path=None, architecture="sd15"):
    """Writes the random checkpoint of `architecture` to `path` (see the module docstring); returns the path."""
    comfyui_path = comfyui_path or os.environ.get("COMFYUI_PATH")
    if not comfyui_path:
        raise ValueError("comfyui_path (or the COMFYUI_PATH environment variable) must name a ComfyUI checkout")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}, got {architecture!r}")
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COMFYUI_PATH=str(comfyui_path))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(path), "--seed", str(seed),
                           "--architecture", architecture, "--in-process"], env=env, capture_output=True, text=True)
    if done.returncode != 0 or not path.is_file():
        raise RuntimeError(f"building the random {architecture} checkpoint failed:\n{done.stderr[-4000:]}")
    return path


def random_weights(module, prefix, generator, out):
    """Every parameter and buffer of `module` into `out` under `prefix`, drawn as the module docstring says."""
    import torch

    # RMSNorm by name: ComfyUI's MMDiT has its own class of that name besides torch's.
    norm_params = {f"{name}.{p}" for name, m in module.named_modules()
                   if isinstance(m, (torch.nn.GroupNorm, torch.nn.LayerNorm)) or type(m).__name__ == "RMSNorm"
                   for p in ("weight", "bias")}
    embeddings = {f"{name}.weight" for name, m in module.named_modules() if isinstance(m, torch.nn.Embedding)}
    for name, tensor in sorted(module.state_dict().items()):
        if not tensor.is_floating_point():
            value = tensor.clone()  # position ids and the like: keep what the module computed
        elif name in norm_params:
            value = torch.ones(tensor.shape) if name.endswith("weight") else torch.zeros(tensor.shape)
        elif name in embeddings:
            value = torch.randn(tensor.shape, generator=generator) * EMBEDDING_STD
        elif tensor.ndim >= 2:
            fan_in = tensor[0].numel()
            value = torch.randn(tensor.shape, generator=generator) / fan_in**0.5
        else:
            value = torch.zeros(tensor.shape)
        out[prefix + name] = value.to(torch.float16) if value.is_floating_point() else value.contiguous()


def denoiser(model_config_class, unet_config, generator, out):
    """The denoiser of `unet_config` built as ComfyUI's checkpoint loader builds it, drawn into `out`; checks that
    ComfyUI's model detection takes the result for `model_config_class` with the same config."""
    import torch
    import comfy.model_detection

    # The constructor's own arguments besides the detected fields, as ComfyUI's detection adds them.
    model_config = model_config_class(unet_config)
    model_config.set_inference_dtype(torch.float32, None)
    random_weights(model_config.get_model({}).diffusion_model, "model.diffusion_model.", generator, out)
    # Fail here, not in the user's host test, if ComfyUI would take this for another model.
    prefix = comfy.model_detection.unet_prefix_from_state_dict(out)
    detected = comfy.model_detection.model_config_from_unet(out, prefix)
    if type(detected) is not model_config_class:
        raise RuntimeError(f"ComfyUI detects {type(detected).__name__}, not {model_config_class.__name__}, from the "
                           "shrunk denoiser")


def build_sd15(generator):
    import torch
    import comfy.ldm.models.autoencoder
    import comfy.sd1_clip
    import comfy.supported_models

    out = {}
    denoiser(comfy.supported_models.SD15, dict(SD15_UNET_CONFIG, image_size=32, use_spatial_transformer=True,
                                                legacy=False, use_checkpoint=False), generator, out)
    clip = comfy.sd1_clip.SDClipModel(device="cpu", dtype=torch.float32)
    clip_state = {}
    random_weights(clip.transformer, "cond_stage_model.transformer.", generator, clip_state)
    # An original SD1.5 file has neither; ComfyUI's saver drops them too.
    out.update({k: v for k, v in clip_state.items() if not k.endswith(("text_projection.weight", "logit_scale"))})
    vae = comfy.ldm.models.autoencoder.AutoencoderKL(ddconfig=VAE_CONFIG, embed_dim=4)
    random_weights(vae, "first_stage_model.", generator, out)
    return out


def build_sd3(generator):
    import torch
    import comfy.ldm.models.autoencoder
    import comfy.supported_models
    import comfy.text_encoders.sd3_clip

    out = {}
    denoiser(comfy.supported_models.SD3, dict(SD3_UNET_CONFIG), generator, out)
    # SD3's CLIP-L as ComfyUI builds it for a file that holds CLIP-L alone.
    clip = comfy.text_encoders.sd3_clip.SD3ClipModel(clip_l=True, clip_g=False, t5=False, dtype=torch.float32)
    random_weights(clip.clip_l.transformer, "text_encoders.clip_l.transformer.", generator, out)
    ddconfig = dict(VAE_CONFIG, z_channels=16)
    vae = comfy.ldm.models.autoencoder.AutoencodingEngine(
        regularizer_config={"target": "comfy.ldm.models.autoencoder.DiagonalGaussianRegularizer"},
        encoder_config={"target": "comfy.ldm.modules.diffusionmodules.model.Encoder", "params": ddconfig},
        decoder_config={"target": "comfy.ldm.modules.diffusionmodules.model.Decoder", "params": ddconfig})
    random_weights(vae, "first_stage_model.", generator, out)
    return out


def build_state_dict(seed, architecture="sd15"):
    """The checkpoint's tensors, built with ComfyUI's own classes (needs ComfyUI on sys.path, on CPU)."""
    import torch
    import comfy.cli_args

    comfy.cli_args.args.cpu = True  # before anything imports comfy.model_management
    generator = torch.Generator().manual_seed(seed)
    return {"sd15": build_sd15, "sd3": build_sd3}[architecture](generator)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ddim_gmm.bench.host.random_checkpoint",
        description="Write a random-weight checkpoint (.safetensors) of a shrunk SD1.5 or SD3 that ComfyUI's "
                    "CheckpointLoaderSimple loads; needs COMFYUI_PATH.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("out", type=Path, help="the .safetensors file to write")
    parser.add_argument("--architecture", choices=ARCHITECTURES, default="sd15", help="what ComfyUI loads it as")
    parser.add_argument("--seed", type=int, default=0, help="seed of every weight")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if not args.in_process:
        try:
            print(write_checkpoint(args.out, seed=args.seed, architecture=args.architecture))
        except (ValueError, RuntimeError) as error:
            parser.exit(1, f"error: {error}\n")
        return
    sys.path.insert(0, os.environ["COMFYUI_PATH"])
    import safetensors.torch

    tensors = build_state_dict(args.seed, args.architecture)
    tmp = args.out.with_name(args.out.name + ".partial")
    safetensors.torch.save_file(tensors, str(tmp), metadata={
        "format": "pt", "ddim_gmm": f"random {TITLES[args.architecture]} test model"})
    tmp.replace(args.out)  # a reader never sees half a file


if __name__ == "__main__":
    main()
