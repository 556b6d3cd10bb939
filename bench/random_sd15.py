"""A random-weight SD1.5-architecture checkpoint, written at run time, for host tests and the soak benchmark.

ComfyUI's CheckpointLoaderSimple loads it as an SD1.5 model (model type EPS, SD1 CLIP-L text encoder, SD KL-VAE),
and a 64 px image costs well under a second on one CPU core. No weights are downloaded: every tensor is drawn here
from a seed, so the file is the same for the same seed and ComfyUI version.

Interface (kept stable; the host tests, the frontend tests and `bench soak` use it):

    write_checkpoint(path, seed=0, comfyui_path=None) -> Path
        Writes the .safetensors file (creating its folder) and returns its path. ComfyUI's own model classes build
        the state dict, in a subprocess (ComfyUI stays out of the caller's process); comfyui_path defaults to the
        COMFYUI_PATH environment variable. Raises ValueError without one, RuntimeError if the build fails.

    python -m ddim_gmm.bench.random_sd15 OUT.safetensors [--seed N]     (needs COMFYUI_PATH)
    python path/to/bench/random_sd15.py OUT.safetensors [--seed N]        (the same, without installing the package)

What is inside (float16, 451 MB, keys as in an original SD1.5 .ckpt):
- model.diffusion_model.*: the SD1.5 UNet shrunk to one resolution level, one ResBlock and one cross-attention
  transformer per block, no middle block. ComfyUI detects SD1.5 from the fields it reads off the state dict
  (model_channels 320, context_dim 768, use_linear_in_transformer False, adm_in_channels None), which the
  shrunk UNet keeps; the full 860M-parameter UNet would cost ~100x more per step.
- cond_stage_model.transformer.text_model.*: the full CLIP ViT-L/14 text encoder (ComfyUI's SD1 text encoder has
  a fixed 12-layer config, so it cannot shrink).
- first_stage_model.*: the full SD KL-VAE (ComfyUI's SD VAE config is fixed too).

Weights: normalisation layers scale 1, shift 0; biases 0; every other tensor N(0, 1 / fan_in) (embeddings N(0,
0.02^2)), so activations stay O(1) and every output is finite. The images are noise-like, which is all a host test
needs: the pixels are a deterministic function of the seed and the sampler.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

# The shrunk UNet: what ComfyUI's SD15 entry matches on, plus the smallest layout that still has a cross-attention
# transformer (model detection reads context_dim off one) and a skip connection.
UNET_CONFIG = dict(
    model_channels=320, context_dim=768, use_linear_in_transformer=False, adm_in_channels=None,
    use_temporal_attention=False, use_temporal_resblock=False, in_channels=4, out_channels=4,
    num_res_blocks=[1], channel_mult=[1], transformer_depth=[1], transformer_depth_output=[1, 1],
    transformer_depth_middle=-2,
)
# ComfyUI's SD1/SD2 VAE (comfy/sd.py) as it builds it for a checkpoint with post_quant_conv.
VAE_CONFIG = {"double_z": True, "z_channels": 4, "resolution": 256, "in_channels": 3, "out_ch": 3, "ch": 128,
              "ch_mult": [1, 2, 4, 4], "num_res_blocks": 2, "attn_resolutions": [], "dropout": 0.0}
EMBEDDING_STD = 0.02


def write_checkpoint(path, seed=0, comfyui_path=None):
    """Writes the random SD1.5 checkpoint to `path` (see the module docstring); returns the path."""
    comfyui_path = comfyui_path or os.environ.get("COMFYUI_PATH")
    if not comfyui_path:
        raise ValueError("comfyui_path (or the COMFYUI_PATH environment variable) must name a ComfyUI checkout")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COMFYUI_PATH=str(comfyui_path))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(path), "--seed", str(seed),
                           "--in-process"], env=env, capture_output=True, text=True)
    if done.returncode != 0 or not path.is_file():
        raise RuntimeError(f"building the random SD1.5 checkpoint failed:\n{done.stderr[-4000:]}")
    return path


def random_weights(module, prefix, generator, out):
    """Every parameter and buffer of `module` into `out` under `prefix`, drawn as the module docstring says."""
    import torch

    norm_types = (torch.nn.GroupNorm, torch.nn.LayerNorm)
    norm_params = {f"{name}.{p}" for name, m in module.named_modules() if isinstance(m, norm_types)
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


def build_state_dict(seed):
    """The checkpoint's tensors, built with ComfyUI's own classes (needs ComfyUI on sys.path, on CPU)."""
    import torch
    import comfy.cli_args

    comfy.cli_args.args.cpu = True  # before anything imports comfy.model_management
    import comfy.ldm.models.autoencoder
    import comfy.model_detection
    import comfy.ops
    import comfy.sd1_clip
    import comfy.supported_models

    generator = torch.Generator().manual_seed(seed)
    out = {}
    # The constructor's own arguments besides the detected fields, as ComfyUI's detection adds them.
    sd15 = comfy.supported_models.SD15(dict(UNET_CONFIG, image_size=32, use_spatial_transformer=True, legacy=False,
                                            use_checkpoint=False))
    sd15.set_inference_dtype(torch.float32, None)
    unet = sd15.get_model({}).diffusion_model
    random_weights(unet, "model.diffusion_model.", generator, out)
    clip = comfy.sd1_clip.SDClipModel(device="cpu", dtype=torch.float32)
    clip_state = {}
    random_weights(clip.transformer, "cond_stage_model.transformer.", generator, clip_state)
    # An original SD1.5 file has neither; ComfyUI's saver drops them too.
    out.update({k: v for k, v in clip_state.items() if not k.endswith(("text_projection.weight", "logit_scale"))})
    vae = comfy.ldm.models.autoencoder.AutoencoderKL(ddconfig=VAE_CONFIG, embed_dim=4)
    random_weights(vae, "first_stage_model.", generator, out)
    # Fail here, not in the user's host test, if ComfyUI would not take this for SD1.5.
    prefix = comfy.model_detection.unet_prefix_from_state_dict(out)
    detected = comfy.model_detection.model_config_from_unet(out, prefix)
    if type(detected) is not comfy.supported_models.SD15:
        raise RuntimeError(f"ComfyUI detects {type(detected).__name__}, not SD15, from the shrunk UNet")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ddim_gmm.bench.random_sd15",
        description="Write a random-weight SD1.5-architecture checkpoint (.safetensors) that ComfyUI's "
                    "CheckpointLoaderSimple loads; needs COMFYUI_PATH.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("out", type=Path, help="the .safetensors file to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of every weight")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if not args.in_process:
        try:
            print(write_checkpoint(args.out, seed=args.seed))
        except (ValueError, RuntimeError) as error:
            parser.exit(1, f"error: {error}\n")
        return
    sys.path.insert(0, os.environ["COMFYUI_PATH"])
    import safetensors.torch

    tensors = build_state_dict(args.seed)
    tmp = args.out.with_name(args.out.name + ".partial")
    safetensors.torch.save_file(tensors, str(tmp), metadata={"format": "pt", "ddim_gmm": "random SD1.5 test model"})
    tmp.replace(args.out)  # a reader never sees half a file


if __name__ == "__main__":
    main()
