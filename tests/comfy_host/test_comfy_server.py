"""A real ComfyUI server (main.py, in a subprocess) with the pack cloned into custom_nodes/ under an odd name.

Checks what a user sees: the pack imports at startup, the node and the dropdown names are in /object_info, no node of a
shipped workflow is one the host marks deprecated, and every API-format workflow is accepted by POST /prompt (the
checkpoints are empty stand-ins, so execution then fails at loading them, which this test does not wait for).
"""

import json
import os
import re
from pathlib import Path

import pytest

from comfy_harness import REPO_ROOT, combo_choices

from ddim_gmm.bench.host.server import ComfyServer, fetch

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

WORKFLOWS_DIR = REPO_ROOT / "workflows"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("comfy_base")
    (base / "custom_nodes").mkdir()
    os.symlink(REPO_ROOT, base / "custom_nodes" / "DDIM GMM (clone)", target_is_directory=True)
    (base / "models" / "checkpoints").mkdir(parents=True)
    for path in (WORKFLOWS_DIR / "api").glob("*.api.json"):
        for node in json.loads(path.read_text()).values():
            if "ckpt_name" in node["inputs"]:
                (base / "models" / "checkpoints" / node["inputs"]["ckpt_name"]).touch()
    (base / "input").mkdir()
    from PIL import Image
    Image.new("RGBA", (64, 64), (120, 110, 90, 255)).save(base / "input" / "example.png")
    # The web frontend is a separate pip package; the API needs none of it (the frontend tests serve it).
    server = ComfyServer(COMFYUI_PATH, base, frontend="empty")
    yield server.url, server.log_path
    server.close()


def test_server_imports_the_pack_and_lists_our_node_and_names(server):
    url, log_path = server
    log = log_path.read_text()
    assert "DDIM GMM (clone)" in log.split("Import times for custom nodes:")[1]
    assert "(IMPORT FAILED)" not in [line for line in log.splitlines() if "DDIM GMM (clone)" in line][-1]
    status, info = fetch(f"{url}/object_info/SamplerDDIMGMM")
    node = info["SamplerDDIMGMM"]
    _, select = fetch(f"{url}/object_info/KSamplerSelect")
    assert status == 200 and node["category"] == select["KSamplerSelect"]["category"]
    assert node["display_name"] == "Sampler DDIM-GMM / RFIM-GMM" and node["output"] == ["SAMPLER"]
    assert all("tooltip" in spec[1] for spec in node["input"]["required"].values())
    for node_type in ("KSampler", "KSamplerAdvanced", "KSamplerSelect"):
        _, info = fetch(f"{url}/object_info/{node_type}")
        names = combo_choices(info[node_type]["input"]["required"]["sampler_name"])
        assert [name for name in names if name.startswith("ddim_gmm")] == [
            "ddim_gmm", "ddim_gmm_ortho_vub", "ddim_gmm_ortho", "ddim_gmm_rand", "ddim_gmm_exact",
            "ddim_gmm_noise_matched", "ddim_gmm_cfg_pp"], node_type


def test_combo_choices_reads_the_v3_form_this_server_sends(server):
    # A V3 node's combo as /object_info sends it (["COMBO", {"options": [...]}]); the V1 form is read above.
    url, _ = server
    _, info = fetch(f"{url}/object_info/AlignYourStepsScheduler")
    spec = info["AlignYourStepsScheduler"]["input"]["required"]["model_type"]
    assert spec[0] == "COMBO" and combo_choices(spec) == ["SD1", "SDXL", "SVD"]


def test_server_accepts_every_api_workflow(server):
    url, _ = server
    for path in sorted((WORKFLOWS_DIR / "api").glob("*.api.json")):
        status, reply = fetch(f"{url}/prompt", {"prompt": json.loads(path.read_text())})
        assert status == 200 and reply["node_errors"] == {}, (path.name, reply)


def test_no_workflow_node_is_deprecated_on_this_host(server):
    # /object_info sends `deprecated` for a node class the host marks (DEPRECATED, or is_deprecated in its schema);
    # the frontend also takes a node without a category for deprecated. Either hides it from search.
    url, _ = server
    _, info = fetch(f"{url}/object_info")
    assert any(node.get("deprecated") for node in info.values())  # the field is there to read (CheckpointLoader)
    used = {node["type"] for path in WORKFLOWS_DIR.glob("*.json") for node in json.loads(path.read_text())["nodes"]}
    used |= {node["class_type"] for path in (WORKFLOWS_DIR / "api").glob("*.api.json")
             for node in json.loads(path.read_text()).values()}
    assert used <= set(info), used - set(info)
    assert [name for name in sorted(used) if info[name].get("deprecated") or info[name]["category"] == ""] == []


def test_the_host_satisfies_requires_comfyui():
    # pyproject's requires-comfyui (">=X.Y.Z", the oldest ComfyUI tested) holds for the host these tests run on.
    tomllib = pytest.importorskip("tomllib", reason="tomllib (Python >= 3.11) reads pyproject.toml")
    required = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["comfy"]["requires-comfyui"]
    lowest = tuple(int(part) for part in required.removeprefix(">=").split("."))
    version_file = (Path(COMFYUI_PATH) / "comfyui_version.py").read_text()
    version = re.search(r'__version__ = "(\d+)\.(\d+)\.(\d+)', version_file).groups()
    assert tuple(int(part) for part in version) >= lowest, (version, required)
