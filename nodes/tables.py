"""The option tables of the README, the docs and the node's help page, rendered from the declarations.

In a Markdown file, the text between `<!-- generated:widgets -->` and `<!-- /generated:widgets -->` is the node's
widget table (nodes/options.py WIDGETS, as INPUT_TYPES shows them, with their tooltips), between
`<!-- generated:widget-summary -->` and `<!-- /generated:widget-summary -->` the same with each tooltip's first
sentence, the text between `<!-- generated:options -->` and
`<!-- /generated:options -->` the library's option table (sampling/options.py OPTIONS). Rewrite them with

    python -m ddim_gmm.nodes.tables --write README.md docs/method.md web/docs/SamplerDDIMGMM.md

or list the files that are out of date with --check (exit status 1 if any); tests/test_options.py checks them.
"""

import re
import sys

from .. import generated
from ..sampling import NOISE_SCALE, OPTIONS
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


def widget_values(kind, spec):
    if isinstance(kind, list):
        return ", ".join(map(code, kind))
    if kind == "BOOLEAN":
        return f"{code(spec['label_on'])} / {code(spec['label_off'])}"
    return f"{spec['min']:g} to {spec['max']:g}"


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


def option_values(option):
    if option.kind == "float":
        return f"{option.low:g} to {option.high:g}"
    if option.kind == "int":
        return f"integers >= {option.low}"
    if option.kind == "bool":
        return "`True`, `False`"
    named = ", ".join(code(repr(choice)) for choice in option.choices)
    return named if option.kind == "choice" else f"`None`, {named} or K weights"


def options_table():
    """The samplers' options in signature order: name, default (DDIM-GMM's and RFIM-GMM's), values and doc."""
    rows = []
    for option in (*OPTIONS, NOISE_SCALE):
        default = code(repr(option.default))
        if option.flow_default != option.default:
            default = f"{default} (DDIM-GMM), {code(repr(option.flow_default))} (RFIM-GMM)"
        rows.append([code(option.name), default, option_values(option), escape(option.doc)])
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
