"""`python -m ddim_gmm bench sde-mixture`: one experiment past the paper, in the benchmark only.

An SDE sampler (default k-diffusion's dpmpp_2m_sde) adds at every step sigma' sqrt(1 - exp(-2 h)) z with
z ~ N(0, I). Here z is replaced by a draw of a Gaussian mixture with exactly the same first two moments:

    z_mix = s delta_k + xi,   k ~ Categorical(pi),   xi ~ N(0, I - s^2 Delta_k),   Delta_k = Delta_bar / (K pi_k)

with ORTHO offsets, the exact low-rank covariance (sampling.covariance's Exact mode at variance 1) and the
noise-matched scale s^2 = fraction * s_max^2 (s_max the largest scale with I - s^2 Delta_k PSD for every k), so
E z_mix = 0 and Cov z_mix = I: the sampler's marginal moments are untouched and only the shape of its noise changes.
One mixture per run (the NOISE-MATCHED preset's shared offsets), k drawn per sample per step.

Both arms use the same seeds, labels, initial noise and the same z stream (the mixture transforms the Gaussian draws),
so per-seed differences are paired. Both use i.i.d. noise per step (ComfyUI's default_noise_sampler), not
k-diffusion's Brownian tree: for one call per step the two have the same law.
"""

import json
import math
import os

import torch

from ..sampling import draw_mixture
from ..sampling.mixture import uniform_priors
from .harness import Cache, Context, add_run_arguments, append_command, command_line, floats, ints, run_one
from .streams import stream_version
from .tables import plus_minus, signed
from .verdict import paired_change, spread

SAMPLERS = ("dpmpp_2m_sde", "dpmpp_3m_sde", "dpmpp_sde", "euler_ancestral")
# The mixture's own draws (offsets, component indices) use a generator seeded with seed + this constant, apart from
# the Gaussian stream (the same constant as the library's GMM samplers).
MIXTURE_SEED_OFFSET = 0x9E3779B97F4A7C15
DEFAULTS = dict(sampler="dpmpp_2m_sde", nfe="10,20", cfg="0,2.5", seeds=3, n_samples=500, n_components=8,
                fraction="0.5", covariance="exact")


class GaussianNoise:
    """k-diffusion noise_sampler(sigma, sigma_next): i.i.d. N(0, I) of x's shape from a generator seeded with seed."""

    def __init__(self, x, seed):
        self.shape, self.dtype = x.shape, x.dtype
        self.generator = torch.Generator(device=x.device).manual_seed(seed)

    def __call__(self, sigma=None, sigma_next=None):
        return torch.randn(self.shape, dtype=self.dtype, device=self.generator.device, generator=self.generator)


class MixtureNoise(GaussianNoise):
    """The moment-matched mixture in place of N(0, I): the same z stream, turned into s delta_k + xi."""

    def __init__(self, x, seed, n_components=8, fraction=0.5, covariance="exact"):
        super().__init__(x, seed)
        if isinstance(n_components, bool) or not isinstance(n_components, int) or not 2 <= n_components <= x[0].numel():
            raise ValueError(f"n_components must be an integer in [2, {x[0].numel()}], got {n_components!r}")
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be a number in [0, 1], got {fraction!r}")
        if covariance not in ("exact", "diag", "vub"):
            raise ValueError(f"covariance must be 'exact', 'diag' or 'vub', got {covariance!r}")
        self.covariance, self.n_dims = covariance, x[0].numel()
        self.mix_generator = torch.Generator(device=x.device).manual_seed((seed + MIXTURE_SEED_OFFSET) % 2**64)
        # The mixture in float64 (it is tiny: K x D), applied in x's dtype.
        priors = uniform_priors(n_components, x.device, torch.float64)
        mix = draw_mixture("ortho", covariance, priors, self.n_dims, self.mix_generator, x.device, torch.float64)
        # Noise-matched at variance 1: s^2 = fraction * s_max^2, s_max^2 = K pi_min / lam_max.
        self.scale = math.sqrt(fraction * float(mix.max_scale_sq_per_var))
        self.coefficients = mix.covariance.coefficients(mix, 1.0, self.scale)
        self.mix, self.priors = mix, priors

    def transform(self, z, k):
        """s delta_k + xi(z) for flat z (B, D) and component indices k (B,), in float64."""
        return self.mix.covariance.offset_and_noise(self.mix, z.double(), k, 1.0, self.scale, self.coefficients)

    def __call__(self, sigma=None, sigma_next=None):
        z = super().__call__()
        k = torch.multinomial(self.priors, z.shape[0], replacement=True, generator=self.mix_generator)
        return self.transform(z.reshape(z.shape[0], -1), k).reshape(z.shape).to(z.dtype)


def sampler_function(name):
    import k_diffusion.sampling

    if name not in SAMPLERS:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {name!r}")
    return getattr(k_diffusion.sampling, f"sample_{name}")


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_sde_mixture", help="output directory (cache, CSV, markdown)")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=value, help=f"(default {value})")
    add_run_arguments(parser, batch=500)


