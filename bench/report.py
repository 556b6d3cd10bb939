"""The result tables of the README and docs/results.md, rendered from the committed benchmark results.

Each table is a view of a `results.csv` under bench/results/ (the tables `bench compare` and `bench quality` write
from their caches; `bench sde-mixture` writes `results.json`), so a rerun changes the docs by one command and never
by hand:

    python -m ddim_gmm.bench.report --write README.md docs/results.md

(--check lists the files that are out of date; the test suite checks them.) A region is marked
`<!-- generated:NAME -->` ... `<!-- /generated:NAME -->` with NAME one of TABLES below.
"""

import csv
import json
import sys
import textwrap
from functools import partial
from pathlib import Path

from .. import generated
from .tables import plus_minus, signed

# The clone's folder, also when __file__ is a link (a strict editable install links the files from build/).
RESULTS = Path(__file__).resolve().parent / "results"
OURS = "ddim-gmm"  # the `source` of our rows in bench compare's results.csv
COMFY = ("ComfyUI", "from bench/results/comfy_peers")  # ... and of ComfyUI's: run here, or joined with --include


def read(folder):
    """bench/results/<folder>/results.csv as dicts, numbers as floats, empty cells left out (bench.tables' formats
    take a missing key for no value)."""
    def value(text):
        try:
            return float(text)
        except ValueError:
            return text
    with open(RESULTS / folder / "results.csv", newline="") as f:
        return [{key: value(text) for key, text in row.items() if text != ""} for row in csv.DictReader(f)]


def table(header, rows):
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def change(row, key):
    """A paired change in %: '+mean ± sd', or '' where the row has none."""
    return signed(row, key, unit="") if key in row else ""


def name(row):
    """A sampler's name as the tables show it: ours in bold, ComfyUI's marked *."""
    if row["source"] == OURS:
        return f"**{row['sampler']}**"
    return f"{row['sampler']} *" if row["source"] in COMFY else row["sampler"]


def cell(rows, setting, cfg, nfe):
    return [r for r in rows if r["setting"] == setting and r["cfg"] == cfg and r["nfe"] == nfe]


def compare_cell(setting, cfg, nfe, folder="compare"):
    """Every sampler of one cell of bench compare, sorted by FD."""
    rows = sorted(cell(read(folder), setting, cfg, nfe), key=lambda r: r["fd"])
    return table(["sampler", "steps (NFE)", "FD", "pixel FD", "precision", "recall", "class rate"],
                 [[name(r), f"{r['steps']:.0f} ({r['nfe_used']:.0f})", plus_minus(r, "fd", 0),
                   plus_minus(r, "fd_pixels", 1), plus_minus(r, "precision", 2), plus_minus(r, "recall", 2),
                   plus_minus(r, "class_rate", 3)] for r in rows])


TEN_SEEDS = ("compare_nfe50_cfg0_10seeds", "compare_flow_10seeds")  # bench compare's cells rerun with 10 seeds


def control_rows():
    """Every comparison of a DDIM-GMM / RFIM-GMM row with its matched-noise control: bench compare's 3-seed grid and
    the cells of it rerun with 10 seeds."""
    return [(folder, r) for folder in ("compare", *TEN_SEEDS) for r in read(folder) if "verdict_vs_control" in r]


def rerun_with_10_seeds(row):
    """The 10-seed rerun of a 3-seed comparison, or None."""
    same = ("setting", "cfg", "nfe", "sampler")
    return next((r for folder, r in control_rows() if folder in TEN_SEEDS and all(r[k] == row[k] for k in same)),
                None)


def control_comparisons():
    """The mixture against the sampler it modifies (`euler` / `euler_ancestral`) and against its control, paired, in
    every cell where both ran."""
    return table(["setting", "CFG", "NFE", "mixture", "seeds", "FD vs `euler` / `euler_ancestral` (%)",
                  "FD vs its control (%)", "pixel FD vs its control (%)", "verdict vs its control"],
                 [[r["setting"], f"{r['cfg']:g}", f"{r['nfe']:.0f}", r["sampler"], f"{r['seeds']:.0f}",
                   change(r, "fd_vs_ddim"), change(r, "fd_vs_control"), change(r, "fd_pixels_vs_control"),
                   r["verdict_vs_control"]] for _, r in control_rows()])


def counts(verdicts):
    """(comparisons, no difference, losses, gains) of a list of verdicts."""
    verdicts = list(verdicts)
    return (len(verdicts), verdicts.count("no difference"), verdicts.count("loss"),
            sum(v.startswith("gain") for v in verdicts))


def control_counts(setting):
    """The verdict counts of bench compare's 3-seed grid against the control, for `setting` (None: all)."""
    return counts(r["verdict_vs_control"] for folder, r in control_rows()
                  if folder == "compare" and setting in (None, r["setting"]))


