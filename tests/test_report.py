"""The result tables of the README and docs/results.md are views of the committed benchmark results
(bench/report.py): they must show what bench/results/ holds, and the views must count and sort what they are given."""

import csv
from pathlib import Path

import pytest

from ddim_gmm import generated
from ddim_gmm.bench import report

ROOT = Path(__file__).resolve().parents[1]
FILES = ("README.md", "docs/results.md")


@pytest.mark.parametrize("name", FILES)
def test_the_docs_show_the_committed_results(name):
    text = (ROOT / name).read_text()
    assert generated.regions(text, report.TABLES), f"{name} has no generated result table"
    assert generated.rendered(text, report.TABLES) == text, f"run: python -m ddim_gmm.bench.report --write {name}"


def test_every_result_table_is_shown_somewhere():
    shown = set()
    for name in FILES:
        shown |= set(generated.regions((ROOT / name).read_text(), report.TABLES))
    assert shown == set(report.TABLES)


def write_csv(path, rows):
    path.mkdir(parents=True)
    with open(path / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def row(sampler, source, fd, verdict="", seeds=3, setting="ddpm", cfg=2.5, nfe=10):
    return dict(setting=setting, cfg=cfg, nfe=nfe, sampler=sampler, source=source, steps=nfe, nfe_used=nfe, fd=fd,
                fd_std=1, fd_pixels=2, fd_pixels_std=0.1, precision=0.5, precision_std=0.01, recall=0.5,
                recall_std=0.01, class_rate=1, class_rate_std=0, fd_vs_control=1.5 if verdict else "",
                fd_vs_control_std=0.5 if verdict else "", fd_pixels_vs_control=0 if verdict else "",
                fd_pixels_vs_control_std=1 if verdict else "", verdict_vs_control=verdict,
                fd_vs_ddim=-1 if verdict else "", fd_vs_ddim_std=1 if verdict else "", seeds=seeds)


def test_the_views_count_the_verdicts_and_sort_by_fd(tmp_path, monkeypatch):
    write_csv(tmp_path / "compare", [
        row("DDIM-GMM-ORTHO-VUB* eta 0 s 1", report.OURS, 900, "no difference"),
        row("DDIM-GMM-ORTHO-VUB eta 0 s 1", report.OURS, 950, "loss"),
        row("DDIM-GMM-ORTHO-VUB* eta 1 s 1", report.OURS, 940, "gain"),
        row("RFIM-GMM-ORTHO-VUB* eta 0 s 1", report.OURS, 300, "no difference", setting="flow", cfg=0),
        row("euler", "k-diffusion", 960), row("dpmpp_2m_sde", "k-diffusion", 400),
        row("sa_solver", report.COMFY[1], 500), row("uni_pc", report.COMFY[0], 450)])
    write_csv(tmp_path / "compare_nfe50_cfg0_10seeds",
              [row("DDIM-GMM-ORTHO-VUB* eta 0 s 1", report.OURS, 600, "loss", seeds=10, cfg=0, nfe=50)])
    write_csv(tmp_path / "compare_flow_10seeds",
              [row("DDIM-GMM-ORTHO-VUB* eta 1 s 1", report.OURS, 945, "no difference", seeds=10)])
    quality = dict(n_samples=1797, seeds=3, fd_change_pct=-3, fd_change_pct_std=0.5, fd_vs_control_pct=-1,
                   fd_vs_control_pct_std=0.5, fd_pixels_vs_control_pct=0.25, fd_pixels_vs_control_pct_std=0.5)
    write_csv(tmp_path / "ddpm_n1797", [dict(quality, sampler="DDIM-GMM-ORTHO-VUB*"),
                                        dict(quality, sampler="DDIM-CONTROL-ORTHO-VUB*", fd_change_pct=-2)])
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    # The 10-seed reruns are listed but not counted: they repeat cells of the 3-seed grid. The one gain's rerun is
    # no difference, and the headline says so.
    assert report.control_counts(None) == (4, 2, 1, 1)
    assert report.control_counts("flow") == (1, 1, 0, 0)
    assert len(report.control_comparisons().splitlines()) == 2 + 6
    headline = " ".join(report.headline().split())
    assert ("of 4 comparisons at 200 samples x 3 seeds, 2 show no difference and 1 is a loss, 1 a gain (gone when "
            "rerun with 10 seeds)" in headline)
    assert "changes DDIM's FD by -3.0 ± 0.5 % and its control by -2.0 ± 0.5 %" in headline
    names = [line.split(" | ")[0].lstrip("| ") for line in report.compare_cell("ddpm", 2.5, 10).splitlines()[2:]]
    assert names == ["dpmpp_2m_sde", "uni_pc *", "sa_solver *", "**DDIM-GMM-ORTHO-VUB* eta 0 s 1**",
                     "**DDIM-GMM-ORTHO-VUB* eta 1 s 1**", "**DDIM-GMM-ORTHO-VUB eta 0 s 1**", "euler"]
