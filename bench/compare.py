"""`python -m ddim_gmm bench compare`: which sampler should I pick? Every sampler at equal model evaluations (NFE).

Cells: the embedded DDPM at each NFE x CFG of the grid (plus --extra-cells, e.g. the paper's Table-5 cells), and the
flow model at each --flow-nfe. Rows: bench.peers (k-diffusion's samplers, DDIM-GMM / RFIM-GMM at each --gmm setting
next to its matched-noise control, and ComfyUI's samplers from bench/comfy_peers.py when COMFYUI_PATH is set). A
sampler that spends 2 NFE per step gets the most steps that fit the budget; the NFE it really spent is counted and
reported. Every sampler sees the same seeds: the same initial noise, the same labels, the same noise seeds.

Metrics per run (bench.metrics): classifier-feature FD, pixel FD, improved precision / recall (k = 3) and KID in the
classifier's features, IS analogue, class rate (CFG > 0); mean and sd over the seeds. Each GMM row is compared with its
control, and GMM and control rows with DDIM at the same eta (euler at eta 0, euler_ancestral at eta 1), paired by
seed: a gain counts only if the mean paired FD change is beyond its sd over the seeds and neither precision nor pixel
FD gets worse beyond theirs.

Runs are cached in --out/cells.jsonl keyed by the sampler's stream version (bench.streams); the benchmark writes to
out/ unless --out points at bench/results/.
"""

import json
import os
import statistics
import time

import torch
from tqdm.auto import tqdm

from .harness import Cache, Context, add_run_arguments, append_run, chunk_sampler, floats, ints, names, run_one
from .peers import Peer, control_name, control_peer, gmm_peer, k_diffusion_peers, load_extra_peers
from .plots import distinct_styles, plot
from .streams import stream_version
from .tables import plus_minus, signed, write_tables
from .verdict import paired, spread, verdict

METRICS = ("fd", "fd_pixels", "precision", "recall", "kid", "is", "class_rate")
DEFAULTS = dict(nfe="5,10,20,50", cfg="0,2.5", flow_nfe="5,10,20,50", extra_cells="", extra_peers="",
                gmm="ORTHO-VUB*:0:1,ORTHO-VUB:0:1", flow_gmm="ORTHO-VUB*:0:1,ORTHO-VUB:0:1", gmm_cfg_pp="",
                peers="all", settings="ddpm,flow", seeds=3, n_samples=500)
# The CFG++ baseline of a DDIM-GMM CFG++ row at eta 0 / 1: ComfyUI's own (bench/comfy_sampling.py, COMFYUI_PATH).
CFG_PP_DDIM = {0.0: "euler_cfg_pp", 1.0: "euler_ancestral_cfg_pp"}


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_compare", help="output directory (cache, CSV, markdown, plots)")
    parser.add_argument("--settings", default=DEFAULTS["settings"], help="comma list of ddpm, flow")
    parser.add_argument("--nfe", default=DEFAULTS["nfe"], help="DDPM NFE budgets (model evaluations per sample)")
    parser.add_argument("--cfg", default=DEFAULTS["cfg"], help="DDPM guidance scales (0 = unconditional)")
    parser.add_argument("--flow-nfe", default=DEFAULTS["flow_nfe"], help="flow NFE budgets")
    parser.add_argument("--extra-cells", default=DEFAULTS["extra_cells"],
                        help="more DDPM cells as NFE:CFG pairs, e.g. the paper's Table 5: 10:5,100:2.5,100:5")
    parser.add_argument("--extra-peers", default=DEFAULTS["extra_peers"],
                        help="comma list of the rows run in --extra-cells (default: all rows)")
    parser.add_argument("--gmm", default=DEFAULTS["gmm"],
                        help="DDIM-GMM / RFIM-GMM rows as VARIANT:ETA:S, each with its matched-noise control "
                             "(at eta > 0 also the control with the same total step variance)")
    parser.add_argument("--flow-gmm", default=DEFAULTS["flow_gmm"], help="RFIM-GMM rows for the flow model, as --gmm")
    parser.add_argument("--gmm-cfg-pp", default=DEFAULTS["gmm_cfg_pp"],
                        help="DDIM-GMM rows run with CFG++ on the DDPM (cells with cfg > 0), as --gmm (e.g. "
                             "ORTHO-VUB*:1:1, the ddim_gmm_cfg_pp dropdown name), each with its CFG++ control; "
                             "compared with ComfyUI's euler_cfg_pp (eta 0) / euler_ancestral_cfg_pp (eta 1)")
    parser.add_argument("--peers", default=DEFAULTS["peers"], help="comma list of row names to run, or all")
    parser.add_argument("--seeds", type=int, default=DEFAULTS["seeds"], help="seeds per cell (0 .. seeds-1)")
    parser.add_argument("--n-samples", type=int, default=DEFAULTS["n_samples"], help="samples per run")
    parser.add_argument("--n-components", type=int, default=8, help="K of the GMM rows")
    add_run_arguments(parser, batch=500)
    parser.add_argument("--include", default="",
                        help="comma list of other bench-compare output directories whose cached rows (same seeds and "
                             "n-samples, samplers not run here, e.g. ComfyUI's from bench/results/comfy_peers) join "
                             "the tables and the plot")
    parser.add_argument("--cached-only", action="store_true",
                        help="run nothing: rebuild the tables and plots from the cache (missing runs are listed)")


