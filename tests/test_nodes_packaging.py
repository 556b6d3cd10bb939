"""Packaging for the ComfyUI ecosystem: the Comfy Registry fields of pyproject.toml, the license, the icon."""

import re
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
    # The icon the registry shows is the repository's own file.
    assert comfy["Icon"].endswith("/nodes/icon.svg")
    assert (REPO_ROOT / "nodes" / "icon.svg").read_text().startswith("<svg")


def test_no_requirements_beyond_what_comfyui_has():
    # ComfyUI-Manager pip-installs requirements.txt; the pack needs only torch and tqdm, which ComfyUI ships.
    assert set(PYPROJECT["project"]["dependencies"]) <= {"torch", "tqdm"}
    requirements = REPO_ROOT / "requirements.txt"
    if requirements.exists():
        lines = [line.split("#")[0].strip() for line in requirements.read_text().splitlines()]
        assert not [line for line in lines if line], "requirements.txt would make ComfyUI-Manager install packages"
