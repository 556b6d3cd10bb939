"""`python -m ddim_gmm bench comfy-peers`: ComfyUI's own samplers on the embedded models, through ComfyUI's full
sampling path (needs COMFYUI_PATH).

Every run goes through comfy.samplers.sample -> CFGGuider -> KSAMPLER with the UNet inside ComfyUI's BaseModel and
ComfyUI's own CFG (bench/comfy_sampling.py says how the models are wrapped), on the harness's seeds, labels and
initial noise, with the metrics of bench compare. euler runs too, as the anchor of the paired FD change: it is DDIM
(flow: RFIM) at eta 0, so its rows next to the plain path's show that the two paths give the same numbers. The NFE of
each sampler is counted through ComfyUI on a one-sample run, and each runs the most steps that fit the budget.

bench compare takes ComfyUI's samplers as rows of its own when COMFYUI_PATH is set (bench/comfy_sampling.py's
comfy_peers()); this command is the same path with ComfyUI's CFG instead of the plain path's, on its own.
"""

import json
import os
import statistics

import torch
from tqdm.auto import tqdm

from .comfy_sampling import (COMFY_SAMPLERS, FLOW_SAMPLERS, available, sample, steps_for_nfe, unavailable_line,
                             wrap_model)
from .harness import Cache, Context, add_run_arguments, append_command, command_line, floats, ints, names, run_one
from .tables import plus_minus, signed, write_tables
from .verdict import paired_change, spread

# Run through ComfyUI too, as the anchor of the paired FD change: euler is DDIM at eta 0 (flow: RFIM at eta 0); its
# rows, next to the plain path's DDIM rows on the same seeds, show the two paths give the same numbers.
ANCHORS = ("euler",)
DEFAULTS = dict(nfe="10,20,5,50", cfg="2.5,0", flow_nfe="10,20,5", seeds=3, n_samples=500)


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_comfy_peers", help="output directory (cache, CSV, markdown)")
    parser.add_argument("--settings", default="ddpm,flow", help="comma list of ddpm, flow")
    parser.add_argument("--samplers", default=",".join(ANCHORS + COMFY_SAMPLERS),
                        help="ComfyUI sampler names (flow runs only the valid ones: " + ", ".join(FLOW_SAMPLERS) + ")")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=value, help=f"(default {value})")
    add_run_arguments(parser, batch=500)
    parser.add_argument("--cached-only", action="store_true",
                        help="run nothing: rebuild the tables from the cells in the cache (missing ones are listed "
                             "in not_run.txt)")


def nfe_list(text, name):
    values = ints(text)
    if not values or min(values) < 1:
        raise ValueError(f"{name} must be a comma list of integers >= 1, got {text!r}")
    return values


def plan(args):
    """[(setting, cfg, target NFE, sampler)] in run order: the cheap cells first."""
    settings = names(args.settings, ("ddpm", "flow"))
    samplers = [s for s in args.samplers.split(",") if s]
    cfgs = floats(args.cfg)
    if not all(0 <= c <= 100 for c in cfgs):
        raise ValueError(f"cfg must lie in [0, 100], got {cfgs}")
    if args.seeds < 1 or args.n_samples < 2 or args.batch < 1:
        raise ValueError("seeds must be >= 1, n-samples >= 2 and batch >= 1")
    ddpm_nfe = nfe_list(args.nfe, "nfe") if "ddpm" in settings else []
    flow_nfe = nfe_list(args.flow_nfe, "flow-nfe") if "flow" in settings else []
    cells = []
    # NFE in the order given (the cells that matter most first), the DDPM's then the flow's cells at each.
    for n in dict.fromkeys(ddpm_nfe + flow_nfe):
        if n in ddpm_nfe:
            cells += [("ddpm", c, n, s) for c in cfgs for s in samplers]
        if n in flow_nfe:
            cells += [("flow", 0.0, n, s) for s in samplers if s in FLOW_SAMPLERS + ANCHORS]
    return cells


class ComfyModels:
    """The shipped models wrapped for ComfyUI (UNet inside), next to the harness's Context of the same settings."""

    def __init__(self, weights_dir, settings):
        from ..models import denoisers
        from ..models.data import N_CLASSES

        kw = {} if weights_dir is None else {"weights_dir": weights_dir}
        self.ctx = Context(weights_dir, settings, features=True)
        self.null_label = N_CLASSES
        self.patchers = {}
        if "ddpm" in settings:
            self.patchers["ddpm"] = wrap_model(denoisers.load_ddpm_unet(**kw), "ddpm")
        if "flow" in settings:
            self.patchers["flow"] = wrap_model(self.ctx.flow.inner_model, "flow")

    def null(self, setting, n):
        return torch.full((n,), self.null_label) if setting == "ddpm" else None

    def steps_for(self, setting, sampler, nfe, cfg):
        """(steps, NFE counted) of the most steps that fit `nfe` (the plain path's schedule)."""
        return steps_for_nfe(self.patchers[setting], sampler, nfe, lambda steps: self.ctx.sigmas(setting, steps),
                             self.ctx.shape, self.null(setting, 1), cfg)

    def chunk_sampler(self, setting, sampler, steps, cfg):
        """harness.run_one's sample_chunk: one chunk through ComfyUI's path, with the NFE ComfyUI counted."""
        def sample_chunk(noise, labels, chunk_seed):
            return sample(self.patchers[setting], sampler, noise, self.ctx.sigmas(setting, steps), labels,
                          self.null(setting, noise.shape[0]), cfg, seed=chunk_seed)
        return sample_chunk


