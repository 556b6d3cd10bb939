"""Writes the example workflows, each as a UI-format file (drag onto ComfyUI) and an API-format file (POST /prompt).

One graph description per workflow gives both files, so they cannot drift apart. Run from anywhere:
    python workflows/make_workflows.py
Widget values are listed in the order of each node's INPUT_TYPES (the order the UI stores them in); the host tests
check that order against a real ComfyUI. Our node's widgets, their order and defaults come from the pack itself (this
checkout, imported as ddim_gmm whatever its folder is called).
"""

import importlib
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def import_pack_nodes():
    """ddim_gmm.nodes of this checkout: the repository root is the package ddim_gmm."""
    pack = sys.modules.get("ddim_gmm")
    if pack is None:
        spec = importlib.util.spec_from_file_location("ddim_gmm", ROOT / "__init__.py",
                                                      submodule_search_locations=[str(ROOT)])
        pack = importlib.util.module_from_spec(spec)
        sys.modules["ddim_gmm"] = pack
        spec.loader.exec_module(pack)
    if Path(pack.__file__).resolve().parent != ROOT:
        raise ImportError(f"ddim_gmm is already imported from {Path(pack.__file__).parent}, not from {ROOT}")
    return importlib.import_module("ddim_gmm.nodes")


NODES = import_pack_nodes()
# Stored in each UI node's properties: the frontend offers to install a missing pack by its registry id (cnr_id).
PACK_ID, PACK_VERSION = "ddim-gmm", "0.1.0"
COMFY_CORE_VERSION = "0.3.64"
# Where the frontend's missing-model dialog downloads each checkpoint from.
MODEL_URLS = {
    "v1-5-pruned-emaonly-fp16.safetensors": "https://huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive/resolve/"
                                            "main/v1-5-pruned-emaonly-fp16.safetensors",
    "sd_xl_base_1.0.safetensors":
        "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/resolve/main/sd_xl_base_1.0.safetensors",
    "flux1-dev-fp8.safetensors": "https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev-fp8.safetensors",
    "sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors":
        "https://huggingface.co/Comfy-Org/stable-diffusion-3.5-fp8/resolve/main/"
        "sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors",
}
OUR_NODES = {"SamplerDDIMGMM"}

# Output slots (name, type) of every node type used below.
OUTPUTS = {
    "CheckpointLoaderSimple": [("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")],
    "CLIPTextEncode": [("CONDITIONING", "CONDITIONING")],
    "EmptyLatentImage": [("LATENT", "LATENT")],
    "EmptySD3LatentImage": [("LATENT", "LATENT")],
    "LoadImage": [("IMAGE", "IMAGE"), ("MASK", "MASK")],
    "VAEEncode": [("LATENT", "LATENT")],
    "SetLatentNoiseMask": [("LATENT", "LATENT")],
    "KSampler": [("LATENT", "LATENT")],
    "SamplerCustom": [("output", "LATENT"), ("denoised_output", "LATENT")],
    "SamplerCustomAdvanced": [("output", "LATENT"), ("denoised_output", "LATENT")],
    "SamplerDDIMGMM": [("SAMPLER", "SAMPLER")],
    "BasicScheduler": [("SIGMAS", "SIGMAS")],
    "RandomNoise": [("NOISE", "NOISE")],
    "BasicGuider": [("GUIDER", "GUIDER")],
    "FluxGuidance": [("CONDITIONING", "CONDITIONING")],
    "VAEDecode": [("IMAGE", "IMAGE")],
    "SaveImage": [],
    "KSamplerSelect": [("SAMPLER", "SAMPLER")],
    "ImageStitch": [("IMAGE", "IMAGE")],
}


class UIOnly:
    """A widget value the UI stores but the API format omits (seed control, the image upload button)."""

    def __init__(self, value):
        self.value = value


def control(mode="fixed"):
    return UIOnly(mode)  # "control_after_generate": fixed keeps the seed, so the workflow reproduces its image


