"""`python -m ddim_gmm bench quality`: the paper's comparison at small scale.

Three settings, each sampler run on the same seeds (same initial noise, same labels, same Gaussian noise stream):
  ddpm   the embedded class-conditional eps DDPM (paper's schedule) through DiscreteEpsDenoiser, unconditional
         (cfg 0) and with classifier-free guidance (cfg 2.5); DDIM vs DDIM-GMM presets; plus the 1000-step DDPM line.
  flow   the embedded 1-rectified-flow model: RFIM vs RFIM-GMM presets.
  exact  no network: a Gaussian mixture on the digit class means whose posterior mean is exact (sampler error only).

Protocol (bounded cost): for every cell (setting, cfg, steps, eta, preset) the offset scale s is chosen from
--s-values on ONE selection seed with --n-select samples (lowest Frechet distance); the winner (and DDIM, and the
NOISE-MATCHED preset, which has no s) is then evaluated on --seeds seeds with --n-samples samples each. Every finished
run is appended to a JSON-lines cache in --out, so an interrupted run resumes where it stopped; the CSV, markdown and
plots are rebuilt from the cache at the end.
"""

import csv
import json
import os
import statistics
import time

import torch
from tqdm.auto import tqdm

from ..cli import number
from ..sampling import (VARIANTS, preset_options, sample_ddim, sample_ddim_control, sample_ddim_gmm, sample_rfim,
                        sample_rfim_control, sample_rfim_gmm)
from .metrics import classifier_outputs, digits_mixture, image_metrics, moments
from .streams import LEGACY_VERSION, stream_version

SETTINGS = ("ddpm", "flow", "exact")
SELECT_SEED = 1000
N_REAL = 1797
# The full protocol and --quick (the headline cells on fewer samples; minutes on 2 CPU cores). Any flag given on the
# command line overrides the value of the mode.
FULL = dict(settings="ddpm,flow,exact", steps="10,20,50,100", etas="0,0.2,0.5,1", cfg="0,2.5",
            flow_steps="2,5,10,50", flow_etas="0,0.2,0.5", presets=",".join(VARIANTS), s_values="0.01,0.1,1,10",
            seeds=3, n_samples=N_REAL, n_select=500, ddpm_line_samples=500)
QUICK = dict(FULL, steps="10", etas="0", cfg="2.5", flow_steps="10", flow_etas="0", s_values="0.1,1,10", seeds=2,
             n_samples=500, n_select=250, ddpm_line_samples=0)


def _floats(text):
    return [float(v) for v in str(text).split(",") if v.strip()]


def _ints(text):
    return [int(v) for v in str(text).split(",") if v.strip()]


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_quality", help="output directory (cache, CSV, markdown, plots)")
    parser.add_argument("--quick", action="store_true", help="headline cells only, fewer samples (minutes)")
    helps = dict(settings="comma list of ddpm, flow, exact", steps="diffusion step counts",
                 etas="diffusion eta values in [0, 1]", cfg="guidance scales for the DDPM (0 = unconditional model)",
                 flow_steps="flow step counts", flow_etas="flow eta values in [0, 1]",
                 presets="GMM variants compared with DDIM / RFIM", s_values="offset scales searched per cell",
                 seeds="evaluation seeds per cell (0 .. seeds-1)", n_samples="samples per evaluation run",
                 n_select="samples of the one s-selection run per s",
                 ddpm_line_samples="samples of the 1000-step DDPM reference (one seed per cfg; 0 = skip)")
    for key, value in FULL.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=None,
                            help=f"{helps[key]} (full: {value}; --quick: {QUICK[key]})")
    parser.add_argument("--n-components", type=int, default=8, help="K, uniform priors")
    parser.add_argument("--controls", action="store_true",
                        help="also evaluate each constant-s preset's matched-noise control (sampling.control) at the "
                             "preset's chosen s, on the same seeds")
    parser.add_argument("--batch", type=int, default=600, help="samples per sampler call")
    parser.add_argument("--threads", type=number(int, 1), default=2, help="torch CPU threads")
    parser.add_argument("--weights-dir", default=None, help="model weights (default: the shipped ones)")
    parser.add_argument("--cached-only", action="store_true",
                        help="run nothing: rebuild the CSV, table and plots from the cells already in the cache "
                             "(a sampler whose selection or seeds are incomplete is left out and listed)")