def parse_gmm(text):
    """'VARIANT:ETA:S,...' -> [(variant, eta, s)]."""
    out = []
    for item in (t for t in text.split(",") if t.strip()):
        parts = item.split(":")
        if len(parts) != 3:
            raise ValueError(f"gmm must be a comma list of VARIANT:ETA:S, got {item!r}")
        variant, eta, s = parts[0], float(parts[1]), float(parts[2])
        if not 0 <= eta <= 1 or s < 0:
            raise ValueError(f"gmm {item!r}: eta must be in [0, 1] and s >= 0")
        out.append((variant, eta, s))
    return out


def parse_cells(args):
    """[(setting, cfg, nfe, extra)] in the order they run (extra: an --extra-cells cell)."""
    settings = names(args.settings, ("ddpm", "flow"))
    cells = []
    if "ddpm" in settings:
        for cfg in floats(args.cfg):
            cells += [("ddpm", cfg, nfe, False) for nfe in ints(args.nfe)]
        for item in (t for t in args.extra_cells.split(",") if t.strip()):
            nfe, cfg = item.split(":")
            if ("ddpm", float(cfg), int(nfe), False) not in cells:
                cells.append(("ddpm", float(cfg), int(nfe), True))
    if "flow" in settings:
        cells += [("flow", 0.0, nfe, False) for nfe in ints(args.flow_nfe)]
    for setting, cfg, nfe, _ in cells:
        if nfe < 1 or not 0 <= cfg <= 100:
            raise ValueError(f"NFE must be >= 1 and cfg in [0, 100], got {setting} nfe={nfe} cfg={cfg:g}")
    return cells


def build_peers(args, log=print):
    """All rows: k-diffusion's peers, each --gmm row with its control(s), then the extra (ComfyUI) peers."""
    peers = k_diffusion_peers()
    rows = [("diffusion", g, False) for g in parse_gmm(args.gmm)]
    rows += [("flow", g, False) for g in parse_gmm(args.flow_gmm)]
    rows += [("diffusion", g, True) for g in parse_gmm(getattr(args, "gmm_cfg_pp", ""))]
    for kind, (variant, eta, s), cfg_pp in rows:
        peers.append(gmm_peer(kind, variant, eta, s, args.n_components, cfg_pp=cfg_pp))
        for match in ("offsets", "total") if eta > 0 else ("offsets",):
            control = control_peer(kind, variant, eta, s, match, args.n_components, cfg_pp=cfg_pp)
            # At eta = 0 several variants share one control (peers.control_name): run it once.
            if all((p.name, p.kind) != (control.name, kind) for p in peers):
                peers.append(control)
    peers += load_extra_peers(log)
    if args.peers != "all":
        wanted = set(args.peers.split(","))
        peers = [p for p in peers if p.name in wanted]
    names = [(p.name, p.kind) for p in peers]
    if len(set(names)) != len(names):
        raise ValueError(f"peer names must be unique per kind, got {names}")
    return peers


