"""The node pack without ComfyUI: widget schema, widgets -> sampler options, dispatch, dropdown table, imports."""

import subprocess
import sys
import types

import pytest
import torch

import ddim_gmm
from ddim_gmm.nodes import DROPDOWN_SAMPLERS, NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS, SamplerDDIMGMM
from ddim_gmm.nodes.sampler_node import widget_inputs
from ddim_gmm.nodes import options as node_options
from ddim_gmm.nodes import sampler_node
from ddim_gmm.nodes.dropdown import DROPDOWN_OPTIONS, dropdown_sampler_function
from ddim_gmm.sampling import (COVARIANCES, OFFSET_SCHEDULES, OFFSETS, PRESETS, VARIANTS, GmmOptions, preset_options,
                               sample_ddim_gmm)

WIDGET_INPUTS = widget_inputs()  # required, then the optional LATER widgets
THREADS_AT_COLLECTION = torch.get_num_threads()  # collection precedes every test, the host tests included
OPTION_NAMES = [f for f in GmmOptions.__dataclass_fields__]


def widget_defaults():
    return {name: spec[1]["default"] for name, spec in WIDGET_INPUTS.items()}


def sampler_widgets(**overrides):
    """Widget values in get_sampler's keyword form (the node's defaults unless overridden)."""
    return {**widget_defaults(), **overrides}


def options_for(**overrides):
    widgets = sampler_widgets(**overrides)
    widgets.pop("kernel")
    return node_options.options_from_widgets(**widgets)


