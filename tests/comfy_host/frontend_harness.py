"""A real ComfyUI server serving its bundled frontend, and a headless Chromium driving it, for tests/comfy_host.

The server runs main.py in a subprocess with its own base directory: our pack symlinked into custom_nodes/ under an
odd folder name, checkpoint files, an input image, and user settings that skip the first-run tutorial. The browser is
the system's Chromium driven by playwright (playwright's own browser download cannot work offline).
"""

import json
import os
import re
import shutil
import tempfile
import urllib.parse
from importlib import metadata
from pathlib import Path

from comfy_harness import REPO_ROOT

from ddim_gmm.bench.host.server import ComfyServer, fetch  # noqa: F401 (the frontend tests use both)

# No space and no dot: ComfyUI 0.3.64 serves no web files for a folder name with a space (aiohttp's static route
# does not match it), and frontend 1.27 cuts the help page's folder name at the first dot. Odd otherwise.
FOLDER_NAME = "DDIM-GMM_clone(2)"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
# The frontend ComfyUI's requirements pin (this venv's comfyui-frontend-package, served by default), and the newest one
# (pyproject's frontend-next extra, installed by .ci/run into .frontend/<version>, served with --front-end-root).
try:
    PINNED_FRONTEND = metadata.version("comfyui-frontend-package")
except metadata.PackageNotFoundError:  # no ComfyUI requirements in this venv: the frontend tests skip (COMFYUI_PATH)
    PINNED_FRONTEND = "pinned"
NEXT_FRONTEND = re.search(r'frontend-next = \["comfyui-frontend-package==([0-9.]+)"\]',
                          (REPO_ROOT / "pyproject.toml").read_text()).group(1)
# Routes a newer frontend asks the older server (ComfyUI v0.3.64) for, which it answers 404: tolerated by name, for the
# newer frontend only. Any other /api route answering 404 fails the test (a missing file under /api/userdata is no
# missing route: both versions look for optional user files).
ROUTES_THE_OLDER_SERVER_LACKS = {NEXT_FRONTEND: ("/api/jobs", "/api/global_subgraphs")}


def frontend_root(version):
    """The static folder of frontend `version` as .ci/run installs it (pip install --no-deps --target)."""
    return REPO_ROOT / ".frontend" / version / "comfyui_frontend_package" / "static"


def missing_route(url, tolerated):
    """The path of a 404 answer that means the server lacks the route, or None (tolerated, or not a route)."""
    path = urllib.parse.urlparse(url).path
    if not path.startswith("/api/") or path.startswith("/api/userdata"):
        return None
    return None if any(path == route or path.startswith(route + "/") for route in tolerated) else path


def make_base_directory(base, checkpoints):
    """ComfyUI's base directory: the pack, `checkpoints` {file name: source path or None for an empty stand-in}, an
    input image and settings."""
    (base / "custom_nodes").mkdir(parents=True)
    os.symlink(REPO_ROOT, base / "custom_nodes" / FOLDER_NAME, target_is_directory=True)
    (base / "models" / "checkpoints").mkdir(parents=True)
    for name, source in checkpoints.items():
        target = base / "models" / "checkpoints" / name
        if source is None:
            target.touch()
        else:
            os.symlink(source, target)
    (base / "input").mkdir()
    from PIL import Image
    # 64 px with an alpha channel: img2img encodes it, the inpainting workflow takes its mask from the alpha.
    image = Image.new("RGBA", (64, 64), (120, 110, 90, 255))
    image.paste((120, 110, 90, 0), (16, 16, 48, 48))
    image.save(base / "input" / "example.png")
    settings = base / "user" / "default" / "comfy.settings.json"
    settings.parent.mkdir(parents=True)
    # No first-run tutorial. Navigation 'custom' with the 'legacy' choices: frontend 1.27's default mode sets two
    # settings before they are registered at start-up and throws (with or without custom nodes).
    settings.write_text(json.dumps({"Comfy.TutorialCompleted": True, "Comfy.Canvas.NavigationMode": "custom",
                                    "Comfy.Canvas.LeftMouseClickBehavior": "panning",
                                    "Comfy.Canvas.MouseWheelScroll": "zoom",
                                    # The minimap would cover part of the fitted graph in the screenshots.
                                    "Comfy.Minimap.Visible": False}))


