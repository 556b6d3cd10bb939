"""`python -m ddim_gmm` (or `ddim-gmm`): the demo and the benchmarks of the DDIM-GMM / RFIM-GMM samplers.

Each command lives in its own module (its docstring is the command's --help), imported when the parser is built, and
exposes add_arguments(parser) and run(args). `python -m ddim_gmm COMMAND --help` shows a command's options with their
defaults. Results go under out/ (git-ignored) unless --out says otherwise, and a benchmark never replaces results
already in its --out folder (the committed ones under bench/results/ included) unless --overwrite is given; bench
quality and bench compare instead reuse and extend the cache in their --out folder. The samplers themselves are a
library (ddim_gmm.sampling) and a ComfyUI node pack: see the README.
"""
import argparse
import importlib
import math
from pathlib import Path

# command path -> (module, help)
COMMANDS = {
    ("demo",): ("ddim_gmm.demo", "sample a grid with the embedded model and print a short quality table"),
    ("bench", "quality"): ("ddim_gmm.bench.quality", "the paper's comparison at small scale (CSV, markdown, plot)"),
    ("bench", "compare"): ("ddim_gmm.bench.compare", "every sampler at equal NFE: which one should I pick?"),
    ("bench", "speed"): ("ddim_gmm.bench.speed", "the sampler's own cost next to DDIM (CSV, markdown)"),
    ("bench", "gpu"): ("ddim_gmm.bench.gpu", "the samplers proved on a GPU: device tests, CPU agreement, speed, memory"),
    ("bench", "comfy-peers"): ("ddim_gmm.bench.comfy_peers",
                               "ComfyUI's own samplers through ComfyUI's sampling path (needs COMFYUI_PATH)"),
    ("bench", "sde-mixture"): ("ddim_gmm.bench.sde_mixture",
                               "an SDE sampler with its Gaussian noise swapped for the moment-matched mixture"),
    ("bench", "soak"): ("ddim_gmm.bench.host.soak",
                        "a long queue of prompts through a real ComfyUI server on a random SD1.5 model (needs "
                        "COMFYUI_PATH)"),
}


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (whole paragraphs and lists), every option with its default."""


def number(kind=float, low=-math.inf, high=math.inf, low_open=False):
    """An argparse `type` for a finite number (kind int or float) in [low, high] ((low, high] if low_open): a bad value
    is an argparse error naming the option and the range, not a traceback."""
    kind_name = "an integer" if kind is int else "a number"
    low_bracket = "(" if low_open else "["
    where = f" in {low_bracket}{low:g}, {high:g}]" if high < math.inf else \
        f" {'>' if low_open else '>='} {low:g}" if low > -math.inf else ""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind_name}{where}, got {text!r}") from None
        if not math.isfinite(value) or value < low or value > high or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"must be {kind_name}{where}, got {text!r}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def refuse_overwrite(folder, names, overwrite):
    """A ValueError (one line from the shell) if `folder` already holds any of the result files `names` and
    --overwrite was not given: a run never replaces results, the committed ones under bench/results/ included,
    unless asked."""
    existing = [name for name in names if (Path(folder) / name).exists()]
    if existing and not overwrite:
        raise ValueError(f"--out {folder} already holds {', '.join(existing)}; pass --overwrite to replace them, or "
                         f"choose another --out")


def build_parser():
    commands = "\n".join(f"  {' '.join(path):<22}{help_text}" for path, (_, help_text) in COMMANDS.items())
    parser = argparse.ArgumentParser(prog="python -m ddim_gmm", description=__doc__, formatter_class=HelpFormatter,
                                     epilog=f"commands:\n{commands}")
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups = {}
    for path, (module, help_text) in COMMANDS.items():
        options = dict(help=help_text, description=help_text, formatter_class=HelpFormatter)
        if len(path) == 1:
            sub = top.add_parser(path[0], **options)
        else:
            if path[0] not in groups:
                group = top.add_parser(path[0], help="benchmarks", description="benchmarks",
                                       formatter_class=HelpFormatter)
                groups[path[0]] = group.add_subparsers(dest="which", required=True, metavar="BENCHMARK")
            sub = groups[path[0]].add_parser(path[1], **options)
        sub.set_defaults(module=module)
        try:
            command = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if not module.startswith(error.name or "?"):
                raise
            sub.set_defaults(missing=True)
            continue
        sub.description = command.__doc__ or help_text
        command.add_arguments(sub)
    return parser


def main(argv=None):
    """Runs one command. From the shell (argv None) a bad value the command finds only once it runs (a ValueError)
    is one line on stderr and exit status 2, as argparse's own errors are; called with argv, it raises."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if getattr(args, "missing", False):
        raise SystemExit(f"not yet: {args.module} is not available in this version")
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return importlib.import_module(args.module).run(args)
    except ValueError as error:
        if argv is not None:
            raise
        parser.exit(2, f"{parser.prog}: error: {error}\n")


if __name__ == "__main__":
    main()