def check_args(args):
    """Parsed, validated settings as a dict (ValueError names the bad parameter)."""
    raw = dict(QUICK if args.quick else FULL)
    raw.update({k: getattr(args, k) for k in FULL if getattr(args, k, None) is not None})
    cfg = dict(settings=raw["settings"].split(","), steps=_ints(raw["steps"]), etas=_floats(raw["etas"]),
               cfg=_floats(raw["cfg"]), flow_steps=_ints(raw["flow_steps"]), flow_etas=_floats(raw["flow_etas"]),
               presets=[p for p in raw["presets"].split(",") if p], s_values=_floats(raw["s_values"]),
               seeds=raw["seeds"], n_samples=raw["n_samples"], n_select=raw["n_select"],
               ddpm_line_samples=raw["ddpm_line_samples"])
    for name in cfg["settings"]:
        if name not in SETTINGS:
            raise ValueError(f"settings must be a comma list of {', '.join(SETTINGS)}, got {name!r}")
    for key in ("steps", "flow_steps"):
        if not cfg[key] or min(cfg[key]) < 1:
            raise ValueError(f"{key} must be integers >= 1, got {cfg[key]}")
    for key in ("etas", "flow_etas"):
        if not all(0 <= e <= 1 for e in cfg[key]):
            raise ValueError(f"{key} must lie in [0, 1], got {cfg[key]}")
    if not all(0 <= c <= 100 for c in cfg["cfg"]):
        raise ValueError(f"cfg must lie in [0, 100], got {cfg['cfg']}")
    if not cfg["s_values"] or not all(s >= 0 for s in cfg["s_values"]):
        raise ValueError(f"s-values must be numbers >= 0, got {cfg['s_values']}")
    for p in cfg["presets"]:
        preset_options(p)
    for key, low in (("seeds", 1), ("n_samples", 2), ("n_select", 2), ("ddpm_line_samples", 0)):
        if cfg[key] < low:
            raise ValueError(f"{key.replace('_', '-')} must be an integer >= {low}, got {cfg[key]}")
    if args.n_components < 1:
        raise ValueError(f"n-components must be an integer >= 1, got {args.n_components}")
    if args.batch < 1:
        raise ValueError(f"batch must be an integer >= 1, got {args.batch}")
    return cfg


class Context:
    """Models, reference statistics and the seeded inputs shared by all runs."""

    def __init__(self, weights_dir, settings):
        from ..models import denoisers
        from ..models.data import load_digits_tensor

        kw = {} if weights_dir is None else {"weights_dir": weights_dir}
        self.images, self.labels = load_digits_tensor()
        self.classifier = denoisers.load_classifier(**kw) if {"ddpm", "flow"} & set(settings) else None
        self.ref = moments(classifier_outputs(self.classifier, self.images)[0]) if self.classifier else None
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


def control_of(preset):
    """The matched-noise control's name of a GMM preset: DDIM-GMM-X -> DDIM-CONTROL-X, RFIM-GMM-X -> RFIM-CONTROL-X."""
    return preset.replace("-GMM-", "-CONTROL-", 1)


def sampler_call(setting, preset, steps, eta, s, n_components):
    """(sampler function, options) of one run; preset "DDIM"/"RFIM"/"DDPM" is the Gaussian baseline,
    "DDIM-CONTROL-X" / "RFIM-CONTROL-X" the matched-noise control of preset X (sampling.control, match="offsets")."""
    flow = setting == "flow"
    if preset in ("DDIM", "RFIM", "DDPM"):
        return (sample_rfim if flow else sample_ddim), dict(eta=eta)
    if "-CONTROL-" in preset:
        options = preset_options(preset.split("-CONTROL-", 1)[1])
        options.update(eta=eta, n_components=n_components, s=s)
        return (sample_rfim_control if flow else sample_ddim_control), options
    options = preset_options(preset)
    options.update(eta=eta, n_components=n_components)
    if options.get("offset_schedule", "constant") == "constant":
        options["s"] = s
    return (sample_rfim_gmm if flow else sample_ddim_gmm), options