def cell_key(setting, cfg, nfe, peer, steps, seed, n):
    return json.dumps([setting, cfg, nfe, peer.name, peer.kind, peer.stream_version, steps, seed, n])


def run(args):
    start = time.time()
    torch.set_num_threads(args.threads)
    cells = parse_cells(args)
    peers = build_peers(args)
    extra_names = set(n for n in args.extra_peers.split(",") if n)
    if args.seeds < 1 or args.n_samples < 10 or args.batch < 1:
        raise ValueError("seeds must be >= 1, n-samples >= 10 and batch >= 1")
    os.makedirs(args.out, exist_ok=True)
    cache = Cache(os.path.join(args.out, "cells.jsonl"), args.cached_only)
    ctx = Context(args.weights_dir, sorted({c[0] for c in cells}), features=True)
    plan = []
    for setting, cfg, nfe, extra in cells:
        kind = "flow" if setting == "flow" else "diffusion"
        for peer in peers:
            if peer.kind != kind or (extra and extra_names and peer.name not in extra_names):
                continue
            if getattr(peer, "cfg_pp", False) and cfg == 0:
                continue  # CFG++ without guidance: the unconditional prediction is the guided one, the plain row
            steps = peer.steps_for(nfe)
            if steps is not None:
                plan.append((setting, cfg, nfe, peer, steps))
    rows, missing = [], []
    bar = tqdm(total=len(plan) * args.seeds, desc="bench compare (runs)")
    for setting, cfg, nfe, peer, steps in plan:
        sample_chunk = chunk_sampler(ctx, setting, cfg, steps, peer.call)
        evals = []
        for seed in range(args.seeds):
            key = cell_key(setting, cfg, nfe, peer, steps, seed, args.n_samples)
            evals.append(cache.get_or_run(key, lambda seed=seed: run_one(ctx, sample_chunk, setting, cfg, seed,
                                                                         args.n_samples, args.batch,
                                                                         nfe_key="nfe_used")))
            bar.update(1)
        if None in evals:
            missing.append((setting, cfg, nfe, peer.name))
            continue
        rows.append(summarise(setting, cfg, nfe, peer, steps, evals, args.n_samples))
    bar.close()
    included = included_rows(args.include, rows, args.seeds, args.n_samples)
    supplied = {(r["setting"], r["cfg"], r["nfe"], r["sampler"]) for r in included}
    missing = [m for m in missing if m not in supplied]  # a run another directory holds is not missing
    rows += included
    add_paired(rows)
    write_tables(args.out, rows, COLUMNS, markdown_table(rows),
                 [f"{s} cfg={c:g} nfe={n} {p}: missing" for s, c, n, p in missing])
    if rows:
        plot_nfe(args.out, rows)
    append_run(args.out, {k: getattr(args, k) for k in vars(args) if k not in ("module", "func")}, start, rows, missing)
    print(markdown_table(rows))
    if missing:
        print(f"{len(missing)} rows not in the cache (not run): see not_run.txt")
    return rows


def current_version(name, default):
    """The current stream version of a row's sampler name (a peer, or a GMM / control row named with its options),
    `default` for a name bench.streams does not know."""
    try:
        return stream_version(name.split(" ")[0])
    except ValueError:
        return default


