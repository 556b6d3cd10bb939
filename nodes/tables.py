"""The option tables of the README, the docs and the node's help page, rendered from the declarations.

In a Markdown file, the text between `<!-- generated:widgets -->` and `<!-- /generated:widgets -->` is the node's
widget table (nodes/options.py WIDGETS, as INPUT_TYPES shows them, with their tooltips), between
`<!-- generated:widget-summary -->` and `<!-- /generated:widget-summary -->` the same with each tooltip's first
sentence, the text between `<!-- generated:options -->` and
`<!-- /generated:options -->` the library's option table (sampling/options.py OPTIONS, the controls' match, the flow
samplers' noise_scale, then noise_sampler and seed). Rewrite them with

    python -m ddim_gmm.nodes.tables --write README.md docs/method.md docs/library.md web/docs/SamplerDDIMGMM.md

or list the files that are out of date with --check (exit status 1 if any); tests/test_options.py checks them.
"""

import re
import sys

from .. import generated
from ..sampling import NOISE_SAMPLER, NOISE_SCALE, OPTIONS, SEED
from ..sampling.control import MATCH
from .options import WIDGETS
from .sampler_node import widget_input


def escape(text):
    """Markdown table cell text: a pipe would end the cell, an asterisk start emphasis."""
    return text.replace("|", "\\|").replace("*", "\\*")


def code(value):
    return f"`{value}`"


def table(header, rows):
    lines = [header, [" --- "] * len(header), *rows]
    return "\n".join("|" + "|".join(f" {cell.strip()} " for cell in line) + "|" for line in lines)


def widget_values(kind, spec, value_range="{low} to {high}"):
    """A widget's values as the node shows them: combo values, toggle labels, or its range in `value_range`'s words."""
    if isinstance(kind, list):
        return ", ".join(map(code, kind))
    if kind == "BOOLEAN":
        return f"{code(spec['label_on'])} / {code(spec['label_off'])}"
    return value_range.format(low=f"{spec['min']:g}", high=f"{spec['max']:g}")


def first_sentence(text):
    """The tooltip's first sentence: up to the first full stop before a capital letter."""
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


def widgets_table(describe=lambda tooltip: tooltip):
    """The node's widgets in order: name, default, values and tooltip (or what `describe` makes of it)."""
    rows = []
    for option in WIDGETS:
        kind, spec = widget_input(option)
        default = spec["label_on" if spec["default"] else "label_off"] if kind == "BOOLEAN" else spec["default"]
        rows.append([code(option.name), code(default), widget_values(kind, spec), escape(describe(spec["tooltip"]))])
    return table(["widget", "default", "values", "what it does"], rows)


def widget_summary_table():
    """The widgets table with the first sentence of each tooltip: the README's short version."""
    return widgets_table(first_sentence)


# Every argument of the samplers after k-diffusion's leading ones, in signature order (sample_rfim_control's).
ARGUMENTS = (*OPTIONS, MATCH, NOISE_SCALE, NOISE_SAMPLER, SEED)
# What the doc does not say: which samplers take an argument that not every one does (noise_scale's doc says it).
ONLY = {MATCH.name: "Controls only (sample_ddim_control, sample_rfim_control). "}


def power(n):
    """An integer bound as Python writes it: -2**63 rather than -9223372036854775808."""
    exponent = abs(n).bit_length() - 1
    return f"{'-' if n < 0 else ''}2**{exponent}" if abs(n) == 2**exponent and exponent > 16 else str(n)


def option_values(option):
    if option.kind == "float":
        return f"{option.low:g} to {option.high:g}"
    if option.kind == "int":
        return f"integers >= {option.low}"
    if option.kind == "bool":
        return "`True`, `False`"
    if option.kind == "seed":
        return f"`None` or integers in [{power(option.low)}, {power(option.high)})"
    if option.kind == "callable":
        return "`None` or a callable"
    named = ", ".join(code(repr(choice)) for choice in option.choices)
    return named if option.kind == "choice" else f"`None`, {named} or K positive weights summing to 1"


def options_table():
    """The samplers' arguments after k-diffusion's leading ones, in signature order: name, default (DDIM-GMM's and
    RFIM-GMM's), values and doc."""
    rows = []
    for option in ARGUMENTS:
        default = code(repr(option.default))
        if option.flow_default != option.default:
            default = f"{default} (DDIM-GMM), {code(repr(option.flow_default))} (RFIM-GMM)"
        rows.append([code(option.name), default, escape(option_values(option)),
                     escape(ONLY.get(option.name, "") + option.doc)])
    return table(["option", "default", "values", "meaning"], rows)


TABLES = {"widgets": widgets_table, "widget-summary": widget_summary_table, "options": options_table}


def regions(text):
    """{name: the text between its markers} for each marked region of `text`."""
    return generated.regions(text, TABLES)


def rendered(text):
    """`text` with every marked region filled with its current table, blank lines around it."""
    return generated.rendered(text, TABLES)


def main(argv=None):
    return generated.main(TABLES, "python -m ddim_gmm.nodes.tables", __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
