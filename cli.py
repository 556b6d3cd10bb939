"""`python -m ddim_gmm` / `ddim-gmm`: the demo and the benchmarks. Each command lives in its own module, imported
only when it runs, exposing add_arguments(parser) and run(args)."""

import argparse
import importlib

# command path -> (module, help)
COMMANDS = {
    ("demo",): ("ddim_gmm.demo", "sample a grid with the embedded model and print a short quality table"),
    ("bench", "quality"): ("ddim_gmm.bench.quality", "the paper's comparison at small scale (CSV, markdown, plot)"),
    ("bench", "compare"): ("ddim_gmm.bench.compare", "every sampler at equal NFE: which one should I pick?"),
    ("bench", "speed"): ("ddim_gmm.bench.speed", "the sampler's own cost next to DDIM (CSV, markdown)"),
    ("bench", "comfy-peers"): ("ddim_gmm.bench.comfy_peers",
                               "ComfyUI's own samplers through ComfyUI's sampling path (needs COMFYUI_PATH)"),
    ("bench", "sde-mixture"): ("ddim_gmm.bench.sde_mixture",
                               "an SDE sampler with its Gaussian noise swapped for the moment-matched mixture"),
}


def build_parser():
    parser = argparse.ArgumentParser(prog="ddim-gmm", description=__doc__.split("\n")[0])
    top = parser.add_subparsers(dest="command", required=True)
    groups = {}
    for path, (module, help_text) in COMMANDS.items():
        if len(path) == 1:
            sub = top.add_parser(path[0], help=help_text)
        else:
            if path[0] not in groups:
                groups[path[0]] = top.add_parser(path[0], help="benchmarks").add_subparsers(dest="which", required=True)
            sub = groups[path[0]].add_parser(path[1], help=help_text)
        sub.set_defaults(module=module)
        try:
            importlib.import_module(module).add_arguments(sub)
        except ModuleNotFoundError as error:
            if not module.startswith(error.name or "?"):
                raise
            sub.set_defaults(missing=True)
    return parser


def main(argv=None):
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if getattr(args, "missing", False):
        raise SystemExit(f"not yet: {args.module} is not available in this version")
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return importlib.import_module(args.module).run(args)


if __name__ == "__main__":
    main()
