"""The pack inside a real ComfyUI (COMFYUI_PATH): loading, dropdown, node, sampling features, workflows.

ComfyUI runs in this process on CPU with a tiny SD1.5-class UNet; everything it imports is removed again after this
module (see comfy_harness.ComfyHost.close).
"""

import asyncio
import json
import os
import sys

import pytest
import torch

from comfy_harness import REPO_ROOT, combo_choices

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")

WORKFLOWS_DIR = REPO_ROOT / "workflows"
STEPS = 3
LATENT_SHAPE = (2, 4, 8, 8)  # batch 2


@pytest.fixture(scope="module")
def model(host):
    return host.tiny_sd15()


@pytest.fixture(scope="module")
def flow_model(host, model):
    # ComfyUI's ModelSamplingSD3 node turns any model's sampling into a rectified flow (model_sampling CONST).
    return host.node("ModelSamplingSD3").patch(model, 3.0)[0]


@pytest.fixture
def kernel_calls(host, monkeypatch):
    """Records which kernel (DDIM-GMM or RFIM-GMM) each run used, in the pack as ComfyUI loaded it."""
    options_module = host.pack_module("nodes.options")
    calls = []
    for name in ("sample_ddim_gmm", "sample_rfim_gmm"):
        def spy(*args, _name=name, _real=getattr(options_module, name), **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(options_module, name, spy)
    return calls


def latents(seed=0, scale=1.0):
    return torch.randn(LATENT_SHAPE, generator=torch.Generator().manual_seed(seed)) * scale


def node_widgets(host):
    """The node's widget inputs, required then optional (cfg_pp), as the frontend shows and stores them."""
    inputs = host.node("SamplerDDIMGMM").INPUT_TYPES()
    return {**inputs["required"], **inputs.get("optional", {})}


def node_sampler(host, **widgets):
    defaults = {name: spec[1]["default"] for name, spec in node_widgets(host).items()}
    return host.node("SamplerDDIMGMM").get_sampler(**{**defaults, **widgets})[0]


def sigmas_for(host, model, scheduler="normal", steps=STEPS, denoise=1.0):
    return host.node("BasicScheduler").get_sigmas(model, scheduler, steps, denoise)[0]


def run_dropdown(host, model, sampler_name, seed=42, latent_image=None, cfg=4.0, **kwargs):
    latent_image = torch.zeros(LATENT_SHAPE) if latent_image is None else latent_image
    noise = host.comfy.sample.prepare_noise(latent_image, seed)
    positive, negative = host.conds()
    return host.comfy.sample.sample(model, noise, STEPS, cfg, sampler_name, kwargs.pop("scheduler", "normal"),
                                    positive, negative, latent_image, seed=seed, disable_pbar=True, **kwargs)


def run_custom(host, model, sampler, sigmas=None, seed=42, latent_image=None, cfg=4.0, add_noise=True, **kwargs):
    latent_image = torch.zeros(LATENT_SHAPE) if latent_image is None else latent_image
    sigmas = sigmas_for(host, model) if sigmas is None else sigmas
    noise = host.comfy.sample.prepare_noise(latent_image, seed) if add_noise else torch.zeros_like(latent_image)
    positive, negative = host.conds()
    return host.comfy.sample.sample_custom(model, noise, cfg, sampler, sigmas, positive, negative, latent_image,
                                           seed=seed, disable_pbar=True, **kwargs)


def dropdown_names(host):
    return list(host.pack_module("nodes.dropdown").DROPDOWN_SAMPLERS)


# --- loading and registration -------------------------------------------------------------------------------------

def test_comfyui_loader_loads_the_pack_from_a_folder_named_unlike_the_package(host):
    assert host.pack.__name__.endswith("My DDIM-GMM pack_x_v2")  # ComfyUI's module name for the odd folder
    node_class = host.nodes.NODE_CLASS_MAPPINGS["SamplerDDIMGMM"]
    assert node_class is host.pack.NODE_CLASS_MAPPINGS["SamplerDDIMGMM"]
    assert node_class.RELATIVE_PYTHON_MODULE == "custom_nodes.My DDIM-GMM pack.v2"
    assert host.nodes.NODE_DISPLAY_NAME_MAPPINGS["SamplerDDIMGMM"] == "Sampler DDIM-GMM / RFIM-GMM"
    # Relative imports only: the copy ComfyUI loaded uses its own sampling package, not an installed ddim_gmm.
    assert host.pack_module("sampling").__name__ == f"{host.pack.__name__}.sampling"
    # ComfyUI's own reader of the registry metadata (it runs on every load) understands our pyproject.toml.
    from comfy_config import config_parser
    config = config_parser.extract_node_configuration(str(host.pack_dir))
    assert config.project.name == "ddim-gmm" and config.tool_comfy.publisher_id == "ddim-gmm"
    assert config.project.urls.repository.startswith("https://github.com/")


def test_the_node_sits_beside_the_hosts_ksampler_select(host):
    node_classes = host.nodes.NODE_CLASS_MAPPINGS
    assert node_classes["SamplerDDIMGMM"].CATEGORY == node_classes["KSamplerSelect"].CATEGORY


def test_our_names_are_in_every_sampler_dropdown(host):
    for node_type in ("KSampler", "KSamplerAdvanced", "KSamplerSelect"):
        choices = combo_choices(host.nodes.NODE_CLASS_MAPPINGS[node_type].INPUT_TYPES()["required"]["sampler_name"])
        for name in dropdown_names(host):
            assert choices.count(name) == 1, (node_type, name)
    import comfy.k_diffusion.sampling as k_diffusion_sampling
    for name in dropdown_names(host):
        assert getattr(k_diffusion_sampling, f"sample_{name}").__name__ == f"sample_{name}"


def test_loading_the_pack_twice_adds_no_names(host, tmp_path):
    samplers = host.comfy.samplers
    lists = (samplers.KSAMPLER_NAMES, samplers.SAMPLER_NAMES, samplers.KSampler.SAMPLERS)
    before = [list(names) for names in lists]
    node_class = host.nodes.NODE_CLASS_MAPPINGS["SamplerDDIMGMM"]
    try:
        second = host.load_pack(host.install_pack(tmp_path / "custom_nodes", "ddim-gmm (copy)"))
        assert second is not host.pack
        assert [list(names) for names in lists] == before
    finally:
        # Back to the first copy, so the other tests spy on the code ComfyUI actually runs.
        host.nodes.NODE_CLASS_MAPPINGS["SamplerDDIMGMM"] = node_class
        host.pack_module("nodes").register_dropdown_samplers()
    assert [list(names) for names in lists] == before


def test_registration_keeps_lists_other_packs_extended(host, monkeypatch):
    samplers = host.comfy.samplers
    # Another pack replaced KSampler.SAMPLERS with its own extended copy, made before our names were in it.
    ours = set(dropdown_names(host))
    other_list = [name for name in samplers.SAMPLER_NAMES if name not in ours] + ["other_pack_sampler"]
    monkeypatch.setattr(samplers.KSampler, "SAMPLERS", list(other_list))
    host.pack_module("nodes").register_dropdown_samplers()
    for names in (samplers.KSampler.SAMPLERS, samplers.SAMPLER_NAMES, samplers.KSAMPLER_NAMES):
        assert all(names.count(name) == 1 for name in ours)
    assert samplers.KSampler.SAMPLERS[:len(other_list)] == other_list  # theirs untouched, ours appended
    assert combo_choices(host.nodes.NODE_CLASS_MAPPINGS["KSampler"].INPUT_TYPES()["required"]["sampler_name"])[-1] in ours


# --- sampling through ComfyUI -------------------------------------------------------------------------------------

def test_every_dropdown_name_samples_with_cfg_and_batch(host, model):
    for name in dropdown_names(host):
        out = run_dropdown(host, model, name)
        assert out.shape == LATENT_SHAPE and out.isfinite().all(), name
        assert not torch.equal(out[0], out[1])  # the batch's samples get their own noise and components


def test_dropdown_runs_with_every_scheduler_on_diffusion_and_flow_models(host, model, flow_model):
    for scheduler in host.comfy.samplers.SCHEDULER_NAMES:
        for any_model in (model, flow_model):
            assert run_dropdown(host, any_model, "ddim_gmm_exact", scheduler=scheduler).isfinite().all(), scheduler


def test_node_samples_every_preset_through_sample_custom(host, model):
    for preset in combo_choices(host.node("SamplerDDIMGMM").INPUT_TYPES()["required"]["preset"]):
        out = run_custom(host, model, node_sampler(host, preset=preset, eta=0.5))
        assert out.shape == LATENT_SHAPE and out.isfinite().all(), preset


def test_same_seed_gives_identical_latents_and_another_seed_does_not(host, model):
    sampler = node_sampler(host, preset="custom", eta=0.5, offsets="rand", share_offsets=False, priors="random")
    first, again, other = (run_custom(host, model, sampler, seed=seed) for seed in (7, 7, 8))
    assert torch.equal(first, again) and not torch.allclose(first, other)
    first, again = (run_dropdown(host, model, "ddim_gmm", seed=7) for _ in range(2))
    assert torch.equal(first, again)


@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_offsets_off_equal_comfyuis_euler_ancestral(host, model, eta):
    reference = run_custom(host, model, host.comfy.samplers.ksampler("euler_ancestral", {"eta": eta}))
    # K = 1 only for diag / exact: the paper's VUB bound stays s^2 at K = 1 although the offset is then 0.
    for widgets in (dict(s=0.0), dict(s=0.0, preset="RAND"), dict(s=0.0, preset="NOISE-MATCHED",
                    offset_variance_fraction=0.0), dict(n_components=1, preset="EXACT"),
                    dict(n_components=1, preset="ORTHO")):
        out = run_custom(host, model, node_sampler(host, eta=eta, **widgets))
        torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5 * reference.abs().max().item())


