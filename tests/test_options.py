"""Each option is declared once (sampling/options.py, nodes/options.py): walk the declarations and find each one, as
declared, everywhere it shows: the samplers' signatures and docstrings, check_options and its errors, GmmOptions, the
node's INPUT_TYPES, the example workflows' widgets and the option tables of the docs."""

import dataclasses
import inspect
import re
import typing
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch

from ddim_gmm.nodes import SamplerDDIMGMM
from ddim_gmm.nodes.sampler_node import widget_inputs
from ddim_gmm.nodes import options as node_options
from ddim_gmm.nodes import tables
from ddim_gmm.sampling import (OPTIONS, VARIANTS, GmmOptions, check_options, sample_ddim, sample_ddim_control,
                               sample_ddim_gmm, sample_rfim, sample_rfim_control, sample_rfim_gmm)
from ddim_gmm.sampling.checks import check_seed
from ddim_gmm.sampling.control import MATCH
from ddim_gmm.sampling.options import NOISE_SAMPLER, NOISE_SCALE, OPTION, SEED
from test_nodes_workflows import GENERATOR

ROOT = Path(__file__).resolve().parents[1]
WIDGET_INPUTS = widget_inputs()  # required, then the optional LATER widgets
LEADING = ["model", "x", "sigmas", "extra_args", "callback", "disable"]
TRAILING = (NOISE_SAMPLER, SEED)
# sampler -> (its options, flow)
SAMPLERS = {
    sample_ddim_gmm: (OPTIONS, False), sample_rfim_gmm: (OPTIONS + (NOISE_SCALE,), True),
    sample_ddim: ((OPTION["eta"], OPTION["cfg_pp"]), False),
    sample_rfim: ((OPTION["eta"], OPTION["cfg_pp"], NOISE_SCALE), True),
    sample_ddim_control: (OPTIONS + (MATCH,), False), sample_rfim_control: (OPTIONS + (MATCH, NOISE_SCALE), True),
}
# The files whose marked regions hold generated tables, and the table each must hold.
TABLE_FILES = {"README.md": "widget-summary", "docs/method.md": "options", "docs/library.md": "options",
               "web/docs/SamplerDDIMGMM.md": "widgets"}


def check_type_hint(hint, option):
    """The type hint written for `option` is the one its declaration implies: float, int, bool, Literal[choices] in
    their order; priors: the named ones, K weights or None; seed: int or None; noise_sampler: a callable or None."""
    if option.kind in ("float", "int", "bool"):
        assert hint is {"float": float, "int": int, "bool": bool}[option.kind], option.name
    elif option.kind == "choice":
        assert typing.get_origin(hint) is typing.Literal and typing.get_args(hint) == option.choices, option.name
    elif option.kind == "priors":
        named, *others = typing.get_args(hint)
        assert typing.get_args(named) == option.choices and others == [Sequence[float], torch.Tensor, type(None)]
    elif option.kind == "seed":
        assert typing.get_args(hint) == (int, type(None))
    else:
        assert option.kind == "callable" and typing.get_args(hint)[1:] == (type(None),)
        assert typing.get_origin(typing.get_args(hint)[0]) is typing.get_origin(typing.Callable)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda f: f.__name__)
def test_every_sampler_is_written_with_its_options_in_order_at_their_defaults_and_types(sampler):
    options, flow = SAMPLERS[sampler]
    parameters = inspect.signature(sampler).parameters
    hints = typing.get_type_hints(sampler)
    assert list(parameters) == LEADING + [o.name for o in (*options, *TRAILING)]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters.values())
    assert [parameters[name].default for name in LEADING] == [inspect.Parameter.empty] * 3 + [None] * 3
    for option in (*options, *TRAILING):
        default = option.flow_default if flow else option.default
        assert (parameters[option.name].default, type(parameters[option.name].default)) == (default, type(default))
        check_type_hint(hints[option.name], option)
    assert hints["x"] is torch.Tensor and hints["return"] is torch.Tensor


def documented(sampler):
    """{argument: its text, whitespace collapsed} from the docstring's Args section, and the samplers it sends the
    reader to for the others ("The others as sample_ddim_gmm's.")."""
    section = inspect.getdoc(sampler).split("Args:", 1)[1].split("\n\n", 1)[0]
    entries = re.findall(r"^    (\w+): (.*?)(?=\n    \S|\Z)", section, re.MULTILINE | re.DOTALL)
    return {name: " ".join(text.split()) for name, text in entries}, re.findall(r"(sample_\w+)'s", section)


