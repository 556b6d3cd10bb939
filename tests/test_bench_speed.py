"""Smoke test of `bench speed` on tiny sizes; timings themselves are never asserted."""

import csv
import subprocess
import sys

import pytest

pytest.importorskip("k_diffusion.sampling", reason="bench speed times against k-diffusion's euler_ancestral")


def test_bench_speed_writes_its_tables(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "speed", "--out", str(tmp_path),
                           "--shapes", "4x16x16", "--components", "2", "8", "--steps", "3", "--repeats", "1",
                           "--model-batches"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(open(tmp_path / "speed.csv")))
    samplers = {r["sampler"] for r in rows}
    assert {"DDIM-GMM-ORTHO-VUB*", "DDIM-GMM-EXACT", "DDIM-GMM-RAND"} <= samplers
    assert len(rows) == 2 * len(samplers)
    assert all(float(r["ms_per_step"]) > 0 for r in rows)
    table = (tmp_path / "speed.md").read_text()
    assert "| 4x16x16 | 8 | DDIM-GMM-ORTHO-VUB* |" in table and "bytes" in table


def test_bench_speed_rejects_too_many_components(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "speed", "--out", str(tmp_path),
                           "--shapes", "4x16x16", "--components", "2000", "--steps", "2", "--repeats", "1",
                           "--model-batches"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "--components" in done.stderr


def test_bench_speed_times_a_baseline_version_in_the_same_rounds(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]  # this very checkout stands in for an older one
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "speed", "--out", str(tmp_path),
                           "--shapes", "4x16x16", "--components", "4", "--steps", "3", "--repeats", "1",
                           "--model-batches", "--baseline", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = {r["sampler"]: r for r in csv.DictReader(open(tmp_path / "speed.csv"))}
    for name in ("DDIM-GMM-ORTHO-VUB*", "DDIM-GMM-EXACT", "DDIM-GMM-RAND"):
        assert rows[f"{name} @baseline"]["group"] == "baseline" and float(rows[f"{name} @baseline"]["ms_per_step"]) > 0
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "speed", "--out", str(tmp_path / "x"),
                           "--baseline", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "--baseline must be a ddim_gmm repository root" in done.stderr
