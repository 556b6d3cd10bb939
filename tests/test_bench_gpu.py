"""`bench gpu` cannot rot: its quick mode runs here on the CPU, every section and the verdict, and a failed or unrun
check makes the command exit non-zero. It knows the tests only by their markers: bench/ names no test file or test,
and the quick marker keeps a test of every file with device-generic tests."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ddim_gmm import cli
from ddim_gmm.bench import gpu

pytest.importorskip("k_diffusion.sampling", reason="bench gpu times against k-diffusion's euler_ancestral")

ROOT = Path(__file__).resolve().parents[1]
# Writes each collected test's node id and whether it is marked device_quick to $MARKED_TESTS_OUT.
MARKED_TESTS_PLUGIN = """
import json, os

def pytest_collection_finish(session):
    with open(os.environ["MARKED_TESTS_OUT"], "w") as out:
        json.dump({item.nodeid: item.get_closest_marker("device_quick") is not None for item in session.items}, out)
"""


@pytest.fixture(scope="module")
def device_generic_tests(tmp_path_factory):
    """{node id: marked device_quick} of every test `bench gpu` selects (its TESTS marker expression) under tests/."""
    folder = tmp_path_factory.mktemp("plugin")
    (folder / "marked_tests_plugin.py").write_text(MARKED_TESTS_PLUGIN)
    env = dict(os.environ, MARKED_TESTS_OUT=str(folder / "tests.json"),
               PYTHONPATH=os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]))
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p",
                           "marked_tests_plugin", "-m", gpu.TESTS, str(ROOT / "tests")], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((folder / "tests.json").read_text())


def test_the_quick_marker_keeps_a_test_of_every_file_with_device_generic_tests(device_generic_tests):
    files = {node.split("::")[0] for node in device_generic_tests}
    quick_files = {node.split("::")[0] for node, quick in device_generic_tests.items() if quick}
    assert files and quick_files == files
    assert sum(device_generic_tests.values()) < len(device_generic_tests) / 2  # quick is a small part of it


def test_bench_names_no_test_file_and_no_test():
    # It selects the tests by marker (gpu.TESTS, gpu.QUICK_TESTS), so renaming or moving a test never touches bench/.
    assert "test_" not in gpu.TESTS + gpu.QUICK_TESTS
    named = {str(path.relative_to(ROOT)): sorted(set(re.findall(r"\btest_\w+", path.read_text())))
             for path in (ROOT / "bench").rglob("*.py")}
    assert named and {path: names for path, names in named.items() if names} == {}


def test_quick_mode_on_the_cpu_writes_every_section_and_passes(tmp_path, device_generic_tests):
    out = tmp_path / "gpu"
    done = subprocess.run([sys.executable, "-m", "ddim_gmm", "bench", "gpu", "--device", "cpu", "--quick", "--out",
                           str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "gpu.json").read_text())
    assert set(gpu.SECTIONS) <= set(results) and results["verdict"] == "passed" and results["failures"] == []
    assert results["environment"]["device"] == "cpu"
    # every file with device-generic tests ran tests on the device (its quick ones), in every latent dtype
    per_file = results["tests"]["per_file"]
    assert set(per_file) == {node.split("::")[0] for node in device_generic_tests}
    assert all(c["passed"] > 0 and c["failed"] == c["skipped"] == 0 for c in per_file.values())
    assert sum(c["passed"] for c in per_file.values()) == sum(device_generic_tests.values())
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


def test_a_module_with_device_tests_that_cannot_be_imported_did_not_run(tmp_path, monkeypatch):
    # In a checkout of its own: one device-generic test passes, a module naming the marker fails to import (its tests
    # never ran: the command fails), and a module without the marker fails to import (not this command's concern).
    root = tmp_path / "checkout"
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\nmarkers =\n    device_generic\n    device_quick\n")
    (root / "tests" / "conftest.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.fixture
        def device():
            return "cpu"
        """))
    (root / "tests" / "test_runs.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.device_generic
        @pytest.mark.device_quick
        def test_on_the_device(device):
            assert device == "cpu"

        def test_on_the_cpu_only():
            pass
        """))
    (root / "tests" / "test_lacks_a_dependency.py").write_text("import not_installed_here\n\n"
                                                               "pytestmark = pytest.mark.device_generic\n")
    (root / "tests" / "host").mkdir()
    (root / "tests" / "host" / "test_host_only.py").write_text("import not_installed_either\n")
    monkeypatch.setattr(gpu, "ROOT", root)
    summary, checks = gpu.run_tests(gpu.torch.device("cpu"), tmp_path, quick=True)
    by_name = {c["name"]: c for c in checks}
    assert summary["per_file"] == {"tests/test_runs.py": dict(passed=1, failed=0, skipped=0)}
    assert by_name["tests/test_runs.py on cpu"]["status"] == "passed"
    lacking = by_name["tests/test_lacks_a_dependency.py: could not be collected"]
    assert lacking["status"] == "not run" and "not_installed_here" in lacking["detail"]
    host = by_name["tests/host/test_host_only.py: could not be collected"]
    assert host["status"] == "skipped" and "no device_generic test in it" in host["detail"]
    assert [c["name"] for c in gpu.verdict(checks)] == [lacking["name"]]
    table = gpu.markdown(dict(environment=gpu.environment(gpu.torch.device("cpu")), quick=True, verdict="failed",
                              failures=gpu.verdict(checks), checks=checks, tests=summary))
    assert "- tests/test_lacks_a_dependency.py: " in table and "- tests/host/test_host_only.py: " in table
