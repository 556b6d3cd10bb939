"""The node in every language (nodes/translations.py): every language has every text of the node, the committed
locales/<lang>/nodeDefs.json and help-page tables are what nodes/locales.py renders from the table, and no translation
lost a number, a quoted option value or a technical name its English text has. The frontend's side (its locale list,
its words, what it shows) is in tests/comfy_host/test_frontend_locales.py."""

import json
import re
from pathlib import Path

import pytest

from ddim_gmm.nodes import locales
from ddim_gmm.nodes.options import WIDGETS
from ddim_gmm.nodes.sampler_node import NODE_DISPLAY_NAME_MAPPINGS, SamplerDDIMGMM, widget_input
from ddim_gmm.nodes.translations import (GLOSSARY, HELP_PAGE_TRANSLATED_FROM, LANGUAGES, TRANSLATED_FROM,
                                         TRANSLATIONS, digest, glossary_entries)

ROOT = Path(__file__).resolve().parents[1]
NODE = "SamplerDDIMGMM"
WIDGET_NAMES = [option.name for option in WIDGETS]


def english():
    """{text key: English text}: the title, the description and each widget's tooltip, as the node declares them."""
    return {"display_name": NODE_DISPLAY_NAME_MAPPINGS[NODE], "description": SamplerDDIMGMM.DESCRIPTION,
            **{option.name: widget_input(option)[1]["tooltip"] for option in WIDGETS}}


def translated(language):
    texts = TRANSLATIONS[language]
    return {"display_name": texts.display_name, "description": texts.description,
            **{name: tooltip for name, (_, tooltip) in texts.widgets.items()}}


# Names that must survive translation although the patterns below do not catch them: the method's symbols and the
# proper names the tooltips cite.
NAMES = ("eta", "s", "K", "x0", "arXiv", "Flux", "Euler", "Chung", "Dirichlet")
# Option values that are also ordinary English words: where one stands unquoted in a sentence it is the word.
ENGLISH_WORDS = {"custom", "auto", "random", "uniform", "constant", "exact"}
COMBO_VALUES = {value for option in WIDGETS for value in option.choices if isinstance(value, str)}