def included_rows(directories, rows, seeds, n):
    """Summaries of the complete (all seeds 0 .. seeds-1, n samples) cached runs of other output directories, for
    the cells and samplers not already in rows; only runs of the sampler's current stream version (bench.streams):
    a stale run left in the other cache is never served."""
    have = {(r["setting"], r["cfg"], r["nfe"], r["sampler"]) for r in rows}
    out = []
    for directory in (d for d in directories.split(",") if d):
        runs = {}
        for key, metrics in Cache(os.path.join(directory, "cells.jsonl"), cached_only=True).rows.items():
            setting, cfg, nfe, name, kind, version, steps, seed, n_run = json.loads(key)
            if version != current_version(name, version):
                continue
            if n_run == n and seed < seeds and (setting, cfg, nfe, name) not in have:
                runs.setdefault((setting, cfg, nfe, name, kind, steps), {})[seed] = metrics
        for (setting, cfg, nfe, name, kind, steps), by_seed in runs.items():
            if len(by_seed) == seeds:
                peer = Peer(name, kind, lambda steps: None, None, version=0, source=f"from {directory}")
                out.append(summarise(setting, cfg, nfe, peer, steps, [by_seed[i] for i in range(seeds)], n))
    return out


def summarise(setting, cfg, nfe, peer, steps, evals, n):
    row = dict(setting=setting, cfg=cfg, nfe=nfe, sampler=peer.name, source=peer.source, kind=peer.kind,
               gmm=peer.gmm, control=peer.control, cfg_pp=peer.cfg_pp, steps=steps,
               nfe_used=evals[0]["nfe_used"], n_samples=n, seeds=len(evals),
               seconds_per_run=round(statistics.mean(e["seconds"] for e in evals), 2))
    for metric in METRICS:
        values = [e[metric] for e in evals if metric in e]
        if values:
            row[metric + "_per_seed"] = values
            row[metric], row[metric + "_std"] = spread(values)
    return row


def add_paired(rows):
    """Paired changes of each GMM row against its control, and of GMM and control rows against DDIM / RFIM at the same
    eta (euler at eta 0, euler_ancestral at eta 1 for diffusion; for CFG++ rows ComfyUI's euler_cfg_pp and
    euler_ancestral_cfg_pp, CFG++'s DDIM)."""
    by_cell = {}
    for r in rows:
        by_cell.setdefault((r["setting"], r["cfg"], r["nfe"]), {})[r["sampler"]] = r
    for cell in by_cell.values():
        for name, r in cell.items():
            if r["gmm"] is None:
                continue
            variant, eta, s = r["gmm"]
            cfg_pp = r.get("cfg_pp", False)
            ddim = {0.0: "euler", 1.0: "euler_ancestral" if r["kind"] == "diffusion" else None}.get(eta)
            if cfg_pp:
                ddim = CFG_PP_DDIM.get(eta)
            bases = [("ddim", cell.get(ddim))]
            if r["control"] is None:
                bases.append(("control", cell.get(control_name(r["kind"], variant, eta, s, cfg_pp=cfg_pp))))
            for label, base in bases:
                if base is None or base["seeds"] != r["seeds"] or r["seeds"] < 2:
                    continue
                for metric in ("fd", "fd_pixels", "precision", "recall"):
                    r[f"{metric}_vs_{label}"], r[f"{metric}_vs_{label}_std"] = paired(r, base, metric)
                r[f"verdict_vs_{label}"] = verdict(r, base)


COLUMNS = ["setting", "cfg", "nfe", "sampler", "source", "steps", "nfe_used", "fd", "fd_std", "fd_pixels",
           "fd_pixels_std", "precision", "precision_std", "recall", "recall_std", "kid", "kid_std", "is", "is_std",
           "class_rate", "class_rate_std", "fd_vs_control", "fd_vs_control_std", "fd_pixels_vs_control",
           "fd_pixels_vs_control_std", "precision_vs_control", "precision_vs_control_std", "recall_vs_control",
           "recall_vs_control_std", "verdict_vs_control", "fd_vs_ddim", "fd_vs_ddim_std", "fd_pixels_vs_ddim",
           "fd_pixels_vs_ddim_std", "verdict_vs_ddim", "n_samples", "seeds", "seconds_per_run"]


