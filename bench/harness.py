"""What every sample-quality benchmark shares: the seeded inputs and reference statistics (Context), the JSON-lines
cache of finished runs (Cache), one run of a sampler on one seed (run_one, with the per-chunk seed arithmetic; its
chunks from chunk_sampler for k-diffusion-style samplers, NFE counted by CountingModel), the options and the
comma-list parsing the commands have in common, and the records a run appends to its --out folder.

Every sampler of every benchmark sees, for seed s: the real label histogram permuted by s, the initial noise drawn
from a generator seeded with s, and for chunk i of its samples the noise seed chunk_seed(s, i) = NOISE_SEED_BASE +
s * CHUNK_SEED + i. The base keeps every chunk's noise seed apart from every initial-noise seed, for any sampler, and so
do the seed + 1 that the library's default_noise_sampler and newer ComfyUI's use on the CPU and the seed + GMM offset
of the mixture's own draws: a step-noise generator seeded with s itself would repeat the initial noise as the first
step's noise (ComfyUI issue #9819), and chunk seeds counted from 0 would, with the + 1 on the CPU, draw the next
seed's initial noise (chunk 0 of seed 0 with seed 1). torch's CPU generator takes its seed
modulo 2**32, so the ranges are disjoint modulo 2**32: initial seeds in [0, 2**20), chunk seeds (and their + 1) in
[2**30, 2**31), the mixture's in [2**30 + 0x7F4A7C15, 2**32).
"""

import json
import os
import shlex
import sys
import time

import torch

from ..cli import number
from .metrics import classifier_outputs, digits_mixture, image_metrics, moments

N_REAL = 1797
CHUNK_SEED = 1009                  # chunk i of seed s draws its noise with seed NOISE_SEED_BASE + s * CHUNK_SEED + i
NOISE_SEED_BASE = 2**30            # chunk seeds in [2**30, 2**31): apart from the initial-noise seeds modulo 2**32
MAX_SEED = 2**20                   # the benchmarks' seeds (0 .. --seeds - 1) lie below this


def chunk_seed(seed, i):
    """The noise seed of chunk i of seed `seed` (0 <= seed < MAX_SEED, 0 <= i < CHUNK_SEED): modulo 2**32 (torch's CPU
    generator), neither it, nor it + 1 (the CPU's seed + 1), nor the mixture's seed derived from it is an
    initial-noise seed."""
    if not 0 <= seed < MAX_SEED or not 0 <= i < CHUNK_SEED:
        raise ValueError(f"seed must lie in [0, 2**20) and the chunk in [0, {CHUNK_SEED}), got {seed}, {i}")
    return NOISE_SEED_BASE + seed * CHUNK_SEED + i


def floats(text):
    return [float(v) for v in str(text).split(",") if v.strip()]


def ints(text):
    return [int(v) for v in str(text).split(",") if v.strip()]


def names(text, allowed, what="settings"):
    """The comma list `text` (empty items dropped), each of which must be one of `allowed`."""
    out = [name for name in text.split(",") if name]
    for name in out:
        if name not in allowed:
            raise ValueError(f"{what} must be a comma list of {', '.join(allowed)}, got {name!r}")
    return out


def add_run_arguments(parser, batch):
    """--batch, --threads and --weights-dir, as every sample-quality benchmark takes them."""
    parser.add_argument("--batch", type=int, default=batch, help="samples per sampler call")
    parser.add_argument("--threads", type=number(int, 1), default=2, help="torch CPU threads")
    parser.add_argument("--weights-dir", default=None, help="model weights (default: the shipped ones)")


class Context:
    """Models, reference statistics and the seeded inputs shared by all runs. features: also keep the real digits'
    classifier features, for precision / recall (k = 3) and KID."""

    def __init__(self, weights_dir, settings, features=False):
        from ..models import denoisers
        from ..models.data import load_digits_tensor

        kw = {} if weights_dir is None else {"weights_dir": weights_dir}
        self.images, self.labels = load_digits_tensor()
        self.classifier = denoisers.load_classifier(**kw) if {"ddpm", "flow"} & set(settings) else None
        real_features = classifier_outputs(self.classifier, self.images)[0] if self.classifier else None
        self.ref = moments(real_features) if self.classifier else None
        self.ref_features = real_features if features else None
        self.ref_pixels = moments(self.images.flatten(1))
        self.ddpm = denoisers.load_ddpm_denoiser(1.0, **kw).denoiser if "ddpm" in settings else None
        self.flow = denoisers.load_flow_denoiser(**kw) if "flow" in settings else None
        self.mixture = digits_mixture(self.images, self.labels)
        self.shape = tuple(self.images.shape[1:])

    def labels_for(self, seed, n):
        # The real label histogram, permuted by seed: with n = 1797 the class balance equals the reference set's.
        perm = torch.randperm(N_REAL, generator=torch.Generator().manual_seed(seed))
        return self.labels[perm[torch.arange(n) % N_REAL]]

    def noise_for(self, seed, n):
        return torch.randn((n,) + self.shape, generator=torch.Generator().manual_seed(seed))

    def model(self, setting, cfg):
        """The k-diffusion denoiser of a setting: the DDPM with CFG at scale cfg, the flow model, or (exact) the
        Gaussian mixture's exact posterior mean."""
        from ..models.denoisers import CFGDenoiser

        if setting == "ddpm":
            return CFGDenoiser(self.ddpm, cfg)
        return self.flow if setting == "flow" else self.mixture.as_denoiser()

    def sigmas(self, setting, steps):
        from ..models.denoisers import DiscreteEpsDenoiser, FlowDenoiser
        from ..models.schedule import ddpm_alphas_cumprod

        if setting == "ddpm":
            return self.ddpm.get_sigmas(steps)
        if setting == "flow":
            return FlowDenoiser.get_sigmas(steps)
        # The exact setting uses the DDPM's schedule (same sigmas as the network runs), computed without the model.
        return DiscreteEpsDenoiser(None, ddpm_alphas_cumprod()).get_sigmas(steps)

    def metrics(self, setting, samples, labels=None):
        """bench.metrics of samples: the mixture's exact ones for the exact setting, else the classifier's (class
        rate given the conditioning labels; precision, recall and KID if the context keeps the real features)."""
        if setting == "exact":
            return self.mixture.metrics(samples)
        return image_metrics(self.classifier, samples, self.ref, labels, self.ref_pixels, self.ref_features)