def test_step_noise_follows_the_hosts_noise_sampler(host, model, monkeypatch):
    """Newer ComfyUI (PR #11528) seeds its default noise sampler with seed + 1 on the CPU; a host that does so gets
    the same from us: s = 0 still equals its euler_ancestral, which looks the function up the same way."""
    import comfy.k_diffusion.sampling as k_diffusion_sampling
    pinned = k_diffusion_sampling.default_noise_sampler
    plain = run_custom(host, model, node_sampler(host, eta=1.0, s=0.0))

    def newer_host_noise_sampler(x, seed=None):
        return pinned(x, seed=None if seed is None else seed + 1 if x.device.type == "cpu" else seed)

    monkeypatch.setattr(k_diffusion_sampling, "default_noise_sampler", newer_host_noise_sampler)
    reference = run_custom(host, model, host.comfy.samplers.ksampler("euler_ancestral", {"eta": 1.0}))
    out = run_custom(host, model, node_sampler(host, eta=1.0, s=0.0))
    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5 * reference.abs().max().item())
    assert not torch.allclose(out, plain)


def test_offsets_change_the_result(host, model):
    off = run_custom(host, model, node_sampler(host, eta=0.5, s=0.0))
    on = run_custom(host, model, node_sampler(host, eta=0.5, s=10.0))
    assert not torch.allclose(on, off)


