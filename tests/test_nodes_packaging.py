"""Packaging for the ComfyUI ecosystem: the Comfy Registry fields of pyproject.toml, the license, the icon,
`comfy node validate` (comfy-cli, the registry's own tool), the workflow that publishes with the registry's action, and
the words the node search finds the node by."""

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="tomllib (Python >= 3.11) reads pyproject.toml")

REPO_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_project_fields_follow_the_registry_spec():
    project = PYPROJECT["project"]
    # Node id: < 100 chars, alphanumerics and - _ ., no consecutive specials, starts with a letter, no "ComfyUI".
    assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|[-_.](?=[A-Za-z0-9]))*", project["name"])
    assert len(project["name"]) < 100
    assert "comfyui" not in project["name"].lower()
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])
    assert project["description"]
    assert (REPO_ROOT / project["license"]["file"]).read_text().startswith("MIT License")
    assert project["urls"]["Repository"].startswith("https://github.com/")
    # comfy-cli reads the issue tracker from "Issues" only (a "Bug Tracker" key reaches the registry empty).
    assert project["urls"]["Issues"] == project["urls"]["Repository"] + "/issues"
    assert "Bug Tracker" not in project["urls"]
    assert "Operating System :: OS Independent" in project["classifiers"]
    # The README's accelerators (CUDA, MPS) under the registry's names; the CPU and DirectML have none there.
    assert [c for c in project["classifiers"] if c.startswith("Environment ::")] == [
        "Environment :: GPU :: NVIDIA CUDA", "Environment :: GPU :: Apple Metal"]


def comfy_cli_environment(tmp_path):
    """comfy-cli with its own home (its config file) and no telemetry."""
    return {**os.environ, "HOME": str(tmp_path), "DO_NOT_TRACK": "1", "COMFY_NO_TELEMETRY": "1", "NO_COLOR": "1"}


def comfy_cli():
    comfy = Path(sys.executable).with_name("comfy")
    return str(comfy) if comfy.exists() else shutil.which("comfy")