def browser_missing_reason():
    """Why the frontend tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the frontend tests need playwright (pip install playwright; its browser download is not needed)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"the frontend tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM)"
    return None


class Browser:
    """A headless Chromium with a fresh profile; page() opens the ComfyUI frontend and waits until our node is in."""

    def __init__(self):
        from playwright.sync_api import sync_playwright
        self.playwright = sync_playwright().start()
        self.profile = tempfile.mkdtemp(prefix="ddim_gmm_chromium_")
        self.context = self.playwright.chromium.launch_persistent_context(
            self.profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT)

    def page(self, url, tolerated=()):
        """A page of the frontend at `url`; page.errors collects uncaught errors and 404s of routes the server lacks,
        but those of the `tolerated` routes."""
        page = self.context.new_page()
        page.errors = []

        def on_error(error):
            if not any(route in f"{error}\n{error.stack}" for route in tolerated):
                page.errors.append(f"{error}\n{error.stack}")

        def on_response(response):
            if response.status == 404 and (path := missing_route(response.url, tolerated)):
                page.errors.append(f"404 {path}: a route the server lacks")

        page.on("pageerror", on_error)
        page.on("response", on_response)
        page.goto(url)
        page.wait_for_function("() => window.app?.graph && window.LiteGraph?.registered_node_types?.SamplerDDIMGMM",
                               timeout=120_000)
        return page

    def close(self):
        self.context.close()
        self.playwright.stop()
        shutil.rmtree(self.profile, ignore_errors=True)


# Drops a file on the canvas as a user's drag and drop does: a `drop` event carrying a DataTransfer with the file.
DROP_FILE = """async ([name, text, type]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, {type}));
    const canvas = document.querySelector('#graph-canvas');
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true,
                                                clientX: box.x + box.width / 2, clientY: box.y + box.height / 2}));
}"""


def drop_workflow(page, path):
    """Drops workflow file `path` on the canvas and waits until its nodes are in the graph."""
    workflow = json.loads(Path(path).read_text())
    page.evaluate(DROP_FILE, [Path(path).name, Path(path).read_text(), "application/json"])
    # Its ids with its types, and no other node: a graph loaded before with more nodes can hold every id already.
    page.wait_for_function("""(nodes) => app.graph.nodes.length === nodes.length
                              && nodes.every(([id, type]) => app.graph.getNodeById(id)?.type === type)""",
                           arg=[[node["id"], node["type"]] for node in workflow["nodes"]], timeout=120_000)
    # One frame later the frontend has fitted the view and laid the nodes out.
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    page.evaluate("() => app.canvas.draw(true, true)")
    return workflow


def open_dialogs(page):
    """The texts of the modal dialogs on screen (a missing-nodes or missing-models warning would be one)."""
    return page.eval_on_selector_all(".p-dialog", "dialogs => dialogs.map(d => d.innerText)")


def node_screenshot(page, node_id, path, margin=12, badge=24):
    """A PNG of one node as drawn on the canvas, title bar and the pack's name badge above it included."""
    box = page.evaluate("""([id, margin, badge]) => {
        const node = app.graph.getNodeById(id), ds = app.canvas.ds;
        const rect = app.canvas.canvas.getBoundingClientRect();
        const [x, y, w, h] = node.boundingRect;
        return {x: rect.x + (x + ds.offset[0]) * ds.scale - margin,
                y: rect.y + (y + ds.offset[1]) * ds.scale - margin - badge,
                width: w * ds.scale + 2 * margin, height: h * ds.scale + 2 * margin + badge};
    }""", [node_id, margin, badge])
    page.screenshot(path=str(path), clip=box)