def cell_key(setting, sampler, steps, cfg, seed, n):
    return json.dumps(["comfy", setting, sampler, steps, cfg, seed, n])


def summarise(setting, cfg, target, sampler, steps, evals, n):
    row = dict(setting=setting, cfg=cfg, nfe_target=target, sampler=sampler, steps=steps, nfe=evals[0]["nfe"],
               n_samples=n, seeds=len(evals), fd_per_seed=[e["fd"] for e in evals],
               seconds_per_run=round(statistics.mean(e["seconds"] for e in evals), 2))
    for metric in sorted(set(evals[0]) - {"nfe", "seconds"}):
        values = [e[metric] for e in evals if isinstance(e.get(metric), (int, float))]
        if len(values) == len(evals):
            row[metric], row[metric + "_std"] = spread(values)
    return row


def add_deltas(rows, base="euler"):
    """Classifier-FD change vs euler (DDIM / RFIM at eta 0) of the same cell, paired by seed, in percent."""
    ref = {(r["setting"], r["cfg"], r["nfe_target"]): r["fd_per_seed"] for r in rows if r["sampler"] == base}
    for r in rows:
        b = ref.get((r["setting"], r["cfg"], r["nfe_target"]))
        if not b or len(b) != len(r["fd_per_seed"]):
            continue
        r["fd_vs_euler_pct"], r["fd_vs_euler_pct_std"] = paired_change(r["fd_per_seed"], b)


def markdown_table(rows):
    lines = ["| setting | cfg | NFE | sampler | steps | FD (classifier) | FD vs euler, paired | pixel FD | IS | "
             "class rate | n x seeds |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        change = signed(r, "fd_vs_euler_pct") if "fd_vs_euler_pct" in r and r["sampler"] != "euler" else ""
        lines.append(f"| {r['setting']} | {r['cfg']:g} | {r['nfe']:g} | {r['sampler']} | {r['steps']} | "
                     f"{plus_minus(r, 'fd', 1)} | {change} | {plus_minus(r, 'fd_pixels', 2)} | "
                     f"{plus_minus(r, 'is', 2)} | {plus_minus(r, 'class_rate', 3)} | {r['n_samples']} x {r['seeds']} |")
    return "\n".join(lines)


def write_outputs(out, rows, nfe_table, command, missing=()):
    columns = ["setting", "cfg", "nfe_target", "nfe", "sampler", "steps"] + sorted(
        {k for r in rows for k in r} - {"setting", "cfg", "nfe_target", "nfe", "sampler", "steps", "fd_per_seed"})
    write_tables(out, rows, columns, markdown_table(rows), missing)   # formatted as bench quality and compare write
    with open(os.path.join(out, "nfe.md"), "w") as f:
        f.write("| setting | sampler | steps | NFE counted |\n| --- | --- | --- | --- |\n")
        f.writelines(f"| {s} | {name} | {steps} | {nfe:g} |\n" for (s, name, steps), nfe in sorted(nfe_table.items()))
    append_command(out, command)


def run(args):
    if not available():
        print(unavailable_line())
        return []
    cells = plan(args)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cache = Cache(os.path.join(args.out, "cells.jsonl"), args.cached_only)
    models = ComfyModels(args.weights_dir, sorted({c[0] for c in cells}))
    rows, nfe_table, missing = [], {}, []
    for setting, cfg, target, sampler in tqdm(cells, desc="bench comfy-peers (cells)"):
        steps, nfe = models.steps_for(setting, sampler, target, cfg)
        nfe_table[(setting, sampler, steps)] = nfe
        sample_chunk = models.chunk_sampler(setting, sampler, steps, cfg)
        evals = [cache.get_or_run(cell_key(setting, sampler, steps, cfg, seed, args.n_samples),
                                  lambda seed=seed: run_one(models.ctx, sample_chunk, setting, cfg, seed,
                                                            args.n_samples, args.batch, nfe_key="nfe"))
                 for seed in range(args.seeds)]
        if None in evals:
            missing.append(f"{setting} cfg={cfg:g} NFE={target} {sampler}: not run (seeds missing from the cache)")
            continue
        rows.append(summarise(setting, cfg, target, sampler, steps, evals, args.n_samples))
    add_deltas(rows)
    write_outputs(args.out, rows, nfe_table, command_line("comfy-peers", env="COMFYUI_PATH=/path/to/ComfyUI "), missing)
    print(markdown_table(rows))
    return rows
