"""The node in the user's language, in ComfyUI's real frontend: the languages and words of nodes/translations.py
checked against what the frontend packages ship, and, with the interface language (setting Comfy.Locale) switched
to Chinese and to French, the translated node title, widget labels, output name and widget tooltip on the canvas and
the translated help page in the node library, on the frontend ComfyUI v0.3.64 pins (1.27.10) and on the newest
(1.58.1); and every text of every language read back through 1.27.10's message compiler unchanged.

What each version does with a pack's locales/ (both fetch ComfyUI's /i18n and merge it into their own translations;
both look for the help page in docs/<node>/<locale>.md first): 1.58.1 ships all fourteen languages of the table and
offers thirteen (German is bundled, not yet selectable), 1.27.10 offers eight of them besides English; in those the
node is translated in both.
With DDIM_GMM_UPDATE_SCREENSHOTS=1 the pinned frontend's picture of the node in Chinese goes to docs/node_zh.png.

Waits are on state, never on time (as in test_frontend.py).
"""

import functools
import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest

from comfy_harness import REPO_ROOT
from frontend_harness import (FOLDER_NAME, NEXT_FRONTEND, PINNED_FRONTEND, ROUTES_THE_OLDER_SERVER_LACKS, ComfyServer,
                              browser_missing_reason, fetch, frontend_root, make_base_directory)
from test_frontend import FRONTENDS, browser  # noqa: F401 (browser: the module's headless Chromium fixture)

from ddim_gmm.nodes import locales
from ddim_gmm.nodes.options import WIDGETS
from ddim_gmm.nodes.translations import LANGUAGES, TRANSLATIONS, glossary_entries

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = [
    pytest.mark.skipif(not COMFYUI_PATH, reason="ComfyUI frontend tests need COMFYUI_PATH=/path/to/ComfyUI (a "
                                                "checkout whose requirements are installed in this venv)"),
    pytest.mark.skipif(browser_missing_reason() is not None, reason=str(browser_missing_reason())),
]
NODE = "SamplerDDIMGMM"
# Chinese, and a language both frontends offer in another script.
SHOWN = ("zh", "fr")
# The languages of frontend 1.27.10's Comfy.Locale setting (its src/platform/settings/constants/coreSettings.ts).
PINNED_LANGUAGES = {"en", "zh", "zh-TW", "ru", "ja", "ko", "fr", "es", "ar"}
DOCS_DIR = REPO_ROOT / "docs"


def static_folder(version):
    """The static files of frontend `version`: the pinned one from this venv's package, the newest from .frontend/."""
    if version == PINNED_FRONTEND:
        import comfyui_frontend_package
        return Path(comfyui_frontend_package.__file__).parent / "static"
    folder = frontend_root(version)
    if not (folder / "index.html").is_file():
        pytest.skip(f"frontend {version} is not installed at {folder}: pip install --no-deps --target "
                    f".frontend/{version} comfyui-frontend-package=={version} (as .ci/run does)")
    return folder


@functools.lru_cache(maxsize=None)
def frontend_sources(version):
    """{source path: text} of frontend `version`'s own sources (src/...), from the source maps its package ships."""
    sources = {}
    for path in (static_folder(version) / "assets").glob("*.js.map"):
        source_map = json.loads(path.read_text())
        for name, text in zip(source_map["sources"], source_map.get("sourcesContent") or []):
            if text and "/src/" in name and "node_modules" not in name:
                sources[name[name.index("/src/") + 1:]] = text
    return sources


def frontend_locale(version, language, kind):
    """The frontend's own src/locales/<language>/<kind>.json (kind: nodeDefs or main)."""
    return json.loads(frontend_sources(version)[f"src/locales/{language}/{kind}.json"])