def markdown_table(rows):
    lines = ["| setting | cfg | NFE | sampler | steps (NFE used) | FD | pixel FD | precision | recall | KID | "
             "class rate | vs its control: FD / pixel FD (paired %) | verdict |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["setting"], -r["cfg"], r["nfe"], r["fd"])):
        vs = ""
        if "fd_vs_control" in r:
            vs = f"{signed(r, 'fd_vs_control', unit='')} / {signed(r, 'fd_pixels_vs_control', unit='')}"
        lines.append(f"| {r['setting']} | {r['cfg']:g} | {r['nfe']} | {r['sampler']} | {r['steps']} ({r['nfe_used']}) "
                     f"| {plus_minus(r, 'fd', 1)} | {plus_minus(r, 'fd_pixels', 2)} | "
                     f"{plus_minus(r, 'precision', 3)} | {plus_minus(r, 'recall', 3)} | {plus_minus(r, 'kid', 2)} | "
                     f"{plus_minus(r, 'class_rate', 3)} | {vs} | {r.get('verdict_vs_control', '')} |")
    return "\n".join(lines)


PANELS = (("ddpm", 2.5, "DDPM, CFG 2.5"), ("ddpm", 0.0, "DDPM, unconditional"), ("flow", 0.0, "rectified flow"))
PLOT_METRICS = (("fd", "FD, classifier features (lower = better)"), ("fd_pixels", "pixel FD (lower = better)"),
                ("precision", "precision, k = 3 (higher = better)"), ("recall", "recall, k = 3 (higher = better)"))


def plot_nfe(out, rows):
    """quality_vs_nfe.png: one column per setting, one row per metric, one line per sampler, error bars = sd over
    seeds. Only the grid's own NFE values are drawn (Table-5 extra cells sit in the table)."""
    panels = [p for p in PANELS if any(r["setting"] == p[0] and r["cfg"] == p[1] for r in rows)]
    # Any other guidance scale of the grid (e.g. the CFG++ rows' smaller ones) gets a column of its own.
    panels += [("ddpm", cfg, f"DDPM, CFG {cfg:g}") for cfg in sorted({r["cfg"] for r in rows if r["setting"] == "ddpm"},
                                                                       reverse=True)
               if all(p[:2] != ("ddpm", cfg) for p in PANELS)]
    samplers = list(dict.fromkeys(r["sampler"] for r in rows))
    style = distinct_styles(samplers)
    grid = []
    for row_i, (metric, label) in enumerate(PLOT_METRICS):
        grid.append([])
        for col, (setting, cfg, title) in enumerate(panels):
            sub = [r for r in rows if r["setting"] == setting and r["cfg"] == cfg]
            lines = []
            for name in samplers:
                ours = "GMM" in name
                control = "CONTROL" in name
                # DDIM-GMM thick, its controls dashed, DDIM / RFIM (euler) black dotted, the rest thin.
                kw = dict(style[name], ls="--" if control else "-", lw=2.2 if ours or control else 0.9, ms=3.5)
                if name == "euler":
                    kw.update(color="black", ls=":", lw=1.6)
                lines.append((name, sorted((r["nfe"], r[metric], r[metric + "_std"]) for r in sub
                                           if r["sampler"] == name and metric in r), kw))
            grid[-1].append(dict(lines=lines, xticks=sorted({r["nfe"] for r in sub}),
                                 log_y=metric in ("fd", "fd_pixels"), title=title if row_i == 0 else None,
                                 xlabel="model evaluations (NFE)" if row_i == len(PLOT_METRICS) - 1 else None,
                                 ylabel=label if col == 0 else None, ylabel_size=8))
    plot(os.path.join(out, "quality_vs_nfe.png"), grid, (5.2, 3.3), dpi=100, legend="figure")