def test_img2img_denoise_below_one(host, model):
    image_latent = latents(seed=3)
    full = run_dropdown(host, model, "ddim_gmm", latent_image=image_latent)
    partial = run_dropdown(host, model, "ddim_gmm", latent_image=image_latent, denoise=0.5)
    assert partial.isfinite().all() and not torch.allclose(partial, full)
    sigmas = sigmas_for(host, model, denoise=0.5)
    assert sigmas[0] < host.comfy.samplers.calculate_sigmas(model.get_model_object("model_sampling"), "normal", 3)[0]
    out = run_custom(host, model, node_sampler(host, preset="EXACT", eta=0.5), sigmas=sigmas, latent_image=image_latent)
    assert out.isfinite().all()


def test_inpaint_mask_resamples_only_the_masked_area(host, model):
    image_latent = latents(seed=4)
    mask = torch.zeros(1, 1, 8, 8)
    mask[..., :, 4:] = 1.0  # resample the right half
    for out in (run_dropdown(host, model, "ddim_gmm", latent_image=image_latent, noise_mask=mask),
                run_custom(host, model, node_sampler(host, eta=0.5), latent_image=image_latent, noise_mask=mask)):
        assert out.isfinite().all()
        torch.testing.assert_close(out[..., :4], image_latent[..., :4])
        assert not torch.allclose(out[..., 4:], image_latent[..., 4:])