@torch.no_grad()
def run_one(ctx, setting, preset, steps, eta, cfg, s, seed, n, n_components, batch):
    """Samples n images with one sampler on one seed and returns their metrics (plus wall seconds)."""
    from ..models.denoisers import CFGDenoiser, FlowDenoiser

    fn, options = sampler_call(setting, preset, steps, eta, s, n_components)
    labels = ctx.labels_for(seed, n)
    x_init = ctx.noise_for(seed, n)
    if setting == "ddpm":
        model, sigmas, extra = CFGDenoiser(ctx.ddpm, cfg), ctx.ddpm.get_sigmas(steps), cfg > 0
    elif setting == "flow":
        model, sigmas, extra = ctx.flow, FlowDenoiser.get_sigmas(steps), False
    else:
        model, sigmas, extra = ctx.mixture.as_denoiser(), None, False
        # The exact setting uses the DDPM's schedule (same sigmas as the network runs), computed without the model.
        from ..models.denoisers import DiscreteEpsDenoiser
        from ..models.schedule import ddpm_alphas_cumprod
        sigmas = DiscreteEpsDenoiser(None, ddpm_alphas_cumprod()).get_sigmas(steps)
    start = time.time()
    outs = []
    for i, first in enumerate(range(0, n, batch)):
        x = x_init[first:first + batch] * sigmas[0]
        extra_args = {"seed": seed * 1009 + i}          # distinct noise per chunk, reproducible per seed
        if extra:
            extra_args["y"] = labels[first:first + batch]
        outs.append(fn(model, x, sigmas, extra_args=extra_args, disable=True, **options))
    samples = torch.cat(outs)
    if setting == "exact":
        metrics = ctx.mixture.metrics(samples)
    else:
        metrics = image_metrics(ctx.classifier, samples, ctx.ref, labels if (setting == "ddpm" and cfg > 0) else None,
                                ctx.ref_pixels)
    metrics["seconds"] = round(time.time() - start, 2)
    return metrics


def cell_key(setting, preset, steps, eta, cfg, s, seed, n, n_components):
    """The cache key of one run: its settings and the stream version of its sampler (bench.streams)."""
    return json.dumps([setting, preset, steps, eta, cfg, s, seed, n, n_components, stream_version(preset)])


def versioned_key(key):
    """A cache key with its stream version: keys written before the version existed get LEGACY_VERSION."""
    fields = json.loads(key)
    return key if len(fields) == 10 else json.dumps(fields + [LEGACY_VERSION])


class Cache:
    """JSON-lines file of finished runs: {"key": ..., "metrics": ...} per line. A run whose sampler's stream version
    has changed since it was cached has another key, so it is run again, never served."""

    def __init__(self, path, cached_only=False, upgrade=versioned_key):
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
            # Rewrite once with the version in every key, so the file says what made each run.
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


def plan(cfg):
    """The list of cells (setting, cfg, steps, eta, [presets]) in the order they run: headline cells first."""
    cells = []
    presets = cfg["presets"]
    for setting in cfg["settings"]:
        if setting == "flow":
            for steps in cfg["flow_steps"]:
                for eta in cfg["flow_etas"]:
                    cells.append(("flow", 0.0, steps, eta, ["RFIM"] + [f"RFIM-GMM-{p}" for p in presets]))
            continue
        scales = cfg["cfg"] if setting == "ddpm" else [0.0]
        for steps in cfg["steps"]:
            for eta in cfg["etas"]:
                for scale in scales:
                    cells.append((setting, scale, steps, eta, ["DDIM"] + [f"DDIM-GMM-{p}" for p in presets]))
    return cells


def uses_s(preset):
    if preset in ("DDIM", "RFIM", "DDPM") or "-CONTROL-" in preset:
        return False
    return preset_options(preset).get("offset_schedule", "constant") == "constant"


