"""No shipped workflow uses a node that a frontend we test marks deprecated, read from what the frontend ships.

A frontend names a deprecated core node in its own translations of the core nodes' display names ("Batch Latents
(DEPRECATED)"), and shows that name on the canvas whatever the server says; the newer ones also hide such a node from
search. Each version's bundle is read as the browser gets it: the locale tables map a node type to an object whose
display_name holds the words. The host's own flag (/object_info's `deprecated`) is checked in test_comfy_server.py.
"""

import json
import re
from importlib import util
from pathlib import Path

import pytest
from comfy_harness import REPO_ROOT
from frontend_harness import NEXT_FRONTEND, PINNED_FRONTEND, frontend_root

WORKFLOWS_DIR = REPO_ROOT / "workflows"

# A locale entry in the bundle: an object whose display_name says DEPRECATED, either named and filed under its node type
# in a table (1.27: `const LatentBatch$8 = { display_name: "..."` and `LatentBatch: LatentBatch$8`; 1.58, minified:
# `So={display_name:`...`}` and `LatentBatch:So`) or written in the table itself (`LatentBatch: { display_name: ...`).
MARK = "DEPRECATED"
DISPLAY_NAME = re.compile(r"display_name:\s*[\"'`]([^\"'`\n]*" + MARK + r"[^\"'`\n]*)[\"'`]")
KEY = r'(?:"([^"]+)"|([\w$]+))'
OWNER = re.compile(r"(?:([\w$]+)\s*=|" + KEY + r"\s*:)\s*\{\s*$")
TABLE_KEY = re.compile(r"[{,]\s*" + KEY + r"\s*$")


def deprecated_in_bundle(static):
    """{node type: display name} of every node the frontend at `static` names deprecated in its locale tables."""
    found = {}
    for path in sorted(static.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in DISPLAY_NAME.finditer(text):
            owner = OWNER.search(text, max(0, match.start() - 200), match.start())
            if owner is None:
                continue
            if owner.group(1) is None:  # written in the table: the key is the node type
                found[owner.group(2) or owner.group(3)] = match.group(1)
                continue
            for use in re.finditer(r":\s*" + re.escape(owner.group(1)) + r"(?=\s*[,}])", text):
                key = TABLE_KEY.search(text, max(0, use.start() - 200), use.start())
                if key is not None:
                    found[key.group(1) or key.group(2)] = match.group(1)
    return found


def static_folder(version):
    """The frontend's static folder: the pinned one in this venv (ComfyUI's requirements), the newest beside the
    clone (frontend_harness.frontend_root)."""
    if version == NEXT_FRONTEND:
        return frontend_root(version)
    spec = util.find_spec("comfyui_frontend_package")
    return None if spec is None else Path(spec.origin).parent / "static"


def workflow_node_types():
    """{node type: [workflow files using it]} over the UI and the API files."""
    uses = {}
    for path in sorted(WORKFLOWS_DIR.glob("*.json")):
        for node in json.loads(path.read_text())["nodes"]:
            uses.setdefault(node["type"], []).append(path.name)
    for path in sorted((WORKFLOWS_DIR / "api").glob("*.api.json")):
        for node in json.loads(path.read_text()).values():
            uses.setdefault(node["class_type"], []).append(path.name)
    return uses


@pytest.mark.parametrize("version", [PINNED_FRONTEND, NEXT_FRONTEND])
def test_no_workflow_node_is_deprecated_in_the_frontend(version):
    static = static_folder(version)
    if static is None or not (static / "index.html").is_file():
        pytest.skip(f"frontend {version} is not installed (the pinned one comes with ComfyUI's requirements; "
                    f"the newest: pip install --no-deps --target .frontend/{version} "
                    f"comfyui-frontend-package=={version})")
    deprecated = deprecated_in_bundle(static)
    # The bundle was read: every version we test marks some core node deprecated (1.27: Load Checkpoint With Config).
    assert deprecated, f"no deprecated node found in {static}: has the bundle's locale format changed?"
    used = workflow_node_types()
    assert {node: (deprecated[node], sorted(set(used[node]))) for node in used if node in deprecated} == {}
