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

import json
import os
import statistics
import time

import torch
from tqdm.auto import tqdm

from ..sampling import VARIANTS, preset_options
from .harness import N_REAL, Cache, Context, add_run_arguments, append_run, chunk_sampler, floats, ints, names, run_one
from .peers import sampler_call
from .plots import plot
from .streams import LEGACY_VERSION, stream_version
from .tables import fmt, signed, write_tables
from .verdict import paired_change, spread

SETTINGS = ("ddpm", "flow", "exact")
SELECT_SEED = 1000
# The full protocol and --quick (the headline cells on fewer samples; minutes on 2 CPU cores). Any flag given on the
# command line overrides the value of the mode.
FULL = dict(settings="ddpm,flow,exact", steps="10,20,50,100", etas="0,0.2,0.5,1", cfg="0,2.5",
            flow_steps="2,5,10,50", flow_etas="0,0.2,0.5", presets=",".join(VARIANTS), s_values="0.01,0.1,1,10",
            seeds=3, n_samples=N_REAL, n_select=500, ddpm_line_samples=500)
QUICK = dict(FULL, steps="10", etas="0", cfg="2.5", flow_steps="10", flow_etas="0", s_values="0.1,1,10", seeds=2,
             n_samples=500, n_select=250, ddpm_line_samples=0)


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
    add_run_arguments(parser, batch=600)
    parser.add_argument("--cached-only", action="store_true",
                        help="run nothing: rebuild the CSV, table and plots from the cells already in the cache "
                             "(a sampler whose selection or seeds are incomplete is left out and listed)")


def check_args(args):
    """Parsed, validated settings as a dict (ValueError names the bad parameter)."""
    raw = dict(QUICK if args.quick else FULL)
    raw.update({k: getattr(args, k) for k in FULL if getattr(args, k, None) is not None})
    cfg = dict(settings=names(raw["settings"], SETTINGS), steps=ints(raw["steps"]), etas=floats(raw["etas"]),
               cfg=floats(raw["cfg"]), flow_steps=ints(raw["flow_steps"]), flow_etas=floats(raw["flow_etas"]),
               presets=[p for p in raw["presets"].split(",") if p], s_values=floats(raw["s_values"]),
               seeds=raw["seeds"], n_samples=raw["n_samples"], n_select=raw["n_select"],
               ddpm_line_samples=raw["ddpm_line_samples"])
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


def control_of(preset):
    """The matched-noise control's name of a GMM preset: DDIM-GMM-X -> DDIM-CONTROL-X, RFIM-GMM-X -> RFIM-CONTROL-X."""
    return preset.replace("-GMM-", "-CONTROL-", 1)


def run_preset(ctx, setting, preset, steps, eta, cfg, s, seed, n, n_components, batch):
    """The metrics of n samples of one preset (sampler_call) on one seed (harness.run_one), plus wall seconds."""
    fn, options = sampler_call(setting, preset, steps, eta, s, n_components)

    def call(model, x, sigmas, extra_args, seed):
        return fn(model, x, sigmas, extra_args=extra_args, disable=True, **options)
    return run_one(ctx, chunk_sampler(ctx, setting, cfg, steps, call), setting, cfg, seed, n, batch)


def cell_key(setting, preset, steps, eta, cfg, s, seed, n, n_components):
    """The cache key of one run: its settings and the stream version of its sampler (bench.streams)."""
    return json.dumps([setting, preset, steps, eta, cfg, s, seed, n, n_components, stream_version(preset, eta)])