def test_pack_imports_without_comfy_and_registers_nothing():
    code = ("import sys, ddim_gmm, ddim_gmm.sampling, ddim_gmm.nodes; "
            "assert ddim_gmm.NODE_CLASS_MAPPINGS == {}, ddim_gmm.NODE_CLASS_MAPPINGS; "
            "assert not any(m == 'comfy' or m.startswith('comfy.') for m in sys.modules), 'comfy imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_node_mappings_name_one_sampler_node():
    assert set(NODE_CLASS_MAPPINGS) == {"SamplerDDIMGMM"} == set(NODE_DISPLAY_NAME_MAPPINGS)
    assert NODE_CLASS_MAPPINGS["SamplerDDIMGMM"] is SamplerDDIMGMM
    assert SamplerDDIMGMM.RETURN_TYPES == ("SAMPLER",)
    assert SamplerDDIMGMM.CATEGORY == "sampling/custom_sampling/samplers"
    assert callable(getattr(SamplerDDIMGMM, SamplerDDIMGMM.FUNCTION))


class classproperty:
    def __init__(self, getter):
        self.getter = getter

    def __get__(self, instance, owner):
        return self.getter(owner)


@pytest.mark.parametrize("host_category", [
    pytest.param(lambda: type("KSamplerSelect", (), {"CATEGORY": "sampling/custom_sampling/samplers"}), id="V1"),
    # A V3 node (ComfyUI 0.38.1): CATEGORY is a class property read from its schema.
    pytest.param(lambda: type("KSamplerSelect", (), {"CATEGORY": classproperty(lambda cls: "model/sampling/samplers")}),
                 id="V3"),
])
def test_the_node_moves_to_the_category_of_the_hosts_ksampler_select(host_category, monkeypatch):
    monkeypatch.setattr(SamplerDDIMGMM, "CATEGORY", SamplerDDIMGMM.CATEGORY)
    select = host_category()
    assert sampler_node.place_beside_ksampler_select({"KSamplerSelect": select}) == select.CATEGORY
    assert SamplerDDIMGMM.CATEGORY == select.CATEGORY
    # A host without KSamplerSelect leaves the node where it is.
    assert sampler_node.place_beside_ksampler_select({}) == select.CATEGORY


def test_get_sampler_takes_exactly_the_widgets():
    # ComfyUI calls FUNCTION with the widgets as keywords: a missing or an unknown one is an error naming them all.
    assert set(OPTION_NAMES) <= set(WIDGET_INPUTS), "every kernel option has a widget"
    widgets = sampler_widgets()
    widgets.pop("kernel")
    for wrong in ({k: v for k, v in widgets.items() if k != "s"}, {**widgets, "sigma": 1.0}):
        with pytest.raises(ValueError, match="the widgets are preset, eta, s, n_components"):
            node_options.options_from_widgets(**wrong)


@pytest.mark.parametrize("name", list(WIDGET_INPUTS))
def test_widget_has_tooltip_and_default_in_range(name):
    kind, spec = WIDGET_INPUTS[name]
    assert len(spec["tooltip"]) > 40
    default = spec["default"]
    if not isinstance(kind, str):
        # A list, not a tuple: ComfyUI's prompt validation checks combo values only against a list.
        assert isinstance(kind, list) and default in kind
    elif kind == "FLOAT":
        assert spec["min"] <= default <= spec["max"] and isinstance(default, float)
        assert spec["round"] is False  # ComfyUI would otherwise round the value to `step`
    elif kind == "INT":
        assert spec["min"] <= default <= spec["max"] and isinstance(default, int)
    else:
        assert kind == "BOOLEAN" and isinstance(default, bool)


def test_widget_ranges_agree_with_the_kernel():
    assert (WIDGET_INPUTS["eta"][1]["min"], WIDGET_INPUTS["eta"][1]["max"]) == (0.0, 1.0)
    assert WIDGET_INPUTS["s"][1]["min"] == 0.0 and WIDGET_INPUTS["n_components"][1]["min"] == 1
    fraction = WIDGET_INPUTS["offset_variance_fraction"][1]
    assert (fraction["min"], fraction["max"]) == (0.0, 1.0)
    # Both ends of every range pass the kernel's own validation.
    for name in ("eta", "s", "n_components", "offset_variance_fraction"):
        for end in ("min", "max"):
            options_for(**{name: WIDGET_INPUTS[name][1][end]})
    assert set(WIDGET_INPUTS["offsets"][0]) == set(OFFSETS)
    assert set(WIDGET_INPUTS["covariance"][0]) == set(COVARIANCES)
    assert set(WIDGET_INPUTS["offset_schedule"][0]) == set(OFFSET_SCHEDULES)


def test_default_widgets_equal_the_default_preset():
    # Switching preset to "custom" keeps what the default preset ran.
    defaults = widget_defaults()
    fixed = node_options.preset_fixed_options(defaults["preset"])
    assert {name: defaults[name] for name in fixed} == fixed


def test_every_variant_is_a_selectable_preset():
    assert set(WIDGET_INPUTS["preset"][0]) == {"custom", node_options.CONTROL} | set(VARIANTS)
    families = {name.split("-", 2)[0] + "-GMM" for name in PRESETS}
    assert families == {"DDIM-GMM", "RFIM-GMM"} and set(WIDGET_INPUTS["kernel"][0]) == {"auto"} | families


@pytest.mark.parametrize("preset", list(VARIANTS))
def test_preset_fixes_its_options_and_ignores_those_widgets(preset):
    # Widgets set opposite to the preset: the preset must win for exactly the four options it fixes.
    contrary = dict(offsets="rand", covariance="exact", share_offsets=False, offset_schedule="noise_matched")
    options = options_for(preset=preset, eta=0.3, s=2.5, n_components=5, priors="random",
                          offset_variance_fraction=0.25, **contrary)
    expected = {**GmmOptions().__dict__, **preset_options(preset)}
    for name in node_options.PRESET_FIXED:
        assert options[name] == expected[name], name
    assert (options["eta"], options["s"], options["n_components"], options["priors"],
            options["offset_variance_fraction"]) == (0.3, 2.5, 5, "random", 0.25)


def test_control_preset_runs_the_default_preset_s_mixture():
    # The control's noise matches the variance of the mixture the default preset would draw, whatever the widgets.
    contrary = dict(offsets="rand", covariance="exact", share_offsets=False, offset_schedule="noise_matched")
    options = options_for(preset=node_options.CONTROL, s=2.5, n_components=5, **contrary)
    assert {name: options[name] for name in node_options.PRESET_FIXED} == node_options.preset_fixed_options(
        node_options.DEFAULT_PRESET)
    assert (options["s"], options["n_components"]) == (2.5, 5)


def test_custom_preset_takes_every_widget():
    widgets = dict(eta=0.7, s=3.0, n_components=3, offsets="rand", covariance="diag", share_offsets=False,
                   priors="random", offset_schedule="noise_matched", offset_variance_fraction=0.8, cfg_pp=True)
    assert options_for(preset="custom", **widgets) == widgets


@pytest.mark.parametrize("name, value, message", [
    ("eta", 1.5, "eta must be"), ("s", -0.1, "s must be"), ("n_components", 0, "n_components must be"),
    ("offset_variance_fraction", 2.0, "offset_variance_fraction must be"), ("preset", "ORTHO-VUB**", "preset must"),
    ("priors", "dirichlet", "priors must"), ("offsets", "svd", "offsets must"), ("covariance", "full", "covariance"),
])
def test_bad_widget_values_raise_a_readable_error_naming_the_widget(name, value, message):
    with pytest.raises(ValueError, match=message):
        options_for(**{"preset": "custom", name: value})


class RecordingSampler:
    """Stands in for sample_ddim_gmm / sample_rfim_gmm: records what the dispatch passed."""

    def __init__(self, label):
        self.label, self.calls = label, []

    def __call__(self, model, x, sigmas, **kwargs):
        self.calls.append(kwargs)
        return x


def record(monkeypatch, *names):
    """Replaces the sampler functions `names` of nodes.options with recorders; returns them in that order."""
    recorders = tuple(RecordingSampler(name) for name in names)
    for name, recorder in zip(names, recorders):
        monkeypatch.setattr(node_options, name, recorder)
    return recorders


@pytest.fixture
def recorded_kernels(monkeypatch):
    return record(monkeypatch, "sample_ddim_gmm", "sample_rfim_gmm")


@pytest.fixture
def recorded_controls(monkeypatch):
    return record(monkeypatch, "sample_ddim_control", "sample_rfim_control")


class FakeConst:
    """Plays comfy.model_sampling.CONST for the flow detection."""


def comfy_like_model(model_sampling):
    # KSamplerX0Inpaint -> model wrapper -> BaseModel, as ComfyUI hands it to a sampler function.
    base = types.SimpleNamespace(model_sampling=model_sampling)
    return types.SimpleNamespace(inner_model=types.SimpleNamespace(inner_model=base))


def test_every_option_reaches_the_sampler_with_its_name(recorded_kernels):
    ddim, _ = recorded_kernels
    widgets = sampler_widgets(preset="custom", eta=0.7, s=3.0, n_components=3, offsets="rand", covariance="diag",
                              share_offsets=False, priors="random", offset_schedule="noise_matched",
                              offset_variance_fraction=0.8, kernel="DDIM-GMM")
    kernel = widgets.pop("kernel")
    options = node_options.options_from_widgets(**widgets)
    node_options.sample_gmm(None, torch.zeros(1, 4), torch.tensor([1.0, 0.0]), extra_args={"seed": 3},
                            kernel=kernel, **options)
    (call,) = ddim.calls
    assert call["extra_args"] == {"seed": 3}
    assert {name: call[name] for name in OPTION_NAMES} == {name: widgets[name] for name in OPTION_NAMES}


def test_control_preset_runs_the_control_of_the_chosen_kernel(recorded_kernels, recorded_controls, monkeypatch,
                                                              caplog):
    monkeypatch.setitem(sys.modules, "comfy.model_sampling", types.SimpleNamespace(CONST=FakeConst))
    widgets = sampler_widgets(preset=node_options.CONTROL, s=3.0)
    widgets.pop("kernel")
    options = node_options.options_from_widgets(**widgets)
    x, sigmas = torch.zeros(1, 4), torch.tensor([1.0, 0.0])
    with caplog.at_level("INFO"):
        node_options.sample_gmm(comfy_like_model(object()), x, sigmas, control=True, **options)
        node_options.sample_gmm(comfy_like_model(FakeConst()), x, sigmas, control=True, **options)
    (ddim_call,), (rfim_call,) = recorded_controls[0].calls, recorded_controls[1].calls
    assert recorded_kernels[0].calls == recorded_kernels[1].calls == []
    assert {name: ddim_call[name] for name in OPTION_NAMES} == {name: options[name] for name in OPTION_NAMES}
    assert rfim_call["s"] == 3.0
    assert [r.getMessage() for r in caplog.records] == [
        "ddim-gmm: DDIM-GMM kernel, matched-noise control (diffusion model)",
        "ddim-gmm: RFIM-GMM kernel, matched-noise control (flow model)"]


def test_auto_kernel_follows_the_model_sampling_type(recorded_kernels, monkeypatch, caplog):
    ddim, rfim = recorded_kernels
    monkeypatch.setitem(sys.modules, "comfy.model_sampling", types.SimpleNamespace(CONST=FakeConst))
    x, sigmas = torch.zeros(1, 4), torch.tensor([1.0, 0.0])
    with caplog.at_level("INFO"):
        node_options.sample_gmm(comfy_like_model(FakeConst()), x, sigmas)
        node_options.sample_gmm(comfy_like_model(object()), x, sigmas)
        node_options.sample_gmm(comfy_like_model(FakeConst()), x, sigmas, kernel="DDIM-GMM")
        node_options.sample_gmm(comfy_like_model(object()), x, sigmas, kernel="RFIM-GMM")
    assert (len(rfim.calls), len(ddim.calls)) == (2, 2)
    # The console says which kernel ran and why.
    assert [r.getMessage() for r in caplog.records] == [
        "ddim-gmm: RFIM-GMM kernel (flow model)", "ddim-gmm: DDIM-GMM kernel (diffusion model)",
        "ddim-gmm: DDIM-GMM kernel (forced)", "ddim-gmm: RFIM-GMM kernel (forced)"]


def test_flow_runs_take_the_models_noise_scale(recorded_kernels, recorded_controls, monkeypatch):
    """Newer ComfyUI's CONST has noise_scale (ModelNoiseScale); the flow kernel and its control get it, 1 where the
    model has none, and diffusion runs never see it."""
    monkeypatch.setitem(sys.modules, "comfy.model_sampling", types.SimpleNamespace(CONST=FakeConst))
    scaled = FakeConst()
    scaled.noise_scale = 8
    x, sigmas = torch.zeros(1, 4), torch.tensor([1.0, 0.0])
    node_options.sample_gmm(comfy_like_model(scaled), x, sigmas)
    node_options.sample_gmm(comfy_like_model(FakeConst()), x, sigmas)
    node_options.sample_gmm(comfy_like_model(scaled), x, sigmas, control=True)
    node_options.sample_gmm(comfy_like_model(object()), x, sigmas)
    ddim, rfim = recorded_kernels
    assert [call["noise_scale"] for call in rfim.calls] == [8.0, 1.0]
    assert recorded_controls[1].calls[0]["noise_scale"] == 8.0
    assert "noise_scale" not in ddim.calls[0]


def test_forcing_rfim_on_diffusion_sigmas_is_a_readable_error(recorded_kernels):
    with pytest.raises(ValueError, match="kernel='RFIM-GMM' needs a flow model"):
        node_options.sample_gmm(None, torch.zeros(1, 4), torch.tensor([14.6, 1.0, 0.0]), kernel="RFIM-GMM")


def test_auto_kernel_without_a_comfy_model_asks_to_choose(recorded_kernels):
    with pytest.raises(ValueError, match="set kernel to"):
        node_options.sample_gmm(lambda x, s: x, torch.zeros(1, 4), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="kernel must be one of"):
        node_options.sample_gmm(None, torch.zeros(1, 4), torch.tensor([1.0, 0.0]), kernel="ddim")


def test_without_comfy_nothing_is_a_flow_model(monkeypatch):
    monkeypatch.delitem(sys.modules, "comfy.model_sampling", raising=False)
    assert not node_options.is_flow_model(comfy_like_model(FakeConst()))


def test_dropdown_table_covers_every_variant_once():
    # ... and not the control: a diagnostic belongs next to the mixture in a workflow, not in KSampler's list.
    plain = {name: preset for name, preset in DROPDOWN_SAMPLERS.items() if name not in DROPDOWN_OPTIONS}
    assert sorted(plain.values()) == sorted(VARIANTS)
    # ddim_gmm_cfg_pp: the default preset with CFG++, named like ComfyUI's *_cfg_pp samplers.
    assert DROPDOWN_OPTIONS == {"ddim_gmm_cfg_pp": {"cfg_pp": True}}
    assert DROPDOWN_SAMPLERS["ddim_gmm_cfg_pp"] == node_options.DEFAULT_PRESET
    assert node_options.CONTROL not in DROPDOWN_SAMPLERS.values()
    assert all(name == name.lower() and name.startswith("ddim_gmm") for name in DROPDOWN_SAMPLERS)
    assert "ddim_gmm" in DROPDOWN_SAMPLERS


@pytest.mark.parametrize("name", list(DROPDOWN_SAMPLERS))
def test_dropdown_function_runs_its_preset_with_kernel_defaults(name, recorded_kernels):
    ddim, _ = recorded_kernels
    function = dropdown_sampler_function(name)
    assert function.__name__ == f"sample_{name}"
    function(None, torch.zeros(1, 4), torch.tensor([1.0, 0.0]), kernel="DDIM-GMM")
    (call,) = ddim.calls
    for option, value in {**preset_options(DROPDOWN_SAMPLERS[name]), **DROPDOWN_OPTIONS.get(name, {})}.items():
        assert call[option] == value
    assert "eta" not in call and "s" not in call  # the kernel's documented defaults apply


def test_dropdown_functions_sample_a_real_model_end_to_end():
    # The pure kernels behind a dropdown name, forced to DDIM-GMM: finite, seeded, shaped like the input.
    def model(x, sigma, **kwargs):
        return x / (1 + sigma[:, None, None, None] ** 2)

    x = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(0)) * 14.6
    sigmas = torch.linspace(14.6, 0.0, 6)
    # (ddim_gmm_cfg_pp needs ComfyUI's CFG: test_cfg_pp_captures_the_unconditional_prediction_of_comfyuis_cfg)
    outs = [dropdown_sampler_function(name)(model, x, sigmas, extra_args={"seed": 5}, disable=True,
                                            kernel="DDIM-GMM") for name in DROPDOWN_SAMPLERS
            if name not in DROPDOWN_OPTIONS]
    again = dropdown_sampler_function("ddim_gmm")(model, x, sigmas, extra_args={"seed": 5}, disable=True,
                                                  kernel="DDIM-GMM")
    assert all(out.shape == x.shape and out.isfinite().all() for out in outs)
    assert torch.equal(outs[0], again)