def steps_for(sampler, nfe):
    """Steps at `nfe` model calls: dpmpp_sde spends two per step (the last one, to sigma = 0, one), the others one."""
    return (nfe + 1) // 2 if sampler == "dpmpp_sde" else nfe


def run_arm(ctx, args, fraction, steps, cfg, seed, n):
    """Metrics of n samples on one seed (harness.run_one): fraction None is the Gaussian arm, else the mixture at that
    fraction."""
    fn = sampler_function(args.sampler)
    model, sigmas = ctx.model("ddpm", cfg), ctx.sigmas("ddpm", steps)

    def sample_chunk(noise, labels, chunk_seed):
        x = noise * sigmas[0]
        noise_sampler = GaussianNoise(x, chunk_seed) if fraction is None else MixtureNoise(
            x, chunk_seed, args.n_components, fraction, args.covariance)
        extra = {} if labels is None else {"y": labels}
        return fn(model, x, sigmas, extra_args=extra, disable=True, noise_sampler=noise_sampler), None
    return run_one(ctx, sample_chunk, "ddpm", cfg, seed, n, args.batch)


def summarise(cfg, nfe, noise_kind, evals, base):
    row = dict(cfg=cfg, nfe=nfe, noise=noise_kind, seeds=len(evals), fd_per_seed=[e["fd"] for e in evals])
    for metric in sorted(set(evals[0]) - {"seconds"}):
        row[metric], row[metric + "_std"] = spread([e[metric] for e in evals])
    if base is not None:
        # Paired by seed (same noise, labels, z stream): 100 (mixture - gaussian) / gaussian.
        for metric in ("fd", "fd_pixels", "precision", "recall"):
            row[metric + "_change_pct"], row[metric + "_change_pct_std"] = paired_change(
                [e[metric] for e in evals], [b[metric] for b in base])
    return row


def markdown_table(rows, args):
    extra = [m for m in ("precision", "recall", "kid") if m in rows[0]] if rows else []
    head = ["cfg", "NFE", "noise", "FD (classifier)", "FD change, paired", "pixel FD", "pixel FD change, paired",
            "IS", "class rate"] + extra + ["seeds"]
    lines = [f"{args.sampler}, n = {args.n_samples} per seed, K = {args.n_components}, {args.covariance} covariance, "
             "noise-matched scale (mixture f: s^2 = f s_max^2)", "", "| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for r in rows:
        cells = [f"{r['cfg']:g}", str(r["nfe"]), r["noise"], plus_minus(r, "fd", 1),
                 signed(r, "fd_change_pct") if "fd_change_pct" in r else "", plus_minus(r, "fd_pixels", 2),
                 signed(r, "fd_pixels_change_pct") if "fd_pixels_change_pct" in r else "", plus_minus(r, "is", 2),
                 plus_minus(r, "class_rate", 3)]
        cells += [plus_minus(r, m, 0 if m == "kid" else 3) for m in extra] + [str(r["seeds"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(args):
    nfes, cfgs = ints(args.nfe), floats(args.cfg)
    if not nfes or min(nfes) < 2:
        raise ValueError(f"nfe must be a comma list of integers >= 2, got {args.nfe!r}")
    if not all(0 <= c <= 100 for c in cfgs):
        raise ValueError(f"cfg must lie in [0, 100], got {cfgs}")
    fractions = floats(args.fraction)
    if not fractions or not all(0 < f <= 1 for f in fractions):
        raise ValueError(f"fraction must be a comma list of numbers in (0, 1], got {args.fraction!r}")
    if args.seeds < 1 or args.n_samples < 2 or args.batch < 1:
        raise ValueError("seeds must be >= 1, n-samples >= 2 and batch >= 1")
    sampler_function(args.sampler)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cache = Cache(os.path.join(args.out, "cells.jsonl"))
    # The real digits' classifier features too: precision / recall (k = 3) and KID, as bench compare computes them.
    ctx = Context(args.weights_dir, ["ddpm"], features=True)
    rows = []
    for nfe in nfes:
        for cfg in cfgs:
            base = None
            for fraction in [None] + fractions:
                noise_kind = "gaussian" if fraction is None else f"mixture f={fraction:g}"
                evals = []
                for seed in range(args.seeds):
                    key = json.dumps([args.sampler, "gaussian" if fraction is None else "mixture", nfe, cfg, seed,
                                      args.n_samples, args.n_components, fraction, args.covariance,
                                      stream_version("SDE-MIXTURE")])
                    cell = (ctx, args, fraction, steps_for(args.sampler, nfe), cfg, seed, args.n_samples)
                    evals.append(cache.get_or_run(key, lambda cell=cell: run_arm(*cell)))
                rows.append(summarise(cfg, nfe, noise_kind, evals, base))
                base = base if fraction is not None else evals
    table = markdown_table(rows, args)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    append_command(args.out, command_line("sde-mixture"))
    print(table)
    return rows
