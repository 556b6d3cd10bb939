"""The pack in ComfyUI's real frontend, driven by headless Chromium: every test on the frontend ComfyUI v0.3.64 pins
(1.27.10) and on the newest (pyproject's frontend-next extra, 1.58.1, served with --front-end-root), and the widget
checks once more on the newest with its Vue node renderer on.

A user's view: every shipped workflow dropped on the canvas loads with every node type known, every widget value kept
and its whole graph in view; the SD1.5, SD3 and Flux workflows run to an image (64 px, 3 steps, on random-weight
checkpoints from bench/host/random_checkpoint.py, the SD3 one standing in for Flux); a
node added from the search box has the widgets /object_info lists; under every preset and offset schedule the node
shows exactly the widgets that take effect (nodes/visibility.py, measured in tests/test_nodes_visibility.py); the
node library's help panel shows our page; the template browser lists the pack's UI workflows with their thumbnails.
Screenshots (of the pinned frontend) go to the test's temporary folder, and with DDIM_GMM_UPDATE_SCREENSHOTS=1 to docs/,
and each workflow's thumbnail to workflows/<name>.jpg.

Waits are on state, never on time: a wait_for_function on the graph or the page, or an interaction retried until the
page answers (see open_search_box).
"""

import json
import os
import time
import urllib.parse

import pytest

