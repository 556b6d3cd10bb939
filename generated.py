"""Marked regions of Markdown files, filled by a generator: the text between `<!-- generated:NAME -->` and
`<!-- /generated:NAME -->` is what `tables[NAME]()` renders. nodes/tables.py fills the option tables from the
declarations, bench/report.py the result tables from the committed benchmark results; both use `main` below for
their --write / --check command line, and a test of each checks that the committed files are up to date."""

import argparse
import re
from pathlib import Path


def region(name):
    """The regex of the marked region `name`: its markers and the text between them."""
    return re.compile(rf"(<!-- generated:{re.escape(name)} -->\n)(.*?)(<!-- /generated:{re.escape(name)} -->)",
                      re.DOTALL)


def regions(text, tables):
    """{name: the text between its markers} for each region of `text` marked with a name of `tables`."""
    return {name: match.group(2) for name in tables for match in region(name).finditer(text)}


def rendered(text, tables):
    """`text` with every region marked with a name of `tables` filled with what it renders, blank lines around it."""
    for name, render in tables.items():
        if region(name).search(text):
            body = f"\n{render()}\n\n"
            text = region(name).sub(lambda match: match.group(1) + body + match.group(3), text)
    return text


def main(tables, prog, description, argv=None):
    """`prog --write FILES` rewrites the marked regions of FILES; `prog --check FILES` lists the files whose regions
    are out of date (exit status 1 if any). A file with none of the regions is an error."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the marked regions of the files")
    mode.add_argument("--check", action="store_true", help="list the files whose marked regions are out of date")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for path in args.files:
        text = path.read_text()
        if not regions(text, tables):
            parser.error(f"{path} has none of the markers <!-- generated:NAME --> for NAME in {', '.join(tables)}")
        new = rendered(text, tables)
        if new != text:
            stale.append(path)
            if args.write:
                path.write_text(new)
    for path in stale:
        print(f"{'rewrote' if args.write else 'out of date:'} {path}")
    return 1 if stale and args.check else 0
