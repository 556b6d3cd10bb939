"""bench comfy-peers without ComfyUI: the benchmark runs, leaves ComfyUI's rows out and says so (no comfy import)."""

import subprocess
import sys

from ddim_gmm.bench import comfy_peers, comfy_sampling
from ddim_gmm.cli import main


def test_without_comfyui_the_rows_are_left_out_with_a_line(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("COMFYUI_PATH", raising=False)
    assert not comfy_sampling.available()
    assert main(["bench", "comfy-peers", "--out", str(tmp_path / "out")]) == []
    line = capsys.readouterr().out
    assert "left out" in line and "COMFYUI_PATH" in line and "er_sde" in line


def test_importing_the_module_does_not_import_comfy():
    code = "import sys, ddim_gmm.bench.comfy_peers; print(any(m.split('.')[0] == 'comfy' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_plan_keeps_only_valid_flow_samplers():
    class Args:
        settings, samplers, cfg, nfe, flow_nfe = "ddpm,flow", "euler,uni_pc,er_sde", "0,2.5", "5", "5"
        seeds, n_samples, batch = 1, 2, 1
    cells = comfy_peers.plan(Args)
    assert ("flow", 0.0, 5, "uni_pc") not in cells         # VE exponential integrator: not valid for a flow
    assert ("flow", 0.0, 5, "er_sde") in cells and ("ddpm", 2.5, 5, "uni_pc") in cells
    assert len([c for c in cells if c[0] == "ddpm"]) == 6


def test_bad_settings():
    import pytest

    class Args:
        settings, samplers, cfg, nfe, flow_nfe = "edm", "euler", "0", "5", "5"
        seeds, n_samples, batch = 1, 2, 1
    with pytest.raises(ValueError, match="settings"):
        comfy_peers.plan(Args)
    Args.settings, Args.nfe = "ddpm", "0"
    with pytest.raises(ValueError, match="nfe"):
        comfy_peers.plan(Args)


def test_outputs_are_written_like_bench_compare_s(tmp_path):
    import csv

    evals = {name: [dict(fd=fd, fd_pixels=2.0 + i, nfe=10, seconds=1.5) for i, fd in enumerate(fds)]
             for name, fds in {"euler": [100.0, 200.0], "er_sde": [90.123456, 160.0]}.items()}
    rows = [comfy_peers.summarise("ddpm", 2.5, 10, name, 10, runs, 200) for name, runs in evals.items()]
    comfy_peers.add_deltas(rows)
    comfy_peers.write_outputs(str(tmp_path), rows, {("ddpm", "euler", 10): 10.0}, "the command")
    with open(tmp_path / "results.csv") as f:
        table = list(csv.DictReader(f))
    # The columns that identify a row come first; floats with 4 significant digits, as bench quality and compare write.
    assert list(table[0])[:6] == ["setting", "cfg", "nfe_target", "nfe", "sampler", "steps"]
    assert "fd_per_seed" not in table[0]
    er_sde = next(r for r in table if r["sampler"] == "er_sde")
    assert er_sde["fd"] == "125.1" and er_sde["fd_vs_euler_pct"] == "-14.94" and er_sde["seconds_per_run"] == "1.5"
    assert "| ddpm | 2.5 | 10 | er_sde | 10 | 125.1 ± 49.4 | -14.9% ± 7.2 |" in (tmp_path / "results.md").read_text()
    assert "| ddpm | euler | 10 | 10 |" in (tmp_path / "nfe.md").read_text()
    assert (tmp_path / "commands.txt").read_text().endswith("the command\n")