class Graph:
    def __init__(self):
        self.nodes = []

    def add(self, node_type, widgets=(), title=None, column=None, **links):
        """widgets: [(name, value) or UIOnly(value)] in INPUT_TYPES order; links: input name -> (node, slot);
        column: where the UI file places the node (default: its depth in the graph)."""
        node = {"id": len(self.nodes) + 1, "type": node_type, "widgets": list(widgets), "links": links,
                "title": title, "column": column}
        self.nodes.append(node)
        return node

    def depth(self, node):
        return 1 + max((self.depth(src) for src, _ in node["links"].values()), default=-1)

    def column(self, node):
        return self.depth(node) if node["column"] is None else node["column"]

    @staticmethod
    def properties(node):
        ours = node["type"] in OUR_NODES
        properties = {"Node name for S&R": node["type"], "cnr_id": PACK_ID if ours else "comfy-core",
                      "ver": PACK_VERSION if ours else COMFY_CORE_VERSION}
        models = [value for item in node["widgets"] if not isinstance(item, UIOnly)
                  for name, value in [item] if name == "ckpt_name"]
        if models:
            properties["models"] = [{"name": name, "url": MODEL_URLS[name], "directory": "checkpoints"}
                                    for name in models]
        return properties

    def api(self):
        prompt = {}
        for node in self.nodes:
            inputs = {name: value for item in node["widgets"] if not isinstance(item, UIOnly) for name, value in [item]}
            inputs.update({name: [str(src["id"]), slot] for name, (src, slot) in node["links"].items()})
            prompt[str(node["id"])] = {"class_type": node["type"], "inputs": inputs,
                                       "_meta": {"title": node["title"] or node["type"]}}
        return prompt

    def ui(self):
        links, per_output = [], {}
        for node in self.nodes:
            for name, (src, slot) in node["links"].items():
                link_id = len(links) + 1
                links.append([link_id, src["id"], slot, node["id"], name, OUTPUTS[src["type"]][slot][1]])
                per_output.setdefault((src["id"], slot), []).append(link_id)
        order = sorted(self.nodes, key=lambda n: (self.column(n), n["id"]))
        # Columns by depth, each as wide as its widest node; nodes stacked in a column.
        column_width = {}
        for node in self.nodes:
            depth = self.column(node)
            column_width[depth] = max(column_width.get(depth, 0), node_size(node)[0])
        column_x = {depth: 50 + sum(column_width[d] + COLUMN_GAP for d in column_width if d < depth)
                    for depth in column_width}
        column_fill = {}
        ui_nodes = []
        for index, node in enumerate(order):
            depth = self.column(node)
            width, height = node_size(node)
            y = column_fill.get(depth, 50)
            column_fill[depth] = y + height + ROW_GAP
            inputs = []
            for slot_index, (name, (src, slot)) in enumerate(node["links"].items()):
                link_id = next(link[0] for link in links if link[3] == node["id"] and link[4] == name)
                inputs.append({"name": name, "type": OUTPUTS[src["type"]][slot][1], "link": link_id})
            outputs = [{"name": name, "type": kind, "links": per_output.get((node["id"], slot), []),
                        "slot_index": slot} for slot, (name, kind) in enumerate(OUTPUTS[node["type"]])]
            ui_node = {"id": node["id"], "type": node["type"], "pos": [column_x[depth], y], "size": [width, height],
                       "flags": {}, "order": index, "mode": 0, "inputs": inputs, "outputs": outputs,
                       "properties": self.properties(node),
                       "widgets_values": [item.value if isinstance(item, UIOnly) else item[1]
                                          for item in node["widgets"]]}
            if node["title"]:
                ui_node["title"] = node["title"]
            ui_nodes.append(ui_node)
        # In the UI format a link names its target slot by index.
        slot_of = {(n["id"], name): i for n in self.nodes for i, name in enumerate(n["links"])}
        ui_links = [[i, src, src_slot, dst, slot_of[(dst, name)], kind] for i, src, src_slot, dst, name, kind in links]
        # No extra.ds (view offset and zoom): without one the frontend fits the whole graph into the user's window.
        return {"last_node_id": len(self.nodes), "last_link_id": len(ui_links), "nodes": ui_nodes, "links": ui_links,
                "groups": [], "config": {}, "extra": {}, "version": 0.4}


# Node sizes as ComfyUI's frontend 1.27 computes them (title bar excluded): 20 px per slot row, 24 per widget row.
COLUMN_GAP, ROW_GAP = 60, 50
WIDTHS = {"CLIPTextEncode": 400, "SamplerDDIMGMM": 320, "LoadImage": 320}
# Nodes whose widgets are taller than one row: the prompt text box, the image preview.
HEIGHTS = {"CLIPTextEncode": 200, "LoadImage": 320}