def test_package_entry_is_empty_outside_comfyui():
    assert ddim_gmm.NODE_CLASS_MAPPINGS == {} and ddim_gmm.NODE_DISPLAY_NAME_MAPPINGS == {}


def test_no_comfyui_state_leaks_into_the_rest_of_the_session():
    # tests/comfy_host runs ComfyUI in this process before this file (when COMFYUI_PATH is set) and must clean up.
    leaked = [m for m in sys.modules if m.split(".")[0] in ("comfy", "comfy_extras", "nodes", "execution",
                                                            "folder_paths", "utils", "comfy_execution")]
    assert leaked == [] and not any(p.rstrip("/").endswith("comfy") for p in sys.path)
    assert torch.get_num_threads() == THREADS_AT_COLLECTION


class FakeComfyCFG:
    """Plays ComfyUI's CFG model for CFG++: cfg_function's post-CFG calls (comfy/samplers.py), with the unconditional
    pass skipped at CFG 1 unless disable_cfg1_optimization, and uncond_denoised all zeros without a negative (what
    ComfyUI's calc_cond_batch gives BasicGuider's missing uncond)."""

    def __init__(self, cfg=2.0, negative=True):
        self.cfg, self.negative, self.calls = cfg, negative, []

    def __call__(self, x, sigma, model_options=None, seed=None):
        model_options = model_options or {}
        self.calls.append(model_options)
        s = sigma.reshape(-1, *[1] * (x.ndim - 1))
        cond, uncond = x / (1 + s**2), 0.5 * x / (1 + s**2)
        skip_uncond = self.cfg == 1 and not model_options.get("disable_cfg1_optimization", False)
        uncond = torch.zeros_like(x) if skip_uncond or not self.negative else uncond
        denoised = uncond + (cond - uncond) * self.cfg
        for fn in model_options.get("sampler_post_cfg_function", []):
            denoised = fn({"denoised": denoised, "uncond_denoised": uncond, "cond_denoised": cond,
                           "uncond": [] if self.negative else None, "cond_scale": self.cfg, "sigma": sigma,
                           "input": x, "model_options": model_options})
        return denoised


