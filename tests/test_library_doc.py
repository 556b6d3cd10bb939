"""docs/library.md stands alone: each of its code blocks runs as written and prints what its comments say, its first
block is the README's example, and that example's toy model runs on latents of any rank."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = (ROOT / "docs" / "library.md").read_text()
README_EXAMPLE = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text().split("<!-- section: library -->")[1],
                           re.DOTALL).group(1)
BLOCKS = re.findall(r"```python\n(.*?)```", LIBRARY, re.DOTALL)


def run(code):
    done = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def printed(code):
    """What a block says it prints: the comment after each print(...), in order."""
    return re.findall(r"^\s*print\(.*\)\s+# (.*)$", code, re.MULTILINE)


def test_the_page_starts_with_the_readme_example_and_shows_cfg_pp():
    assert BLOCKS and BLOCKS[0] == README_EXAMPLE
    assert any("cfg_pp=True" in block and '"cond_scale"' in block for block in BLOCKS)


@pytest.mark.parametrize("number", range(len(BLOCKS)), ids=lambda number: f"block{number + 1}")
def test_each_code_block_runs_as_written(number):
    block = BLOCKS[number]
    assert printed(block), "each block prints its result with the expected output in a comment"
    assert run(block).splitlines() == printed(block)


@pytest.mark.parametrize("shape", [(2, 16), (2, 4, 32, 32), (2, 4, 3, 8, 8), (3, 2, 2, 4, 4, 4)], ids=len)
def test_the_readme_toy_model_runs_on_any_latent_rank(shape):
    latent = "torch.randn(2, 4, 32, 32)"
    assert latent in README_EXAMPLE and "torch.Size([2, 4, 32, 32])" in README_EXAMPLE
    code = README_EXAMPLE.replace(latent, f"torch.randn{shape}")
    assert run(code).strip() == f"torch.Size({list(shape)})"


def test_the_page_links_to_its_own_sections():
    # GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    prose = re.sub(r"```.*?```", "", LIBRARY, flags=re.DOTALL)
    headings = re.findall(r"^#+ (.*)$", prose, re.MULTILINE)
    anchors = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}
    links = re.findall(r"\]\(#([^)]+)\)", LIBRARY)
    assert links and set(links) <= anchors, set(links) - anchors
