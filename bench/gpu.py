"""`python -m ddim_gmm bench gpu`: the samplers proved on a device (CUDA by default), in one command.

Writes gpu.json and gpu.md to --out and exits non-zero if any check failed or could not run. Sections:

  tests    the device-generic tests (pytest -m device_generic over tests/, so a test is in by its marker, whatever
           its name or file: equivalence with k-diffusion's euler_ancestral, moment matching, determinism, the
           non-finite error, every preset and control) with their tensors on --device (DDIM_GMM_TEST_DEVICE),
           float32, float16 and bfloat16 latents, one check per file that ran; a skipped test (k-diffusion missing,
           say), or a test module that names the marker and cannot be imported here, is a check that did not run,
           and fails the command.
  cross    same seed, same image across devices: every preset and control on --device against the CPU. The mixture
           is drawn on the CPU, so it must be bit-identical on both; with the default noise sampler (the device's own
           generator) the samples are expected to differ off the CPU, and that difference is reported; with a noise
           sampler drawing on the CPU they must agree to rounding (tolerance stated per dtype).
  speed    bench speed's ratios on the device (each DDIM-GMM preset against DDIM = k-diffusion's euler_ancestral at
           eta = 1, and per-step presets against their floor: DDIM plus each step's D x K Gaussian draw, its QR and
           its copy to the device), with a near-free denoiser, at SD1.5, SDXL, Flux / SD3 and video latents, batch 1
           and 4, timed with CUDA events after a warm-up (perf_counter on the CPU). The kernel's cost per step as a
           percentage of a model step, the model being a stand-in (stated in the table), and the CPU work each
           per-step preset puts on the critical path (drawing the step's mixture on the CPU: randn, QR, copy).
  memory   the extra device memory a run takes (torch.cuda.max_memory_allocated) against K D and the latent: O(K D),
           no D x D anywhere. CUDA only; skipped, with the reason, elsewhere.

Goals (reported, not failed: timings are not checks): the shared presets at most 1.1x their floor, EXACT at most
2.5x DDIM, the per-step presets at most 1.5x their floor (bench speed's), the kernel at most 1 % of a model step.
--quick runs tiny shapes, 3 steps, 1 repeat and only the device-generic tests also marked device_quick (some of
every file): the test suite runs it on the CPU.

On a machine without network, carry what is missing as wheels (pytest and hypothesis for the tests; k-diffusion,
torchsde and trampoline for the anchor: bench/anchor.py imports k_diffusion.sampling without the rest of
k-diffusion's stack). See the README's GPU section for the exact commands.
"""

import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from importlib.util import find_spec
from pathlib import Path

import torch

from ..cli import number, refuse_overwrite
from ..sampling import (PRESETS, preset_options, sample_ddim, sample_ddim_control, sample_ddim_gmm, sample_rfim_control,
                        sample_rfim_gmm)
from .anchor import k_diffusion_sampling
from .timing import floor_for, floor_model, floor_name, karras_sigmas, near_free_model

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {"SD1.5 4x64x64": (4, 64, 64), "SDXL 4x128x128": (4, 128, 128), "Flux/SD3 16x128x128": (16, 128, 128),
          "video 16x21x60x104": (16, 21, 60, 104)}
QUICK_SHAPES = {"tiny 4x16x16": (4, 16, 16), "tiny video 4x3x8x8": (4, 3, 8, 8)}
BATCHES = (1, 4)
# max ratio: shared presets to their floor (DDIM + one draw), EXACT to DDIM, per-step presets to their floor
GOALS = {"shared": 1.1, "exact": 2.5, "per-step": 1.5}
KERNEL_GOAL_PERCENT = 1.0
CRITICAL_PATH_PERCENT = 1.0
SECTIONS = ("tests", "cross", "speed", "memory")
# The tests run on the device, chosen by their pytest markers over tests/ (registered in tests/conftest.py): every
# test that takes the `device` fixture, and with --quick the few of them marked for it (some in every such file).
MARKER = "device_generic"
TESTS = MARKER
QUICK_TESTS = f"{MARKER} and device_quick"
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
# cross-device agreement with the noise drawn on the CPU: CROSS_ULPS rounding units of the dtype at the samples' scale
CROSS_ULPS = 16
CARRY_HINT = "carry it as a wheel (README, GPU section)"