def documentation(sampler, name):
    """The text a reader finds for argument `name` from sampler's docstring, following its references."""
    entries, references = documented(sampler)
    if name in entries:
        return entries[name]
    found = [documentation(SAMPLER_NAMED[other], name) for other in references
             if name in inspect.signature(SAMPLER_NAMED[other]).parameters]
    assert found, f"{sampler.__name__}'s docstring does not document {name}"
    return found[0]


SAMPLER_NAMED = {sampler.__name__: sampler for sampler in SAMPLERS}


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda f: f.__name__)
def test_every_sampler_documents_every_argument_with_its_declared_doc(sampler):
    options, _ = SAMPLERS[sampler]
    for name in LEADING:
        assert len(documentation(sampler, name)) > 20
    for option in (*options, *TRAILING):
        assert documentation(sampler, option.name).startswith(" ".join(option.doc.split())), option.name
    # What the editor shows first: the sampler's own line, then its arguments; nothing documents a stranger.
    entries, references = documented(sampler)
    assert set(entries) <= set(inspect.signature(sampler).parameters)
    assert set(references) <= set(SAMPLER_NAMED)


def test_the_eta_defaults_differ_as_declared():
    assert (OPTION["eta"].default, OPTION["eta"].flow_default, WIDGET_INPUTS["eta"][1]["default"]) == (1.0, 0.0, 0.0)


def test_gmm_options_is_written_with_the_declared_options_in_order_at_their_defaults_and_types():
    fields = dataclasses.fields(GmmOptions)
    hints = typing.get_type_hints(GmmOptions)
    assert [field.name for field in fields] == [option.name for option in OPTIONS]
    for field, option in zip(fields, OPTIONS):
        assert (field.default, type(field.default)) == (option.default, type(option.default)), option.name
        check_type_hint(hints[field.name], option)
    assert GmmOptions().__dict__ == {o.name: o.default for o in OPTIONS}
    assert check_options(64) == GmmOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        GmmOptions().eta = 0.5


def sentences(text):
    return [part for part in re.split(r"(?<=\.)\s+", text.strip()) if part]


def out_of_range(option):
    """(a value the option refuses, what its error must say)."""
    if option.kind == "float":
        return option.high + 1, f"{option.name} must be a finite number in [{option.low}, {option.high}]"
    if option.kind == "int":
        return option.low - 1, f"{option.name} must be an integer >= {option.low}"
    if option.kind == "bool":
        return "yes", f"{option.name} must be True or False"
    choices = ", ".join(map(repr, option.choices))
    if option.kind == "choice":
        return "nope", f"{option.name} must be one of {choices}"
    return "nope", f"{option.name} must be None, {choices} or 8 positive weights"


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_check_options_refuses_an_out_of_range_value_naming_the_option_and_its_range(option):
    value, message = out_of_range(option)
    with pytest.raises(ValueError, match=re.escape(message)):
        check_options(64, **{option.name: value})
    if option.kind in ("float", "int"):
        for end in (option.low, option.high):
            if end is not None:
                assert getattr(check_options(64, **{option.name: end}), option.name) == end


def test_every_option_is_a_widget_and_every_widget_an_option():
    assert list(node_options.WIDGET_FOR) == [o.name for o in node_options.WIDGETS]
    assert set(node_options.WIDGET_FOR) == {o.name for o in OPTIONS} | {node_options.PRESET.name,
                                                                       node_options.KERNEL.name}


@pytest.mark.parametrize("option", node_options.WIDGETS, ids=lambda o: o.name)
def test_every_declared_widget_is_in_input_types_as_declared(option):
    widget = node_options.WIDGET_FOR[option.name]
    kind, spec = WIDGET_INPUTS[option.name]
    assert spec["default"] == widget.spec.get("default", option.default)
    # One text: the option's doc, unless the node has its own; then what only the node says.
    text = option.doc if widget.tooltip is None else widget.tooltip
    assert spec["tooltip"].startswith(text + widget.note) and len(text) > 40
    assert ("any other preset fixes it" in spec["tooltip"]) == widget.preset_fixed
    assert ("Matters only when eta > 0" in spec["tooltip"]) == widget.needs_eta
    if option.kind in ("choice", "priors"):
        assert kind == list(option.choices)
    elif option.kind in ("float", "int"):
        assert (spec["min"], spec["max"]) == (option.low, widget.spec.get("max", option.high))
    else:
        assert kind == "BOOLEAN"


