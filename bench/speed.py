"""`python -m ddim_gmm bench speed`: the sampler's own cost next to DDIM, measured side by side in one run.

With a near-free denoiser (it returns its input, so only the sampler's arithmetic is timed), batch 1, Karras steps,
every preset is timed against k-diffusion's sample_euler_ancestral(eta=1) (= DDIM). Per-step presets are also
compared with their floor: DDIM plus, per step, drawing the D x K Gaussian matrix (and its reduced QR for ORTHO),
which any per-step variant must do. Each figure is the minimum over repeats; runs are interleaved round by round so a
background load hits every sampler alike.
"""

import csv
import sys
from pathlib import Path

import torch
from tqdm.auto import tqdm

from ..cli import number, refuse_overwrite
from ..sampling import PRESETS, draw_mixture, preset_options, sample_ddim_gmm
from ..sampling.mixture import uniform_priors
from ..sampling.samplers import FiniteWatch, check_latent
from .timing import floor_for, floor_model, floor_name, karras_sigmas, near_free_model, time_call

SHAPES = {"4x64x64": (4, 64, 64), "4x128x128": (4, 128, 128), "16x128x128": (16, 128, 128)}
# The speed goals: max ratio to DDIM (shared presets, exact), to the floor (per-step presets)
GOALS = {"shared": 1.3, "exact": 2.5, "per-step": 1.5}


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_speed",
                        help="folder for speed.csv, speed_model.csv and speed.md (the committed tables are in "
                             "bench/results/speed)")
    parser.add_argument("--overwrite", action="store_true", help="replace result files already in --out")
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=list(SHAPES) + ["4x16x16"],
                        help="latent shapes C x H x W")
    parser.add_argument("--components", nargs="+", type=number(int, 1), default=[8, 64, 256],
                        help="K values (at most D of every shape)")
    parser.add_argument("--steps", type=number(int, 1), default=20, help="Karras steps")
    parser.add_argument("--repeats", type=number(int, 1), default=5, help="rounds; each figure is the minimum")
    parser.add_argument("--threads", type=number(int, 0), default=0, help="torch threads (0 = torch's default)")
    parser.add_argument("--axes", action="store_true",
                        help="vary one thing at a time: every shape at the first K, every K at 4x128x128 (or the "
                             "first shape), instead of every shape x K")
    parser.add_argument("--model-batches", nargs="*", type=number(int, 1), default=[1, 16],
                        help="batch sizes for the end-to-end run with the embedded DDPM (none to skip)")
    parser.add_argument("--baseline", default=None,
                        help="a folder holding another version of the package (e.g. `git archive COMMIT | tar -x "
                             "-C DIR`): its DDIM-GMM presets are timed in the same rounds, as '<preset> @baseline', "
                             "to measure what a change costs on a machine that is not idle")


def load_baseline(folder):
    """The sampling package of another version of ddim_gmm (its repository root `folder`), imported under the name
    ddim_gmm_baseline so that both versions run in one process."""
    import importlib.util

    init = Path(folder) / "__init__.py"
    if not (Path(folder) / "sampling" / "samplers.py").is_file():
        raise ValueError(f"--baseline must be a ddim_gmm repository root (with sampling/samplers.py), got {folder}")
    spec = importlib.util.spec_from_file_location("ddim_gmm_baseline", init,
                                                  submodule_search_locations=[str(Path(folder))])
    package = importlib.util.module_from_spec(spec)
    sys.modules["ddim_gmm_baseline"] = package
    spec.loader.exec_module(package)
    return importlib.import_module("ddim_gmm_baseline.sampling")


def candidates(shape, n_components, sigmas, euler_ancestral, baseline=None):
    """name -> (group, zero-argument sampler run); the group says which goal applies."""
    x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(0)) * sigmas[0]
    n_dims = x[0].numel()
    runs = {"DDIM (k-diffusion euler_ancestral, eta=1)": ("reference",
            lambda: euler_ancestral(near_free_model, x, sigmas, eta=1.0, disable=True))}
    for name in [p for p in PRESETS if p.startswith("DDIM-GMM")]:
        options = preset_options(name)
        group = "exact" if options["covariance"] == "exact" else "shared" if options["share_offsets"] else "per-step"
        runs[name] = (group, lambda o=options: sample_ddim_gmm(near_free_model, x, sigmas, seed=0, disable=True,
                                                               eta=1.0, n_components=n_components, **o))
        if baseline is not None:
            runs[f"{name} @baseline"] = ("baseline", lambda o=options: baseline.sample_ddim_gmm(
                near_free_model, x, sigmas, seed=0, disable=True, eta=1.0, n_components=n_components, **o))
    for offsets, covariance in (("rand", "diag"), ("ortho", "diag")):
        runs[f"{offsets.upper()} ({covariance}) shared"] = ("shared", lambda o=offsets, c=covariance: sample_ddim_gmm(
            near_free_model, x, sigmas, seed=0, disable=True, eta=1.0, n_components=n_components, offsets=o,
            covariance=c, share_offsets=True))
    for every_step in (True, False):
        for ortho in (False, True):
            model = floor_model(n_dims, n_components, ortho, torch.Generator().manual_seed(1), every_step)
            runs[floor_name(every_step, ortho)] = (
                "floor", lambda m=model: euler_ancestral(m(), x, sigmas, eta=1.0, disable=True))
    return runs