def cfg_pp_control_counts():
    """The verdict counts of `ddim_gmm_cfg_pp` against its CFG++ control, every scale and NFE of compare_cfg_pp."""
    return counts(r["verdict_vs_control"] for r in read("compare_cfg_pp") if "verdict_vs_control" in r)


def control_summary():
    """The counts of the comparisons with the control, per setting, and of the CFG++ ones."""
    rows = [[label, *control_counts(setting)]
            for setting, label in (("ddpm", "DDPM"), ("flow", "rectified flow"), (None, "all"))]
    rows.append(["DDPM, CFG++ (`bench/results/compare_cfg_pp`)", *cfg_pp_control_counts()])
    return table(["comparisons with the control", "comparisons", "no difference", "losses", "gains"], rows)


QUALITY_CONTROLS = {"exact": "exact denoiser", "ddpm_n1797": "DDPM"}


def control_quality(at_least=1.0):
    """bench quality's cells with a control (the exact denoiser, the headline DDPM cell) where the mixture or its
    control moves DDIM's FD by `at_least` % or more: both against DDIM, and the mixture against its control, paired."""
    out = []
    for folder, label in QUALITY_CONTROLS.items():
        rows = read(folder)
        for r in rows:
            if "fd_vs_control_pct" not in r:
                continue
            variant = r["sampler"].split("-GMM-", 1)[1]
            control = next(c for c in rows if c["sampler"] == f"DDIM-CONTROL-{variant}"
                           and all(c[k] == r[k] for k in ("cfg", "steps", "eta")))
            if max(abs(r["fd_change_pct"]), abs(control["fd_change_pct"])) < at_least:
                continue
            out.append([f"{label}, CFG {r['cfg']:g}", f"{r['steps']:.0f}", f"{r['eta']:g}", variant, f"{r['s']:g}",
                        f"{r['n_samples']:.0f} x {r['seeds']:.0f}", change(r, "fd_change_pct"),
                        change(control, "fd_change_pct"), change(r, "fd_vs_control_pct"),
                        change(r, "fd_pixels_vs_control_pct")])
    return table(["setting", "steps", "eta", "mixture", "s", "samples", "mixture vs DDIM: FD (%)",
                  "control vs DDIM: FD (%)", "mixture vs its control: FD (%)", "... pixel FD (%)"], out)


def headline():
    """The README's finding in one paragraph, with the numbers of the comparison."""
    n, same, losses, gains = control_counts(None)
    rows = {r["sampler"]: r for r in cell(read("compare"), "ddpm", 2.5, 10)}
    best, ours, euler = rows["dpmpp_2m_sde"], rows["DDIM-GMM-ORTHO-VUB* eta 0 s 1"], rows["euler"]
    gain_text = "none a gain" if gains == 0 else f"{gains} {'a gain' if gains == 1 else 'gains'}"
    reruns = [rerun_with_10_seeds(r) for folder, r in control_rows()
              if folder == "compare" and r["verdict_vs_control"].startswith("gain")]
    if reruns and None not in reruns:
        left = sum(r["verdict_vs_control"].startswith("gain") for r in reruns)
        gain_text += " (gone when rerun with 10 seeds)" if left == 0 else f" ({left} left when rerun with 10 seeds)"
    loss_text = "is a loss" if losses == 1 else "are losses"
    quality = read("ddpm_n1797")
    mixture = next(r for r in quality if r["sampler"] == "DDIM-GMM-ORTHO-VUB*")
    control = next(r for r in quality if r["sampler"] == "DDIM-CONTROL-ORTHO-VUB*")
    text = (f"On our test models (a small DDPM and a small rectified flow on 16x16 digits) we compared DDIM-GMM with "
            f"its matched-noise control, DDIM plus Gaussian noise of exactly the variance the mixture adds "
            f"(`sample_ddim_control`): of {n} comparisons at 200 samples x 3 seeds, {same} show no difference and "
            f"{losses} {loss_text}, {gain_text}. In the paper's headline cell (10 steps, CFG 2.5, eta 0) with "
            f"{mixture['n_samples']:.0f} samples x {mixture['seeds']:.0f} seeds, DDIM-GMM changes DDIM's FD by "
            f"{change(mixture, 'fd_change_pct')} % and its control by {change(control, 'fd_change_pct')} %; against "
            f"its control the mixture's FD changes by {change(mixture, 'fd_vs_control_pct')} % (pixel FD "
            f"{change(mixture, 'fd_pixels_vs_control_pct')} %). Neither comes near the best standard sampler at the "
            f"same number of model evaluations: at 10 NFE with CFG 2.5 `dpmpp_2m_sde` reaches a classifier FD of "
            f"{plus_minus(best, 'fd', 0)} against {plus_minus(ours, 'fd', 0)} for `ddim_gmm` at eta 0 and "
            f"{plus_minus(euler, 'fd', 0)} for `euler` (= DDIM).")
    return textwrap.fill(text, 118, break_on_hyphens=False)


