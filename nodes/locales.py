"""The node's translations (nodes/translations.py) as the files ComfyUI serves and the docs show, rendered:

- locales/<lang>/nodeDefs.json: what ComfyUI's /i18n route serves from a pack's locales/ (app/custom_node_manager.py)
  and the frontend merges into its own translations, keyed as the frontend's src/locales/<lang>/nodeDefs.json is:
  node class -> display_name, description, inputs {widget: {name, tooltip}}, outputs {"0": {name}};
- the widget table of each help page web/docs/SamplerDDIMGMM/<lang>.md (between `<!-- generated:widgets -->` and
  `<!-- /generated:widgets -->`), where the frontend's help panel looks first for the interface language's page;
- the glossary of docs/development.md (between `<!-- generated:glossary -->` and `<!-- /generated:glossary -->`).

Rewrite them with

    python -m ddim_gmm.nodes.locales --write

or list the files that are out of date with --check (exit status 1 if any); tests/test_translations.py checks them.
"""

import argparse
import json
import sys
from pathlib import Path

from .. import generated
from .options import WIDGETS
from .sampler_node import widget_input
from .tables import code, escape, table, widget_values
from .translations import LANGUAGES, TRANSLATIONS, glossary_entries

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE = "SamplerDDIMGMM"
HELP_PAGE = Path("web") / "docs" / f"{NODE}.md"


def node_defs_path(language):
    return Path("locales") / language / "nodeDefs.json"


def help_page_path(language):
    """Where the frontend's help panel looks for the page in `language` (1.27 and 1.58 alike:
    /extensions/<pack>/docs/<node>/<locale>.md, then /extensions/<pack>/docs/<node>.md)."""
    return Path("web") / "docs" / NODE / f"{language}.md"


def node_defs(language):
    """The node's entry of the frontend's nodeDefs.json in `language`."""
    texts = TRANSLATIONS[language]
    return {NODE: {
        "display_name": texts.display_name,
        "description": texts.description,
        "inputs": {option.name: {"name": texts.widgets[option.name][0], "tooltip": texts.widgets[option.name][1]}
                   for option in WIDGETS},
        "outputs": {"0": {"name": texts.output}},
    }}


def node_defs_json(language):
    return json.dumps(node_defs(language), ensure_ascii=False, indent=2) + "\n"


def widgets_table(language):
    """The help page's widget table in `language`: widget (name and label), default, values (as the node shows
    them: combo values and toggle labels are not translated) and tooltip."""
    texts = TRANSLATIONS[language]
    rows = []
    for option in WIDGETS:
        kind, spec = widget_input(option)
        default = spec["label_on" if spec["default"] else "label_off"] if kind == "BOOLEAN" else spec["default"]
        label, tooltip = texts.widgets[option.name]
        name = code(option.name) if label == option.name else f"{code(option.name)} ({escape(label)})"
        rows.append([name, code(default), widget_values(kind, spec, texts.value_range), escape(tooltip)])
    return table(list(texts.table_header), rows)


def glossary_table():
    """docs/development.md's glossary: per language, the frontend's word for each term the node's texts use."""
    terms = list(dict.fromkeys(term for language in LANGUAGES for term, _, _ in glossary_entries(language)))
    rows = []
    for language in LANGUAGES:
        words = {term: word for term, _, word in glossary_entries(language)}
        rows.append([code(language), escape(TRANSLATIONS[language].display_name),
                     *(escape(words.get(term, "")) for term in terms)])
    return table(["language", "node title", *terms], rows)


def help_page_tables(language):
    return {"widgets": lambda: widgets_table(language)}


GLOSSARY_TABLES = {"glossary": glossary_table}
GLOSSARY_FILE = Path("docs") / "development.md"


def expected_files(root=REPO_ROOT):
    """{path: its text as generated} for every file this module writes whole (the nodeDefs.json files)."""
    return {root / node_defs_path(language): node_defs_json(language) for language in LANGUAGES}


def rendered_regions(root=REPO_ROOT):
    """{path: (current text, text with its generated regions rendered)} for the help pages and the glossary."""
    files = {}
    for language in LANGUAGES:
        path = root / help_page_path(language)
        text = path.read_text() if path.exists() else ""
        files[path] = (text, generated.rendered(text, help_page_tables(language)))
    path = root / GLOSSARY_FILE
    text = path.read_text()
    files[path] = (text, generated.rendered(text, GLOSSARY_TABLES))
    return files


def main(argv=None, root=REPO_ROOT):
    parser = argparse.ArgumentParser(prog="python -m ddim_gmm.nodes.locales", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the locale files and the generated regions")
    mode.add_argument("--check", action="store_true", help="list the files that are out of date")
    args = parser.parse_args(argv)
    stale, missing = [], []
    for path, text in expected_files(root).items():
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if args.write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    for path, (text, new) in rendered_regions(root).items():
        if not text or "<!-- generated:" not in text:
            missing.append(path)  # a help page is translated by hand around its generated table
        elif new != text:
            stale.append(path)
            if args.write:
                path.write_text(new)
    for path in stale:
        print(f"{'wrote' if args.write else 'out of date:'} {path.relative_to(root)}")
    for path in missing:
        print(f"missing or without its <!-- generated:... --> markers: {path.relative_to(root)}")
    return 1 if missing or (stale and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