def versioned_key(key):
    """A cache key with its stream version: keys written before the version existed get LEGACY_VERSION."""
    fields = json.loads(key)
    return key if len(fields) == 10 else json.dumps(fields + [LEGACY_VERSION])


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
    cache = Cache(os.path.join(args.out, "cells.jsonl"), args.cached_only, upgrade=versioned_key)
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
                    m = cache.get_or_run(key, lambda s=s: run_preset(
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
                evals.append(cache.get_or_run(key, lambda seed=seed: run_preset(
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
                                          lambda seed=seed: run_preset(ctx, setting, control, steps, eta, scale,
                                                                       best_s, seed, n, K, batch))
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
            m = cache.get_or_run(key, lambda scale=scale: run_preset(ctx, "ddpm", "DDPM", 1000, 1.0, scale, 0.0, 0,
                                                                     n, K, batch))
            if m is None:
                missing.append(("ddpm", scale, 1000, 1.0, "DDPM", "not run"))
                continue
            rows.append(summarise("ddpm", scale, 1000, 1.0, "DDPM", 0.0, {}, [m], n))
    add_deltas(rows)
    write_tables(args.out, rows, COLUMNS, markdown_table(rows),
                 [f"{s} cfg={c:g} steps={n} eta={e:g} {p}: {why} missing" for s, c, n, e, p, why in missing])
    plot_steps(args.out, rows)
    # What was asked of this directory, run after run: the honest record of the protocol behind its numbers.
    append_run(args.out, dict(cfg, n_components=K, cached_only=args.cached_only, quick=args.quick), start, rows,
               missing)
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
            row[metric], row[metric + "_std"] = spread(values)
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
        r["fd_change_pct"], r["fd_change_pct_std"] = paired_change(r["fd_per_seed"], b)
    # A preset against its matched-noise control (same s, same seeds), where the control was run.
    controls = {(r["setting"], r["cfg"], r["steps"], r["eta"], r["sampler"]): r for r in rows
                if "-CONTROL-" in r["sampler"]}
    for r in rows:
        c = controls.get((r["setting"], r["cfg"], r["steps"], r["eta"], control_of(r["sampler"])))
        if c is None or "-GMM-" not in r["sampler"] or len(c["fd_per_seed"]) != len(r["fd_per_seed"]):
            continue
        for metric in ("fd", "fd_pixels"):
            if metric + "_per_seed" in r and metric + "_per_seed" in c:
                r[f"{metric}_vs_control_pct"], r[f"{metric}_vs_control_pct_std"] = paired_change(
                    r[metric + "_per_seed"], c[metric + "_per_seed"])


COLUMNS = ["setting", "cfg", "steps", "eta", "sampler", "s", "fd", "fd_std", "fd_change_pct", "fd_change_pct_std",
           "fd_vs_control_pct", "fd_vs_control_pct_std", "fd_pixels_vs_control_pct", "fd_pixels_vs_control_pct_std",
           "is", "is_std", "class_rate", "class_rate_std", "fd_pixels", "fd_pixels_std", "n_samples", "seeds",
           "seconds_per_run", "s_search"]


def versus(r):
    """A preset's paired change against its matched-noise control, FD and (where measured) pixel FD."""
    if "fd_vs_control_pct" not in r:
        return ""
    text = signed(r, "fd_vs_control_pct")
    if "fd_pixels_vs_control_pct" in r:
        text += f" / {signed(r, 'fd_pixels_vs_control_pct')}"
    return text


def markdown_table(rows):
    lines = ["| setting | cfg | steps | eta | sampler | s | FD (mean ± sd over seeds) | FD vs DDIM/RFIM, paired "
             "(mean ± sd) | vs its control, paired: FD / pixel FD | IS | class rate | pixel FD | n x seeds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        change = (signed(r, "fd_change_pct")
                  if isinstance(r["fd_change_pct"], float) and r["sampler"] not in ("DDIM", "RFIM") else "")
        rate = f"{r['class_rate']:.3f}" if "class_rate" in r else ""
        pixels = f"{r['fd_pixels']:.2f}" if "fd_pixels" in r else ""
        lines.append(f"| {r['setting']} | {r['cfg']:g} | {r['steps']} | {r['eta']:g} | {r['sampler']} | "
                     f"{fmt(r['s'])} | {r['fd']:.3f} ± {r['fd_std']:.3f} | {change} | {versus(r)} | {r['is']:.3f} | "
                     f"{rate} | {pixels} | "
                     f"{r['n_samples']} x {r['seeds']} |")
    return "\n".join(lines)


def plot_steps(out, rows):
    """One figure per (setting, cfg): Frechet distance vs steps, one panel per eta, one line per sampler; a second row
    of panels with the pixel-space FD where it was measured."""
    groups = sorted({(r["setting"], r["cfg"]) for r in rows if r["sampler"] != "DDPM"})
    for setting, scale in groups:
        sub = [r for r in rows if r["setting"] == setting and r["cfg"] == scale and r["sampler"] != "DDPM"]
        etas = sorted({r["eta"] for r in sub})
        metrics = ["fd"] + (["fd_pixels"] if any("fd_pixels" in r for r in sub) else [])
        line = [r for r in rows if r["setting"] == setting and r["cfg"] == scale and r["sampler"] == "DDPM"]
        steps_run = sorted({r["steps"] for r in sub})
        grid = []
        for metric in metrics:
            if setting == "exact":
                label = "Frechet distance (pixels, exact moments)"
            else:
                label = "FD (classifier features)" if metric == "fd" else "FD (raw pixels)"
            grid.append([])
            for e_i, eta in enumerate(etas):
                lines = []
                for sampler in dict.fromkeys(r["sampler"] for r in sub):
                    base = sampler in ("DDIM", "RFIM")
                    # The Gaussian baseline on top, dashed, so mixtures that coincide with it do not hide it.
                    style = dict(marker="o", ms=3, lw=1.6 if base else 1.0, color="black" if base else None,
                                 ls="--" if base else "-", zorder=10 if base else 2)
                    lines.append((sampler, sorted((r["steps"], r[metric], r[metric + "_std"]) for r in sub
                                                  if r["eta"] == eta and r["sampler"] == sampler and metric in r),
                                  style))
                hlines = [(r[metric], f"DDPM 1000 steps (n={r['n_samples']})") for r in line if metric in r]
                grid[-1].append(dict(lines=lines, hlines=hlines, xticks=steps_run, title=f"eta = {eta:g}",
                                     xlabel="steps", ylabel=label if e_i == 0 else None))
        title = {"ddpm": f"DDPM on digits, cfg {scale:g}" if scale > 0 else "DDPM on digits, unconditional",
                 "flow": "1-rectified flow on digits", "exact": "exact denoiser (Gaussian mixture)"}[setting]
        name = f"quality_{setting}" + (f"_cfg{scale:g}" if setting == "ddpm" else "") + ".png"
        plot(os.path.join(out, name), grid, (4, 3.4), dpi=110, sharey="row", title=title)
