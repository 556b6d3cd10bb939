"""Suite-wide rules: host tests may skip on a user's machine but never in CI, and where the suite's time goes.

The tests under tests/comfy_host/ need a ComfyUI checkout (COMFYUI_PATH) and, for the frontend ones, a browser. On a
user's machine without them they skip with their reason. In CI (CI=true, set by .ci/run) a skip there means a broken
set-up, so it is reported as a failure instead: a run that tested nothing of the host cannot pass as green.

Device-generic tests (marker device_generic) take the `device` fixture and put their tensors there: the CPU unless
DDIM_GMM_TEST_DEVICE names another device (e.g. cuda, cuda:1). `pytest -m device_generic` selects them, and `python -m
ddim_gmm bench gpu` runs them so on the device it proves. A few of them are also marked device_quick: `bench gpu
--quick` runs `-m "device_generic and device_quick"`, which must keep at least one test of every file that has
device-generic tests (tests/test_bench_gpu.py checks it).
"""

import os
import time
from pathlib import Path

import pytest

HOST_TESTS = Path(__file__).resolve().parent / "comfy_host"
DEVICE_VARIABLE = "DDIM_GMM_TEST_DEVICE"


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def is_host_test(path):
    return HOST_TESTS in Path(str(path)).resolve().parents


def test_group(path):
    """Where a test's time is booked: core (no ComfyUI), host (in-process ComfyUI and its server), frontend."""
    path = Path(str(path))
    if not is_host_test(path):
        return "core"
    return "frontend" if "frontend" in path.name else "host"


def skip_reason(report):
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def fail_skip_in_ci(report, path):
    if report.skipped and in_ci() and is_host_test(path):
        report.outcome = "failed"
        report.longrepr = (f"CI=true: the host and frontend tests must run in CI, but this one would skip: "
                           f"{skip_reason(report)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # An expected failure (xfail) also reports as skipped; it is a result, not a missing host.
    if not hasattr(report, "wasxfail"):
        fail_skip_in_ci(report, item.path)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A module-level pytest.importorskip / pytest.skip(allow_module_level=True) skips at collection.
    outcome = yield
    fail_skip_in_ci(outcome.get_result(), getattr(collector, "path", ""))


def device_name():
    return os.environ.get(DEVICE_VARIABLE, "").strip() or "cpu"


@pytest.fixture(scope="session")
def device():
    """The device of the device-generic tests: $DDIM_GMM_TEST_DEVICE (default cpu)."""
    import torch

    return torch.device(device_name())


def pytest_collection_modifyitems(config, items):
    # The marker and the fixture go together, so that `-m device_generic` runs exactly the tests that take a device;
    # the quick subset is a subset.
    for item in items:
        marked = item.get_closest_marker("device_generic") is not None
        if marked != ("device" in getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid}: a test takes the `device` fixture if and only if it is marked "
                                    f"@pytest.mark.device_generic")
        if item.get_closest_marker("device_quick") is not None and not marked:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.device_quick marks a device-generic test "
                                    f"(@pytest.mark.device_generic) for `bench gpu --quick`")


def pytest_sessionstart(session):
    name = device_name()
    if name != "cpu":
        import torch

        try:
            torch.empty(1, device=name)
        except (RuntimeError, AssertionError) as error:
            raise pytest.UsageError(f"{DEVICE_VARIABLE}={name!r} is not a device this torch can use: {error}") from None
    comfyui_path = os.environ.get("COMFYUI_PATH")
    if comfyui_path and not (Path(comfyui_path) / "main.py").is_file():
        raise pytest.UsageError(f"COMFYUI_PATH={comfyui_path!r} is not a ComfyUI checkout (no main.py there); "
                                "unset it to skip the host tests, or see the README's Development section")


class GroupTimer:
    """Adds up each group's test time and prints it at the end (.ci/run's log shows where the time goes)."""

    def __init__(self):
        self.start, self.seconds = time.monotonic(), {}

    def pytest_runtest_logreport(self, report):
        group = test_group(report.fspath)
        self.seconds[group] = self.seconds.get(group, 0.0) + report.duration

    def pytest_terminal_summary(self, terminalreporter):
        parts = ", ".join(f"{group} {self.seconds[group]:.0f} s" for group in ("core", "host", "frontend")
                          if group in self.seconds)
        terminalreporter.write_line(f"time by test group (set-up, call, teardown): {parts or 'no tests'}; "
                                    f"whole session {time.monotonic() - self.start:.0f} s")


def pytest_configure(config):
    config.addinivalue_line("markers", f"device_generic: takes the `device` fixture (${DEVICE_VARIABLE}, default cpu)")
    config.addinivalue_line("markers", "device_quick: a device-generic test that `bench gpu --quick` runs (at least "
                                       "one per file with device-generic tests)")
    config.pluginmanager.register(GroupTimer(), "ddim-gmm-group-timer")
