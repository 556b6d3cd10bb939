"""Packaging for the ComfyUI ecosystem: the Comfy Registry fields of pyproject.toml, the license, the icon."""

import re
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
    assert "Operating System :: OS Independent" in project["classifiers"]


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