def node_size(node):
    widgets = len(node["widgets"])
    if node["type"] in OUR_NODES:
        # The pack's frontend extension hides the widgets without effect (nodes/visibility.py).
        values = dict(item for item in node["widgets"] if not isinstance(item, UIOnly))
        widgets -= len(NODES.visibility.widgets_without_effect(values["preset"], values["offset_schedule"]))
    rows = max(len(node["links"]), len(OUTPUTS[node["type"]]), 1)
    height = 20 * rows + 6 + (24 * widgets + 8 if widgets else 0)
    return [WIDTHS.get(node["type"], 300), HEIGHTS.get(node["type"], height)]


def gmm_widgets(**values):
    """SamplerDDIMGMM's widgets in INPUT_TYPES order (required, then optional), each at the node's default unless given
    in `values`."""
    inputs = NODES.sampler_node.widget_inputs()
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"SamplerDDIMGMM has no widget {', '.join(sorted(unknown))}")
    return [(name, values.get(name, spec[1]["default"])) for name, spec in inputs.items()]


def text_encoders(g, clip, positive, negative):
    pos = g.add("CLIPTextEncode", [("text", positive)], title="Positive prompt", clip=(clip, 1))
    neg = g.add("CLIPTextEncode", [("text", negative)], title="Negative prompt", clip=(clip, 1))
    return pos, neg


def save(g, samples, vae, prefix):
    # Stacked under the sampler rather than in two more columns: the graph stays narrow enough to read when the
    # frontend fits it into the window.
    column = g.column(samples[0])
    image = g.add("VAEDecode", column=column, samples=samples, vae=(vae, 2))
    g.add("SaveImage", [("filename_prefix", prefix)], column=column, images=(image, 0))


PROMPT = "a photograph of a red fox sitting in a snowy forest, golden hour, highly detailed"
NEGATIVE = "blurry, lowres, watermark, text"


def txt2img_inputs(g, checkpoint, size, empty_latent="EmptyLatentImage"):
    """Checkpoint, positive and negative prompt, empty latent: the start of every SD1.5 / SDXL / SD3 txt2img graph."""
    ckpt = g.add("CheckpointLoaderSimple", [("ckpt_name", checkpoint)])
    pos, neg = text_encoders(g, ckpt, PROMPT, NEGATIVE)
    latent = g.add(empty_latent, [("width", size), ("height", size), ("batch_size", 1)])
    return ckpt, pos, neg, latent


def sd15_txt2img_sampler_custom():
    g = Graph()
    ckpt, pos, neg, latent = txt2img_inputs(g, "v1-5-pruned-emaonly-fp16.safetensors", 512)
    sampler = g.add("SamplerDDIMGMM", gmm_widgets(), title="DDIM-GMM (ORTHO-VUB*)")
    sigmas = g.add("BasicScheduler", [("scheduler", "karras"), ("steps", 20), ("denoise", 1.0)], model=(ckpt, 0))
    samples = g.add("SamplerCustom", [("add_noise", True), ("noise_seed", 42), control(), ("cfg", 7.0)],
                    model=(ckpt, 0), positive=(pos, 0), negative=(neg, 0), sampler=(sampler, 0), sigmas=(sigmas, 0),
                    latent_image=(latent, 0))
    save(g, (samples, 0), ckpt, "ddim_gmm_sd15")
    return g


def sdxl_txt2img_ksampler_dropdown():
    g = Graph()
    ckpt, pos, neg, latent = txt2img_inputs(g, "sd_xl_base_1.0.safetensors", 1024)
    samples = g.add("KSampler", [("seed", 42), control(), ("steps", 25), ("cfg", 7.0), ("sampler_name", "ddim_gmm"),
                                 ("scheduler", "karras"), ("denoise", 1.0)],
                    model=(ckpt, 0), positive=(pos, 0), negative=(neg, 0), latent_image=(latent, 0))
    save(g, (samples, 0), ckpt, "ddim_gmm_sdxl")
    return g


def flux_inputs(g):
    """Checkpoint, prompt with Flux guidance, its guider and the seeded noise: the start of both Flux graphs."""
    ckpt = g.add("CheckpointLoaderSimple", [("ckpt_name", "flux1-dev-fp8.safetensors")])
    pos = g.add("CLIPTextEncode", [("text", PROMPT)], title="Prompt", clip=(ckpt, 1))
    guided = g.add("FluxGuidance", [("guidance", 3.5)], column=1, conditioning=(pos, 0))
    guider = g.add("BasicGuider", column=1, model=(ckpt, 0), conditioning=(guided, 0))
    noise = g.add("RandomNoise", [("noise_seed", 42), control()])
    return ckpt, guider, noise