def test_split_sigmas_two_stage_run(host, model):
    high, low = host.node("SplitSigmas").get_sigmas(sigmas_for(host, model, steps=4), 2)
    assert low[0] > 0
    sampler = node_sampler(host, preset="ORTHO-VUB*", eta=0.5)
    stage_one = run_custom(host, model, sampler, sigmas=high)
    stage_two = run_custom(host, model, sampler, sigmas=low, latent_image=stage_one, add_noise=False)
    assert stage_one.isfinite().all() and stage_two.isfinite().all()
    assert not torch.allclose(stage_one, stage_two)


def test_ksampler_advanced_two_stage_refiner_run(host, model):
    # Base model for steps 0-2 returning its leftover noise, then the "refiner" for steps 2-4 without new noise.
    positive, negative = host.conds()
    advanced = host.node("KSamplerAdvanced")
    latent = {"samples": torch.zeros(LATENT_SHAPE)}
    (first,) = advanced.sample(model, "enable", 42, 4, 4.0, "ddim_gmm", "karras", positive, negative, latent, 0, 2,
                               "enable")
    (second,) = advanced.sample(model, "disable", 42, 4, 4.0, "ddim_gmm_exact", "karras", positive, negative, first,
                                2, 10000, "disable")
    assert first["samples"].isfinite().all() and second["samples"].isfinite().all()
    assert not torch.allclose(first["samples"], second["samples"])


def test_flow_offsets_off_at_eta_zero_equal_comfyuis_euler(host, flow_model):
    sigmas = sigmas_for(host, flow_model, "simple")
    reference = run_custom(host, flow_model, host.comfy.samplers.ksampler("euler"), sigmas=sigmas)
    out = run_custom(host, flow_model, node_sampler(host, eta=0.0, s=0.0), sigmas=sigmas)
    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5 * reference.abs().max().item())
    with_offsets = run_custom(host, flow_model, node_sampler(host, eta=0.0, s=10.0), sigmas=sigmas)
    assert not torch.allclose(with_offsets, reference)


# --- CFG++ (issue 20) ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def guided_model(model):
    """The tiny model with its unconditional x0 prediction moved by a fixed pattern: the random UNet barely reads its
    context, so on its own the cond and uncond predictions agree to 1e-7 and CFG++ could not be told from CFG."""
    shift = torch.linspace(-1.0, 1.0, LATENT_SHAPE[-1])

    def wrapper(apply_model, args):
        out = apply_model(args["input"], args["timestep"], **args["c"])
        chunks = out.chunk(len(args["cond_or_uncond"]))
        return torch.cat([chunk + shift if kind == 1 else chunk for chunk, kind in zip(chunks, args["cond_or_uncond"])])

    patched = model.clone()
    patched.set_model_unet_function_wrapper(wrapper)
    return patched


@pytest.fixture(scope="module")
def guided_flow_model(host, guided_model):
    return host.node("ModelSamplingSD3").patch(guided_model, 3.0)[0]


def assert_same_latents(out, reference):
    # float32 rounding only: ComfyUI's alpha_s = sigma exp(-log sigma) is 1 to rounding on EPS models.
    torch.testing.assert_close(out, reference, rtol=1e-5, atol=1e-5 * reference.abs().max().item())


@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_cfg_pp_with_offsets_off_equals_comfyuis_euler_ancestral_cfg_pp(host, guided_model, eta):
    reference = run_custom(host, guided_model, host.comfy.samplers.ksampler("euler_ancestral_cfg_pp", {"eta": eta}))
    for sampler in (node_sampler(host, eta=eta, s=0.0, cfg_pp=True),
                    node_sampler(host, eta=eta, preset="CONTROL (same-variance noise)", s=0.0, cfg_pp=True),
                    # the dropdown name, its preset's s overridden as KSAMPLER's extra_options do
                    host.comfy.samplers.ksampler("ddim_gmm_cfg_pp", {"eta": eta, "s": 0.0})):
        assert_same_latents(run_custom(host, guided_model, sampler), reference)
    # Not vacuous: CFG++ is not plain euler_ancestral, which cfg_pp off still is.
    plain = run_custom(host, guided_model, host.comfy.samplers.ksampler("euler_ancestral", {"eta": eta}))
    assert not torch.allclose(plain, reference, atol=1e-3)
    assert_same_latents(run_custom(host, guided_model, node_sampler(host, eta=eta, s=0.0, cfg_pp=False)), plain)