def kept_tokens(text):
    """What a translation of `text` must contain as it is: every number, every option value in quotes ('custom'),
    every technical name (a word with '_', '++' or two capitals: DDIM-GMM, euler_ancestral, SamplerCustom, CFG++),
    the NAMES, and the combo values it names (ortho, vub, CONTROL (same-variance noise))."""
    tokens = set(re.findall(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?(?![A-Za-z0-9_])", text))
    tokens |= set(re.findall(r"(?<![A-Za-z])'[^']+'(?![A-Za-z])", text))
    words = set(re.findall(r"[A-Za-z0-9_*+/.-]*[A-Za-z0-9_*+]", text))
    tokens |= {word for word in words if "_" in word or "++" in word or re.search(r"[A-Z].*[A-Z0-9]", word)}
    # (The "s" of "paper's" is no name.)
    tokens |= {name for name in NAMES if re.search(rf"(?<![A-Za-z0-9_']){re.escape(name)}(?![A-Za-z0-9_])", text)}
    tokens |= {value for value in COMBO_VALUES - ENGLISH_WORDS
               if re.search(rf"(?<![A-Za-z0-9_]){re.escape(value)}(?![A-Za-z0-9_])", text)}
    return tokens


def has(text, token):
    return re.search(rf"(?<![A-Za-z0-9_.]){re.escape(token)}(?![A-Za-z0-9_]|\.\d)", text) is not None


def test_the_languages_are_the_table_s():
    assert set(TRANSLATIONS) == set(LANGUAGES) == set(GLOSSARY) and len(LANGUAGES) == len(set(LANGUAGES))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_widget_has_its_label_and_tooltip_and_no_stale_one(language):
    texts = TRANSLATIONS[language]
    # In the node's widget order: a widget added to WIDGETS without its translations fails here.
    assert list(texts.widgets) == WIDGET_NAMES
    for name, (label, tooltip) in texts.widgets.items():
        assert label.strip() and tooltip.strip(), (language, name)
    assert texts.display_name and texts.description and texts.output
    assert len(texts.table_header) == 4 and "{low}" in texts.value_range and "{high}" in texts.value_range


def test_each_english_text_is_the_one_that_was_translated():
    # An English text edited since its translations were written: update them, then its TRANSLATED_FROM digest.
    changed = {key: digest(text) for key, text in english().items() if TRANSLATED_FROM.get(key) != digest(text)}
    assert changed == {} and set(TRANSLATED_FROM) == set(english()), changed
    # The node has no output tooltip in English; if it gets one, its translations must come with it.
    assert not getattr(SamplerDDIMGMM, "OUTPUT_TOOLTIPS", None)


def test_kept_tokens_finds_what_must_survive():
    # The extraction itself, on the English: the check below is only as good as what it finds.
    tokens = kept_tokens(english()["cfg_pp"])
    assert {"CFG++", "*_cfg_pp", "euler_ancestral_cfg_pp", "BasicGuider", "CFGGuider", "0.75", "20", "50", "2024",
            "Chung", "s", "x0", "ComfyUI"} <= tokens
    assert {"'custom'", "'noise_matched'", "n_components", "offset_schedule", "share_offsets", "CONTROL",
            "ORTHO-VUB*", "eta"} <= kept_tokens(english()["preset"]) | kept_tokens(english()["offset_schedule"])
    assert {"ortho", "vub", "K", "4096"} <= kept_tokens(english()["n_components"])
    assert "random" not in kept_tokens(english()["preset"])  # "random or orthonormal offsets": the English word
    assert not has("0.75", "0") and not has("1024", "10") and has("(x0 ", "x0") and has("ORTHO-VUB*:", "ORTHO-VUB*")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_lost_a_number_or_a_name(language):
    labels = {name: label for name, (label, _) in TRANSLATIONS[language].widgets.items()}
    lost = {}
    for key, text in english().items():
        ours = translated(language)[key]
        # A tooltip may name another widget by its label in this language instead of its name.
        missing = [token for token in kept_tokens(text) if not has(ours, token)
                   and not (token in labels and labels[token] in ours)]
        if missing:
            lost[key] = sorted(missing)
    assert lost == {}, f"{language}: the translations lack {lost}"
    # "CONTROL (same-variance noise)" is a dropdown value: it stays whole.
    assert "CONTROL (same-variance noise)" in translated(language)["preset"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_holds_message_syntax(language):
    # Frontend 1.27 compiles every translated text with vue-i18n, where { } @ $ | are message syntax.
    texts = [text for key, text in translated(language).items()]
    texts += [label for label, _ in TRANSLATIONS[language].widgets.values()] + [TRANSLATIONS[language].output]
    assert [text for text in texts if re.search(r"[{}@$|]", text)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_glossary_words_are_used(language):
    ours = " ".join([*translated(language).values(), *(label for label, _ in TRANSLATIONS[language].widgets.values())])
    help_page = (ROOT / locales.help_page_path(language)).read_text()
    unused = [word for _, _, word in glossary_entries(language)
              if word.casefold() not in ours.casefold() and word.casefold() not in help_page.casefold()]
    assert unused == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_node_defs_are_the_generated_ones(language):
    path = ROOT / locales.node_defs_path(language)
    assert path.read_text(encoding="utf-8") == locales.node_defs_json(language), \
        "run: python -m ddim_gmm.nodes.locales --write"
    # Valid JSON in the frontend's nodeDefs.json layout, every widget and nothing else.
    node = json.loads(path.read_text(encoding="utf-8"))[NODE]
    assert set(node) == {"display_name", "description", "inputs", "outputs"}
    assert list(node["inputs"]) == WIDGET_NAMES
    assert all(set(entry) == {"name", "tooltip"} for entry in node["inputs"].values())
    assert node["outputs"] == {"0": {"name": TRANSLATIONS[language].output}}


def test_no_stale_locale_folder():
    # Every folder under locales/ is a language of the table (ComfyUI serves whatever folders are there).
    assert sorted(path.name for path in (ROOT / "locales").iterdir()) == sorted(LANGUAGES)
    assert all([p.name for p in (ROOT / "locales" / language).iterdir()] == ["nodeDefs.json"] for language in LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_help_page_s_widget_table_is_the_generated_one(language):
    text = (ROOT / locales.help_page_path(language)).read_text()
    assert "widgets" in locales.generated.regions(text, locales.help_page_tables(language))
    assert locales.generated.rendered(text, locales.help_page_tables(language)) == text, \
        "run: python -m ddim_gmm.nodes.locales --write"
    table = locales.widgets_table(language)
    assert [row.split("|")[1].strip().split(" ")[0] for row in table.splitlines()[2:]] == [
        f"`{name}`" for name in WIDGET_NAMES]


def test_the_glossary_in_the_docs_is_the_generated_one():
    text = (ROOT / locales.GLOSSARY_FILE).read_text()
    assert "glossary" in locales.generated.regions(text, locales.GLOSSARY_TABLES)
    assert locales.generated.rendered(text, locales.GLOSSARY_TABLES) == text, \
        "run: python -m ddim_gmm.nodes.locales --write"


def test_the_check_command_finds_a_stale_file(tmp_path, capsys):
    # --check on a copy with one nodeDefs.json edited lists it and fails; --write repairs it.
    for language in LANGUAGES:
        for path in (locales.node_defs_path(language), locales.help_page_path(language)):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text((ROOT / path).read_text())
    (tmp_path / "docs").mkdir()
    (tmp_path / locales.GLOSSARY_FILE).write_text((ROOT / locales.GLOSSARY_FILE).read_text())
    assert locales.main(["--check"], root=tmp_path) == 0
    stale = tmp_path / locales.node_defs_path("zh")
    stale.write_text(stale.read_text().replace("采样器", "取样器"))
    assert locales.main(["--check"], root=tmp_path) == 1 and "locales/zh/nodeDefs.json" in capsys.readouterr().out
    assert locales.main(["--write"], root=tmp_path) == 0 and locales.main(["--check"], root=tmp_path) == 0


def outside_tables(text):
    return locales.generated.region("widgets").sub("", text)


def test_the_english_help_page_is_the_one_that_was_translated():
    # The English page's prose edited since the pages were translated: update them, then HELP_PAGE_TRANSLATED_FROM.
    assert digest(outside_tables((ROOT / locales.HELP_PAGE).read_text())) == HELP_PAGE_TRANSLATED_FROM


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_help_page_keeps_the_english_page_s_structure(language):
    # A translated page, not a summary: the English page's sections, every name in code and every number it shows.
    page = outside_tables((ROOT / locales.help_page_path(language)).read_text())
    english_page = outside_tables((ROOT / locales.HELP_PAGE).read_text())
    assert len(re.findall(r"^#+ ", page, re.MULTILINE)) == len(re.findall(r"^#+ ", english_page, re.MULTILINE))
    code_spans = set(re.findall(r"`[^`]+`", english_page))
    assert sorted(code_spans - set(re.findall(r"`[^`]+`", page))) == []
    numbers = set(re.findall(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?(?![A-Za-z0-9_])", english_page))
    assert sorted(number for number in numbers if not has(page, number)) == []
