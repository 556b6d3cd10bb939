"""comfy_harness.combo_choices, which every host test uses to read a combo's choices: both forms a host sends."""

import pytest

from comfy_harness import combo_choices


def test_v1_form_a_list_of_choices_first():
    # KSampler in every ComfyUI: (["euler", ...],) from INPUT_TYPES, [["euler", ...], {...}] from /object_info.
    assert combo_choices((["euler", "ddim_gmm"],)) == ["euler", "ddim_gmm"]
    assert combo_choices([["euler", "ddim_gmm"], {"tooltip": "sampler"}]) == ["euler", "ddim_gmm"]
    assert combo_choices((("a", "b"), {})) == ["a", "b"]


def test_v3_form_combo_with_its_options():
    # KSamplerSelect in ComfyUI 0.38.1: ("COMBO", {"options": [...]}), where [0] is the string "COMBO".
    assert combo_choices(("COMBO", {"options": ["euler", "ddim_gmm"], "tooltip": "sampler"})) == ["euler", "ddim_gmm"]
    assert combo_choices(["COMBO", {"options": []}]) == []


@pytest.mark.parametrize("spec", [("INT", {"default": 1}), ("COMBO",), ("COMBO", {"default": "a"}), ("STRING", {})])
def test_anything_else_is_not_a_combo(spec):
    with pytest.raises(ValueError, match="not a combo input"):
        combo_choices(spec)