def run(args):
    cfg = check_args(args)
    start = time.time()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cache = Cache(os.path.join(args.out, "cells.jsonl"), args.cached_only)
    ctx = Context(args.weights_dir, cfg["settings"])
    K, batch = args.n_components, args.batch
    rows, missing = [], []
    cells = plan(cfg)
    # One progress tick per selection run and per evaluated sampler (its seeds together).
    n_runs = sum(1 + uses_s(q) * len(cfg["s_values"]) for *_, p in cells for q in p)
    bar = tqdm(total=n_runs, desc="bench quality (runs)")
    for setting, scale, steps, eta, presets in cells:
        for preset in presets:
            best_s, choice = 0.0, {}
            if uses_s(preset):
                # s-selection: one seed, n_select samples, lowest Frechet distance wins.
                for s in cfg["s_values"]:
                    key = cell_key(setting, preset, steps, eta, scale, s, SELECT_SEED, cfg["n_select"], K)
                    m = cache.get_or_run(key, lambda s=s: run_one(
                        ctx, setting, preset, steps, eta, scale, s, SELECT_SEED, cfg["n_select"], K, batch))
                    choice[s] = None if m is None else m["fd"]
                    bar.update(1)
                if None in choice.values():
                    missing.append((setting, scale, steps, eta, preset, "s selection"))
                    continue
                best_s = min(choice, key=choice.get)
            evals = []
            for seed in range(cfg["seeds"]):
                key = cell_key(setting, preset, steps, eta, scale, best_s, seed, cfg["n_samples"], K)
                evals.append(cache.get_or_run(key, lambda seed=seed: run_one(
                    ctx, setting, preset, steps, eta, scale, best_s, seed, cfg["n_samples"], K, batch)))
            bar.update(1)
            if None in evals:
                missing.append((setting, scale, steps, eta, preset, "evaluation seeds"))
                continue
            rows.append(summarise(setting, scale, steps, eta, preset, best_s, choice, evals, cfg["n_samples"]))
            if args.controls and uses_s(preset):
                control = control_of(preset)
                n = cfg["n_samples"]
                evals = [cache.get_or_run(cell_key(setting, control, steps, eta, scale, best_s, seed, n, K),
                                          lambda seed=seed: run_one(ctx, setting, control, steps, eta, scale, best_s,
                                                                    seed, n, K, batch))
                         for seed in range(cfg["seeds"])]
                if None in evals:
                    missing.append((setting, scale, steps, eta, control, "evaluation seeds"))
                    continue
                rows.append(summarise(setting, scale, steps, eta, control, best_s, {}, evals, cfg["n_samples"]))
    bar.close()
    if "ddpm" in cfg["settings"] and cfg["ddpm_line_samples"] > 0:
        for scale in cfg["cfg"]:
            # The 1000-step DDPM line: ancestral sampling with the full schedule (DDIM at eta = 1, 1000 steps).
            n = cfg["ddpm_line_samples"]
            key = cell_key("ddpm", "DDPM", 1000, 1.0, scale, 0.0, 0, n, K)
            m = cache.get_or_run(key, lambda scale=scale: run_one(ctx, "ddpm", "DDPM", 1000, 1.0, scale, 0.0, 0, n,
                                                                  K, batch))
            if m is None:
                missing.append(("ddpm", scale, 1000, 1.0, "DDPM", "not run"))
                continue
            rows.append(summarise("ddpm", scale, 1000, 1.0, "DDPM", 0.0, {}, [m], n))
    add_deltas(rows)
    write_outputs(args.out, rows, missing)
    # What was asked of this directory, run after run: the honest record of the protocol behind its numbers.
    with open(os.path.join(args.out, "runs.jsonl"), "a") as f:
        f.write(json.dumps(dict(cfg, n_components=K, cached_only=args.cached_only, quick=args.quick,
                                seconds=round(time.time() - start, 1), rows=len(rows), missing=len(missing),
                                finished=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))) + "\n")
    print(markdown_table(rows))
    if missing:
        print(f"{len(missing)} sampler cells not in the cache (not run): see not_run.txt")
    return rows