def test_cfg_pp_captures_the_unconditional_prediction_of_comfyuis_cfg(caplog):
    x = torch.randn(2, 4, 4, 4, generator=torch.Generator().manual_seed(0)) * 14.6
    sigmas = torch.linspace(14.6, 0.0, 5)
    model, extra_args = FakeComfyCFG(), {"seed": 5, "model_options": {"keep": 1}}
    out = dropdown_sampler_function("ddim_gmm_cfg_pp")(model, x, sigmas, extra_args=extra_args, disable=True,
                                                       kernel="DDIM-GMM")
    # ComfyUI's way: a post-CFG function on a copy of model_options, CFG 1's skipped uncond pass turned off.
    assert extra_args == {"seed": 5, "model_options": {"keep": 1}}
    assert all(o["keep"] == 1 and o["disable_cfg1_optimization"] and len(o["sampler_post_cfg_function"]) == 1
               for o in model.calls) and len(model.calls) == 4

    # The same run through the library with the model returning the pair itself.
    def pair(x, sigma, **kwargs):
        s = sigma.reshape(-1, 1, 1, 1)
        cond, uncond = x / (1 + s**2), 0.5 * x / (1 + s**2)
        return uncond + (cond - uncond) * 2.0, uncond

    want = sample_ddim_gmm(pair, x, sigmas, seed=5, disable=True, cfg_pp=True)
    torch.testing.assert_close(out, want, rtol=0, atol=0)
    plain = dropdown_sampler_function("ddim_gmm")(FakeComfyCFG(), x, sigmas, extra_args={"seed": 5}, disable=True,
                                                  kernel="DDIM-GMM")
    assert not torch.allclose(out, plain)
    # Without a negative (BasicGuider) ComfyUI hands over zeros, as to its own CFG++ samplers: used, and said.
    with caplog.at_level("WARNING"):
        basic = dropdown_sampler_function("ddim_gmm_cfg_pp")(FakeComfyCFG(cfg=1.0, negative=False), x, sigmas,
                                                             extra_args={"seed": 5}, disable=True, kernel="DDIM-GMM")
    zeros = sample_ddim_gmm(lambda x, sigma, **kw: (x / (1 + sigma.reshape(-1, 1, 1, 1) ** 2), torch.zeros_like(x)),
                            x, sigmas, seed=5, disable=True, cfg_pp=True)
    torch.testing.assert_close(basic, zeros, rtol=0, atol=0)
    assert sum("zero unconditional prediction" in r.message for r in caplog.records) == 1


def test_cfg_pp_without_comfyuis_cfg_is_a_readable_error():
    with pytest.raises(ValueError, match="ComfyUI's CFG did not run"):
        dropdown_sampler_function("ddim_gmm_cfg_pp")(lambda x, sigma, **kw: x, torch.zeros(1, 16),
                                                     torch.tensor([1.0, 0.0]), disable=True, kernel="DDIM-GMM")


def test_old_api_prompts_without_the_cfg_pp_widget_get_it_off():
    widgets = sampler_widgets()
    widgets.pop("kernel")
    widgets.pop("cfg_pp")
    assert options_for()["cfg_pp"] is False and node_options.options_from_widgets(**widgets) == options_for()
    with pytest.raises(ValueError, match="cfg_pp must be True or False"):
        options_for(cfg_pp="on")