@pytest.mark.parametrize("option", node_options.WIDGETS, ids=lambda o: o.name)
def test_a_tooltip_of_its_own_does_not_repeat_the_options_doc(option):
    widget = node_options.WIDGET_FOR[option.name]
    doc = set(sentences(option.doc))
    if widget.tooltip is not None:
        assert not doc & set(sentences(widget.tooltip))
    assert not doc & set(sentences(widget.note))


def test_the_library_names_no_widget_and_no_tooltip():
    for path in sorted((ROOT / "sampling").glob("*.py")):
        assert not re.search(r"widget|tooltip", path.read_text(), re.IGNORECASE), path.name


def test_input_types_hold_the_declared_widgets_in_order():
    assert list(WIDGET_INPUTS) == [o.name for o in node_options.WIDGETS]
    # The widgets of the shipped node keep their order; those added later (cfg_pp) follow kernel, as optional
    # inputs, so saved workflows keep their widget positions and old API prompts still validate.
    later = node_options.LATER
    assert [o.name for o in later] == ["cfg_pp"]
    assert node_options.WIDGETS == (node_options.PRESET, *[o for o in OPTIONS if o not in later], node_options.KERNEL,
                                    *later)
    inputs = SamplerDDIMGMM.INPUT_TYPES()
    assert list(inputs["optional"]) == [o.name for o in later] and not set(inputs["required"]) & set(later)


def test_the_presets_fix_exactly_the_options_declared_preset_fixed():
    assert set().union(*VARIANTS.values()) == set(node_options.PRESET_FIXED)


def test_the_workflows_widgets_are_the_declared_widgets_at_their_defaults():
    assert GENERATOR.gmm_widgets() == [(name, spec[1]["default"]) for name, spec in WIDGET_INPUTS.items()]
    assert dict(GENERATOR.gmm_widgets(eta=0.5))["eta"] == 0.5
    with pytest.raises(ValueError, match="no widget sigma"):
        GENERATOR.gmm_widgets(sigma=1.0)


@pytest.mark.parametrize("name", TABLE_FILES)
def test_the_marked_tables_are_up_to_date(name):
    text = (ROOT / name).read_text()
    kind = TABLE_FILES[name]
    assert kind in tables.regions(text), f"{name} lacks the <!-- generated:{kind} --> markers"
    assert tables.rendered(text) == text, f"run: python -m ddim_gmm.nodes.tables --write {name}"


def test_the_tables_name_every_declared_option_and_widget():
    assert [row.split("|")[1].strip() for row in tables.widgets_table().splitlines()[2:]] == [
        f"`{o.name}`" for o in node_options.WIDGETS]
    rows = {row.split("|")[1].strip(): row for row in tables.options_table().splitlines()[2:]}
    # Every argument after k-diffusion's leading ones, in the order of the sampler that takes them all.
    assert list(rows) == [f"`{name}`" for name in list(inspect.signature(sample_rfim_control).parameters)[6:]]
    assert {name for sampler in SAMPLERS for name in inspect.signature(sampler).parameters} - set(LEADING) == {
        o.name for o in tables.ARGUMENTS}
    assert "| `eta` | `1.0` (DDIM-GMM), `0.0` (RFIM-GMM) | 0 to 1 |" in rows["`eta`"]
    assert "| `match` | `'offsets'` | `'offsets'`, `'total'` | Controls only" in rows["`match`"]
    assert "| `noise_sampler` | `None` | `None` or a callable |" in rows["`noise_sampler`"]


def test_the_seed_range_in_the_table_is_the_one_the_samplers_take():
    row = next(row for row in tables.options_table().splitlines() if row.startswith("| `seed` "))
    assert "| `None` or integers in [-2\\*\\*63, 2\\*\\*64) |" in row
    assert (SEED.low, SEED.high) == (-2**63, 2**64)
    for seed in (SEED.low, SEED.high - 1, None):
        assert check_seed(seed) == seed
    for seed in (SEED.low - 1, SEED.high):
        with pytest.raises(ValueError, match=re.escape("seed must be an integer in [-2**63, 2**64) or None")):
            check_seed(seed)


def test_the_tables_command_checks_and_rewrites_a_file(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- generated:options -->\nstale\n<!-- /generated:options -->\nafter\n")
    assert tables.main(["--check", str(page)]) == 1
    assert tables.main(["--write", str(page)]) == 0
    assert page.read_text() == f"before\n<!-- generated:options -->\n\n{tables.options_table()}\n\n" \
                               f"<!-- /generated:options -->\nafter\n"
    assert tables.main(["--check", str(page)]) == 0
    (tmp_path / "plain.md").write_text("no markers\n")
    with pytest.raises(SystemExit):
        tables.main(["--check", str(tmp_path / "plain.md")])
