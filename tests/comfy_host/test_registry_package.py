"""The Comfy Registry package: what `comfy node pack` (and `comfy node publish`, and so `comfy node install` and
ComfyUI-Manager's registry install) ships, and that it works on its own.

comfy-cli packs this checkout's git-tracked files minus .comfyignore. The package must hold exactly what ComfyUI loads
and what the registry shows (the entry module, nodes/, sampling/, web/ with its help pages, workflows/ with their
API files and thumbnails, locales/, the license, the README, pyproject.toml), at most 1 MB, and none of the lab (the
demo, the embedded models, the benchmarks, the tests); unpacked into a real ComfyUI's custom_nodes/ under another
folder name, it loads, lists the node and the dropdown names, serves its web files and workflows, and runs one of its
own workflows.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from comfy_harness import REPO_ROOT, combo_choices

from ddim_gmm.bench.host.server import ComfyServer

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

MAX_BYTES = 1_000_000
# What the package holds: these top-level entries of the checkout (.comfyignore's whitelist) ...
SHIPPED = ("__init__.py", "nodes", "sampling", "web", "workflows", "locales", "LICENSE", "README.md", "pyproject.toml")
# ... except the generators that rewrite committed files of a clone.
GENERATORS = ("nodes/tables.py",)
LAB = ("bench/", "models/", "tests/", "docs/", "demo.py", "cli.py", "__main__.py", ".ci/", ".github/")
# Not the clone's name: a dot (ComfyUI mangles dots in module names) and parentheses. No space: ComfyUI 0.3.64 lists a
# web extension in a folder with a space in its name but serves none of its files (404).
PACK_FOLDER = "ddim-gmm.registry(v0)"
CHECKPOINT = "random_sd15.safetensors"
WORKFLOW = "workflows/api/sd15_txt2img_sampler_custom.api.json"


def comfy_cli():
    comfy = Path(sys.executable).with_name("comfy")
    return str(comfy) if comfy.exists() else shutil.which("comfy")


def comfy_node_pack(folder, home):
    """`comfy node pack` run in `folder` (comfy-cli with its own home and no telemetry): the path of its node.zip."""
    assert comfy_cli(), "comfy-cli (the test extra) is not installed: pip install -e '.[test]'"
    env = {**os.environ, "HOME": str(home), "DO_NOT_TRACK": "1", "COMFY_NO_TELEMETRY": "1", "NO_COLOR": "1"}
    result = subprocess.run([comfy_cli(), "--skip-prompt", "--no-json", "node", "pack"], cwd=folder,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and (folder / "node.zip").is_file(), result.stdout + result.stderr
    return folder / "node.zip"


def git(folder, *args):
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout


def tracked_files():
    """The checkout's git-tracked files that exist in its working tree (what comfy-cli packs, before .comfyignore)."""
    try:
        listed = git(REPO_ROOT, "ls-files", "-z").split("\0")
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"packing needs a git checkout (comfy-cli packs git-tracked files): {error}")
    return sorted(name for name in listed if name and (REPO_ROOT / name).is_file())


def copy_files(names, source, target):
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """(node.zip, tracked files): comfy-cli's package of this checkout's working tree. Packed in a copy (its tracked
    files, staged in a fresh git repository) so that node.zip is never written into the checkout."""
    tracked = tracked_files()
    copy = tmp_path_factory.mktemp("checkout")
    # comfy-cli reads .comfyignore from the folder, tracked or not
    ignore = [".comfyignore"] if (REPO_ROOT / ".comfyignore").is_file() else []
    copy_files(sorted(set(tracked) | set(ignore)), REPO_ROOT, copy)
    git(copy, "init", "-q")
    git(copy, "add", "-A", "--force")
    return comfy_node_pack(copy, tmp_path_factory.mktemp("home")), tracked


def listing(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        return sorted(info.filename for info in archive.infolist() if not info.is_dir())


def test_the_package_is_the_node_pack_and_nothing_else(package):
    zip_path, tracked = package
    names = listing(zip_path)
    expected = [name for name in tracked if name.split("/")[0] in SHIPPED and name not in GENERATORS
                and not (name.startswith("workflows/") and name.endswith(".py"))]
    assert names == expected
    assert not [name for name in names if name.startswith(LAB)]
    assert {"__init__.py", "LICENSE", "README.md", "pyproject.toml", "web/ddim_gmm.js",
            "web/docs/SamplerDDIMGMM.md"} <= set(names)
    for folder in ("nodes/", "sampling/", "workflows/api/"):
        assert [name for name in names if name.startswith(folder)], folder
    # every example workflow with its API form and its thumbnail
    for workflow in [name for name in tracked if name.startswith("workflows/") and name.count("/") == 1
                     and name.endswith(".json")]:
        stem = workflow.removesuffix(".json")
        assert {workflow, f"{stem}.jpg", stem.replace("workflows/", "workflows/api/") + ".api.json"} <= set(names)
    assert zip_path.stat().st_size <= MAX_BYTES, f"{zip_path.stat().st_size:,} bytes > {MAX_BYTES:,}"


@pytest.mark.parametrize("in_git", [True, False], ids=["git checkout", "plain folder"])
def test_comfyignore_keeps_new_folders_out_and_languages_in(tmp_path, in_git):
    # A new top-level folder stays out unless .comfyignore names it; a new language (locales/, web/docs/), a new
    # workflow and its thumbnail are in. Outside a git checkout comfy-cli walks the folder: bytecode stays out too.
    folder = tmp_path / "pack"
    copy_files([".comfyignore", "pyproject.toml", "LICENSE", "__init__.py"], REPO_ROOT, folder)
    shipped = ["__init__.py", "LICENSE", "pyproject.toml", "locales/fr/nodeDefs.json", "locales/zh/main.json",
               "web/docs/fr/SamplerDDIMGMM.md", "workflows/new_workflow.json", "workflows/new_workflow.jpg",
               "workflows/api/new_workflow.api.json", "nodes/new_node.py", "sampling/new_step.py"]
    left_out = ["lab/results.json", "bench/new_result.json", "models/weights/new.safetensors", "tests/test_new.py",
                "notes.md", "workflows/make_more_workflows.py", "nodes/tables.py"]
    for name in shipped[3:] + left_out:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}\n")
    if in_git:
        git(folder, "init", "-q")
        git(folder, "add", "-A")
    else:
        (folder / "nodes" / "__pycache__").mkdir()
        (folder / "nodes" / "__pycache__" / "new_node.cpython-311.pyc").write_bytes(b"\0")
    assert listing(comfy_node_pack(folder, tmp_path)) == sorted(shipped)