def test_the_languages_are_the_newest_frontend_s():
    # 1.58.1 ships a translation bundle per language (src/locales/<lang>/) and offers all of them but German in its
    # Comfy.Locale setting (localeDefinitions, src/locales/localeConfig.ts): the table has every bundled language.
    bundles = {name.split("/")[2] for name in frontend_sources(NEXT_FRONTEND) if name.endswith("/nodeDefs.json")}
    assert bundles == {"en", *LANGUAGES}
    config = frontend_sources(NEXT_FRONTEND)["src/locales/localeConfig.ts"]
    definitions = config[config.index("export const localeDefinitions"):]
    definitions = definitions[:definitions.index("} as const")]
    offered = set(re.findall(r"^\s*'?([A-Za-z-]+)'?: \{ text:", definitions, re.M))
    assert bundles - offered == {"de"} and offered <= bundles


def test_the_pinned_frontend_offers_eight_of_them():
    # 1.27.10's Comfy.Locale setting: what docs/comfyui.md says it offers, every one of them in the table.
    settings = frontend_sources(PINNED_FRONTEND)["src/platform/settings/constants/coreSettings.ts"]
    locale = settings[settings.index("id: 'Comfy.Locale'"):]
    locale = locale[:locale.index("defaultValue")]
    offered = set(re.findall(r"value: '([A-Za-z-]+)'", locale))
    assert offered == PINNED_LANGUAGES and offered <= {"en", *LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_words_are_the_frontend_s(language):
    # Each glossary word is in the frontend's own translation of the same thing, and the output is named with the
    # frontend's word for the SAMPLER type.
    node_defs = frontend_locale(NEXT_FRONTEND, language, "nodeDefs")
    for term, key, word in glossary_entries(language):
        text = functools.reduce(lambda entry, part: (entry or {}).get(part), key.split("."), node_defs)
        assert isinstance(text, str) and word.casefold() in text.casefold(), (term, key, word, text)
    assert frontend_locale(NEXT_FRONTEND, language, "main")["dataTypes"]["SAMPLER"] == TRANSLATIONS[language].output


@pytest.fixture(scope="module", params=FRONTENDS)
def server(tmp_path_factory, request):
    """ComfyUI serving one frontend version (the test's parameter), no checkpoints: only the node is looked at."""
    version = request.param
    frontend = "bundled" if version == PINNED_FRONTEND else str(static_folder(version))
    base = tmp_path_factory.mktemp("comfy_locales_base")
    make_base_directory(base, {})
    server = ComfyServer(COMFYUI_PATH, base, frontend=frontend)
    server.frontend = version
    yield server
    server.close()


def test_the_server_serves_the_pack_s_translations(server):
    # ComfyUI's /i18n: every language of locales/, the node's entry as committed.
    status, translations = fetch(f"{server.url}/i18n")
    assert status == 200 and sorted(translations) == sorted(LANGUAGES)
    for language in LANGUAGES:
        assert translations[language]["nodeDefs"] == locales.node_defs(language)
        status, page = fetch(f"{server.url}/extensions/{FOLDER_NAME}/docs/{NODE}/{language}.md")
        assert status == 200 and page == (REPO_ROOT / locales.help_page_path(language)).read_text()


@pytest.fixture
def localized_page(server, browser, request):  # noqa: F811 (browser: test_frontend's fixture)
    """A page of the frontend with the interface language set to the test's `language` (the user setting, stored on
    the server before the page loads, as a user's earlier choice is)."""
    language = request.getfixturevalue("language")
    assert fetch(f"{server.url}/settings/Comfy.Locale", language)[0] == 200
    page = browser.page(server.url, tolerated=ROUTES_THE_OLDER_SERVER_LACKS.get(server.frontend, ()))
    assert page.evaluate("() => window.__COMFYUI_FRONTEND_VERSION__") == server.frontend
    assert page.evaluate("() => app.extensionManager.setting.get('Comfy.Locale')") == language
    yield page
    assert page.errors == [], page.errors
    page.close()
    fetch(f"{server.url}/settings/Comfy.Locale", "en")


# Every string the canvas draws while it redraws once (CanvasRenderingContext2D.fillText).
DRAWN_TEXT = """() => {
    const texts = [], fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        texts.push(String(text));
        return fillText.call(this, text, ...rest);
    };
    try { app.canvas.draw(true, true); } finally { CanvasRenderingContext2D.prototype.fillText = fillText; }
    return texts;
}"""


@pytest.mark.parametrize("language", SHOWN)
def test_the_node_speaks_the_interface_language(localized_page, server, language, tmp_path):
    page, texts = localized_page, TRANSLATIONS[language]
    node_id = page.evaluate("""() => { app.graph.clear(); const n = LiteGraph.createNode('SamplerDDIMGMM');
        n.pos = [80, 160]; app.graph.add(n); app.canvas.ds.offset = [0, 0]; app.canvas.ds.scale = 1;
        app.canvas.draw(true, true); return n.id; }""")
    node = page.evaluate("""(id) => { const n = app.graph.getNodeById(id);
        return {title: n.title, labels: Object.fromEntries(n.widgets.map(w => [w.name, w.label])),
                output: n.outputs[0].localized_name ?? n.outputs[0].label,
                shown: n.widgets.filter(w => n.isWidgetVisible(w)).map(w => w.name)}; }""", node_id)
    assert node["title"] == texts.display_name
    assert node["labels"] == {option.name: texts.widgets[option.name][0] for option in WIDGETS}
    assert node["output"] == texts.output
    # Drawn so: the title and the label of every widget shown (the canvas draws what a user reads).
    drawn = page.evaluate(DRAWN_TEXT)
    missing = [text for text in [texts.display_name, *(texts.widgets[name][0] for name in node["shown"])]
               if text not in drawn]
    assert missing == [], drawn
    # The dropdowns keep their values: what workflows store is the same in every language.
    assert page.evaluate("(id) => app.graph.getNodeById(id).widgets[0].value", node_id) == "ORTHO-VUB*"
    # A widget's tooltip, as a user gets it: the mouse rests on the widget (its right end, so that the tooltip, drawn
    # above and right of the mouse, leaves the node readable in the picture) and the frontend's tooltip shows.
    widget = "n_components"
    x, y = page.evaluate("""([id, name]) => { const n = app.graph.getNodeById(id), ds = app.canvas.ds;
        const w = n.widgets.find(w => w.name === name), r = app.canvas.canvas.getBoundingClientRect();
        return [r.x + (n.pos[0] + n.size[0] - 40 + ds.offset[0]) * ds.scale,
                r.y + (n.pos[1] + w.y + 10 + ds.offset[1]) * ds.scale]; }""", [node_id, widget])
    page.mouse.move(x - 5, y)
    page.mouse.move(x, y)
    page.wait_for_function("(text) => document.querySelector('.node-tooltip')?.innerText.trim() === text",
                           arg=texts.widgets[widget][1], timeout=60_000)
    if language == "zh" and server.frontend == PINNED_FRONTEND:
        picture = DOCS_DIR / "node_zh.png" if os.environ.get("DDIM_GMM_UPDATE_SCREENSHOTS") == "1" \
            else tmp_path / "node_zh.png"
        node_and_tooltip_screenshot(page, node_id, picture)


def node_and_tooltip_screenshot(page, node_id, path, margin=12, badge=24):
    """A PNG of the node as drawn, title bar and badge included, with the tooltip showing over it."""
    box = page.evaluate("""([id, margin, badge]) => {
        const node = app.graph.getNodeById(id), ds = app.canvas.ds, rect = app.canvas.canvas.getBoundingClientRect();
        const [x, y, w, h] = node.boundingRect;
        const left = rect.x + (x + ds.offset[0]) * ds.scale - margin, top = rect.y + (y + ds.offset[1]) * ds.scale
            - margin - badge;
        const tip = document.querySelector('.node-tooltip').getBoundingClientRect();
        const right = Math.max(left + w * ds.scale + 2 * margin, tip.right + margin);
        const bottom = Math.max(top + h * ds.scale + 2 * margin + badge, tip.bottom + margin);
        return {x: left, y: top, width: right - left, height: bottom - top};
    }""", [node_id, margin, badge])
    page.screenshot(path=str(path), clip=box)
    from PIL import Image
    # A 128-colour palette keeps the flat UI picture sharp at a third of the size (as test_frontend.py's).
    Image.open(path).convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


@pytest.mark.parametrize("language", SHOWN)
def test_the_help_panel_shows_the_page_in_the_interface_language(localized_page, server, language):
    page = localized_page
    fetched = {}
    page.on("response", lambda response: fetched.__setitem__(urllib.parse.unquote(response.url.split("?")[0]),
                                                             response.status))
    if server.frontend != PINNED_FRONTEND:
        # 1.58's new library design (its default) has no help button; its classic one, a setting away, has.
        page.evaluate("async () => await app.extensionManager.setting.set('Comfy.NodeLibrary.NewDesign', false)")
    page.evaluate("() => app.extensionManager.command.execute('Workspace.ToggleSidebarTab.node-library')")
    # The library's search box (its placeholder is translated too), our node's leaf under its translated title.
    page.locator(".comfy-vue-side-bar-header input:visible").first.fill("DDIM-GMM")
    leaf = page.locator("[role=treeitem]", has_text=TRANSLATIONS[language].display_name).last
    leaf.hover()
    leaf.locator("button:has(.pi-question)").click(timeout=60_000)
    from playwright.sync_api import expect
    body = page.locator(".node-help-content")
    help_page = (REPO_ROOT / locales.help_page_path(language)).read_text()
    for heading in re.findall(r"^#+ (.+)$", help_page, re.M):
        expect(body).to_contain_text(heading, timeout=60_000)
    # ... fetched from the page of that language, not the English one beside it.
    url = f"{server.url}/extensions/{FOLDER_NAME}/docs/{NODE}/{language}.md"
    assert fetched.get(url) == 200, fetched
    assert "When to use it" not in body.inner_text()


@pytest.mark.parametrize("language", ["zh"])
def test_switching_the_language_without_a_page_reload(localized_page, server, language):
    # As a user switches in the settings dialog: the setting changes and the frontend refreshes the node definitions.
    # A node added then has its widget labels in the new language in both versions, and its title too in 1.27.10;
    # 1.58.1 can keep titles in the previous language until the page reloads (it did so here unless the switch came
    # within moments of the page loading), so docs/comfyui.md says to reload.
    page, french = localized_page, TRANSLATIONS["fr"]
    page.evaluate("async () => await app.extensionManager.setting.set('Comfy.Locale', 'fr')")
    titles = [french.display_name] if server.frontend == PINNED_FRONTEND else [french.display_name,
                                                                              TRANSLATIONS[language].display_name]
    page.wait_for_function("""([titles, label]) => { const n = LiteGraph.createNode('SamplerDDIMGMM');
                                  return titles.includes(n.title) && n.widgets[0].label === label; }""",
                           arg=[titles, french.widgets["preset"][0]], timeout=60_000)


@pytest.mark.parametrize("server", [PINNED_FRONTEND], indirect=True)
@pytest.mark.parametrize("language", ["en"])
def test_every_text_reads_as_written_through_the_frontend_s_messages(localized_page, language):
    # 1.27.10 merges every language of /i18n at start and reads each text through vue-i18n's t(), which compiles it
    # as a message ({ } @ | are syntax there): each text of each language comes out exactly as the table has it.
    rendered = localized_page.evaluate("""(languages) => {
        const vue = [...document.querySelectorAll('*')].find(e => e.__vue_app__).__vue_app__;
        const t = vue.config.globalProperties.$t, node = 'nodeDefs.SamplerDDIMGMM';
        return Object.fromEntries(languages.map(([language, widgets]) => [language, {
            display_name: t(`${node}.display_name`, {}, {locale: language}),
            description: t(`${node}.description`, {}, {locale: language}),
            output: t(`${node}.outputs.0.name`, {}, {locale: language}),
            widgets: Object.fromEntries(widgets.map(name => [name, [
                t(`${node}.inputs.${name}.name`, {}, {locale: language}),
                t(`${node}.inputs.${name}.tooltip`, {}, {locale: language})]]))}]));
    }""", [[language, [option.name for option in WIDGETS]] for language in LANGUAGES])
    for language in LANGUAGES:
        texts = TRANSLATIONS[language]
        assert rendered[language] == {"display_name": texts.display_name, "description": texts.description,
                                      "output": texts.output,
                                      "widgets": {name: list(pair) for name, pair in texts.widgets.items()}}, language
