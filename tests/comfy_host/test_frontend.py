"""The pack in ComfyUI's real frontend (1.27, bundled with ComfyUI v0.3.64), driven by headless Chromium.

A user's view: every shipped workflow dropped on the canvas loads with every node type known, every widget value kept
and its whole graph in view; the SD1.5, SD3 and Flux workflows run to an image (64 px, 3 steps, on random-weight
checkpoints from bench/random_checkpoint.py, the SD3 one standing in for Flux); a
node added from the search box has the widgets /object_info lists; under every preset and offset schedule the node
shows exactly the widgets that take effect (nodes/visibility.py, measured in tests/test_nodes_visibility.py); the
node library's help panel shows our page. Screenshots go to the test's temporary folder, and to docs/ with
DDIM_GMM_UPDATE_SCREENSHOTS=1.
"""

import json
import os
import time

import pytest

from comfy_harness import REPO_ROOT, combo_choices
from frontend_harness import (FOLDER_NAME, Browser, ComfyServer, browser_missing_reason, drop_workflow, fetch,
                              make_base_directory, node_screenshot, open_dialogs)

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = [
    pytest.mark.skipif(not COMFYUI_PATH, reason="ComfyUI frontend tests need COMFYUI_PATH=/path/to/ComfyUI (a "
                                                "checkout whose requirements are installed in this venv)"),
    pytest.mark.skipif(browser_missing_reason() is not None, reason=str(browser_missing_reason())),
]

WORKFLOWS_DIR = REPO_ROOT / "workflows"
# The UI-format workflows, directly in workflows/ (ComfyUI's template browser lists those); their API twins are in api/.
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.json"))
API_WORKFLOWS_DIR = WORKFLOWS_DIR / "api"
# The checkpoints the shipped workflows name, and the session's random checkpoint that stands in for each here. SD1.5 and
# SD3 get one of their own architecture. Flux gets the SD3 one: a random Flux file is out of reach (its T5-XXL text
# encoder has a fixed 4.7 B parameters), and SD3 is, like Flux, a CONST flow model with 16 latent channels that
# ignores FluxGuidance, so the Flux graphs (SamplerCustomAdvanced, BasicGuider, RandomNoise, the A/B batch) run as
# shipped, with RFIM-GMM, on a network that is not Flux's. The SDXL file is an empty stand-in (loaded, never run).
RUNNABLE_CHECKPOINTS = {"v1-5-pruned-emaonly-fp16.safetensors": "random_sd15",
                        "sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors": "random_sd3",
                        "flux1-dev-fp8.safetensors": "random_sd3"}
RUN_TIMEOUT = 300  # seconds for one 64 px, 3-step run, model loading included, on a shared CPU
DOCS_DIR = REPO_ROOT / "docs"


def stand_in(path):
    """The random checkpoint a workflow runs on here, or None for one that is not run."""
    text = path.read_text()
    return next((fixture for name, fixture in RUNNABLE_CHECKPOINTS.items() if name in text), None)


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    base = tmp_path_factory.mktemp("comfy_frontend_base")
    names = {node["inputs"]["ckpt_name"] for path in API_WORKFLOWS_DIR.glob("*.api.json")
             for node in json.loads(path.read_text()).values() if "ckpt_name" in node["inputs"]}
    # The session's random checkpoints (tests/comfy_host/conftest.py) under the names the workflows expect.
    make_base_directory(base, {name: request.getfixturevalue(RUNNABLE_CHECKPOINTS[name])
                               if name in RUNNABLE_CHECKPOINTS else None for name in names})
    server = ComfyServer(COMFYUI_PATH, base)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    browser = Browser()
    yield browser
    browser.close()