def summarise(setting, scale, steps, eta, preset, best_s, choice, evals, n):
    row = dict(setting=setting, cfg=scale, steps=steps, eta=eta, sampler=preset,
               s=best_s if uses_s(preset) or "-CONTROL-" in preset else "",
               s_search=" ".join(f"{s:g}:{v:.3f}" for s, v in choice.items()), n_samples=n, seeds=len(evals),
               seconds_per_run=round(statistics.mean(e["seconds"] for e in evals), 2))
    row["fd_per_seed"] = [e["fd"] for e in evals]
    if all("fd_pixels" in e for e in evals):
        row["fd_pixels_per_seed"] = [e["fd_pixels"] for e in evals]
    for metric in ("fd", "is", "class_rate", "fd_pixels"):
        values = [e[metric] for e in evals if metric in e]
        if values:
            row[metric] = statistics.mean(values)
            row[metric + "_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return row


def add_deltas(rows):
    """FD change vs the Gaussian baseline of the same cell, paired by seed (same noise, labels, seeds):
    100 (fd_seed - base_seed) / base_seed, its mean and standard deviation over the seeds."""
    base = {(r["setting"], r["cfg"], r["steps"], r["eta"]): r["fd_per_seed"] for r in rows
            if r["sampler"] in ("DDIM", "RFIM")}
    for r in rows:
        b = base.get((r["setting"], r["cfg"], r["steps"], r["eta"]))
        if not b or r["sampler"] == "DDPM" or len(b) != len(r["fd_per_seed"]):
            r["fd_change_pct"], r["fd_change_pct_std"] = "", ""
            continue
        changes = [100 * (f - g) / g for f, g in zip(r["fd_per_seed"], b)]
        r["fd_change_pct"] = statistics.mean(changes)
        r["fd_change_pct_std"] = statistics.stdev(changes) if len(changes) > 1 else 0.0
    # A preset against its matched-noise control (same s, same seeds), where the control was run.
    controls = {(r["setting"], r["cfg"], r["steps"], r["eta"], r["sampler"]): r for r in rows
                if "-CONTROL-" in r["sampler"]}
    for r in rows:
        c = controls.get((r["setting"], r["cfg"], r["steps"], r["eta"], control_of(r["sampler"])))
        if c is None or "-GMM-" not in r["sampler"] or len(c["fd_per_seed"]) != len(r["fd_per_seed"]):
            continue
        for metric in ("fd", "fd_pixels"):
            if metric + "_per_seed" in r and metric + "_per_seed" in c:
                changes = [100 * (f - g) / g for f, g in zip(r[metric + "_per_seed"], c[metric + "_per_seed"])]
                r[f"{metric}_vs_control_pct"] = statistics.mean(changes)
                r[f"{metric}_vs_control_pct_std"] = statistics.stdev(changes) if len(changes) > 1 else 0.0


COLUMNS = ["setting", "cfg", "steps", "eta", "sampler", "s", "fd", "fd_std", "fd_change_pct", "fd_change_pct_std",
           "fd_vs_control_pct", "fd_vs_control_pct_std", "fd_pixels_vs_control_pct", "fd_pixels_vs_control_pct_std",
           "is", "is_std",
           "class_rate", "class_rate_std", "fd_pixels", "fd_pixels_std", "n_samples", "seeds", "seconds_per_run", "s_search"]


def _fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def versus(r):
    """A preset's paired change against its matched-noise control, FD and (where measured) pixel FD."""
    if "fd_vs_control_pct" not in r:
        return ""
    text = f"{r['fd_vs_control_pct']:+.1f}% ± {r['fd_vs_control_pct_std']:.1f}"
    if "fd_pixels_vs_control_pct" in r:
        text += f" / {r['fd_pixels_vs_control_pct']:+.1f}% ± {r['fd_pixels_vs_control_pct_std']:.1f}"
    return text


def markdown_table(rows):
    lines = ["| setting | cfg | steps | eta | sampler | s | FD (mean ± sd over seeds) | FD vs DDIM/RFIM, paired "
             "(mean ± sd) | vs its control, paired: FD / pixel FD | IS | class rate | pixel FD | n x seeds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        change = (f"{r['fd_change_pct']:+.1f}% ± {r['fd_change_pct_std']:.1f}"
                  if isinstance(r["fd_change_pct"], float) and r["sampler"] not in ("DDIM", "RFIM") else "")
        rate = f"{r['class_rate']:.3f}" if "class_rate" in r else ""
        pixels = f"{r['fd_pixels']:.2f}" if "fd_pixels" in r else ""
        lines.append(f"| {r['setting']} | {r['cfg']:g} | {r['steps']} | {r['eta']:g} | {r['sampler']} | "
                     f"{_fmt(r['s'])} | {r['fd']:.3f} ± {r['fd_std']:.3f} | {change} | {versus(r)} | {r['is']:.3f} | "
                     f"{rate} | {pixels} | "
                     f"{r['n_samples']} x {r['seeds']} |")
    return "\n".join(lines)


def write_tables(out, rows, columns, markdown):
    """results.csv (one row per sampler, the given columns) and results.md (the markdown table) in out."""
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _fmt(r.get(k, "")) for k in columns})
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown + "\n")


