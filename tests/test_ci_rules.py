"""The suite's CI rules (tests/conftest.py): host tests skip on a user's machine, fail in CI, and a COMFYUI_PATH
that holds no ComfyUI stops the run; and the code's comments cite no issue of this project."""

import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
HOST_TEST = TESTS / "comfy_host" / "test_comfy_server.py"


def run_pytest(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "COMFYUI_PATH")}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HOST_TEST)],
                          capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120)


def test_host_tests_skip_with_their_reason_without_comfyui(tmp_path):
    result = run_pytest(tmp_path)
    assert result.returncode == 0 and "skipped" in result.stdout and "COMFYUI_PATH" in result.stdout, result.stdout


def test_host_tests_that_would_skip_fail_in_ci(tmp_path):
    result = run_pytest(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout
    assert "CI=true: the host and frontend tests must run in CI" in result.stdout
    assert "passed" not in result.stdout and "skipped" not in result.stdout.splitlines()[-1]


def test_a_comfyui_path_without_comfyui_stops_the_run(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_pytest(tmp_path, COMFYUI_PATH=str(empty))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "is not a ComfyUI checkout" in result.stdout + result.stderr


def test_ci_installs_the_newest_frontend_pyproject_names():
    # One pin: pyproject's frontend-next extra. .ci/run installs that extra's requirement (read from pyproject) into
    # .frontend/<version>, the folder the frontend tests serve it from.
    import re
    import tomllib

    repo = TESTS.parent
    (requirement,) = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["optional-dependencies"][
        "frontend-next"]
    assert re.fullmatch(r"comfyui-frontend-package==\d+\.\d+\.\d+", requirement), requirement
    ci = (repo / ".ci" / "run").read_text()
    assert '["optional-dependencies"]["frontend-next"]' in ci and "1.58" not in ci
    assert 'pip install -q --no-deps --target ".frontend/$frontend_version" "$frontend_next"' in ci
    assert "frontend_version=${frontend_next#comfyui-frontend-package==}" in ci
    harness = (TESTS / "comfy_host" / "frontend_harness.py").read_text()
    assert 'REPO_ROOT / ".frontend" / version / "comfyui_frontend_package" / "static"' in harness


def test_ci_runs_the_readme_test_command_on_a_strict_editable_install():
    # .ci/run runs the README's command 2 verbatim; both README commands install the package as setuptools' strict
    # link tree, the editable install that type checkers and editors follow (docs/development.md).
    repo = TESTS.parent
    ci = (repo / ".ci" / "run").read_text()
    (cmd,) = re.findall(r"^cmd='(.*)'$", ci, re.M)
    commands = dict(re.findall(r"```bash\n# (\d)\. .*\n(.*)\n```", (repo / "README.md").read_text()))
    assert sorted(commands) == ["1", "2"] and commands["2"] == cmd
    for number, command in commands.items():
        assert re.search(r'pip install -e "\.\[\w+\]" --config-settings editable_mode=strict &&', command), number
    assert '.venv/bin/pip install -q -e ".[test]" --config-settings editable_mode=strict\n' in ci
    assert cmd in (repo / "docs" / "development.md").read_text()


# "issue 19", "issues 14 and 20", "issue #7": a reference to this project's tracker, unless an upstream project's name
# (or an owner/repo) comes right before it, as in "ComfyUI issue #9819".
ISSUE_REFERENCE = re.compile(r"(?:(?P<owner>[\w./-]+) )?(?P<reference>\bissues? #?\d+)", re.IGNORECASE)
UPSTREAM = {"comfyui", "comfyui-manager", "comfyui_frontend", "comfy-cli", "k-diffusion", "diffusers", "pytorch",
            "torch", "aiohttp", "pytest", "hypothesis", "safetensors", "playwright"}


def own_issue_references(text):
    def upstream(owner):
        return owner is not None and (owner.lower() in UPSTREAM or "/" in owner)

    return [match.group("reference") for match in ISSUE_REFERENCE.finditer(text) if not upstream(match.group("owner"))]


def test_code_cites_no_issue_of_this_project():
    # Comments and docstrings say what the code guarantees; which issue asked for it belongs in commit messages and
    # docs/development.md's changelog. Upstream references that explain a choice stay.
    repo = TESTS.parent
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--", "*.py", "*.js"], capture_output=True,
                            text=True)
    files = [repo / name for name in listed.stdout.split("\0") if name] if listed.returncode == 0 else [
        path for path in repo.rglob("*") if path.suffix in (".py", ".js") and ".venv" not in path.parts]
    code = [path for path in files if path.is_file() and "tests" not in path.relative_to(repo).parts]
    assert len(code) > 20
    found = {str(path.relative_to(repo)): hits for path in code if (hits := own_issue_references(path.read_text()))}
    assert found == {}


def test_issue_references_are_told_apart():
    assert own_issue_references("# ComfyUI's samplers users pick (issue 14); see issues 19 and Issue #3.") == [
        "issue 14", "issues 19", "Issue #3"]
    assert own_issue_references("(ComfyUI issue #9819, fixed by PR #11528; crowsonkb/k-diffusion issue #108)") == []
