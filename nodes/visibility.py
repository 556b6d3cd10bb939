"""Which of the node's widgets take no effect under a preset and offset schedule, so the frontend can hide them.

The frontend extension (web/ddim_gmm.js) reads the table below from the preset widget's options in /object_info and
hides exactly these widgets; tests/test_nodes_visibility.py checks the table against what the sampler actually does.
Pure Python: nothing here imports ComfyUI.
"""

from ..sampling import OFFSET_SCHEDULES
from .options import CUSTOM, PRESET_CHOICES, PRESET_FIXED, WIDGET_FOR, preset_fixed_options

# The key under which the table travels in the preset widget's input options (ComfyUI passes unknown keys through).
TABLE_KEY = "ddim_gmm_widgets_without_effect"


def effective_schedule(preset, offset_schedule):
    """The offset schedule a run uses: the widget's under 'custom', the preset's otherwise."""
    return offset_schedule if preset == CUSTOM else preset_fixed_options(preset)["offset_schedule"]


def widgets_without_effect(preset, offset_schedule):
    """The widget names whose value cannot change the samples for this preset and offset_schedule widget value.

    A preset other than 'custom' fixes the widgets declared preset_fixed; a widget declared for one schedule (s for
    the constant one, offset_variance_fraction for the noise-matched one) has no effect under the other. Effects that
    depend on a number (covariance and noise_matched need eta > 0, s = 0 turns the mixture off) are left to the
    tooltips: hiding a widget while its neighbour is being dragged would make the node jump.
    """
    hidden = [] if preset == CUSTOM else list(PRESET_FIXED)
    schedule = effective_schedule(preset, offset_schedule)
    hidden += [name for name, widget in WIDGET_FOR.items() if widget.schedule not in (None, schedule)]
    return hidden


def visibility_table():
    """{preset: {offset_schedule: [widgets without effect]}} for every choice, as the frontend reads it."""
    return {preset: {schedule: widgets_without_effect(preset, schedule) for schedule in OFFSET_SCHEDULES}
            for preset in PRESET_CHOICES}


__all__ = ["TABLE_KEY", "effective_schedule", "widgets_without_effect", "visibility_table"]