def test_comfy_node_validate_passes(tmp_path):
    # What `comfy node publish` checks first, from the registry's own command line tool (comfy-cli, in the test extra).
    assert comfy_cli(), "comfy-cli (the test extra) is not installed: pip install -e '.[test]'"
    result = subprocess.run([comfy_cli(), "--skip-prompt", "--no-json", "node", "validate"], cwd=REPO_ROOT,
                            capture_output=True, text=True, env=comfy_cli_environment(tmp_path), timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # It exits 0 on warnings too (a classifier it does not know is dropped with a warning; ruff findings are warned).
    assert "All validation checks passed" in output and "warning" not in output.lower(), output


def test_comfy_cli_reads_the_issues_url_and_the_accelerators(tmp_path):
    # The fields as the registry receives them (comfy-cli's parser, which `comfy node publish` sends).
    from comfy_cli.registry.config_parser import extract_node_configuration

    config = extract_node_configuration(str(REPO_ROOT / "pyproject.toml"))
    urls = PYPROJECT["project"]["urls"]
    assert (config.project.urls.repository, config.project.urls.issues) == (urls["Repository"], urls["Issues"])
    assert config.project.supported_accelerators == ["GPU :: NVIDIA CUDA", "GPU :: Apple Metal"]
    assert config.project.supported_os == ["OS Independent"]
    assert config.tool_comfy.publisher_id == PYPROJECT["tool"]["comfy"]["PublisherId"]


def test_requires_comfyui_names_the_host_the_workflows_are_made_for():
    # comfy-cli passes a well-formed version range on to the registry and drops a malformed one (with a warning, which
    # test_comfy_node_validate_passes would see). The lower bound is the pinned host, which the shipped workflows
    # stamp on their core nodes; test_comfy_server.py checks the host the tests run on satisfies it.
    from comfy_cli.registry.config_parser import extract_node_configuration

    spec = importlib.util.spec_from_file_location("make_workflows", REPO_ROOT / "workflows" / "make_workflows.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    config = extract_node_configuration(str(REPO_ROOT / "pyproject.toml"))
    assert config.project.supported_comfyui_version == PYPROJECT["tool"]["comfy"]["requires-comfyui"]
    assert config.project.supported_comfyui_version == f">={generator.COMFY_CORE_VERSION}"


def test_search_aliases_are_the_words_users_type():
    # ComfyUI 0.38.1 sends a V1 node's SEARCH_ALIASES as /object_info's search_aliases (a JSON list of strings), and
    # frontend 1.58.1's node search matches them beside the name and the display name.
    from ddim_gmm.nodes import SamplerDDIMGMM

    aliases = SamplerDDIMGMM.SEARCH_ALIASES
    assert isinstance(aliases, list) and all(isinstance(alias, str) for alias in aliases)
    assert {"ddim gmm", "gaussian mixture", "moment matching", "rfim", "mixture sampler"} <= set(aliases)
    # As a user types them: lower case (the search ignores case), each once.
    assert all(alias == alias.lower().strip() for alias in aliases) and len(set(aliases)) == len(aliases)


def test_comfy_node_validate_would_warn_of_a_classifier_the_registry_lacks(tmp_path):
    # The check above cannot pass by checking nothing: an accelerator the registry does not know is warned of.
    text = (REPO_ROOT / "pyproject.toml").read_text().replace('"Environment :: GPU :: Apple Metal"',
                                                              '"Environment :: GPU :: Apple MPS"')
    assert "Apple MPS" in text
    (tmp_path / "node").mkdir()
    (tmp_path / "node" / "pyproject.toml").write_text(text)
    (tmp_path / "node" / "LICENSE").write_text((REPO_ROOT / "LICENSE").read_text())
    result = subprocess.run([comfy_cli(), "--skip-prompt", "--no-json", "node", "validate"], cwd=tmp_path / "node",
                            capture_output=True, text=True, env=comfy_cli_environment(tmp_path), timeout=300)
    assert "Invalid Environment classifier" in result.stdout + result.stderr, result.stdout + result.stderr


def test_publish_workflow_uses_the_registrys_action():
    # It cannot run here (it needs GitHub and the registry's key); it parses and names the action and the secret.
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "publish.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "workflow_dispatch" in triggers and triggers["push"]["paths"] == ["pyproject.toml"]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    (publish,) = [step for step in steps if step.get("uses", "").startswith("Comfy-Org/publish-node-action@")]
    assert publish["with"]["personal_access_token"] == "${{ secrets.REGISTRY_ACCESS_TOKEN }}"


def test_tool_comfy_section():
    comfy = PYPROJECT["tool"]["comfy"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", comfy["PublisherId"])
    assert comfy["DisplayName"]


def test_registry_icon_is_a_file_of_this_repository_at_most_800_by_400():
    # The registry shows the Icon URL; it must be this repository's own file, served raw from its default branch.
    repository = PYPROJECT["project"]["urls"]["Repository"].removeprefix("https://github.com/")
    match = re.fullmatch(rf"https://raw\.githubusercontent\.com/{re.escape(repository)}/main/(.+)",
                         PYPROJECT["tool"]["comfy"]["Icon"])
    assert match, PYPROJECT["tool"]["comfy"]["Icon"]
    icon = REPO_ROOT / match.group(1)
    header = icon.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{icon} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    assert 0 < width <= 800 and 0 < height <= 400, (width, height)


def test_registry_validation_rules_find_nothing():
    # `comfy node validate` runs ruff with these rules before publishing: exec (S102), eval (S307), and several
    # statements on one line (E702).
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "S102,S307,E702",
                             "--output-format", "concise", str(REPO_ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_registry_validation_rules_would_catch_an_eval(tmp_path):
    # The same command flags what it should: the check above cannot pass by checking nothing.
    (tmp_path / "bad.py").write_text("x = eval('1 + 1'); exec('y = 2')\n")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "S102,S307,E702",
                             "--output-format", "concise", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1 and all(rule in result.stdout for rule in ("S102", "S307", "E702")), result.stdout


def test_no_requirements_beyond_what_comfyui_has():
    # ComfyUI-Manager pip-installs requirements.txt; the pack needs only torch and tqdm, which ComfyUI ships.
    assert set(PYPROJECT["project"]["dependencies"]) <= {"torch", "tqdm"}
    requirements = REPO_ROOT / "requirements.txt"
    if requirements.exists():
        lines = [line.split("#")[0].strip() for line in requirements.read_text().splitlines()]
        assert not [line for line in lines if line], "requirements.txt would make ComfyUI-Manager install packages"