def flux_txt2img_sampler_custom_advanced():
    # Flux is a rectified-flow model (model_sampling CONST): the node's kernel 'auto' runs RFIM-GMM on it.
    g = Graph()
    ckpt, guider, noise = flux_inputs(g)
    sampler = g.add("SamplerDDIMGMM", gmm_widgets(eta=0.0), title="RFIM-GMM (auto on Flux)")
    sigmas = g.add("BasicScheduler", [("scheduler", "simple"), ("steps", 20), ("denoise", 1.0)], model=(ckpt, 0))
    latent = g.add("EmptySD3LatentImage", [("width", 1024), ("height", 1024), ("batch_size", 1)])
    samples = g.add("SamplerCustomAdvanced", column=2, noise=(noise, 0), guider=(guider, 0), sampler=(sampler, 0),
                    sigmas=(sigmas, 0), latent_image=(latent, 0))
    save(g, (samples, 0), ckpt, "rfim_gmm_flux")
    return g


def sd15_img2img_sampler_custom():
    # denoise 0.6: BasicScheduler returns the last 60 % of a longer schedule, SamplerCustom noises the encoded image.
    g = Graph()
    ckpt = g.add("CheckpointLoaderSimple", [("ckpt_name", "v1-5-pruned-emaonly-fp16.safetensors")])
    pos, neg = text_encoders(g, ckpt, "a watercolor painting of a mountain lake at sunrise", NEGATIVE)
    image = g.add("LoadImage", [("image", "example.png"), UIOnly("image")])
    latent = g.add("VAEEncode", pixels=(image, 0), vae=(ckpt, 2))
    sampler = g.add("SamplerDDIMGMM", gmm_widgets(preset="EXACT", eta=0.5), title="DDIM-GMM (EXACT)")
    sigmas = g.add("BasicScheduler", [("scheduler", "normal"), ("steps", 20), ("denoise", 0.6)], model=(ckpt, 0))
    samples = g.add("SamplerCustom", [("add_noise", True), ("noise_seed", 42), control(), ("cfg", 7.0)],
                    model=(ckpt, 0), positive=(pos, 0), negative=(neg, 0), sampler=(sampler, 0), sigmas=(sigmas, 0),
                    latent_image=(latent, 0))
    save(g, (samples, 0), ckpt, "ddim_gmm_sd15_img2img")
    return g


def sd15_inpaint_ksampler_dropdown():
    # The image's alpha channel is the mask (paint it in ComfyUI's mask editor); only the masked area is resampled.
    g = Graph()
    ckpt = g.add("CheckpointLoaderSimple", [("ckpt_name", "v1-5-pruned-emaonly-fp16.safetensors")])
    pos, neg = text_encoders(g, ckpt, "a small wooden cabin", NEGATIVE)
    image = g.add("LoadImage", [("image", "example.png"), UIOnly("image")])
    latent = g.add("VAEEncode", pixels=(image, 0), vae=(ckpt, 2))
    masked = g.add("SetLatentNoiseMask", column=1, samples=(latent, 0), mask=(image, 1))
    samples = g.add("KSampler", column=2, widgets=[("seed", 42), control(), ("steps", 20), ("cfg", 7.0),
                                 ("sampler_name", "ddim_gmm_exact"), ("scheduler", "normal"), ("denoise", 1.0)],
                    model=(ckpt, 0), positive=(pos, 0), negative=(neg, 0), latent_image=(masked, 0))
    save(g, (samples, 0), ckpt, "ddim_gmm_sd15_inpaint")
    return g


# The A/B comparison: one prompt, one seed, one set of sigmas, four samplers, their images side by side in one picture
# in the order the titles number. 1: DDIM at eta 0, which is ComfyUI's own `euler` step (flow: RFIM at eta 0, the flow
# Euler step); 2: the node's default preset; 3: the matched-noise control at the same s and n_components; 4: the
# sampler the README's Results recommend at equal model calls: dpmpp_2m_sde for diffusion with CFG, and for flow models
# gradient_estimation (one call per step, so all four slots spend the same; heun spends two).
RECOMMENDED_SAMPLER = {False: "dpmpp_2m_sde", True: "gradient_estimation"}
AB_STEPS = 10  # the paper's headline step count, where it reports its gains


