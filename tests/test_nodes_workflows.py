"""The example workflows without ComfyUI: up to date with their generator, consistent, our widgets valid.

The host tests (tests/comfy_host) also run ComfyUI's own prompt validation on them.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from ddim_gmm.nodes import DROPDOWN_SAMPLERS, SamplerDDIMGMM
from ddim_gmm.nodes.sampler_node import widget_inputs
from ddim_gmm.nodes.options import options_from_widgets

WORKFLOWS_DIR = Path(__file__).resolve().parents[1] / "workflows"


def load_generator():
    spec = importlib.util.spec_from_file_location("make_workflows", WORKFLOWS_DIR / "make_workflows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()
NAMES = list(GENERATOR.WORKFLOWS)


def read(name, api):
    return json.loads((WORKFLOWS_DIR / ("api" if api else "") / f"{name}{'.api' if api else ''}.json").read_text())


def test_registry_id_and_version_in_the_workflows_match_pyproject():
    tomllib = pytest.importorskip("tomllib", reason="tomllib (Python >= 3.11) reads pyproject.toml")
    project = tomllib.loads((WORKFLOWS_DIR.parent / "pyproject.toml").read_text())["project"]
    assert (GENERATOR.PACK_ID, GENERATOR.PACK_VERSION) == (project["name"], project["version"])
    for name in NAMES:
        for node in read(name, api=False)["nodes"]:
            ours = node["type"] in GENERATOR.OUR_NODES
            assert node["properties"]["cnr_id"] == (project["name"] if ours else "comfy-core")
            for model in node["properties"].get("models", []):
                assert model["url"].startswith("https://huggingface.co/") and model["url"].endswith(model["name"])


def test_the_issue_s_four_workflows_exist():
    node_types = {name: {node["class_type"] for node in read(name, api=True).values()} for name in NAMES}
    assert any({"SamplerCustom", "SamplerDDIMGMM"} <= types for types in node_types.values())
    assert any("KSampler" in types and "sd_xl" in json.dumps(read(name, True)) for name, types in node_types.items())
    assert any({"SamplerCustomAdvanced", "SamplerDDIMGMM"} <= types and "flux" in name
               for name, types in node_types.items())
    assert any("VAEEncode" in types for types in node_types.values())


@pytest.mark.parametrize("name", NAMES)
def test_files_match_their_generator(name):
    ui, api = GENERATOR.render(name)
    assert read(name, api=False) == ui and read(name, api=True) == api, "run: python workflows/make_workflows.py"


@pytest.mark.parametrize("name", NAMES)
def test_api_links_point_at_existing_outputs(name):
    prompt = read(name, api=True)
    for node in prompt.values():
        for value in node["inputs"].values():
            if isinstance(value, list):
                source = prompt[value[0]]
                assert value[1] < len(GENERATOR.OUTPUTS[source["class_type"]])


@pytest.mark.parametrize("name", NAMES)
def test_ui_and_api_hold_the_same_nodes(name):
    ui, api = read(name, api=False), read(name, api=True)
    assert {str(node["id"]): node["type"] for node in ui["nodes"]} == {k: v["class_type"] for k, v in api.items()}
    assert ui["last_link_id"] == len(ui["links"]) and ui["last_node_id"] == len(ui["nodes"])


@pytest.mark.parametrize("name", NAMES)
def test_our_widgets_are_in_input_types_order_and_valid(name):
    widget_order = list(widget_inputs())
    ui, api = read(name, api=False), read(name, api=True)
    for node in ui["nodes"]:
        if node["type"] == "SamplerDDIMGMM":
            widgets = dict(zip(widget_order, node["widgets_values"], strict=True))
            assert widgets == api[str(node["id"])]["inputs"]
            kernel = widgets.pop("kernel")
            assert kernel in SamplerDDIMGMM.INPUT_TYPES()["required"]["kernel"][0]
            options_from_widgets(**widgets)
        if node["type"] in ("KSampler", "KSamplerAdvanced"):
            assert api[str(node["id"])]["inputs"]["sampler_name"] in DROPDOWN_SAMPLERS


AB_WORKFLOWS = [name for name in NAMES if name.endswith("_ab_comparison")]


def panels(prompt, node_id):
    """The decodes an ImageStitch tree places, in reading order (image1 before image2: direction right or down)."""
    node = prompt[node_id]
    if node["class_type"] != "ImageStitch":
        return [node_id]
    assert node["inputs"]["direction"] in ("right", "down") and node["inputs"]["match_image_size"] is False
    return panels(prompt, node["inputs"]["image1"][0]) + panels(prompt, node["inputs"]["image2"][0])


def rows(prompt, node_id):
    """The rows of an ImageStitch grid: the 'down' stitches split it into rows, the 'right' ones join a row."""
    node = prompt[node_id]
    if node["class_type"] == "ImageStitch" and node["inputs"]["direction"] == "down":
        return rows(prompt, node["inputs"]["image1"][0]) + rows(prompt, node["inputs"]["image2"][0])
    return [len(panels(prompt, node_id))]


def runs_side_by_side(prompt):
    """The sampler runs whose images the one Save Image shows, in reading order; checks each panel decodes one run
    under the run's own number."""
    (save,) = [node for node in prompt.values() if node["class_type"] == "SaveImage"]
    decodes = [prompt[node_id] for node_id in panels(prompt, save["inputs"]["images"][0])]
    assert all(decode["class_type"] == "VAEDecode" for decode in decodes)
    runs = [prompt[decode["inputs"]["samples"][0]] for decode in decodes]
    assert [decode["_meta"]["title"] for decode in decodes] == [f"Panel {run['_meta']['title']}" for run in runs]
    return save, runs