@pytest.fixture
def page(server, browser):
    page = browser.page(server.url)
    yield page
    assert page.errors == [], page.errors
    page.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Where the screenshots go; also copied to docs/ when DDIM_GMM_UPDATE_SCREENSHOTS=1."""
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    if os.environ.get("DDIM_GMM_UPDATE_SCREENSHOTS") == "1":
        DOCS_DIR.mkdir(exist_ok=True)
        from PIL import Image
        for png in folder.glob("*.png"):
            # A 128-colour palette keeps the flat UI pictures sharp at a third of the size.
            Image.open(png).convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(
                DOCS_DIR / png.name, optimize=True)


def without_effect(preset, schedule):
    from ddim_gmm.nodes.visibility import widgets_without_effect
    return set(widgets_without_effect(preset, schedule))


NODE_STATE = """(id) => {
    const node = app.graph.getNodeById(id);
    app.canvas.draw(true, true);
    return {
        shown: node.widgets.filter(w => node.isWidgetVisible(w)).map(w => w.name),
        values: Object.fromEntries(node.widgets.map(w => [w.name, w.value])),
        ys: node.widgets.filter(w => node.isWidgetVisible(w)).map(w => w.y),
        height: node.size[1], fitted_height: node.computeSize()[1],
    };
}"""


def set_widget(page, node_id, name, value):
    """Sets a widget the way the combo menu does (BaseWidget.setValue: the value, then the callbacks)."""
    page.evaluate("""([id, name, value]) => {
        const node = app.graph.getNodeById(id);
        node.widgets.find(w => w.name === name).setValue(value, {node, canvas: app.canvas});
    }""", [node_id, name, value])


def assert_shows_what_takes_effect(page, node_id, widget_names):
    state = page.evaluate(NODE_STATE, node_id)
    hidden = without_effect(state["values"]["preset"], state["values"]["offset_schedule"])
    assert state["shown"] == [name for name in widget_names if name not in hidden], state
    # Laid out one row after another (no gap where a hidden widget sits) and the node no taller than that.
    assert all(b - a == 24 for a, b in zip(state["ys"], state["ys"][1:])), state["ys"]
    assert state["height"] == state["fitted_height"], state
    return state


def test_extension_and_help_page_are_served(server):
    status, extensions = fetch(f"{server.url}/extensions")
    assert status == 200 and any(path.endswith("/ddim_gmm.js") for path in extensions), extensions
    status, text = fetch(f"{server.url}/extensions/{FOLDER_NAME}/docs/SamplerDDIMGMM.md")
    assert status == 200 and text == (REPO_ROOT / "web" / "docs" / "SamplerDDIMGMM.md").read_text()


def test_fresh_node_has_the_widgets_of_object_info(page, server, screenshots):
    # As a user adds one: double-click the empty canvas, type in the search box, Enter.
    page.evaluate("() => app.graph.clear()")
    before = []
    page.mouse.dblclick(640, 400)
    page.locator("input[placeholder='Search Nodes...']:visible").first.wait_for(timeout=15_000)
    page.keyboard.type("DDIM-GMM", delay=20)
    # Enter takes the highlighted result: wait until that is our node (a fixed pause was too short on a busy CPU).
    page.locator(".p-autocomplete-option.p-focus", has_text="DDIM-GMM").first.wait_for(timeout=15_000)
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => app.graph.nodes.length > n", arg=len(before))
    node_id, node_type = page.evaluate("""(before) => { const n = app.graph.nodes.find(n => !before.includes(n.id));
                                                       return [n.id, n.type]; }""", before)
    assert node_type == "SamplerDDIMGMM"
    _, info = fetch(f"{server.url}/object_info/SamplerDDIMGMM")
    required = info["SamplerDDIMGMM"]["input"]["required"]
    widgets = page.evaluate("""(id) => app.graph.getNodeById(id).widgets.map(w => ({name: w.name, value: w.value,
        values: w.options.values, min: w.options.min, max: w.options.max}))""", node_id)
    assert [w["name"] for w in widgets] == list(required)
    for widget in widgets:
        kind, options = required[widget["name"]]
        assert widget["value"] == options["default"], widget
        if isinstance(kind, list) or kind == "COMBO":
            assert widget["values"] == combo_choices(required[widget["name"]])
        elif kind in ("INT", "FLOAT"):
            assert (widget["min"], widget["max"]) == (options["min"], options["max"])
    assert_shows_what_takes_effect(page, node_id, list(required))
    node_screenshot(page, node_id, screenshots / "node_default_preset.png")
    set_widget(page, node_id, "preset", "custom")
    assert_shows_what_takes_effect(page, node_id, list(required))
    node_screenshot(page, node_id, screenshots / "node_custom_preset.png")


def test_each_preset_and_schedule_shows_the_widgets_that_take_effect(page):
    node_id = page.evaluate("""() => { const n = LiteGraph.createNode('SamplerDDIMGMM'); n.pos = [100, 100];
                                       app.graph.add(n); return n.id; }""")
    names = page.evaluate("(id) => app.graph.getNodeById(id).widgets.map(w => w.name)", node_id)
    presets = page.evaluate("(id) => app.graph.getNodeById(id).widgets[0].options.values", node_id)
    set_widget(page, node_id, "s", 2.5)  # a value to find again after it was hidden
    for preset in presets:
        for schedule in ("noise_matched", "constant"):
            set_widget(page, node_id, "preset", preset)
            set_widget(page, node_id, "offset_schedule", schedule)
            state = assert_shows_what_takes_effect(page, node_id, names)
            # Hidden is not gone: the value stays, is saved and reaches the server.
            assert state["values"]["s"] == 2.5
            prompt = page.evaluate("async () => (await app.graphToPrompt()).output")
            assert prompt[str(node_id)]["inputs"]["s"] == 2.5 and len(prompt[str(node_id)]["inputs"]) == len(names)


def test_a_real_click_on_the_preset_menu_updates_the_widgets(page):
    # The combo's own menu, opened and picked with the mouse, as a user does.
    node_id = page.evaluate("""() => { const n = LiteGraph.createNode('SamplerDDIMGMM'); n.pos = [100, 100];
                                       app.graph.add(n); app.canvas.ds.offset = [0, 0]; app.canvas.ds.scale = 1;
                                       app.canvas.draw(true, true); return n.id; }""")
    x, y = page.evaluate("""(id) => { const n = app.graph.getNodeById(id), w = n.widgets[0];
        const r = app.canvas.canvas.getBoundingClientRect();
        return [r.x + n.pos[0] + n.size[0] / 2, r.y + n.pos[1] + w.y + 10]; }""", node_id)
    page.mouse.click(x, y)
    page.locator(".litecontextmenu .litemenu-entry", has_text="custom").first.click()
    state = page.evaluate(NODE_STATE, node_id)
    assert state["values"]["preset"] == "custom" and "covariance" in state["shown"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.stem)
def test_workflow_loads_by_drop_with_every_value_and_in_view(page, path, screenshots):
    workflow = drop_workflow(page, path)
    assert open_dialogs(page) == []
    loaded = page.evaluate("""() => app.graph.nodes.map(n => ({id: n.id, type: n.type,
        known: n.type in LiteGraph.registered_node_types && !n.has_errors}))""")
    assert all(node["known"] for node in loaded), loaded
    saved = {node["id"]: node for node in page.evaluate("() => app.graph.serialize().nodes")}
    for node in workflow["nodes"]:
        assert saved[node["id"]]["type"] == node["type"]
        assert saved[node["id"]].get("widgets_values", []) == node["widgets_values"], node["type"]
    # What the frontend would queue is the workflow's API twin.
    prompt = page.evaluate("async () => (await app.graphToPrompt()).output")
    api = json.loads((API_WORKFLOWS_DIR / f"{path.stem}.api.json").read_text())
    assert {k: (v["class_type"], v["inputs"]) for k, v in prompt.items()} == {
        k: (v["class_type"], v["inputs"]) for k, v in api.items()}
    # The whole graph is in view: every node's corners are on screen and on the canvas itself, not under the side
    # bar, the menus, the tab bar or the zoom controls.
    covered = page.evaluate("""() => {
        const ds = app.canvas.ds, box = app.canvas.canvas.getBoundingClientRect(), inset = 3, covered = [];
        for (const node of app.graph.nodes) {
            const [x, y, w, h] = node.boundingRect;
            for (const [cx, cy] of [[x, y], [x + w, y], [x, y + h], [x + w, y + h]]) {
                const sx = box.x + (cx + ds.offset[0]) * ds.scale + (cx === x ? inset : -inset);
                const sy = box.y + (cy + ds.offset[1]) * ds.scale + (cy === y ? inset : -inset);
                const hit = document.elementFromPoint(sx, sy);
                if (hit !== app.canvas.canvas) covered.push([node.type, sx, sy, hit?.tagName, hit?.className]);
            }
        }
        return covered;
    }""")
    assert covered == [], covered
    for node in workflow["nodes"]:
        if node["type"] == "SamplerDDIMGMM":
            assert_shows_what_takes_effect(page, node["id"], [w for w in page.evaluate(
                "(id) => app.graph.getNodeById(id).widgets.map(w => w.name)", node["id"])])
    if path.stem == "sd15_txt2img_sampler_custom":
        page.screenshot(path=str(screenshots / "workflow_sd15_txt2img.png"))


def test_a_workflow_saved_before_the_extension_loads_with_its_values_and_fits(page, tmp_path):
    # As the pack's workflows were saved before widgets could hide: eleven rows tall, a saved view, preset custom.
    workflow = json.loads((WORKFLOWS_DIR / "sd15_txt2img_sampler_custom.json").read_text())
    workflow["extra"] = {"ds": {"scale": 1.0, "offset": [0, 0]}}
    (node,) = [node for node in workflow["nodes"] if node["type"] == "SamplerDDIMGMM"]
    node["size"] = [360, 372]
    node["widgets_values"][0] = "EXACT"
    old = tmp_path / "saved_before.json"
    old.write_text(json.dumps(workflow))
    drop_workflow(page, old)
    saved = {n["id"]: n for n in page.evaluate("() => app.graph.serialize().nodes")}
    assert saved[node["id"]]["widgets_values"] == node["widgets_values"]
    names = page.evaluate("(id) => app.graph.getNodeById(id).widgets.map(w => w.name)", node["id"])
    state = assert_shows_what_takes_effect(page, node["id"], names)
    assert state["height"] < 372 and saved[node["id"]]["size"][0] == 360


def view_image(server, image):
    """The pixels of a saved image, as the frontend fetches it (GET /view)."""
    import io
    import urllib.parse
    from PIL import Image

    status, body = fetch(f"{server.url}/view?{urllib.parse.urlencode(image)}", raw=True)
    assert status == 200, (status, image)
    return Image.open(io.BytesIO(body)).convert("RGB")


def history_images(server, prompt_id):
    status, history = fetch(f"{server.url}/history/{prompt_id}")
    entry = history.get(prompt_id) if status == 200 and isinstance(history, dict) else None
    if not entry:
        return None
    assert entry["status"]["status_str"] != "error", entry["status"]
    return [image for output in entry["outputs"].values() for image in output.get("images", [])]


@pytest.mark.parametrize("path", [path for path in WORKFLOWS if stand_in(path)], ids=lambda path: path.stem)
def test_workflow_runs_to_an_image(page, server, path):
    workflow = drop_workflow(page, path)
    # 64 px and 3 steps, set in the widgets as a user would; everything else as shipped but the seed: one of its own
    # per workflow, or ComfyUI would answer a graph that repeats another's sampler inputs (the Flux txt2img graph is
    # the Flux A/B's slot 2) from its cache without running our sampler.
    seed = 1000 + WORKFLOWS.index(path)
    for node in workflow["nodes"]:
        names = page.evaluate("(id) => app.graph.getNodeById(id).widgets?.map(w => w.name) ?? []", node["id"])
        for name, value in {"width": 64, "height": 64, "steps": 3, "seed": seed, "noise_seed": seed}.items():
            if name in names:
                set_widget(page, node["id"], name, value)
    log_start = len(server.log())
    prompt_ids = page.evaluate("""() => new Promise(resolve => {
        const { api } = window.comfyAPI.api;
        const original = api.queuePrompt.bind(api);
        api.queuePrompt = async (...args) => { const r = await original(...args); resolve([r.prompt_id]); return r; };
        document.querySelector('button[data-testid="queue-button"]')?.click()
            ?? [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Run').click();
    })""")
    deadline = time.monotonic() + RUN_TIMEOUT
    while (images := history_images(server, prompt_ids[0])) is None:
        assert time.monotonic() < deadline, f"no image after {RUN_TIMEOUT} s:\n{server.log()[-3000:]}"
        time.sleep(1)
    # One image per run: the A/B comparison's batch holds its four samplers' images.
    assert len(images) == (4 if "_ab_comparison" in path.stem else 1), images
    assert all(image["type"] == "output" for image in images), images
    # Four samplers, four different images: no slot silently runs another's sampler.
    pixels = [view_image(server, image) for image in images]
    assert len({picture.tobytes() for picture in pixels}) == len(pixels)
    # Our sampler ran with the kernel the model calls for (kernel 'auto' logs its pick): RFIM-GMM on the flow model.
    flow = stand_in(path) == "random_sd3"
    kernel, model_kind = ("RFIM-GMM", "flow model") if flow else ("DDIM-GMM", "diffusion model")
    log = server.log()[log_start:]
    assert f"ddim-gmm: {kernel} kernel ({model_kind})" in log, log[-3000:]
    if "_ab_comparison" in path.stem:
        assert f"ddim-gmm: {kernel} kernel, matched-noise control ({model_kind})" in log, log[-3000:]
    # The frontend shows it: the Save Image node receives the image.
    page.wait_for_function("""(ids) => ids.some(id => app.nodeOutputs?.[id]?.images?.length)""",
                           arg=[str(node["id"]) for node in workflow["nodes"] if node["type"] == "SaveImage"],
                           timeout=30_000)


def test_help_panel_shows_our_page(page):
    # Node library (side bar), search our node, its help button: the panel renders web/docs/SamplerDDIMGMM.md.
    page.keyboard.press("n")
    page.locator("input[placeholder='Search Nodes...']:visible").first.fill("DDIM-GMM")
    leaf = page.locator(".node-lib-node-container", has_text="DDIM-GMM").first
    leaf.hover()
    leaf.locator(".help-button").click()
    help_text = page.locator(".markdown-content").inner_text(timeout=15_000)
    assert "moment-matched Gaussian mixture" in help_text and "offset_variance_fraction" in help_text