def ab_samplers(g, flow):
    """The four SAMPLER nodes of the A/B graphs, in panel order, each with the title of its slot."""
    baseline = "RFIM" if flow else "DDIM"
    return [
        g.add("KSamplerSelect", [("sampler_name", "euler")], title=f"1: {baseline} (euler = {baseline} at eta 0)",
              column=2),
        g.add("SamplerDDIMGMM", gmm_widgets(), title=f"2: {baseline}-GMM, default preset (ORTHO-VUB*, s 1)",
              column=2),
        g.add("SamplerDDIMGMM", gmm_widgets(preset=NODES.options.CONTROL),
              title=f"3: CONTROL, {baseline} + same-variance noise (s 1)", column=2),
        g.add("KSamplerSelect", [("sampler_name", RECOMMENDED_SAMPLER[flow])],
              title=f"4: {RECOMMENDED_SAMPLER[flow]} (recommended)", column=2),
    ]


# The panels' gutter: white, 8 px, between panels and rows. match_image_size off: every panel is its decode as is (the
# runs share one latent size), never resampled to fit its neighbour.
STITCH_WIDGETS = [("match_image_size", False), ("spacing_width", 8), ("spacing_color", "white")]


def side_by_side(g, runs, vae, prefix):
    """Decodes each run on its own (the decode titled with the run's number) and stitches the images with core
    ImageStitch nodes into one picture, read like text: four as a 2 x 2 grid (1 2 over 3 4), three in a row. Saves it
    under a title that repeats the layout."""
    images = [g.add("VAEDecode", title=f"Panel {run['title']}", column=4, samples=(run, 0), vae=(vae, 2))
              for run in runs]
    per_row = 2 if len(images) == 4 else len(images)
    rows = []
    for start in range(0, len(images), per_row):
        row = images[start]
        for image in images[start + 1:start + per_row]:
            row = g.add("ImageStitch", [("direction", "right"), *STITCH_WIDGETS], column=5, image1=(row, 0),
                        image2=(image, 0))
        rows.append(row)
    grid = rows[0]
    for row in rows[1:]:
        grid = g.add("ImageStitch", [("direction", "down"), *STITCH_WIDGETS], column=5, image1=(grid, 0),
                     image2=(row, 0))
    layout = " / ".join(" | ".join(run["title"] for run in runs[start:start + per_row])
                        for start in range(0, len(runs), per_row))
    g.add("SaveImage", [("filename_prefix", prefix)], column=5, images=(grid, 0), title="Side by side: " + layout)


def ab_comparison_with_cfg(checkpoint, flow, empty_latent, size, scheduler, cfg, prefix):
    """The A/B graph for a checkpoint sampled with CFG (SD1.5, SD3): SamplerCustom per slot, one positive and negative
    prompt, one seed and one BasicScheduler shared by all four."""
    g = Graph()
    ckpt, pos, neg, latent = txt2img_inputs(g, checkpoint, size, empty_latent)
    sigmas = g.add("BasicScheduler", [("scheduler", scheduler), ("steps", AB_STEPS), ("denoise", 1.0)],
                   model=(ckpt, 0))
    runs = [g.add("SamplerCustom", [("add_noise", True), ("noise_seed", 42), control(), ("cfg", cfg)],
                  title=sampler["title"].split(" (")[0].split(",")[0], column=3, model=(ckpt, 0), positive=(pos, 0),
                  negative=(neg, 0), sampler=(sampler, 0), sigmas=(sigmas, 0), latent_image=(latent, 0))
            for sampler in ab_samplers(g, flow=flow)]
    side_by_side(g, runs, ckpt, prefix)
    return g


def sd15_ab_comparison():
    return ab_comparison_with_cfg("v1-5-pruned-emaonly-fp16.safetensors", False, "EmptyLatentImage", 512, "karras",
                                  7.0, "ddim_gmm_ab_sd15")


def sd3_ab_comparison():
    # SD3.5 Medium with the CLIP-L, CLIP-G and T5-XXL it ships with (one file), at the CFG and scheduler ComfyUI's
    # SD3.5 examples use. A rectified-flow model (model_sampling CONST): slot 2's kernel 'auto' runs RFIM-GMM.
    return ab_comparison_with_cfg("sd3.5_medium_incl_clips_t5xxlfp8scaled.safetensors", True, "EmptySD3LatentImage",
                                  1024, "sgm_uniform", 4.5, "ddim_gmm_ab_sd3")