def add_arguments(parser):
    parser.add_argument("--device", default=None,
                        help="the device to prove (cuda, cuda:1, cpu, ...); default cuda when available, else cpu")
    parser.add_argument("--out", default="out/bench_gpu", help="folder for gpu.json, gpu.md and tests.xml")
    parser.add_argument("--overwrite", action="store_true", help="replace result files already in --out")
    parser.add_argument("--quick", action="store_true",
                        help="tiny shapes, 3 steps, 1 repeat, the tests marked device_quick (what the test suite runs)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="what to run")
    parser.add_argument("--steps", type=number(int, 2), default=None, help="Karras steps (default 20; --quick 3)")
    parser.add_argument("--repeats", type=number(int, 1), default=None,
                        help="timed rounds per sampler, each figure the minimum (default 3; --quick 1)")
    parser.add_argument("--budget", type=number(float, 0.0), default=4.0,
                        help="seconds of timed runs per sampler and cell after which no further round is started "
                             "(at least one always runs)")
    parser.add_argument("--components", type=number(int, 1), default=8, help="K, the mixture's components")


# ---------------------------------------------------------------------------------------------------- checks

def check(section, name, status, detail=""):
    """One line of the verdict: status passed, failed, 'not run' (a failure: nothing was proved) or skipped (not
    applicable here, with the reason; not a failure)."""
    assert status in ("passed", "failed", "not run", "skipped"), status
    return dict(section=section, name=name, status=status, detail=detail)


def verdict(checks):
    """The checks that fail the command: failed ones, and those that did not run."""
    return [c for c in checks if c["status"] in ("failed", "not run")]


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(device, fn):
    """Seconds fn() takes on `device`: CUDA events around it (the device's own clock, everything queued between the
    two events, the host's waits included), perf_counter elsewhere."""
    if device.type == "cuda":
        sync(device)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1000
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def internals():
    """The sampler internals this command reads (the mixture a run draws, step by step). In one place: if they move
    inside ddim_gmm.sampling, only this function changes."""
    from ..sampling.samplers import MixtureSource, check_options, gmm_generator

    return MixtureSource, check_options, gmm_generator


# ---------------------------------------------------------------------------------------------------- environment

def environment(device):
    env = dict(python=platform.python_version(), platform=platform.platform(), torch=torch.__version__,
               torch_cuda=torch.version.cuda, device=str(device), cpu_count=os.cpu_count(),
               torch_threads=torch.get_num_threads())
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(device_name=props.name, capability=f"{props.major}.{props.minor}",
                   memory_gib=round(props.total_memory / 2**30, 1), multiprocessors=props.multi_processor_count,
                   matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32,
                   cudnn_allow_tf32=torch.backends.cudnn.allow_tf32)
    else:
        env.update(device_name=platform.processor() or platform.machine())
    packages = {}
    for name in ("pytest", "hypothesis"):
        packages[name] = "installed" if find_spec(name) is not None else "missing"
    packages["k_diffusion.sampling"] = "importable" if k_diffusion_sampling() is not None else \
        f"missing: {k_diffusion_sampling.missing}"
    env["packages"] = packages
    try:
        env["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                       timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        env["commit"] = "unknown"
    return env


# ---------------------------------------------------------------------------------------------------- tests

def run_tests(device, out, quick):
    """pytest over tests/ selecting by marker (TESTS, or QUICK_TESTS with --quick), DDIM_GMM_TEST_DEVICE=device; a
    check per test file that ran, the files read from the junit report."""
    section = "tests"
    tests = ROOT / "tests"
    if not tests.is_dir():
        reason = f"no tests/ folder under {ROOT} (an installed package ships none: run from a checkout)"
        return dict(not_run=reason), [check(section, "device-generic tests", "not run", reason)]
    if find_spec("pytest") is None:
        reason = f"pytest is not installed: {CARRY_HINT}"
        return dict(not_run=reason), [check(section, "device-generic tests", "not run", reason)]
    xml = out / "tests.xml"
    # xunit1: every testcase carries its file. A module that fails to import (a dependency this machine lacks) must
    # not stop the others: it is reported below.
    command = [sys.executable, "-m", "pytest", "-m", QUICK_TESTS if quick else TESTS, "-q", "-p", "no:cacheprovider",
               "--continue-on-collection-errors", "-o", "junit_family=xunit1", f"--junitxml={xml}", f"--rootdir={ROOT}",
               str(tests)]
    env = dict(os.environ, DDIM_GMM_TEST_DEVICE=str(device))
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    summary = dict(command=shlex.join(command[1:]), returncode=done.returncode, seconds=round(seconds, 1),
                   output_tail=(done.stdout + done.stderr)[-3000:])
    if not xml.is_file():
        return summary, [check(section, "device-generic tests", "failed",
                               f"pytest exited {done.returncode} without a report: {done.stderr[-500:]}")]
    per_file, per_dtype, problems, uncollected = {}, {}, [], {}
    for case in ElementTree.parse(xml).getroot().iter("testcase"):
        name, file = case.get("name", ""), case_file(case)
        collection = [child for child in case if child.get("message") in ("collection failure", "collection skipped")]
        if collection and not case.get("classname"):  # the module itself failed to import, or skipped as a whole
            uncollected[file] = ((collection[0].text or "").strip().splitlines() or [""])[-1][:300]
            continue
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped" and outcome == "passed":
                outcome = "skipped"
            if child.tag in ("failure", "error", "skipped"):
                problems.append(dict(test=f"{file}::{name}", outcome=child.tag,
                                     message=(child.get("message") or child.text or "")[:300]))
        per_file.setdefault(file, dict(passed=0, failed=0, skipped=0))[outcome] += 1
        dtype = next((d for d in ("bfloat16", "float16", "float32", "float64") if d in name), "other")
        per_dtype.setdefault(dtype, dict(passed=0, failed=0, skipped=0))[outcome] += 1
    summary.update(per_file=dict(sorted(per_file.items())), per_dtype=per_dtype, problems=problems[:50],
                   uncollected=dict(sorted(uncollected.items())))
    checks = []
    for file, counts in summary["per_file"].items():
        if counts["failed"]:
            status = "failed"
        elif counts["skipped"]:
            status = "not run"
        else:
            status = "passed"
        reasons = sorted({p["message"] for p in problems if p["test"].startswith(f"{file}::")})[:3]
        checks.append(check(section, f"{file} on {device}", status,
                            f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
                            + (f"; {' | '.join(reasons)}" if reasons and status != "passed" else "")))
    for file, reason in summary["uncollected"].items():
        # A module that names the marker may hold device-generic tests that never ran; any other one is not this
        # command's concern (say, a host test's dependency missing here).
        marked = MARKER in (ROOT / file).read_text(errors="replace") if (ROOT / file).is_file() else True
        checks.append(check(section, f"{file}: could not be collected", "not run" if marked else "skipped",
                            reason + ("" if marked else f" (no {MARKER} test in it)")))
    if not per_file:
        checks.append(check(section, "device-generic tests", "not run",
                            f"`-m {QUICK_TESTS if quick else TESTS!r}` selected no test under {tests}"))
    if done.returncode not in (0, 1, 5):  # 1: some tests failed, 5: none selected (both reported above)
        checks.append(check(section, "pytest", "failed", f"pytest exited {done.returncode}: {done.stdout[-500:]}"))
    return summary, checks


def case_file(case):
    """The file of a junit testcase, relative to the repository root: its `file` attribute (xunit1), else the module
    its dotted classname names."""
    if case.get("file"):
        return case.get("file")
    parts = (case.get("classname") or case.get("name") or "").split(".")
    for n in range(len(parts), 0, -1):
        if (ROOT / "/".join(parts[:n])).with_suffix(".py").is_file():
            return "/".join(parts[:n]) + ".py"
    return "unknown"


# ---------------------------------------------------------------------------------------------------- cross-device

def toy_denoiser(x, sigma, **extra):
    """A smooth stand-in denoiser (tests/_toys.py's shrink_model): the same function on every device."""
    sigma = sigma.reshape(-1, *([1] * (x.ndim - 1))).to(x.dtype)
    return (x + 0.1 * sigma**2) / (1 + sigma**2)


def cross_samplers():
    """name -> (sampler, flow, options) for every preset and the controls (both matches)."""
    out = {name: (sample_rfim_gmm if name.startswith("RFIM") else sample_ddim_gmm, name.startswith("RFIM"),
                  preset_options(name)) for name in PRESETS}
    for flow, control in ((False, sample_ddim_control), (True, sample_rfim_control)):
        for match in ("offsets", "total"):
            out[f"{'RFIM' if flow else 'DDIM'}-GMM control ({match})"] = (control, flow, dict(match=match))
    return out


def schedule(flow, steps):
    return torch.linspace(1.0, 0.0, steps + 1) if flow else karras_sigmas(steps)


def mixture_steps(options, n_dims, batch, sigmas, flow, seed, device):
    """Every step's (mixture, scale, component indices, coefficients) as a run on `device` draws them, on the CPU."""
    from ..sampling import ddim_step, rfim_step, sigmas_to_floats

    MixtureSource, check_options, gmm_generator = internals()
    gmm = {k: v for k, v in options.items() if k not in ("match", "seed")}
    opts = check_options(n_dims, **gmm)
    levels = sigmas_to_floats(sigmas, flow=flow)
    make_step = rfim_step if flow else ddim_step
    steps = [make_step(a, b, opts.eta) if b > 0 else None for a, b in zip(levels[:-1], levels[1:])]
    x = torch.zeros(1, device=device)
    source = MixtureSource(opts, n_dims, batch, [st.var if st else 0.0 for st in steps], gmm_generator(x, seed),
                           device, torch.float32)
    out = []
    for i, st in enumerate(steps):
        if st is None:
            continue
        mix, scale, components, coefficients = source.at(i)
        tensors = {f"mixture.{k}": v for k, v in vars(mix).items() if isinstance(v, torch.Tensor)}
        tensors.update(scale=scale, components=components, coefficients=coefficients)
        out.append({k: v.cpu() if isinstance(v, torch.Tensor) else v for k, v in tensors.items()})
    return out


def same_mixtures(a, b):
    return len(a) == len(b) and all(
        x.keys() == y.keys() and all(torch.equal(x[k], y[k]) if isinstance(x[k], torch.Tensor) else x[k] == y[k]
                                     for k in x) for x, y in zip(a, b))


def cpu_noise_sampler(shape, dtype, device, seed):
    """Gaussian noise from a CPU generator, handed over on `device` (ComfyUI draws its noise on the CPU too)."""
    generator = torch.Generator().manual_seed(seed)
    return lambda sigma, sigma_next: torch.randn(shape, generator=generator).to(device, dtype)


def cross_device(device, quick, steps):
    section = "cross"
    cpu = torch.device("cpu")
    shape = (1, 4, 8, 8) if quick else (1, 4, 64, 64)
    rows, checks = [], []
    for name, (sampler, flow, options) in cross_samplers().items():
        sigmas = schedule(flow, steps)
        options = dict(options, eta=0.7, s=1.0 if flow else 3.0, n_components=8, priors="random")
        seed = 123
        n_dims = math.prod(shape[1:])
        identical = same_mixtures(mixture_steps(options, n_dims, shape[0], sigmas, flow, seed, device),
                                  mixture_steps(options, n_dims, shape[0], sigmas, flow, seed, cpu))
        checks.append(check(section, f"{name}: mixture on {device} = mixture on cpu (bit for bit)",
                            "passed" if identical else "failed"))
        for dtype_name, dtype in DTYPES.items():
            x = (torch.randn(shape, generator=torch.Generator().manual_seed(5)) * sigmas[0]).to(dtype)

            def both(noise):
                ref = sampler(toy_denoiser, x, sigmas, disable=True, seed=seed,
                              noise_sampler=noise(cpu) if noise else None, **options)
                got = sampler(toy_denoiser, x.to(device), sigmas.to(device), disable=True, seed=seed,
                              noise_sampler=noise(device) if noise else None, **options)
                return ref, got.cpu()

            ref, got = both(None)
            default_diff = (got.double() - ref.double()).abs().max().item()
            ref_c, got_c = both(lambda d: cpu_noise_sampler(shape, dtype, d, 9))
            scale = ref_c.abs().max().item()
            tolerance = CROSS_ULPS * torch.finfo(dtype).eps * max(1.0, scale)
            cpu_noise_diff = (got_c.double() - ref_c.double()).abs().max().item()
            finite = bool(torch.isfinite(got_c).all() and torch.isfinite(got).all())
            rows.append(dict(sampler=name, dtype=dtype_name, mixture_identical=identical,
                             default_noise_max_abs_diff=default_diff, cpu_noise_max_abs_diff=cpu_noise_diff,
                             tolerance=tolerance, scale=scale))
            ok = finite and cpu_noise_diff <= tolerance
            checks.append(check(section, f"{name} {dtype_name}: CPU noise, {device} vs cpu",
                                "passed" if ok else "failed",
                                f"max |diff| {cpu_noise_diff:.3g} (tolerance {tolerance:.3g})"
                                + ("" if finite else "; non-finite samples")))
            if device.type == "cpu":  # the same generator on the same device: the same samples
                checks.append(check(section, f"{name} {dtype_name}: default noise, cpu vs cpu",
                                    "passed" if default_diff == 0 else "failed", f"max |diff| {default_diff:.3g}"))
    return dict(shape=list(shape), steps=steps, seed=123, cross_ulps=CROSS_ULPS,
                note="default noise: the device's own generator (a different stream off the CPU; reported, not "
                     "checked there); CPU noise: drawn on the CPU and moved, so the samples must agree",
                rows=rows), checks


# ---------------------------------------------------------------------------------------------------- speed

class ResBlock(torch.nn.Module):
    def __init__(self, c_in, c_out, groups):
        super().__init__()
        self.norm1, self.conv1 = torch.nn.GroupNorm(groups, c_in), torch.nn.Conv2d(c_in, c_out, 3, padding=1)
        self.norm2, self.conv2 = torch.nn.GroupNorm(groups, c_out), torch.nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = torch.nn.Identity() if c_in == c_out else torch.nn.Conv2d(c_in, c_out, 1)

    def forward(self, x):
        h = self.conv1(torch.nn.functional.silu(self.norm1(x)))
        return self.skip(x) + self.conv2(torch.nn.functional.silu(self.norm2(h)))


class StandIn(torch.nn.Module):
    """A convolution-only U-Net with SD1.5's channel layout (320 / 640 / 1280 / 1280, 2 res blocks per level down,
    3 up, stride-2 down- and nearest upsampling, additive skips), without attention or text conditioning: 435M
    parameters and about 290 GFLOP per step at 4x64x64, less than SD1.5's UNet with its attention layers (and CFG
    doubles a real step), so the kernel's share of a step it reports errs high. Video latents (B, C, T, H, W) run
    frame by frame."""

    def __init__(self, channels, widths=(320, 640, 1280, 1280), down=2, up=3, groups=32):
        super().__init__()
        self.conv_in = torch.nn.Conv2d(channels, widths[0], 3, padding=1)
        self.down, self.downsample = torch.nn.ModuleList(), torch.nn.ModuleList()
        c = widths[0]
        for i, w in enumerate(widths):
            self.down.append(torch.nn.Sequential(*[ResBlock(c if j == 0 else w, w, groups) for j in range(down)]))
            c = w
            self.downsample.append(torch.nn.Conv2d(w, w, 3, stride=2, padding=1) if i < len(widths) - 1 else None)
        self.mid = torch.nn.Sequential(ResBlock(c, c, groups), ResBlock(c, c, groups))
        self.up, self.upconv = torch.nn.ModuleList(), torch.nn.ModuleList()
        for i, w in reversed(list(enumerate(widths))):
            self.up.append(torch.nn.Sequential(*[ResBlock(c if j == 0 else w, w, groups) for j in range(up)]))
            c = w
            self.upconv.append(torch.nn.Conv2d(w, widths[i - 1], 3, padding=1) if i > 0 else None)
            c = widths[i - 1] if i > 0 else w
        self.norm_out, self.conv_out = torch.nn.GroupNorm(groups, widths[0]), torch.nn.Conv2d(widths[0], channels, 3,
                                                                                                padding=1)

    def forward(self, x, sigma=None, **extra):
        shape = x.shape
        if x.ndim == 5:  # (B, C, T, H, W) -> (B T, C, H, W)
            x = x.transpose(1, 2).reshape(-1, shape[1], *shape[3:])
        h, skips = self.conv_in(x), []
        for block, down in zip(self.down, self.downsample):
            h = block(h)
            skips.append(h)
            if down is not None:
                h = down(h)
        h = self.mid(h)
        for block, conv in zip(self.up, self.upconv):
            h = block(h + skips.pop())
            if conv is not None:
                h = conv(torch.nn.functional.interpolate(h, size=skips[-1].shape[-2:], mode="nearest"))
        h = self.conv_out(torch.nn.functional.silu(self.norm_out(h)))
        if len(shape) == 5:
            h = h.reshape(shape[0], shape[2], shape[1], *shape[3:]).transpose(1, 2)
        return h


def conv_flops(model, x):
    """2 x multiply-adds of every convolution in one forward pass (hooks on a dry run)."""
    total = []

    def hook(module, inputs, output):
        kh, kw = module.kernel_size
        total.append(2 * output.numel() * (module.in_channels // module.groups) * kh * kw)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.inference_mode():
        model(x)
    for h in handles:
        h.remove()
    return sum(total)


def stand_in_step(shape, batch, device, quick, repeats):
    """(seconds per model step, description) of the stand-in at this latent."""
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    options = dict(widths=(16, 32, 32), down=1, up=1, groups=8) if quick else {}
    with torch.device(device):
        model = StandIn(shape[0], **options).to(dtype).eval()
    x = torch.randn(batch, *shape, device=device, dtype=dtype)
    flops = conv_flops(model, x)
    with torch.inference_mode():
        for _ in range(2):
            model(x)
        best = min(timed(device, lambda: model(x)) for _ in range(max(repeats, 3)))
    params = sum(p.numel() for p in model.parameters())
    what = (f"conv U-Net stand-in ({'tiny, widths 16/32/32' if quick else 'SD1.5 widths 320/640/1280/1280'}, "
            f"{params / 1e6:.3g}M parameters, {str(dtype).removeprefix('torch.')}, {flops / 1e9:.3g} GFLOP/step)")
    del model
    return best, what, flops


def speed_candidates(x, sigmas, n_components, euler_ancestral):
    n_dims = x[0].numel()
    reference = ("DDIM (k-diffusion euler_ancestral, eta=1)" if euler_ancestral is not None
                 else "DDIM (ddim_gmm sample_ddim, eta=1; k-diffusion missing)")
    runs = {reference: ("reference", (lambda: euler_ancestral(near_free_model, x, sigmas, eta=1.0, disable=True))
                        if euler_ancestral is not None else
                        (lambda: sample_ddim(near_free_model, x, sigmas, eta=1.0, disable=True, seed=0)))}
    for name in [p for p in PRESETS if p.startswith("DDIM-GMM")]:
        options = preset_options(name)
        group = "exact" if options["covariance"] == "exact" else "shared" if options["share_offsets"] else "per-step"
        runs[name] = (group, lambda o=options: sample_ddim_gmm(near_free_model, x, sigmas, seed=0, disable=True,
                                                               eta=1.0, n_components=n_components, **o))
    for every_step in (True, False):
        for ortho in (False, True):
            model = floor_model(n_dims, n_components, ortho, torch.Generator().manual_seed(1), every_step, x.device)
            runs[floor_name(every_step, ortho)] = ("floor", lambda m=model: (
                euler_ancestral(m(), x, sigmas, eta=1.0, disable=True) if euler_ancestral is not None
                else sample_ddim(m(), x, sigmas, eta=1.0, disable=True, seed=0)))
    return reference, runs


def critical_path(name, n_dims, batch, sigmas, device, n_components, steps_timed=3):
    """Seconds per step a per-step preset spends on the host drawing the step's mixture (randn, QR, coefficients,
    copy to the device): MixtureSource.at(i), what the loop waits for before it can queue the step."""
    from ..sampling import ddim_step, sigmas_to_floats

    MixtureSource, check_options, gmm_generator = internals()
    opts = check_options(n_dims, eta=1.0, n_components=n_components, **preset_options(name))
    levels = sigmas_to_floats(sigmas)
    variances = [ddim_step(a, b, 1.0).var if b > 0 else 0.0 for a, b in zip(levels[:-1], levels[1:])]
    source = MixtureSource(opts, n_dims, batch, variances, gmm_generator(torch.zeros(1), 0), device, torch.float32)
    source.at(0)
    count = min(steps_timed, len(variances) - 1)
    return min(timed(device, lambda i=i: source.at(i)) for i in range(count)) if count > 0 else float("nan")


def speed(device, quick, steps, repeats, budget, n_components):
    section = "speed"
    k_sampling = k_diffusion_sampling()
    euler_ancestral = None if k_sampling is None else k_sampling.sample_euler_ancestral
    checks = [] if k_sampling is not None else [
        check(section, "DDIM reference (k-diffusion euler_ancestral)", "not run",
              f"{k_diffusion_sampling.missing}; timed against ddim_gmm's sample_ddim instead; {CARRY_HINT}")]
    shapes = QUICK_SHAPES if quick else SHAPES
    rows, models, paths = [], [], []
    for shape_name, shape in shapes.items():
        n_dims = math.prod(shape)
        for batch in BATCHES:
            x = (torch.randn(batch, *shape, generator=torch.Generator().manual_seed(0)) * 14.6146).to(device)
            sigmas = karras_sigmas(steps).to(device)
            reference, runs = speed_candidates(x, sigmas, n_components, euler_ancestral)
            best = {name: math.inf for name in runs}
            spent = {name: 0.0 for name in runs}
            with torch.inference_mode():
                for _, fn in runs.values():
                    fn()  # warm-up
                for round_ in range(repeats):
                    order = list(runs.items())
                    for name, (_, fn) in order if round_ % 2 == 0 else order[::-1]:
                        if round_ > 0 and spent[name] >= budget:
                            continue
                        seconds = timed(device, fn)
                        best[name], spent[name] = min(best[name], seconds), spent[name] + seconds
            model_step, stand_in, flops = stand_in_step(shape, batch, device, quick, repeats)
            models.append(dict(shape=shape_name, batch=batch, model_ms_per_step=1000 * model_step, stand_in=stand_in,
                               gflop_per_step=flops / 1e9))
            ddim = best[reference]
            for name, (group, _) in runs.items():
                floor = best[floor_for(name, group)] if group in GOALS else math.nan
                goal_base = ddim if group == "exact" else floor
                goal = (f"<= {GOALS[group]} x {'DDIM' if group == 'exact' else 'floor'}" if group in GOALS else "")
                per_step = best[name] / steps
                rows.append(dict(shape=shape_name, batch=batch, K=n_components, sampler=name, group=group,
                                 ms_per_step=1000 * per_step, ratio_to_ddim=best[name] / ddim,
                                 ratio_to_floor=best[name] / floor, goal=goal,
                                 goal_met=(best[name] / goal_base <= GOALS[group]) if group in GOALS else None,
                                 kernel_percent_of_model_step=100 * per_step / model_step,
                                 overhead_percent_of_model_step=100 * (best[name] - ddim) / steps / model_step))
            for name in [p for p in PRESETS if p.startswith("DDIM-GMM") and not PRESETS[p]["share_offsets"]]:
                host = critical_path(name, n_dims, batch, sigmas, device, n_components)
                paths.append(dict(shape=shape_name, batch=batch, sampler=name, host_ms_per_step=1000 * host,
                                  percent_of_model_step=100 * host / model_step,
                                  exceeds_1_percent=bool(100 * host / model_step > CRITICAL_PATH_PERCENT)))
            del x
            if device.type == "cuda":
                torch.cuda.empty_cache()
    gmm_rows = [r for r in rows if r["group"] in GOALS]
    worst = max(gmm_rows, key=lambda r: r["kernel_percent_of_model_step"], default=None)
    kernel = "no preset timed" if worst is None else (
        f"the kernel's largest share of a model step: {worst['kernel_percent_of_model_step']:.3f} % "
        f"({worst['sampler']}, {worst['shape']}, batch {worst['batch']}; its overhead over DDIM "
        f"{worst['overhead_percent_of_model_step']:+.3f} %): goal <= {KERNEL_GOAL_PERCENT:g} % "
        f"{'met' if worst['kernel_percent_of_model_step'] <= KERNEL_GOAL_PERCENT else 'NOT met'}")
    exceeded = [p for p in paths if p["exceeds_1_percent"]]
    overlap = (f"the per-step presets' host work exceeds {CRITICAL_PATH_PERCENT:g} % of a model step in "
               f"{len(exceeded)} of {len(paths)} cells (worst {max(p['percent_of_model_step'] for p in paths):.2f} "
               f"%): drawing step i+1's mixture while the device runs step i is needed (not implemented: it needs a "
               f"change in ddim_gmm.sampling)" if exceeded else
               f"the per-step presets' host work stays under {CRITICAL_PATH_PERCENT:g} % of a model step in every "
               f"cell: no overlap needed") if paths else "no per-step preset timed"
    return dict(steps=steps, repeats=repeats, budget_s=budget, timer="CUDA events" if device.type == "cuda"
                else "perf_counter", model_note=(models[0]["stand_in"] if models else ""), rows=rows,
                models=models, critical_path=paths, overlap=overlap, kernel=kernel,
                goals=dict(GOALS, kernel_percent=KERNEL_GOAL_PERCENT,
                           note="reported, not checked: timings are figures, not pass/fail")), checks


# ---------------------------------------------------------------------------------------------------- memory

MEMORY_FACTOR = 16  # extra bytes <= 16 x (K + B) x D x 4: O(K D); one D x D float32 matrix is far above it


def memory(device, quick, steps, n_components):
    section = "memory"
    if device.type != "cuda":
        reason = (f"torch.cuda.max_memory_allocated needs a CUDA device (here {device}); bench speed's table gives "
                  f"the mixture's own bytes on the CPU")
        return dict(skipped=reason), [check(section, "memory O(K D)", "skipped", reason)]
    shapes = QUICK_SHAPES if quick else SHAPES
    rows, checks = [], []
    sigmas = karras_sigmas(min(steps, 4)).to(device)  # the peak is reached in the first steps: 4 are enough
    for shape_name, shape in shapes.items():
        n_dims = math.prod(shape)
        for batch in BATCHES:
            x = (torch.randn(batch, *shape, generator=torch.Generator().manual_seed(0)) * 14.6146).to(device)
            runs = {"DDIM (sample_ddim)": lambda: sample_ddim(near_free_model, x, sigmas, disable=True, seed=0)}
            for name in [p for p in PRESETS if p.startswith("DDIM-GMM")]:
                runs[name] = lambda o=preset_options(name): sample_ddim_gmm(
                    near_free_model, x, sigmas, seed=0, disable=True, n_components=n_components, **o)
            for name, fn in runs.items():
                sync(device)
                torch.cuda.empty_cache()
                base = torch.cuda.memory_allocated(device)
                torch.cuda.reset_peak_memory_stats(device)
                out = fn()
                sync(device)
                extra = torch.cuda.max_memory_allocated(device) - base
                del out
                bound = MEMORY_FACTOR * (n_components + batch) * n_dims * 4
                rows.append(dict(shape=shape_name, batch=batch, sampler=name, extra_bytes=extra,
                                 per_latent=extra / (batch * n_dims * 4), per_kd=extra / (n_components * n_dims * 4),
                                 bound_bytes=bound))
                checks.append(check(section, f"{shape_name} batch {batch} {name}: extra memory O(K D)",
                                    "passed" if extra <= bound else "failed",
                                    f"{extra:,} bytes (bound {MEMORY_FACTOR} (K + B) D x 4 = {bound:,})"))
            del x
    return dict(factor=MEMORY_FACTOR, rows=rows), checks


# ---------------------------------------------------------------------------------------------------- output

def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(results):
    env = results["environment"]
    lines = [f"# bench gpu on {env['device']} ({env.get('device_name', '')})", "",
             f"torch {env['torch']} (CUDA {env['torch_cuda']}), Python {env['python']}, commit {env['commit']}, "
             f"{'quick' if results['quick'] else 'full'} mode; packages: "
             + ", ".join(f"{k} {v}" for k, v in env["packages"].items()), "",
             f"**verdict: {results['verdict']}** ({len(results['failures'])} failed or not run of "
             f"{len(results['checks'])} checks)", ""]
    if results["failures"]:
        lines += ["| failed check | status | detail |", "| --- | --- | --- |"]
        lines += [f"| {c['name']} | {c['status']} | {c['detail']} |" for c in results["failures"]]
        lines.append("")
    for name in SECTIONS:
        if "error" in results.get(name, {}):
            lines += [f"## {name}: the section broke", "", f"`{results[name]['error']}`", ""]
    results = {k: v for k, v in results.items() if not (isinstance(v, dict) and "error" in v)}
    tests = results.get("tests")
    if tests is not None:
        lines += ["## Device-generic tests", ""]
        if "per_file" in tests:
            lines += [f"`{tests['command']}` ({tests['seconds']} s)", "", "| file | passed | failed | skipped |",
                      "| --- | --- | --- | --- |"]
            lines += [f"| {f} | {c['passed']} | {c['failed']} | {c['skipped']} |" for f, c in tests["per_file"].items()]
            lines += ["", "| latent dtype in the test's name | passed | failed | skipped |", "| --- | --- | --- | --- |"]
            lines += [f"| {d} | {c['passed']} | {c['failed']} | {c['skipped']} |" for d, c in tests["per_dtype"].items()]
            if tests.get("uncollected"):
                lines += ["", "Test modules that could not be collected here:", ""]
                lines += [f"- {f}: {reason}" for f, reason in tests["uncollected"].items()]
        else:
            lines.append(f"not run: {tests.get('not_run', tests.get('output_tail', ''))}")
        lines.append("")
    cross = results.get("cross")
    if cross is not None:
        lines += ["## Same seed, same image: the device against the CPU", "",
                  f"latent {'x'.join(map(str, cross['shape']))}, {cross['steps']} steps, seed {cross['seed']}; "
                  f"{cross['note']}; tolerance {cross['cross_ulps']} rounding units of the dtype at the samples' "
                  f"scale", "", "| sampler | dtype | mixture identical | default noise: max abs diff | CPU noise: max "
                  "abs diff | tolerance |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {r['sampler']} | {r['dtype']} | {'yes' if r['mixture_identical'] else 'NO'} | "
                  f"{r['default_noise_max_abs_diff']:.3g} | {r['cpu_noise_max_abs_diff']:.3g} | {r['tolerance']:.3g} |"
                  for r in cross["rows"]]
        lines.append("")
    sp = results.get("speed")
    if sp is not None:
        lines += ["## Speed", "", f"{sp['steps']} Karras steps, near-free denoiser, minimum of up to {sp['repeats']} "
                  f"rounds ({sp['timer']}, after a warm-up); model step: {sp['model_note']}. Goals (reported, not "
                  f"checked): shared <= {GOALS['shared']} x floor, EXACT <= {GOALS['exact']} x DDIM, per-step <= "
                  f"{GOALS['per-step']} x floor, kernel <= {KERNEL_GOAL_PERCENT:g} % of a model step.", "",
                  "| latent | batch | sampler | ms/step | x DDIM | x its floor | goal | met | % of model step | "
                  "overhead vs DDIM, % of model step |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in sp["rows"]:
            met = "" if r["goal_met"] is None else "yes" if r["goal_met"] else "no"
            lines.append(f"| {r['shape']} | {r['batch']} | {r['sampler']} | {r['ms_per_step']:.3f} | "
                         f"{r['ratio_to_ddim']:.2f} | {fmt(r['ratio_to_floor'])} | {r['goal']} | {met} | "
                         f"{r['kernel_percent_of_model_step']:.3f} | {r['overhead_percent_of_model_step']:+.3f} |")
        lines += ["", "| latent | batch | model stand-in | GFLOP/step | ms/step |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {m['shape']} | {m['batch']} | {m['stand_in']} | {m['gflop_per_step']:.3g} | "
                  f"{m['model_ms_per_step']:.3f} |" for m in sp["models"]]
        lines += ["", "| latent | batch | per-step preset | host work per step (ms) | % of model step | > 1 % |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {p['shape']} | {p['batch']} | {p['sampler']} | {p['host_ms_per_step']:.3f} | "
                  f"{p['percent_of_model_step']:.3f} | {'yes' if p['exceeds_1_percent'] else 'no'} |"
                  for p in sp["critical_path"]]
        lines += ["", f"Kernel: {sp['kernel']}.", "", f"Critical path: {sp['overlap']}.", ""]
    mem = results.get("memory")
    if mem is not None:
        lines += ["## Memory", ""]
        if "skipped" in mem:
            lines.append(f"skipped: {mem['skipped']}")
        else:
            lines += [f"extra device memory of a run (peak minus what was allocated before it); bound "
                      f"{mem['factor']} (K + B) D x 4 bytes", "",
                      "| latent | batch | sampler | extra bytes | in latents | in K x D floats | bound |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            lines += [f"| {r['shape']} | {r['batch']} | {r['sampler']} | {r['extra_bytes']:,} | {r['per_latent']:.2f} "
                      f"| {r['per_kd']:.2f} | {r['bound_bytes']:,} |" for r in mem["rows"]]
        lines.append("")
    return "\n".join(lines)


def run(args):
    name = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
        torch.empty(1, device=device)
    except (RuntimeError, AssertionError) as error:
        raise ValueError(f"--device {name!r} is not a device this torch can use: {error}") from None
    out = Path(args.out)
    refuse_overwrite(out, ["gpu.json", "gpu.md", "tests.xml"], args.overwrite)
    steps = args.steps or (3 if args.quick else 20)
    repeats = args.repeats or (1 if args.quick else 3)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tests.xml").unlink(missing_ok=True)
    started = time.monotonic()
    results = dict(command=sys.argv[1:], quick=args.quick, environment=environment(device))
    checks = []

    def section(name, fn, *fn_args):
        print(f"bench gpu: {name} ...", flush=True)
        begun = time.monotonic()
        try:
            data, found = fn(*fn_args)
        except Exception as error:  # a section that breaks is a failed check, and the others still run
            data, found = dict(error=repr(error)), [check(name, f"{name} section", "failed", repr(error))]
        data["seconds"] = round(time.monotonic() - begun, 1)
        results[name] = data
        checks.extend(found)
        print(f"bench gpu: {name} done in {data['seconds']} s: {sum(c['status'] == 'passed' for c in found)} checks "
              f"passed, {len(verdict(found))} failed or not run, {sum(c['status'] == 'skipped' for c in found)} "
              f"skipped", flush=True)

    if "tests" in args.sections:
        section("tests", run_tests, device, out, args.quick)
    if "cross" in args.sections:
        section("cross", cross_device, device, args.quick, steps)
    if "speed" in args.sections:
        section("speed", speed, device, args.quick, steps, repeats, args.budget, args.components)
    if "memory" in args.sections:
        section("memory", memory, device, args.quick, steps, args.components)
    failures = verdict(checks)
    results.update(checks=checks, failures=failures, verdict="failed" if failures else "passed",
                   seconds=round(time.monotonic() - started, 1))
    (out / "gpu.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (out / "gpu.md").write_text(markdown(results))
    print((out / "gpu.md").read_text())
    print(f"bench gpu: wrote {out / 'gpu.json'} and {out / 'gpu.md'} in {results['seconds']} s")
    if failures:
        raise SystemExit(f"bench gpu: {len(failures)} check(s) failed or did not run: "
                         + "; ".join(f"{c['name']} ({c['status']})" for c in failures[:10]))
    return 0