# --- the package in a real ComfyUI ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(package, random_sd15, tmp_path_factory):
    """ComfyUI's main.py with the package unpacked into custom_nodes/<PACK_FOLDER> and the random SD1.5 checkpoint."""
    zip_path, _ = package
    base = tmp_path_factory.mktemp("comfy_base")
    pack_dir = base / "custom_nodes" / PACK_FOLDER
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(pack_dir)
    (base / "models" / "checkpoints").mkdir(parents=True)
    os.symlink(random_sd15, base / "models" / "checkpoints" / CHECKPOINT)
    server = ComfyServer(COMFYUI_PATH, base, frontend="empty")
    yield server, pack_dir
    server.close()


def test_comfyui_imports_the_unpacked_package(server):
    server, pack_dir = server
    imports = server.log().split("Import times for custom nodes:")[1]
    (line,) = [line for line in imports.splitlines() if str(pack_dir) in line]
    assert "(IMPORT FAILED)" not in line, server.log_tail()


def test_the_node_and_the_dropdown_names_are_listed(server):
    from ddim_gmm.nodes.dropdown import DROPDOWN_SAMPLERS

    server, _ = server
    _, info = server.get("/object_info")
    assert info["SamplerDDIMGMM"]["display_name"] == "Sampler DDIM-GMM / RFIM-GMM"
    assert info["SamplerDDIMGMM"]["output"] == ["SAMPLER"]
    for node_type in ("KSampler", "KSamplerAdvanced", "KSamplerSelect"):
        names = combo_choices(info[node_type]["input"]["required"]["sampler_name"])
        assert [name for name in names if name.startswith("ddim_gmm")] == list(DROPDOWN_SAMPLERS), node_type


def test_the_web_extension_help_page_and_workflows_are_served(server):
    server, pack_dir = server
    status, extensions = server.get("/extensions")
    (script,) = [path for path in extensions if path.endswith("/ddim_gmm.js")]
    assert status == 200 and server.request(script, raw=True)[0] == 200
    help_page = script.removesuffix("ddim_gmm.js") + "docs/SamplerDDIMGMM.md"
    status, body = server.request(help_page, raw=True)
    assert status == 200 and body == (pack_dir / "web" / "docs" / "SamplerDDIMGMM.md").read_bytes()
    _, templates = server.get("/workflow_templates")
    workflows = sorted(path.stem for path in (pack_dir / "workflows").glob("*.json"))
    assert workflows and sorted(templates[PACK_FOLDER]) == workflows
    for name in workflows:  # the thumbnails the template browser shows
        status, body = server.request(f"/api/workflow_templates/{urllib.parse.quote(PACK_FOLDER)}/{name}.jpg", raw=True)
        assert status == 200 and body == (pack_dir / "workflows" / f"{name}.jpg").read_bytes(), name


def test_one_of_its_workflows_runs_from_the_unpacked_copy(server):
    # The package's own API workflow (SamplerDDIMGMM through SamplerCustom), on the random checkpoint at 64 px and
    # 2 steps: it runs to a saved image.
    server, pack_dir = server
    prompt = json.loads((pack_dir / WORKFLOW).read_text())
    by_type = {node["class_type"]: node["inputs"] for node in prompt.values()}
    by_type["CheckpointLoaderSimple"]["ckpt_name"] = CHECKPOINT
    by_type["EmptyLatentImage"].update(width=64, height=64)
    by_type["BasicScheduler"]["steps"] = 2
    status, reply = server.post("/prompt", {"prompt": prompt})
    assert status == 200 and reply["node_errors"] == {}, reply
    deadline = time.monotonic() + 600
    while True:
        _, history = server.get(f"/history/{reply['prompt_id']}")
        entry = (history or {}).get(reply["prompt_id"])
        if entry and entry["status"].get("completed") is not None:
            break
        assert server.process.poll() is None and time.monotonic() < deadline, server.log_tail()
        time.sleep(0.2)
    assert entry["status"]["status_str"] == "success", entry["status"]
    (save_id,) = [node_id for node_id, node in prompt.items() if node["class_type"] == "SaveImage"]
    (image,) = entry["outputs"][save_id]["images"]
    saved = server.base / "output" / image["subfolder"] / image["filename"]
    assert saved.read_bytes().startswith(b"\x89PNG")
