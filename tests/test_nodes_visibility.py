"""The widgets the frontend hides are exactly those whose value cannot change the samples (nodes/visibility.py).

"Takes effect" is measured, not declared: each widget is changed on its own and the node's options are sampled on a
toy denoiser with the same seed. tests/comfy_host/test_frontend.py checks that the browser hides what the table says.
"""

import pytest
import torch

from _toys import shrink_model
from ddim_gmm.nodes import SamplerDDIMGMM
from ddim_gmm.nodes.sampler_node import widget_inputs
from ddim_gmm.nodes.options import CONTROL, CUSTOM, DDIM_GMM, PRESET_CHOICES, options_from_widgets, sample_gmm
from ddim_gmm.nodes.visibility import TABLE_KEY, visibility_table, widgets_without_effect
from ddim_gmm.sampling import OFFSET_SCHEDULES

WIDGET_INPUTS = widget_inputs()  # required, then the optional LATER widgets
CHOOSERS = ("preset", "offset_schedule")  # they decide what is hidden
# eta > 0 so covariance and the noise-matched schedule can act at all (their tooltips say so).
BASE = dict(eta=0.5, s=1.0, n_components=4, offsets="ortho", covariance="vub", share_offsets=True, priors="uniform",
            offset_variance_fraction=0.5)
# One other value per widget; every one changes the samples wherever the widget applies.
CHANGED = dict(eta=0.9, s=3.0, n_components=2, offsets="rand", covariance="exact", share_offsets=False,
               priors="random", offset_variance_fraction=0.9)
SIGMAS = torch.tensor([8.0, 3.0, 1.2, 0.4, 0.0])


def samples(preset, **widgets):
    options = options_from_widgets(preset=preset, **widgets)
    x = torch.randn(2, 1, 4, 4, generator=torch.Generator().manual_seed(0)) * SIGMAS[0]
    # What the node runs for these widgets (the control for preset CONTROL).
    return sample_gmm(shrink_model, x, SIGMAS, disable=True, seed=123, kernel=DDIM_GMM, control=preset == CONTROL,
                      **options)


def widgets_with_effect(preset, schedule):
    base = dict(BASE, offset_schedule=schedule)
    reference = samples(preset, **base)
    other_schedule = next(s for s in OFFSET_SCHEDULES if s != schedule)
    changes = dict(CHANGED, offset_schedule=other_schedule)
    if base["covariance"] == changes["covariance"]:
        changes["covariance"] = "diag"
    return {name for name, value in changes.items() if not torch.equal(samples(preset, **dict(base, **{name: value})),
                                                                      reference)}


@pytest.mark.parametrize("schedule", OFFSET_SCHEDULES)
@pytest.mark.parametrize("preset", PRESET_CHOICES)
def test_hidden_widgets_are_exactly_those_without_effect(preset, schedule):
    hidden = set(widgets_without_effect(preset, schedule))
    measured = widgets_with_effect(preset, schedule)
    candidates = set(CHANGED) | {"offset_schedule"}
    assert measured == candidates - hidden, (sorted(measured), sorted(hidden))


def test_never_hidden_the_choosers_and_kernel():
    for preset in PRESET_CHOICES:
        for schedule in OFFSET_SCHEDULES:
            hidden = widgets_without_effect(preset, schedule)
            assert "preset" not in hidden and "kernel" not in hidden and "eta" not in hidden
            assert ("offset_schedule" in hidden) == (preset != CUSTOM)


def test_the_table_travels_with_the_node_definition():
    table = WIDGET_INPUTS["preset"][1][TABLE_KEY]
    assert table == visibility_table()
    assert set(table) == set(WIDGET_INPUTS["preset"][0])
    assert all(set(row) == set(OFFSET_SCHEDULES) for row in table.values())
    # Only widget names of the node, so the extension cannot hide something that does not exist.
    assert {name for row in table.values() for names in row.values() for name in names} < set(WIDGET_INPUTS)


def test_tooltips_say_when_a_widget_applies():
    tooltip = {name: spec[1]["tooltip"] for name, spec in WIDGET_INPUTS.items()}
    for name in ("offsets", "covariance", "share_offsets", "offset_schedule"):
        assert "Used only when preset is 'custom'" in tooltip[name]
    for name in ("covariance", "offset_variance_fraction"):
        assert "only when eta > 0" in tooltip[name]
    assert "noise_matched" in tooltip["s"] and "0 turns the mixture off" in tooltip["s"]