def exact_grid():
    """The exact denoiser's grid (bench quality, 1797 x 3): per cell DDIM's FD, the mixture with the lowest FD (its
    preset and s) and its paired change, its control's, and NOISE-MATCHED's."""
    rows = read("exact")
    out = []
    for steps, eta in dict.fromkeys((r["steps"], r["eta"]) for r in rows):
        here = [r for r in rows if (r["steps"], r["eta"]) == (steps, eta)]
        ddim = next(r for r in here if r["sampler"] == "DDIM")
        mixtures = [r for r in here if "-GMM-" in r["sampler"] and "s" in r]
        best = min(mixtures, key=lambda r: r["fd_change_pct"])
        variant = best["sampler"].split("-GMM-", 1)[1]
        control = next((r for r in here if r["sampler"] == f"DDIM-CONTROL-{variant}"), None)
        matched = next(r for r in here if r["sampler"] == "DDIM-GMM-NOISE-MATCHED")
        out.append([f"{steps:.0f}", f"{eta:g}", f"{ddim['fd']:.3g}", f"{variant}, s {best['s']:g}",
                    change(best, "fd_change_pct"), "" if control is None else change(control, "fd_change_pct"),
                    change(matched, "fd_change_pct")])
    return table(["steps", "eta", "DDIM FD", "best mixture", "its change vs DDIM (%)", "its control's (%)",
                  "NOISE-MATCHED's (%)"], out)


CFG_PP_ROWS = {"DDIM-GMM-ORTHO-VUB* eta 1 s 1 CFG++": "**`ddim_gmm_cfg_pp`** (ORTHO-VUB*, eta 1)",
               "DDIM-CONTROL of ORTHO-VUB* eta 1 s 1 CFG++": "its control, CFG++",
               "euler_ancestral_cfg_pp": "`euler_ancestral_cfg_pp` *", "dpmpp_2m_cfg_pp": "`dpmpp_2m_cfg_pp` *",
               "res_multistep_cfg_pp": "`res_multistep_cfg_pp` *"}
CFG_PP_SCALES = (0.1, 0.25, 0.75)  # the scales every NFE ran at, besides 2.5


def cfg_pp_best():
    """Per NFE, each CFG++ row at the best (lowest-FD) of the scales run at every NFE, next to its FD at CFG 2.5."""
    rows = read("compare_cfg_pp")
    out = []
    for nfe in sorted({r["nfe"] for r in rows}):
        for sampler, label in CFG_PP_ROWS.items():
            runs = [r for r in rows if r["nfe"] == nfe and r["sampler"] == sampler]
            best = min((r for r in runs if r["cfg"] in CFG_PP_SCALES), key=lambda r: r["fd"])
            at_2_5 = next(r for r in runs if r["cfg"] == 2.5)
            out.append([f"{nfe:.0f}", label, f"{best['cfg']:g}", plus_minus(best, "fd", 0),
                        plus_minus(best, "fd_pixels", 1), plus_minus(best, "precision", 2),
                        plus_minus(best, "recall", 2), plus_minus(at_2_5, "fd", 0)])
    return table(["NFE", "sampler", "best scale", "FD", "pixel FD", "precision", "recall", "FD at CFG 2.5"], out)


def sde_mixture():
    """The Gaussian arm of dpmpp_2m_sde next to the mixture arms, paired changes against the Gaussian one (bench
    sde-mixture writes results.json)."""
    rows = json.loads((RESULTS / "sde_mixture" / "results.json").read_text())
    arms = list(dict.fromkeys(r["noise"] for r in rows if r["noise"] != "gaussian"))
    out = []
    for nfe, cfg in dict.fromkeys((r["nfe"], r["cfg"]) for r in rows):
        here = {r["noise"]: r for r in rows if (r["nfe"], r["cfg"]) == (nfe, cfg)}
        gauss = here["gaussian"]
        out.append([f"{cfg:g}", f"{nfe}", f"{plus_minus(gauss, 'fd', 1)} / {plus_minus(gauss, 'fd_pixels', 2)}",
                    *(f"{change(here[arm], 'fd_change_pct')}, {change(here[arm], 'fd_pixels_change_pct')}"
                      for arm in arms)])
    return table(["CFG", "NFE", "Gaussian: FD / pixel FD",
                  *(f"{arm.replace('f=', 'f = ')}: FD, pixel FD (paired %)" for arm in arms)], out)


TABLES = {
    "headline": headline,
    "compare-ddpm-cfg2.5-nfe10": partial(compare_cell, "ddpm", 2.5, 10),
    "compare-ddpm-cfg0-nfe10": partial(compare_cell, "ddpm", 0.0, 10),
    "compare-flow-nfe10": partial(compare_cell, "flow", 0.0, 10),
    "control-comparisons": control_comparisons,
    "control-summary": control_summary,
    "control-quality": control_quality,
    "exact-grid": exact_grid,
    "cfg-pp-best": cfg_pp_best,
    "sde-mixture": sde_mixture,
}


def main(argv=None):
    return generated.main(TABLES, "python -m ddim_gmm.bench.report", __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