# The CFG++ twin of the SD1.5 A/B: the same prompt, seed and sigmas, at a CFG++ scale, three slots.
# 1: ComfyUI's euler_ancestral_cfg_pp, which is DDIM-GMM CFG++ with the mixture off (s = 0) at eta 1; 2: the node's
# default preset with CFG++ at eta 1 (what the ddim_gmm_cfg_pp dropdown name runs); 3: its matched-noise control with
# CFG++. CFG++ guides at a smaller scale than plain CFG (ComfyUI's *_cfg_pp samplers: about 0.5 to 1.5).
CFG_PP_SCALE = 1.0


def cfg_pp_samplers(g):
    """The three SAMPLER nodes of the CFG++ A/B, in panel order, each with the title of its slot."""
    return [
        g.add("KSamplerSelect", [("sampler_name", "euler_ancestral_cfg_pp")],
              title="1: euler_ancestral_cfg_pp (= DDIM CFG++ at eta 1)", column=2),
        g.add("SamplerDDIMGMM", gmm_widgets(eta=1.0, cfg_pp=True),
              title="2: DDIM-GMM CFG++, default preset (ORTHO-VUB*, s 1, eta 1)", column=2),
        g.add("SamplerDDIMGMM", gmm_widgets(preset=NODES.options.CONTROL, eta=1.0, cfg_pp=True),
              title="3: CONTROL CFG++, DDIM + same-variance noise (s 1, eta 1)", column=2),
    ]


def sd15_ab_comparison_cfg_pp():
    g = Graph()
    ckpt, pos, neg, latent = txt2img_inputs(g, "v1-5-pruned-emaonly-fp16.safetensors", 512)
    sigmas = g.add("BasicScheduler", [("scheduler", "karras"), ("steps", AB_STEPS), ("denoise", 1.0)],
                   model=(ckpt, 0))
    runs = [g.add("SamplerCustom", [("add_noise", True), ("noise_seed", 42), control(), ("cfg", CFG_PP_SCALE)],
                  title=sampler["title"].split(" (")[0].split(",")[0], column=3, model=(ckpt, 0), positive=(pos, 0),
                  negative=(neg, 0), sampler=(sampler, 0), sigmas=(sigmas, 0), latent_image=(latent, 0))
            for sampler in cfg_pp_samplers(g)]
    side_by_side(g, runs, ckpt, "ddim_gmm_ab_sd15_cfg_pp")
    return g


def flux_ab_comparison():
    g = Graph()
    ckpt, guider, noise = flux_inputs(g)
    sigmas = g.add("BasicScheduler", [("scheduler", "simple"), ("steps", AB_STEPS), ("denoise", 1.0)],
                   model=(ckpt, 0))
    latent = g.add("EmptySD3LatentImage", [("width", 1024), ("height", 1024), ("batch_size", 1)])
    runs = [g.add("SamplerCustomAdvanced", title=sampler["title"].split(" (")[0].split(",")[0], column=3,
                  noise=(noise, 0), guider=(guider, 0), sampler=(sampler, 0), sigmas=(sigmas, 0),
                  latent_image=(latent, 0))
            for sampler in ab_samplers(g, flow=True)]
    side_by_side(g, runs, ckpt, "ddim_gmm_ab_flux")
    return g


WORKFLOWS = {
    "sd15_ab_comparison": sd15_ab_comparison,
    "sd15_ab_comparison_cfg_pp": sd15_ab_comparison_cfg_pp,
    "sd3_ab_comparison": sd3_ab_comparison,
    "flux_ab_comparison": flux_ab_comparison,
    "sd15_txt2img_sampler_custom": sd15_txt2img_sampler_custom,
    "sdxl_txt2img_ksampler_dropdown": sdxl_txt2img_ksampler_dropdown,
    "flux_txt2img_sampler_custom_advanced": flux_txt2img_sampler_custom_advanced,
    "sd15_img2img_sampler_custom": sd15_img2img_sampler_custom,
    "sd15_inpaint_ksampler_dropdown": sd15_inpaint_ksampler_dropdown,
}


def render(name):
    """(UI-format dict, API-format dict) of workflow `name`."""
    graph = WORKFLOWS[name]()
    return graph.ui(), graph.api()


def main():
    for name in WORKFLOWS:
        ui, api = render(name)
        (HERE / f"{name}.json").write_text(json.dumps(ui, indent=2) + "\n")
        # The API twins in a subfolder: ComfyUI's template browser lists every *.json directly in workflows/.
        (HERE / "api" / f"{name}.api.json").write_text(json.dumps(api, indent=2) + "\n")
        print(f"wrote workflows/{name}.json and workflows/api/{name}.api.json")


if __name__ == "__main__":
    main()