def test_cfg_pp_at_cfg_1_does_what_comfyuis_cfg_pp_samplers_do(host, guided_model):
    # disable_cfg1_optimization: the unconditional pass runs at CFG 1 too, and its prediction sets the direction.
    reference = run_custom(host, guided_model, host.comfy.samplers.ksampler("euler_ancestral_cfg_pp"), cfg=1.0)
    ours = run_custom(host, guided_model, node_sampler(host, eta=1.0, s=0.0, cfg_pp=True), cfg=1.0)
    assert_same_latents(ours, reference)
    plain = run_custom(host, guided_model, host.comfy.samplers.ksampler("euler_ancestral"), cfg=1.0)
    assert not torch.allclose(plain, reference, atol=1e-3)


def test_ksampler_runs_the_cfg_pp_dropdown_name_with_the_mixture(host, guided_model):
    positive, negative = host.conds()
    latent = {"samples": torch.zeros(LATENT_SHAPE)}
    (ours,) = host.node("KSampler").sample(guided_model, 42, STEPS, 1.0, "ddim_gmm_cfg_pp", "normal", positive,
                                          negative, latent)
    (plain,) = host.node("KSampler").sample(guided_model, 42, STEPS, 1.0, "ddim_gmm", "normal", positive, negative,
                                           latent)
    assert ours["samples"].isfinite().all() and not torch.allclose(ours["samples"], plain["samples"])
    # The same as the node with the default preset and CFG++ on.
    node = run_custom(host, guided_model, node_sampler(host, eta=1.0, cfg_pp=True), cfg=1.0)
    assert_same_latents(ours["samples"], node)


def test_cfg_pp_on_a_flow_model_runs_and_at_eta_0_equals_comfyuis_euler_cfg_pp(host, guided_flow_model,
                                                                               kernel_calls):
    sigmas = sigmas_for(host, guided_flow_model, "simple")
    for sampler in (node_sampler(host, cfg_pp=True), node_sampler(host, eta=0.5, s=2.0, cfg_pp=True),
                    host.comfy.samplers.ksampler("ddim_gmm_cfg_pp")):
        assert run_custom(host, guided_flow_model, sampler, sigmas=sigmas).isfinite().all()
    assert kernel_calls == ["sample_rfim_gmm"] * 3
    # At eta = 0 ComfyUI's CFG++ on CONST is the flow Euler step with eps from the unconditional prediction, as ours;
    # at eta > 0 its ancestral formula (VE ancestral step in the flow's x / (1 - tau) view) is not RFIM's.
    reference = run_custom(host, guided_flow_model, host.comfy.samplers.ksampler("euler_cfg_pp"), sigmas=sigmas)
    ours = run_custom(host, guided_flow_model, node_sampler(host, eta=0.0, s=0.0, cfg_pp=True), sigmas=sigmas)
    assert_same_latents(ours, reference)
    plain = run_custom(host, guided_flow_model, host.comfy.samplers.ksampler("euler"), sigmas=sigmas)
    assert not torch.allclose(plain, reference, atol=1e-3)


def run_basic_guider(host, any_model, sampler, sigmas):
    positive, _ = host.conds()
    guider = host.node("BasicGuider").get_guider(any_model, positive)[0]
    noise = host.node("RandomNoise").get_noise(42)[0]
    out, _ = host.node("SamplerCustomAdvanced").sample(noise, guider, sampler, sigmas,
                                                       {"samples": torch.zeros(LATENT_SHAPE)})
    return out["samples"]


def test_cfg_pp_with_basicguider_does_what_comfyuis_cfg_pp_samplers_do(host, guided_model, guided_flow_model,
                                                                        caplog):
    # BasicGuider has no negative: ComfyUI's CFG hands the post-CFG functions an all-zero uncond_denoised (what
    # calc_cond_batch gives a missing cond), and its own CFG++ samplers take the direction from those zeros. Ours too.
    for any_model, scheduler, theirs, ours in (
            (guided_model, "normal", "euler_ancestral_cfg_pp", dict(eta=1.0)),
            (guided_flow_model, "simple", "euler_cfg_pp", dict(eta=0.0))):
        sigmas = sigmas_for(host, any_model, scheduler)
        reference = run_basic_guider(host, any_model, host.comfy.samplers.ksampler(theirs), sigmas)
        with caplog.at_level("WARNING"):
            out = run_basic_guider(host, any_model, node_sampler(host, s=0.0, cfg_pp=True, **ours), sigmas)
        assert_same_latents(out, reference)
        off = run_basic_guider(host, any_model, node_sampler(host, s=0.0, cfg_pp=False, **ours), sigmas)
        assert not torch.allclose(off, out, atol=1e-3)  # so it is not the plain step: the help page says so
    assert sum("zero unconditional prediction" in r.message for r in caplog.records) == 2


