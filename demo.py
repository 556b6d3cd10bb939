"""`python -m ddim_gmm demo --out DIR`: samples the embedded digits models with DDIM and every DDIM-GMM preset
(rows = samplers; same seed, labels and noise in every row), writes the grids as PNG and prints a short quality table
(Frechet distance in the embedded classifier's features, IS analogue, classification rate) measured on --n-samples
samples per sampler."""

import argparse
import math
import os
import time

import torch
from tqdm.auto import tqdm

from .bench.peers import sampler_call
from .cli import number
from .sampling import VARIANTS
from .sampling.options import S_MAX


def add_arguments(parser):
    parser.add_argument("--out", default="out/demo", help="output directory")
    parser.add_argument("--steps", type=number(int, 1), default=10, help="sampling steps")
    parser.add_argument("--eta", type=number(float, 0, 1), default=0.0, help="eta for every sampler")
    parser.add_argument("--s", type=number(float, 0, S_MAX), default=1.0,
                        help="offset scale s of the constant-s presets")
    parser.add_argument("--cfg", type=number(float, 0, 100), default=2.5, help="classifier-free guidance scale")
    parser.add_argument("--seed", type=number(int, 0, 2**63 - 1), default=0, help="seed (noise, labels, mixture draws)")
    parser.add_argument("--per-digit", type=number(int, 1), default=2, help="grid columns per digit")
    parser.add_argument("--n-samples", type=n_samples, default=500,
                        help="samples per sampler for the quality table (0 skips the table)")
    parser.add_argument("--threads", type=number(int, 1), default=2, help="torch CPU threads")


def n_samples(text):
    """0 (no table) or at least 2 samples (a covariance needs two)."""
    value = number(int, 0)(text)
    if value == 1:
        raise argparse.ArgumentTypeError("must be 0 or an integer >= 2, got '1'")
    return value


def check_args(args):
    """The same ranges for a caller that builds args itself (run(args) without the parser)."""
    for name, low, high in (("steps", 1, None), ("eta", 0, 1), ("s", 0, S_MAX), ("cfg", 0, 100),
                            ("per_digit", 1, None), ("threads", 1, None)):
        value = getattr(args, name)
        if not low <= value <= (math.inf if high is None else high):
            raise ValueError(f"{name.replace('_', '-')} must be in [{low}, {high or 'inf'}], got {value}")
    if args.n_samples != 0 and args.n_samples < 2:
        raise ValueError(f"n-samples must be 0 or an integer >= 2, got {args.n_samples}")


def samplers(flow, eta, s):
    """[(row name, sampler function, options)]: the Gaussian baseline, then every preset of the family."""
    setting, family, baseline = ("flow", "RFIM-GMM", "RFIM") if flow else ("ddpm", "DDIM-GMM", "DDIM")
    names = [baseline] + [f"{family}-{variant}" for variant in VARIANTS]
    return [(name, *sampler_call(setting, name, None, eta, s, 8)) for name in names]