from comfy_harness import REPO_ROOT, combo_choices
from frontend_harness import (FOLDER_NAME, NEXT_FRONTEND, PINNED_FRONTEND, ROUTES_THE_OLDER_SERVER_LACKS, Browser,
                              ComfyServer, browser_missing_reason, drop_workflow, fetch, frontend_root,
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
# ignores FluxGuidance, so the Flux graphs (SamplerCustomAdvanced, BasicGuider, RandomNoise, the A/B grid) run as
# shipped, with RFIM-GMM, on a network that is not Flux's. The SDXL file is an empty stand-in (loaded, never run).
RUNNABLE_CHECKPOINTS = {"v1-5-pruned-emaonly-fp16.safetensors": "random_sd15",
                        "sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors": "random_sd3",
                        "flux1-dev-fp8.safetensors": "random_sd3"}
RUN_TIMEOUT = 300  # seconds for one 64 px, 3-step run, model loading included, on a shared CPU
DOCS_DIR = REPO_ROOT / "docs"
FRONTENDS = [PINNED_FRONTEND, NEXT_FRONTEND]
THUMBNAIL_SIZE = (400, 250)  # the template browser's cards are about 2:1.25; not the 224 px of 1.58's stand-in image


def stand_in(path):
    """The random checkpoint a workflow runs on here, or None for one that is not run."""
    text = path.read_text()
    return next((fixture for name, fixture in RUNNABLE_CHECKPOINTS.items() if name in text), None)


@pytest.fixture(scope="module", params=FRONTENDS)
def server(tmp_path_factory, request):
    """ComfyUI serving one frontend version (the test's parameter); server.frontend is that version."""
    version = request.param
    frontend = "bundled"
    if version != PINNED_FRONTEND:
        frontend = frontend_root(version)
        if not (frontend / "index.html").is_file():
            pytest.skip(f"frontend {version} is not installed at {frontend}: pip install --no-deps --target "
                        f".frontend/{version} comfyui-frontend-package=={version} (as .ci/run does)")
    base = tmp_path_factory.mktemp("comfy_frontend_base")
    names = {node["inputs"]["ckpt_name"] for path in API_WORKFLOWS_DIR.glob("*.api.json")
             for node in json.loads(path.read_text()).values() if "ckpt_name" in node["inputs"]}
    # The session's random checkpoints (tests/comfy_host/conftest.py) under the names the workflows expect.
    make_base_directory(base, {name: request.getfixturevalue(RUNNABLE_CHECKPOINTS[name])
                               if name in RUNNABLE_CHECKPOINTS else None for name in names})
    server = ComfyServer(COMFYUI_PATH, base, frontend=str(frontend))
    server.frontend = version
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    browser = Browser()
    yield browser
    browser.close()


@pytest.fixture
def page(server, browser):
    page = browser.page(server.url, tolerated=ROUTES_THE_OLDER_SERVER_LACKS.get(server.frontend, ()))
    # The version under test is the one served.
    assert page.evaluate("() => window.__COMFYUI_FRONTEND_VERSION__") == server.frontend
    yield page
    assert page.errors == [], page.errors
    page.close()


@pytest.fixture(scope="module")
def screenshot_folder(tmp_path_factory):
    """Where the pinned frontend's screenshots and thumbnails go; with DDIM_GMM_UPDATE_SCREENSHOTS=1 the screenshots
    are copied to docs/ and the thumbnails to workflows/<name>.jpg."""
    folder = tmp_path_factory.mktemp("screenshots")
    (folder / "thumbnails").mkdir()
    yield folder
    if os.environ.get("DDIM_GMM_UPDATE_SCREENSHOTS") == "1":
        DOCS_DIR.mkdir(exist_ok=True)
        from PIL import Image
        for png in folder.glob("*.png"):
            # A 128-colour palette keeps the flat UI pictures sharp at a third of the size.
            Image.open(png).convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(
                DOCS_DIR / png.name, optimize=True)
        for png in (folder / "thumbnails").glob("*.png"):
            image = Image.open(png).convert("RGB").resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
            image.save(WORKFLOWS_DIR / f"{png.stem}.jpg", quality=82, optimize=True)


@pytest.fixture
def screenshots(screenshot_folder, server, tmp_path):
    """The pinned frontend's screenshots are the ones kept; the newer one's go to the test's own folder."""
    if server.frontend == PINNED_FRONTEND:
        return screenshot_folder
    (tmp_path / "thumbnails").mkdir()
    return tmp_path


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


SEARCH_BOX = "input[role=combobox]:focus"


def open_search_box(page, attempts=10):
    """Opens the node search box with the frontend's own command (the one its double-click handler runs), retried
    until the box has the focus: a command run while the page is still busy can go unanswered."""
    for _ in range(attempts):
        page.evaluate("() => app.extensionManager.command.execute('Workspace.SearchBox.Toggle')")
        try:
            page.wait_for_selector(SEARCH_BOX, timeout=10_000)
            return page.locator(SEARCH_BOX)
        except Exception:  # playwright's TimeoutError: toggle again (a second toggle on an open box closes it)
            if page.locator(SEARCH_BOX).count():
                return page.locator(SEARCH_BOX)
    raise AssertionError(f"the node search box did not open after {attempts} tries")


def test_fresh_node_has_the_widgets_of_object_info(page, server, screenshots):
    # As a user adds one: the node search box (what a double-click on the empty canvas opens), type, Enter.
    page.evaluate("() => app.graph.clear()")
    before = []
    box = open_search_box(page)
    box.fill("DDIM-GMM")
    # Enter takes the highlighted result: wait until that is our node (1.27: .p-focus; 1.58: aria-selected).
    page.locator(".p-autocomplete-option.p-focus, [role=option][aria-selected=true]", has_text="DDIM-GMM").first \
        .wait_for(timeout=60_000)
    box.press("Enter")
    page.wait_for_function("(n) => app.graph.nodes.length > n", arg=len(before), timeout=60_000)
    node_id, node_type = page.evaluate("""(before) => { const n = app.graph.nodes.find(n => !before.includes(n.id));
                                                       return [n.id, n.type]; }""", before)
    assert node_type == "SamplerDDIMGMM"
    _, info = fetch(f"{server.url}/object_info/SamplerDDIMGMM")
    # Every widget: the required ones, then the optional cfg_pp (CFG++), as the node lists and saves them.
    required = {**info["SamplerDDIMGMM"]["input"]["required"], **info["SamplerDDIMGMM"]["input"].get("optional", {})}
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
    entry = page.locator(".litecontextmenu .litemenu-entry", has_text="custom").first
    for _ in range(10):  # a click the busy page did not take yet: click again until the menu is open
        page.mouse.click(x, y)
        try:
            entry.wait_for(timeout=10_000)
            break
        except Exception:  # playwright's TimeoutError
            pass
    entry.click()
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
    # The template browser's thumbnail: the canvas as drawn with the workflow loaded and fitted.
    box = page.evaluate("() => { const r = app.canvas.canvas.getBoundingClientRect(); "
                        "return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    page.screenshot(path=str(screenshots / "thumbnails" / f"{path.stem}.png"), clip=box)


def test_a_workflow_saved_before_the_extension_loads_with_its_values_and_fits(page, tmp_path):
    # As the pack's workflows were saved before widgets could hide: eleven rows tall, a saved view, preset custom.
    workflow = json.loads((WORKFLOWS_DIR / "sd15_txt2img_sampler_custom.json").read_text())
    workflow["extra"] = {"ds": {"scale": 1.0, "offset": [0, 0]}}
    (node,) = [node for node in workflow["nodes"] if node["type"] == "SamplerDDIMGMM"]
    node["size"] = [360, 372]
    node["widgets_values"][0] = "EXACT"
    # ... and before the cfg_pp widget (CFG++): eleven values, the last one missing.
    assert node["widgets_values"][-1] is False
    full = list(node["widgets_values"])
    node["widgets_values"] = full[:-1]
    old = tmp_path / "saved_before.json"
    old.write_text(json.dumps(workflow))
    drop_workflow(page, old)
    saved = {n["id"]: n for n in page.evaluate("() => app.graph.serialize().nodes")}
    assert saved[node["id"]]["widgets_values"] == full  # every value in its place, cfg_pp at its default (off)
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


def panel_boxes(prompt, node_id, panel):
    """Where an ImageStitch tree of `panel`-px decodes (match_image_size off) puts each: ([(left, top, right, bottom)]
    in reading order, (width, height) of the picture)."""
    node = prompt[node_id]
    if node["class_type"] != "ImageStitch":
        return [(0, 0, panel, panel)], (panel, panel)
    (first, (w1, h1)), (second, (w2, h2)) = (panel_boxes(prompt, node["inputs"][name][0], panel)
                                             for name in ("image1", "image2"))
    gap, right = node["inputs"]["spacing_width"], node["inputs"]["direction"] == "right"
    assert node["inputs"]["direction"] in ("right", "down") and (h1 == h2 if right else w1 == w2)
    dx, dy = (w1 + gap, 0) if right else (0, h1 + gap)
    moved = [(left + dx, top + dy, r + dx, b + dy) for left, top, r, b in second]
    return first + moved, ((w1 + gap + w2, h1) if right else (w1, h1 + gap + h2))


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
    # One image per run: the A/B comparison's holds its samplers' images side by side.
    assert len(images) == 1 and images[0]["type"] == "output", images
    if "_ab_comparison" in path.stem:
        # Four samplers (the CFG++ twin's three), four different panels: no slot silently runs another's sampler.
        prompt = json.loads((API_WORKFLOWS_DIR / f"{path.stem}.api.json").read_text())
        (save,) = [node for node in prompt.values() if node["class_type"] == "SaveImage"]
        boxes, size = panel_boxes(prompt, save["inputs"]["images"][0], panel=64)
        picture = view_image(server, images[0])
        assert picture.size == size and len(boxes) == (3 if path.stem.endswith("_cfg_pp") else 4)
        panels = [picture.crop(box).tobytes() for box in boxes]
        assert len(set(panels)) == len(panels)
    # Our sampler ran with the kernel the model calls for (kernel 'auto' logs its pick): RFIM-GMM on the flow model.
    flow = stand_in(path) == "random_sd3"
    kernel, model_kind = ("RFIM-GMM", "flow model") if flow else ("DDIM-GMM", "diffusion model")
    log = server.log()[log_start:]
    cfg_pp = ", CFG++" if path.stem.endswith("_cfg_pp") else ""
    assert f"ddim-gmm: {kernel} kernel{cfg_pp} ({model_kind})" in log, log[-3000:]
    if "_ab_comparison" in path.stem:
        assert f"ddim-gmm: {kernel} kernel, matched-noise control{cfg_pp} ({model_kind})" in log, log[-3000:]
    # The frontend shows it: the Save Image node receives the image.
    page.wait_for_function("""(ids) => ids.some(id => app.nodeOutputs?.[id]?.images?.length)""",
                           arg=[str(node["id"]) for node in workflow["nodes"] if node["type"] == "SaveImage"],
                           timeout=60_000)


def test_help_panel_shows_our_page(page, server):
    # Node library (side bar), search our node, its help button: the panel renders web/docs/SamplerDDIMGMM.md.
    if server.frontend != PINNED_FRONTEND:
        # 1.58's new library design (its default) has no help button; its classic one, a setting away, has.
        page.evaluate("async () => await app.extensionManager.setting.set('Comfy.NodeLibrary.NewDesign', false)")
    page.evaluate("() => app.extensionManager.command.execute('Workspace.ToggleSidebarTab.node-library')")
    page.locator("input[placeholder='Search Nodes...']:visible").first.fill("DDIM-GMM")
    # The leaf (a tree item in both versions) and its help button (the question-mark icon in both).
    leaf = page.locator("[role=treeitem]", has_text="Sampler DDIM-GMM").last
    leaf.hover()
    leaf.locator("button:has(.pi-question)").click(timeout=60_000)
    # The help panel's body (.node-help-content in both; its markdown class differs), once the page is fetched in.
    from playwright.sync_api import expect
    body = page.locator(".node-help-content")
    expect(body).to_contain_text("moment-matched Gaussian mixture", timeout=60_000)
    expect(body).to_contain_text("offset_variance_fraction")


def test_template_browser_lists_the_ui_workflows_each_with_its_thumbnail(page, server):
    # ComfyUI lists every *.json directly in the pack's workflows/ (the API twins sit in workflows/api/, unlisted).
    status, templates = fetch(f"{server.url}/workflow_templates")
    assert status == 200 and sorted(templates[FOLDER_NAME]) == [path.stem for path in WORKFLOWS], templates
    from PIL import Image
    sizes = {}
    for path in WORKFLOWS:
        thumbnail = path.with_suffix(".jpg")
        assert thumbnail.is_file(), f"no {thumbnail.name}: DDIM_GMM_UPDATE_SCREENSHOTS=1 writes it"
        with Image.open(thumbnail) as image:
            assert image.format == "JPEG" and image.size == THUMBNAIL_SIZE, (thumbnail.name, image.format, image.size)
        sizes[path.stem] = list(THUMBNAIL_SIZE)
    fetched = {}
    page.on("response", lambda response: fetched.__setitem__(urllib.parse.unquote(response.url), response.status))
    # The browser as a user opens it, and the pack's own section (its folder name) in the side list.
    page.evaluate("() => app.extensionManager.command.execute('Comfy.BrowseTemplates')")
    page.get_by_text(FOLDER_NAME, exact=True).first.click(timeout=60_000)
    cards = "[data-testid^='template-workflow-']"
    page.wait_for_function("""([cards, names]) => { const ids = [...document.querySelectorAll(cards)]
        .map(c => c.dataset.testid.slice('template-workflow-'.length)).sort();
        return JSON.stringify(ids) === JSON.stringify(names); }""", arg=[cards, sorted(sizes)], timeout=60_000)
    for name in sorted(sizes):
        # Thumbnails load as their card scrolls into view: each must show our JPEG (not the frontend's stand-in).
        page.locator(f"[data-testid='template-workflow-{name}']").scroll_into_view_if_needed()
        page.wait_for_function("""([name, size]) => {
            const img = document.querySelector(`[data-testid="template-workflow-${name}"] img`);
            return img?.complete && img.naturalWidth === size[0] && img.naturalHeight === size[1]; }""",
                               arg=[name, sizes[name]], timeout=60_000)
        url = f"{server.url}/api/workflow_templates/{FOLDER_NAME}/{name}.jpg"
        assert fetched.get(url) == 200, (url, {k: v for k, v in fetched.items() if "workflow_templates" in k})


@pytest.mark.parametrize("server", [NEXT_FRONTEND], indirect=True)
def test_vue_nodes_show_the_widgets_that_take_effect_under_every_preset_and_schedule(page, server):
    # The Vue node renderer (Comfy.VueNodes.Enabled, the default of new Desktop installs) draws each node as HTML,
    # one [data-widget-name] element per widget shown: the same widgets as on the canvas, under every preset and
    # schedule.
    page.evaluate("async () => await app.extensionManager.setting.set('Comfy.VueNodes.Enabled', true)")
    try:
        node_id = page.evaluate("""() => { const n = LiteGraph.createNode('SamplerDDIMGMM'); n.pos = [100, 100];
                                           app.graph.add(n); return n.id; }""")
        names = page.evaluate("(id) => app.graph.getNodeById(id).widgets.map(w => w.name)", node_id)
        presets = page.evaluate("(id) => app.graph.getNodeById(id).widgets[0].options.values", node_id)
        shown_js = """([id, expected]) => JSON.stringify([...document.querySelectorAll(
            `[data-node-id="${id}"] [data-testid="node-widget"][data-widget-name]`)]
            .filter(e => e.checkVisibility()).map(e => e.dataset.widgetName)) === JSON.stringify(expected)"""
        for preset in presets:
            for schedule in ("noise_matched", "constant"):
                set_widget(page, node_id, "preset", preset)
                set_widget(page, node_id, "offset_schedule", schedule)
                hidden = without_effect(preset, schedule)
                expected = [name for name in names if name not in hidden]
                try:
                    page.wait_for_function(shown_js, arg=[node_id, expected], timeout=30_000)
                except Exception as error:
                    shown = page.evaluate("""(id) => [...document.querySelectorAll(
                        `[data-node-id="${id}"] [data-testid="node-widget"][data-widget-name]`)]
                        .filter(e => e.checkVisibility()).map(e => e.dataset.widgetName)""", node_id)
                    raise AssertionError(f"{preset}/{schedule}: Vue node shows {shown}, expected {expected}") from error
                # The canvas model agrees (what the Vue renderer reads).
                assert page.evaluate(NODE_STATE, node_id)["shown"] == expected
    finally:
        page.evaluate("async () => await app.extensionManager.setting.set('Comfy.VueNodes.Enabled', false)")
