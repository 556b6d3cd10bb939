"""bench comfy-peers without ComfyUI: the benchmark runs, leaves ComfyUI's rows out and says so (no comfy import)."""

import subprocess
import sys

from ddim_gmm.bench import comfy_peers
from ddim_gmm.cli import main


def test_without_comfyui_the_rows_are_left_out_with_a_line(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("COMFYUI_PATH", raising=False)
    assert not comfy_peers.available()
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
