"""docs/method.md points at the code by file and function ("Where it is in the code"): every name it gives exists."""

import importlib
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "method.md"
FILE = re.compile(r"sampling/(\w+)\.py")


def pointer_rows():
    """(row, [(module name, dotted name)]) for each row of the section's table."""
    section = DOC.read_text().split("## Where it is in the code", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not line.startswith("| ---")][1:]
    out = []
    for row in rows:
        module, names = None, []
        for token in re.findall(r"`([^`]+)`", row.rsplit("|", 2)[1]):
            if FILE.fullmatch(token):
                module = FILE.fullmatch(token).group(1)
            else:
                assert module is not None, f"{token!r} before any sampling/ file in: {row}"
                names.append((module, token))
        out.append((row, names))
    return out


def test_every_function_the_method_points_at_exists():
    rows = pointer_rows()
    assert len(rows) >= 10
    for row, names in rows:
        assert names, f"a row that names no function: {row}"
        for module, dotted in names:
            target = importlib.import_module(f"ddim_gmm.sampling.{module}")
            for part in dotted.split("."):
                assert hasattr(target, part), f"docs/method.md: sampling/{module}.py has no {dotted} ({row})"
                target = getattr(target, part)


def test_every_file_the_method_names_exists():
    root = DOC.parent.parent
    for name in set(re.findall(r"`(sampling/\w+\.py)`", DOC.read_text())):
        assert (root / name).is_file(), name