def test_api_prompts_saved_before_the_cfg_pp_widget_validate_and_run_with_it_off(host, model, model_files):
    prompt = json.loads((WORKFLOWS_DIR / "api" / "sd15_txt2img_sampler_custom.api.json").read_text())
    (node_id,) = [k for k, node in prompt.items() if node["class_type"] == "SamplerDDIMGMM"]
    del prompt[node_id]["inputs"]["cfg_pp"]
    valid, error, outputs, node_errors = asyncio.run(host.execution.validate_prompt("test", prompt, None))
    assert valid, (error, node_errors)
    widgets = {name: spec[1]["default"] for name, spec in node_widgets(host).items() if name != "cfg_pp"}
    old = host.node("SamplerDDIMGMM").get_sampler(**widgets)[0]
    torch.testing.assert_close(run_custom(host, model, old), run_custom(host, model, node_sampler(host, cfg_pp=False)),
                               rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_models(host, dtype):
    half_model = host.tiny_sd15(dtype=dtype)
    assert half_model.model.get_dtype() == dtype
    out = run_dropdown(host, half_model, "ddim_gmm_exact")
    assert out.dtype == torch.float32 and out.isfinite().all()


@pytest.mark.parametrize("patch_node, args", [("ModelSamplingFlux", (1.15, 0.5, 64, 64)),
                                              ("ModelSamplingAuraFlow", (1.73,))])
def test_other_flow_patches_run_the_rfim_kernel(host, model, kernel_calls, patch_node, args):
    patched = host.node(patch_node).patch(model, *args)[0]
    assert run_custom(host, patched, node_sampler(host), sigmas=sigmas_for(host, patched, "beta")).isfinite().all()
    assert kernel_calls == ["sample_rfim_gmm"]


def test_flow_model_runs_the_rfim_kernel(host, model, flow_model, kernel_calls):
    model_sampling = flow_model.get_model_object("model_sampling")
    assert isinstance(model_sampling, sys.modules["comfy.model_sampling"].CONST)
    assert run_custom(host, flow_model, node_sampler(host), sigmas=sigmas_for(host, flow_model, "simple")
                      ).isfinite().all()
    assert run_dropdown(host, flow_model, "ddim_gmm", scheduler="simple").isfinite().all()
    assert kernel_calls == ["sample_rfim_gmm", "sample_rfim_gmm"]
    kernel_calls.clear()
    run_custom(host, model, node_sampler(host))
    run_dropdown(host, model, "ddim_gmm")
    run_custom(host, flow_model, node_sampler(host, kernel="DDIM-GMM"), sigmas=sigmas_for(host, flow_model, "simple"))
    assert kernel_calls == ["sample_ddim_gmm"] * 3


def test_forcing_rfim_on_a_diffusion_model_is_a_readable_error(host, model):
    with pytest.raises(ValueError, match="needs a flow model"):
        run_custom(host, model, node_sampler(host, kernel="RFIM-GMM"))


def test_callback_feeds_every_step_for_previews(host, model):
    seen = []
    run_dropdown(host, model, "ddim_gmm", callback=lambda step, x0, x, total: seen.append((step, total, x0.shape)))
    assert seen == [(i, STEPS, torch.Size(LATENT_SHAPE)) for i in range(STEPS)]


def test_interruption_from_the_ui_propagates(host, model):
    # ComfyUI interrupts by raising from its progress hook (the callback) or the model call; nothing may swallow it.
    interrupt = host.comfy.model_management.InterruptProcessingException
    seen = []

    def callback(step, x0, x, total):
        seen.append(step)
        if step == 1:
            raise interrupt()

    with pytest.raises(interrupt):
        run_custom(host, model, node_sampler(host, eta=0.5), callback=callback)
    with pytest.raises(interrupt):
        run_dropdown(host, model, "ddim_gmm", callback=callback)
    assert seen == [0, 1, 0, 1]


@pytest.fixture
def progress_hook(host, monkeypatch):
    """Stands in for the server's progress hook (main.py's hijack_progress), with latent2rgb previews on."""
    import comfy.cli_args
    import comfy.utils
    monkeypatch.setattr(comfy.cli_args.args, "preview_method", comfy.cli_args.LatentPreviewMethod.Latent2RGB)
    updates, cancel_at = [], []

    def hook(value, total, preview_image, prompt_id=None, node_id=None):
        updates.append((value, total, preview_image is not None))
        if value in cancel_at:
            host.comfy.model_management.interrupt_current_processing()  # the UI's Cancel button
        host.comfy.model_management.throw_exception_if_processing_interrupted()

    monkeypatch.setattr(comfy.utils, "PROGRESS_BAR_HOOK", hook)
    yield updates, cancel_at
    host.comfy.model_management.interrupt_current_processing(False)


def test_comfyuis_sampler_nodes_run_ours_with_previews_progress_and_cancel(host, model, progress_hook):
    updates, cancel_at = progress_hook
    positive, negative = host.conds()
    latent = {"samples": torch.zeros(LATENT_SHAPE)}
    sigmas = sigmas_for(host, model)
    sampler = host.node("SamplerDDIMGMM").get_sampler(**{
        name: spec[1]["default"] for name, spec in node_widgets(host).items()})[0]

    out, denoised = host.node("SamplerCustom").sample(model, True, 42, 4.0, positive, negative, sampler, sigmas, latent)
    assert out["samples"].isfinite().all() and denoised["samples"].isfinite().all()
    guider = host.node("CFGGuider").get_guider(model, positive, negative, 4.0)[0]
    noise = host.node("RandomNoise").get_noise(42)[0]
    advanced, _ = host.node("SamplerCustomAdvanced").sample(noise, guider, sampler, sigmas, latent)
    torch.testing.assert_close(advanced["samples"], out["samples"])  # same seed, same sampler, same image
    (ksampled,) = host.node("KSampler").sample(model, 42, STEPS, 4.0, "ddim_gmm", "normal", positive, negative, latent)
    assert ksampled["samples"].isfinite().all()
    # One progress update with a preview image per step, for each of the three runs.
    assert updates == [(i + 1, STEPS, True) for i in range(STEPS)] * 3

    updates.clear()
    cancel_at.append(2)
    with pytest.raises(host.comfy.model_management.InterruptProcessingException):
        host.node("KSampler").sample(model, 42, STEPS, 4.0, "ddim_gmm", "normal", positive, negative, latent)
    assert [value for value, _, _ in updates] == [1, 2]


def test_bad_widgets_fail_before_sampling_with_a_readable_message(host, model):
    with pytest.raises(ValueError, match=r"eta must be a finite number in \[0.0, 1.0\]"):
        node_sampler(host, eta=1.5)
    with pytest.raises(ValueError, match="preset must be one of"):
        node_sampler(host, preset="ORTHO-VUB**")
    with pytest.raises(ValueError, match="cfg_pp must be True or False"):
        node_sampler(host, cfg_pp="yes")
    # n_components > D (here 4*8*8 = 256) is known only once the latent is: it fails before the first step.
    steps = []
    with pytest.raises(ValueError, match=r"n_components must be in \[1, 256\]"):
        run_custom(host, model, node_sampler(host, n_components=300), callback=lambda *args: steps.append(args))
    assert steps == []


# --- workflows ----------------------------------------------------------------------------------------------------

def workflow_files(kind):
    paths = sorted((WORKFLOWS_DIR / "api").glob("*.api.json") if kind == "api" else WORKFLOWS_DIR.glob("*.json"))
    assert paths, f"no {kind} workflows in {WORKFLOWS_DIR}"
    return paths


@pytest.fixture(scope="module")
def model_files(host, tmp_path_factory):
    """Empty files named like the workflows' models, so validation checks everything but the weights."""
    root = tmp_path_factory.mktemp("models")
    for path in workflow_files("api"):
        for node in json.loads(path.read_text()).values():
            for name in ("ckpt_name", "unet_name", "vae_name", "clip_name", "clip_name1", "clip_name2", "lora_name"):
                if isinstance(node["inputs"].get(name), str):
                    folder = {"ckpt_name": "checkpoints", "unet_name": "diffusion_models", "vae_name": "vae",
                              "lora_name": "loras"}.get(name, "text_encoders")
                    (root / folder).mkdir(exist_ok=True)
                    (root / folder / node["inputs"][name]).touch()
                    host.folder_paths.add_model_folder_path(folder, str(root / folder))
    input_dir = tmp_path_factory.mktemp("input")
    from PIL import Image
    Image.new("RGBA", (64, 64), (128, 100, 80, 255)).save(input_dir / "example.png")
    host.folder_paths.set_input_directory(str(input_dir))
    return root


@pytest.mark.parametrize("path", workflow_files("api") if COMFYUI_PATH else [], ids=lambda p: p.name)
def test_api_workflow_passes_comfyuis_prompt_validation(host, model_files, path):
    prompt = json.loads(path.read_text())
    valid, error, outputs, node_errors = asyncio.run(host.execution.validate_prompt("test", prompt, None))
    assert valid, (error, node_errors)
    assert outputs and not node_errors


@pytest.mark.parametrize("widget, value, message", [
    ("preset", "ORTHO-VUB**", "Value not in list"), ("covariance", "full", "Value not in list"),
    ("eta", 1.5, "bigger than max"), ("n_components", 0, "smaller than min"),
])
def test_comfyui_validation_rejects_bad_widget_values_of_our_node(host, model_files, widget, value, message):
    prompt = json.loads((WORKFLOWS_DIR / "api" / "sd15_txt2img_sampler_custom.api.json").read_text())
    (node_id,) = [k for k, node in prompt.items() if node["class_type"] == "SamplerDDIMGMM"]
    prompt[node_id]["inputs"][widget] = value
    valid, error, outputs, node_errors = asyncio.run(host.execution.validate_prompt("test", prompt, None))
    assert not valid
    (node_error,) = node_errors[node_id]["errors"]
    assert message in node_error["message"]
    assert node_error["extra_info"]["input_name"] == widget


def widget_names(node_class):
    """The names of a node type's widget values, in the order the UI stores them (seed controls included)."""
    names = []
    inputs = node_class.INPUT_TYPES()
    for section in ("required", "optional"):
        for name, spec in inputs.get(section, {}).items():
            kind, options = spec[0], (spec[1] if len(spec) > 1 else {})
            if isinstance(kind, (list, tuple)) or kind in ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"):
                names.append(name)
                if options.get("control_after_generate"):
                    names.append("control_after_generate")
                if options.get("image_upload"):
                    names.append("upload")
    return names


@pytest.mark.parametrize("path", workflow_files("ui") if COMFYUI_PATH else [], ids=lambda p: p.name)
def test_ui_workflow_names_existing_nodes_with_widgets_in_order(host, path):
    workflow = json.loads(path.read_text())
    api = json.loads((WORKFLOWS_DIR / "api" / f"{path.stem}.api.json").read_text())
    nodes_by_id = {node["id"]: node for node in workflow["nodes"]}
    for node in workflow["nodes"]:
        node_class = host.nodes.NODE_CLASS_MAPPINGS.get(node["type"])
        assert node_class is not None, f"{path.name}: node type {node['type']} does not exist"
        names = widget_names(node_class)
        assert len(names) == len(node["widgets_values"]), (node["type"], names, node["widgets_values"])
        stored = dict(zip(names, node["widgets_values"]))
        api_inputs = api[str(node["id"])]["inputs"]
        assert api[str(node["id"])]["class_type"] == node["type"]
        for name in names:
            if name not in ("control_after_generate", "upload"):
                assert stored[name] == api_inputs[name], (node["type"], name)
        declared = {**node_class.INPUT_TYPES().get("required", {}), **node_class.INPUT_TYPES().get("optional", {})}
        for link_input in node["inputs"]:
            assert declared[link_input["name"]][0] == link_input["type"], (node["type"], link_input)
    for link_id, src, src_slot, dst, dst_slot, kind in workflow["links"]:
        assert nodes_by_id[src]["outputs"][src_slot]["type"] == kind and link_id in \
            nodes_by_id[src]["outputs"][src_slot]["links"]
        assert nodes_by_id[dst]["inputs"][dst_slot]["link"] == link_id