class CountingModel:
    """Counts the model evaluations a sampler makes (one call of the CFG denoiser = one NFE)."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def __call__(self, x, sigma, **kwargs):
        self.calls += 1
        return self.model(x, sigma, **kwargs)


def chunk_sampler(ctx, setting, cfg, steps, call):
    """run_one's sample_chunk for a k-diffusion sampler run as call(model, x, sigmas, extra_args, seed): the setting's
    model and sigmas for `steps`, x the chunk's noise times sigmas[0], extra_args the chunk's noise seed ("seed", where
    ComfyUI puts it) and labels ("y"); the NFE is the model calls counted."""
    model, sigmas = ctx.model(setting, cfg), ctx.sigmas(setting, steps)

    def sample_chunk(noise, labels, chunk_seed):
        extra_args = {"seed": chunk_seed}
        if labels is not None:
            extra_args["y"] = labels
        counting = CountingModel(model)
        return call(counting, noise * sigmas[0], sigmas, extra_args, chunk_seed), counting.calls
    return sample_chunk


@torch.no_grad()
def run_one(ctx, sample_chunk, setting, cfg, seed, n, batch, nfe_key=None):
    """Metrics of n samples of one sampler on one seed, drawn in chunks of `batch`, plus the wall seconds.

    sample_chunk(noise, labels, chunk_seed) -> (samples, nfe): one chunk from the seed's standard-normal initial noise
    (unscaled), its labels (None unless the DDPM runs with CFG) and the chunk's noise seed; nfe is the model
    evaluations per sample it counted, or None. nfe_key: the metrics' name of the most NFE a chunk spent (None: not
    recorded)."""
    conditional = setting == "ddpm" and cfg > 0
    labels, noise = ctx.labels_for(seed, n), ctx.noise_for(seed, n)
    start, outs, nfes = time.time(), [], []
    for i, first in enumerate(range(0, n, batch)):
        samples, nfe = sample_chunk(noise[first:first + batch], labels[first:first + batch] if conditional else None,
                                    chunk_seed(seed, i))
        outs.append(samples)
        nfes.append(nfe)
    metrics = ctx.metrics(setting, torch.cat(outs), labels if conditional else None)
    if nfe_key is not None:
        metrics[nfe_key] = max(nfes)
    metrics["seconds"] = round(time.time() - start, 2)
    return metrics


class Cache:
    """JSON-lines file of finished runs: {"key": ..., "metrics": ...} per line. upgrade(key), if given, rewrites a
    key of an older format (the file is then rewritten once with the new keys)."""

    def __init__(self, path, cached_only=False, upgrade=None):
        self.path, self.rows, self.cached_only = path, {}, cached_only
        legacy = False
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        key = row["key"] if upgrade is None else upgrade(row["key"])
                        legacy |= key != row["key"]
                        self.rows[key] = row["metrics"]
        if legacy:
            # Rewrite once with the new keys, so the file says what made each run.
            with open(path, "w") as f:
                f.writelines(json.dumps({"key": k, "metrics": m}) + "\n" for k, m in self.rows.items())

    def get_or_run(self, key, compute):
        """The cached metrics of `key`, else compute() and append them; None if missing and cached_only."""
        if key not in self.rows and self.cached_only:
            return None
        if key not in self.rows:
            self.rows[key] = compute()
            with open(self.path, "a") as f:
                f.write(json.dumps({"key": key, "metrics": self.rows[key]}) + "\n")
        return self.rows[key]


def append_run(out, record, start, rows, missing):
    """runs.jsonl in out: what was asked of this folder, run after run (record), with its duration and counts."""
    with open(os.path.join(out, "runs.jsonl"), "a") as f:
        f.write(json.dumps(dict(record, seconds=round(time.time() - start, 1), rows=len(rows), missing=len(missing),
                                finished=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))) + "\n")


def command_line(command, env=""):
    """The shell command of this invocation of `python -m ddim_gmm bench COMMAND`, or "(called from Python)"."""
    if command not in sys.argv:
        return "(called from Python)"
    return f"{env}python -m ddim_gmm bench {command} " + " ".join(
        shlex.quote(a) for a in sys.argv[sys.argv.index(command) + 1:])


def append_command(out, command):
    """commands.txt in out: every invocation that rebuilt its tables, with the time."""
    with open(os.path.join(out, "commands.txt"), "a") as f:
        f.write(time.strftime("%Y-%m-%d %H:%M UTC  ", time.gmtime()) + command + "\n")