def to_grid(rows, names, scale=3):
    """Rows of (N, 1, 16, 16) images in [-1, 1] -> one PIL image, a text label on the left of each row."""
    from PIL import Image, ImageDraw

    n_cols, size, pad, label_w = rows[0].shape[0], rows[0].shape[-1] * scale, 2, 170
    grid = Image.new("L", (label_w + n_cols * (size + pad), len(rows) * (size + pad)), 255)
    draw = ImageDraw.Draw(grid)
    for r, (images, name) in enumerate(zip(rows, names)):
        y = r * (size + pad)
        draw.text((4, y + size // 2 - 5), name, fill=0)
        # [-1, 1] -> [0, 255]; digits are light strokes on a dark background as in scikit-learn's data.
        pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        for c in range(n_cols):
            tile = Image.fromarray(pixels[c, 0].numpy(), mode="L").resize((size, size), Image.NEAREST)
            grid.paste(tile, (label_w + c * (size + pad), y))
    return grid


def sample_rows(rows, model, sigmas, x, extra_args):
    return [fn(model, x, sigmas, extra_args=dict(extra_args), disable=True, **options) for _, fn, options in rows]


def run(args):
    check_args(args)
    torch.set_num_threads(args.threads)
    from .bench.metrics import classifier_outputs, image_metrics, moments
    from .models.data import load_digits_tensor
    from .models.denoisers import FlowDenoiser, load_classifier, load_ddpm_denoiser, load_flow_denoiser

    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    model = load_ddpm_denoiser(args.cfg)
    flow_model = load_flow_denoiser()
    sigmas, flow_sigmas = model.denoiser.get_sigmas(args.steps), FlowDenoiser.get_sigmas(args.steps)
    gen = torch.Generator().manual_seed(args.seed)
    labels = torch.arange(10).repeat_interleave(args.per_digit)
    x = torch.randn((len(labels), 1, 16, 16), generator=gen)
    diffusion_rows, flow_rows = samplers(False, args.eta, args.s), samplers(True, args.eta, args.s)

    grid = sample_rows(diffusion_rows, model, sigmas, x * sigmas[0], {"seed": args.seed, "y": labels})
    path = os.path.join(args.out, "grid_ddpm.png")
    to_grid(grid, [name for name, _, _ in diffusion_rows]).save(path)
    print(f"wrote {path}: {args.steps} steps, eta {args.eta:g}, s {args.s:g}, cfg {args.cfg:g}, K 8, seed {args.seed}, "
          f"columns = digits 0-9 x {args.per_digit}")
    flow_grid = sample_rows(flow_rows, flow_model, flow_sigmas, x, {"seed": args.seed})
    path = os.path.join(args.out, "grid_flow.png")
    to_grid(flow_grid, [name for name, _, _ in flow_rows]).save(path)
    print(f"wrote {path}: unconditional 1-rectified flow, {args.steps} steps, eta {args.eta:g}, s {args.s:g}")
    if args.n_samples == 0:
        return None

    classifier = load_classifier()
    images, real_labels = load_digits_tensor()
    ref, ref_pixels = moments(classifier_outputs(classifier, images)[0]), moments(images.flatten(1))
    n = args.n_samples
    # Labels: the real data's class histogram, permuted by the seed (the quality table's own batch).
    table_labels = real_labels[torch.randperm(len(real_labels), generator=gen)[torch.arange(n) % len(real_labels)]]
    x = torch.randn((n, 1, 16, 16), generator=gen)
    lines = [f"quality on {n} samples per sampler ({args.steps} steps, eta {args.eta:g}, s {args.s:g}); FD = Frechet "
             f"distance in the classifier's features vs the {len(images)} real digits, pixel FD the same on raw pixels "
             f"(lower is better for both)",
             f"{'sampler':26s} {'FD':>8s} {'IS':>7s} {'class rate':>11s} {'pixel FD':>9s} {'seconds':>8s}"]
    results = {}
    jobs = [(name, fn, options, False) for name, fn, options in diffusion_rows] + \
           [(name, fn, options, True) for name, fn, options in flow_rows]
    for name, fn, options, flow in tqdm(jobs, desc="quality table"):
        t0 = time.time()
        if flow:
            out = fn(flow_model, x, flow_sigmas, extra_args={"seed": args.seed}, disable=True, **options)
            m = image_metrics(classifier, out, ref, pixel_moments=ref_pixels)
        else:
            out = fn(model, x * sigmas[0], sigmas, extra_args={"seed": args.seed, "y": table_labels}, disable=True,
                     **options)
            m = image_metrics(classifier, out, ref, table_labels, ref_pixels)
        results[name] = m
        rate = f"{m['class_rate']:.3f}" if "class_rate" in m else "-"
        lines.append(f"{name + (' (flow)' if flow else ''):26s} {m['fd']:8.3f} {m['is']:7.3f} {rate:>11s} "
                     f"{m['fd_pixels']:9.2f} {time.time() - t0:8.1f}")
    lines.append(f"total {time.time() - start:.0f} s")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(args.out, "quality.txt"), "w") as f:
        f.write(text + "\n")
    return results
