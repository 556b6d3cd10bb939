"""`bench gpu` cannot rot: its quick mode runs here on the CPU, every section and the verdict, and a failed or unrun
check makes the command exit non-zero."""

import json
import subprocess
import sys

import pytest

from ddim_gmm import cli
from ddim_gmm.bench import gpu

pytest.importorskip("k_diffusion.sampling", reason="bench gpu times against k-diffusion's euler_ancestral")


def test_quick_mode_on_the_cpu_writes_every_section_and_passes(tmp_path):
    out = tmp_path / "gpu"
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "gpu", "--device", "cpu", "--quick", "--out",
                           str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "gpu.json").read_text())
    assert set(gpu.SECTIONS) <= set(results) and results["verdict"] == "passed" and results["failures"] == []
    assert results["environment"]["device"] == "cpu"
    # every device-generic test file ran tests on the device, in every latent dtype
    per_file = results["tests"]["per_file"]
    assert set(per_file) == set(gpu.TEST_FILES) and all(c["passed"] > 0 and c["failed"] == c["skipped"] == 0
                                                        for c in per_file.values())
    assert {"float32", "float16", "bfloat16"} <= set(results["tests"]["per_dtype"])
    # same seed, same samples: every preset and control, every dtype, bit for bit on the CPU itself
    cross = results["cross"]["rows"]
    assert {r["sampler"] for r in cross} == set(gpu.cross_samplers()) and len(cross) == 3 * len(gpu.cross_samplers())
    assert all(r["mixture_identical"] and r["cpu_noise_max_abs_diff"] == r["default_noise_max_abs_diff"] == 0
               for r in cross)
    speed = results["speed"]
    assert {(r["shape"], r["batch"]) for r in speed["rows"]} == {(s, b) for s in gpu.QUICK_SHAPES for b in gpu.BATCHES}
    assert all(r["ms_per_step"] > 0 and r["kernel_percent_of_model_step"] > 0 for r in speed["rows"])
    assert speed["critical_path"] and "1 % of a model step" in speed["overlap"]
    assert "stand-in" in speed["model_note"]
    assert results["memory"]["skipped"].startswith("torch.cuda.max_memory_allocated needs a CUDA device")
    table = (out / "gpu.md").read_text()
    for heading in ("## Device-generic tests", "## Same seed, same image", "## Speed", "## Memory", "verdict: passed"):
        assert heading in table
    again = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "gpu", "--device", "cpu", "--quick", "--out",
                            str(out), "--sections", "memory"], capture_output=True, text=True)
    assert again.returncode == 2 and "--overwrite" in again.stderr


def test_a_failed_or_unrun_check_fails_the_command(tmp_path, monkeypatch):
    assert gpu.verdict([gpu.check("a", "x", "passed"), gpu.check("a", "y", "skipped", "not on a CPU")]) == []
    for status in ("failed", "not run"):
        assert [c["name"] for c in gpu.verdict([gpu.check("a", "x", "passed"), gpu.check("a", "y", status)])] == ["y"]
    # a section that finds a failure, and one that breaks, in a real (tiny) run of the command
    monkeypatch.setattr(gpu, "memory", lambda *args: ({"skipped": "planted"}, [gpu.check("memory", "planted", "failed", "on purpose")]))
    monkeypatch.setattr(gpu, "cross_device", lambda *args: 1 / 0)
    with pytest.raises(SystemExit) as stop:
        cli.main(["bench", "gpu", "--device", "cpu", "--quick", "--out", str(tmp_path), "--sections", "cross",
                  "memory"])
    assert "2 check(s) failed or did not run" in str(stop.value) and "planted" in str(stop.value)
    results = json.loads((tmp_path / "gpu.json").read_text())
    assert results["verdict"] == "failed" and "ZeroDivisionError" in results["cross"]["error"]
    assert "verdict: failed" in (tmp_path / "gpu.md").read_text()


def test_missing_pytest_is_a_check_that_did_not_run(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu, "find_spec", lambda name: None if name == "pytest" else object())
    summary, checks = gpu.run_tests(gpu.torch.device("cpu"), tmp_path, quick=True)
    assert [c["status"] for c in checks] == ["not run"] and "pytest is not installed" in summary["not_run"]


def test_a_device_this_torch_cannot_use_is_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "gpu", "--device", "cuda:7", "--quick", "--out",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "--device 'cuda:7' is not a device this torch can use" in done.stderr