def write_outputs(out, rows, missing=()):
    write_tables(out, rows, COLUMNS, markdown_table(rows))
    with open(os.path.join(out, "not_run.txt"), "w") as f:
        f.write("".join(f"{s} cfg={c:g} steps={n} eta={e:g} {p}: {why} missing\n" for s, c, n, e, p, why in missing))
    plot(out, rows)


def plot(out, rows):
    """One figure per (setting, cfg): Frechet distance vs steps, one panel per eta, one line per sampler; a second row
    of panels with the pixel-space FD where it was measured."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({(r["setting"], r["cfg"]) for r in rows if r["sampler"] != "DDPM"})
    for setting, scale in groups:
        sub = [r for r in rows if r["setting"] == setting and r["cfg"] == scale and r["sampler"] != "DDPM"]
        etas = sorted({r["eta"] for r in sub})
        metrics = ["fd"] + (["fd_pixels"] if any("fd_pixels" in r for r in sub) else [])
        fig, axes = plt.subplots(len(metrics), len(etas), figsize=(4 * len(etas), 3.4 * len(metrics)), squeeze=False,
                                 sharey="row")
        line = [r for r in rows if r["setting"] == setting and r["cfg"] == scale and r["sampler"] == "DDPM"]
        for m_i, metric in enumerate(metrics):
            for ax, eta in zip(axes[m_i], etas):
                for sampler in dict.fromkeys(r["sampler"] for r in sub):
                    pts = sorted((r["steps"], r[metric], r[metric + "_std"]) for r in sub if r["eta"] == eta
                                 and r["sampler"] == sampler and metric in r)
                    if pts:
                        xs, ys, es = zip(*pts)
                        base = sampler in ("DDIM", "RFIM")
                        # The Gaussian baseline on top, dashed, so mixtures that coincide with it do not hide it.
                        ax.errorbar(xs, ys, yerr=es, marker="o", ms=3, capsize=2, label=sampler,
                                    lw=1.6 if base else 1.0, color="black" if base else None, ls="--" if base else "-",
                                    zorder=10 if base else 2)
                for r in line:
                    if metric in r:
                        ax.axhline(r[metric], ls=":", color="gray", lw=1,
                                   label=f"DDPM 1000 steps (n={r['n_samples']})")
                ax.set_xscale("log")
                steps_run = sorted({r["steps"] for r in sub})
                ax.set_xticks(steps_run, [str(n) for n in steps_run])
                ax.minorticks_off()
                ax.set_title(f"eta = {eta:g}")
                ax.set_xlabel("steps")
            if setting == "exact":
                label = "Frechet distance (pixels, exact moments)"
            else:
                label = "FD (classifier features)" if metric == "fd" else "FD (raw pixels)"
            axes[m_i][0].set_ylabel(label)
        axes[0][-1].legend(fontsize=6)
        title = {"ddpm": f"DDPM on digits, cfg {scale:g}" if scale > 0 else "DDPM on digits, unconditional",
                 "flow": "1-rectified flow on digits", "exact": "exact denoiser (Gaussian mixture)"}[setting]
        fig.suptitle(title)
        fig.tight_layout()
        name = f"quality_{setting}" + (f"_cfg{scale:g}" if setting == "ddpm" else "") + ".png"
        fig.savefig(os.path.join(out, name), dpi=110)
        plt.close(fig)