@pytest.mark.parametrize("name", AB_WORKFLOWS)
def test_ab_comparison_runs_four_samplers_on_one_prompt_seed_and_sigmas_in_title_order(name):
    prompt = read(name, api=True)
    save, runs = runs_side_by_side(prompt)
    assert [run["_meta"]["title"].split(":")[0] for run in runs] == ["1", "2", "3", "4"]
    # A 2 x 2 grid, 1 2 over 3 4, as the Save Image title says.
    assert rows(prompt, save["inputs"]["images"][0]) == [2, 2]
    titles = [run["_meta"]["title"] for run in runs]
    assert save["_meta"]["title"] == f"Side by side: {titles[0]} | {titles[1]} / {titles[2]} | {titles[3]}"
    # Everything but the sampler is shared: the same nodes feed every run, and the seed is one.
    shared = [{key: value for key, value in run["inputs"].items() if key != "sampler"} for run in runs]
    assert all(inputs == shared[0] for inputs in shared)
    samplers = [prompt[run["inputs"]["sampler"][0]] for run in runs]
    assert samplers[0]["inputs"] == {"sampler_name": "euler"}  # DDIM / RFIM at eta 0
    gmm, control = samplers[1]["inputs"], samplers[2]["inputs"]
    assert gmm["preset"] == SamplerDDIMGMM.INPUT_TYPES()["required"]["preset"][1]["default"] and gmm["eta"] == 0
    assert control["preset"].startswith("CONTROL") and {k: v for k, v in control.items() if k != "preset"} == {
        k: v for k, v in gmm.items() if k != "preset"}
    assert samplers[3]["class_type"] == "KSamplerSelect" and samplers[3]["inputs"]["sampler_name"] not in (
        "euler", *DROPDOWN_SAMPLERS)


def test_the_cfg_pp_ab_runs_its_three_slots_on_one_prompt_seed_and_sigmas_at_a_cfg_pp_scale():
    # The CFG++ twin of the SD1.5 A/B: euler_ancestral_cfg_pp, DDIM-GMM CFG++ and its CFG++ control, in one row.
    prompt = read("sd15_ab_comparison_cfg_pp", api=True)
    save, runs = runs_side_by_side(prompt)
    assert [run["_meta"]["title"].split(":")[0] for run in runs] == ["1", "2", "3"]
    assert rows(prompt, save["inputs"]["images"][0]) == [3]
    assert save["_meta"]["title"] == "Side by side: " + " | ".join(run["_meta"]["title"] for run in runs)
    shared = [{key: value for key, value in run["inputs"].items() if key != "sampler"} for run in runs]
    assert all(inputs == shared[0] for inputs in shared) and shared[0]["cfg"] <= 1.5
    samplers = [prompt[run["inputs"]["sampler"][0]] for run in runs]
    assert samplers[0]["inputs"] == {"sampler_name": "euler_ancestral_cfg_pp"}
    gmm, control = samplers[1]["inputs"], samplers[2]["inputs"]
    assert gmm["preset"] == widget_inputs()["preset"][1]["default"] and gmm["cfg_pp"] and gmm["eta"] == 1.0
    assert control["preset"].startswith("CONTROL") and {k: v for k, v in control.items() if k != "preset"} == {
        k: v for k, v in gmm.items() if k != "preset"}
    # The same prompt, seed, scheduler and steps as the plain SD1.5 A/B.
    plain = read("sd15_ab_comparison", api=True)
    texts = sorted(n["inputs"]["text"] for n in prompt.values() if n["class_type"] == "CLIPTextEncode")
    assert texts == sorted(n["inputs"]["text"] for n in plain.values() if n["class_type"] == "CLIPTextEncode")
    (scheduler,) = [n["inputs"] for n in prompt.values() if n["class_type"] == "BasicScheduler"]
    assert scheduler == [n["inputs"] for n in plain.values() if n["class_type"] == "BasicScheduler"][0]