def init_time(shape, n_components, repeats):
    """ORTHO offsets and what each covariance mode precomputes, once per run (the paper's 590 ms SVD)."""
    n_dims = torch.Size(shape).numel()
    priors = uniform_priors(n_components, "cpu", torch.float32)
    out = {}
    for covariance in ("vub", "exact"):
        generator = torch.Generator().manual_seed(0)
        out[covariance] = min(time_call(lambda: draw_mixture("ortho", covariance, priors, n_dims, generator, "cpu",
                                                             torch.float32)) for _ in range(repeats))
    out.update(check_time(shape))
    return out


def check_time(shape, calls=200):
    """What the finiteness checks cost at batch 1: the latent's, once per run, and the model output's, every step
    (samplers.check_latent and FiniteWatch); the minimum over 10 rounds of `calls` calls."""
    x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(0))
    watch = FiniteWatch(x, [float(i) for i in range(calls + 1)])

    def per_call(fn):
        return min(time_call(lambda: [fn(i) for i in range(calls)]) for _ in range(10)) / calls

    return dict(check_run=per_call(lambda i: check_latent(x)), check_step=per_call(lambda i: watch.see(i, x, x)))


def mixture_bytes(shape, n_components):
    """Extra memory the mixture keeps (float32), measured on the tensors each covariance mode holds."""
    n_dims = torch.Size(shape).numel()
    priors = uniform_priors(n_components, "cpu", torch.float32)
    sizes = {}
    for covariance in ("vub", "diag", "exact"):
        mix = draw_mixture("ortho", covariance, priors, n_dims, torch.Generator().manual_seed(0), "cpu", torch.float32)
        sizes[covariance] = sum(t.numel() * t.element_size() for t in vars(mix).values()
                                if isinstance(t, torch.Tensor))
    return sizes


def measure(shape_name, n_components, steps, repeats, baseline=None):
    from k_diffusion.sampling import sample_euler_ancestral

    sigmas = karras_sigmas(steps)
    runs = candidates(SHAPES.get(shape_name, (4, 16, 16)), n_components, sigmas, sample_euler_ancestral, baseline)
    best = {name: float("inf") for name in runs}
    for fn in [f for _, f in runs.values()]:
        fn()  # warm-up
    order = list(runs.items())
    for round_ in range(repeats):
        # Every other round backwards: a run timed right after its twin (a preset and its @baseline) finds warm
        # caches, worth about 5 % here; alternating the order gives both the same share of that.
        for name, (_, fn) in order if round_ % 2 == 0 else order[::-1]:
            best[name] = min(best[name], time_call(fn))
    reference = best["DDIM (k-diffusion euler_ancestral, eta=1)"]
    rows = []
    for name, (group, _) in runs.items():
        floor = best[floor_for(name, group)] if group in GOALS else float("nan")
        # the goal is against the floor for per-step variants, against DDIM for shared ones
        goal_base = floor if group == "per-step" else reference
        rows.append(dict(shape=shape_name, K=n_components, sampler=name, group=group,
                         ms_per_step=1000 * best[name] / steps, ratio_to_ddim=best[name] / reference,
                         ratio_to_floor=best[name] / floor, goal_ratio=best[name] / goal_base,
                         goal=f"<= {GOALS[group]} x {'floor' if group == 'per-step' else 'DDIM'}"
                         if group in GOALS else ""))
    return rows


