"""The example workflows without ComfyUI: up to date with their generator, consistent, our widgets valid.

The host tests (tests/comfy_host) also run ComfyUI's own prompt validation on them.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from ddim_gmm.nodes import DROPDOWN_SAMPLERS, SamplerDDIMGMM
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
    return json.loads((WORKFLOWS_DIR / f"{name}{'.api' if api else ''}.json").read_text())


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
    widget_order = list(SamplerDDIMGMM.INPUT_TYPES()["required"])
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