def measure_model(steps, repeats, batch):
    """End to end with a real network: the embedded digits DDPM (unconditional, its own schedule), DDIM vs presets."""
    from k_diffusion.sampling import sample_euler_ancestral

    from ..models.denoisers import load_ddpm_denoiser

    model = load_ddpm_denoiser(cfg_scale=1.0)
    sigmas = model.denoiser.get_sigmas(steps)
    x = torch.randn(batch, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * sigmas[0]
    runs = {"DDIM (k-diffusion euler_ancestral, eta=1)": lambda: sample_euler_ancestral(model, x, sigmas, eta=1.0,
                                                                                       disable=True)}
    for name in ("DDIM-GMM-ORTHO-VUB*", "DDIM-GMM-EXACT", "DDIM-GMM-ORTHO-VUB"):
        runs[name] = lambda o=preset_options(name): sample_ddim_gmm(model, x, sigmas, seed=0, disable=True, eta=1.0,
                                                                    **o)
    best = {name: float("inf") for name in runs}
    with torch.inference_mode():
        for fn in runs.values():
            fn()
        for _ in range(repeats):
            for name, fn in runs.items():
                best[name] = min(best[name], time_call(fn))
    reference = best["DDIM (k-diffusion euler_ancestral, eta=1)"]
    return [dict(batch=batch, sampler=name, ms_per_run=1000 * t, overhead_percent=100 * (t / reference - 1))
            for name, t in best.items()]


def write_markdown(path, rows, inits, memory, model_rows=()):
    lines = ["| latent | K | sampler | ms/step | x DDIM | x its floor | goal | met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"] if rows else []
    for r in rows:
        met = "" if not r["goal"] else "yes" if r["goal_ratio"] <= float(r["goal"].split()[1]) else "no"
        floor = "" if r["ratio_to_floor"] != r["ratio_to_floor"] else f"{r['ratio_to_floor']:.2f}"
        lines.append(f"| {r['shape']} | {r['K']} | {r['sampler']} | {r['ms_per_step']:.3f} | "
                     f"{r['ratio_to_ddim']:.2f} | {floor} | {r['goal']} | {met} |")
    lines += ["", "| latent | K | init ORTHO + VUB (ms) | init ORTHO + EXACT (ms) | extra memory vub / diag / exact "
                  "| finiteness checks: per run / per step (us) |",
              "| --- | --- | --- | --- | --- | --- |"] if inits else []
    for (shape, k), t in inits.items():
        m = memory[(shape, k)]
        lines.append(f"| {shape} | {k} | {1000 * t['vub']:.2f} | {1000 * t['exact']:.2f} | "
                     f"{m['vub']:,} / {m['diag']:,} / {m['exact']:,} bytes | "
                     f"{1e6 * t['check_run']:.1f} / {1e6 * t['check_step']:.1f} |")
    if model_rows:
        lines += ["", "| embedded DDPM, 1x16x16 | batch | ms per run | overhead vs DDIM |", "| --- | --- | --- | --- |"]
        lines += [f"| {r['sampler']} | {r['batch']} | {r['ms_per_run']:.1f} | {r['overhead_percent']:+.2f} % |"
                  for r in model_rows]
    path.write_text("\n".join(lines) + "\n")


def run(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    refuse_overwrite(out, ["speed.csv", "speed_model.csv", "speed.md"], args.overwrite)
    rows, inits, memory = [], {}, {}
    cells = [(s, k) for s in args.shapes for k in args.components]
    if args.axes:
        middle = "4x128x128" if "4x128x128" in args.shapes else args.shapes[0]
        cells = [(s, args.components[0]) for s in args.shapes] + [(middle, k) for k in args.components[1:]]
    for shape_name, n_components in cells:  # every bad value before any measuring
        n_dims = torch.Size(SHAPES.get(shape_name, (4, 16, 16))).numel()
        if n_components > n_dims:
            raise ValueError(f"--components must be at most D = {n_dims} for {shape_name}, got {n_components}")
    baseline = None if args.baseline is None else load_baseline(args.baseline)
    out.mkdir(parents=True, exist_ok=True)
    for shape_name, n_components in tqdm(cells, desc="bench speed"):
        shape = SHAPES.get(shape_name, (4, 16, 16))
        rows += measure(shape_name, n_components, args.steps, args.repeats, baseline)
        inits[(shape_name, n_components)] = init_time(shape, n_components, args.repeats)
        memory[(shape_name, n_components)] = mixture_bytes(shape, n_components)
    if rows:
        with open(out / "speed.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    model_rows = [r for batch in args.model_batches for r in measure_model(args.steps, args.repeats, batch)]
    if model_rows:
        with open(out / "speed_model.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(model_rows[0]))
            writer.writeheader()
            writer.writerows(model_rows)
    write_markdown(out / "speed.md", rows, inits, memory, model_rows)
    print((out / "speed.md").read_text())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; wrote {out / 'speed.csv'} and "
          f"{out / 'speed.md'}")
