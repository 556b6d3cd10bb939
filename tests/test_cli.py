"""The command line a newcomer meets: the whole description under --help, every option with its default, a bad value
answered with one line (argparse's usage and error, exit status 2) and never a traceback, and benchmarks that never
replace results already in their --out folder (the committed ones included) unless --overwrite is given."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from ddim_gmm import cli

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*argv):
    return subprocess.run([sys.executable, "-m", "ddim_gmm", *argv], capture_output=True, text=True, cwd=ROOT)


def commands(parser):
    """(path, parser) of every leaf command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                leaves = list(commands(sub))
                yield from ([((name, *path), leaf) for path, leaf in leaves] if leaves else [((name,), sub)])


def test_help_shows_the_whole_description_and_every_command():
    done = run_cli("--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert " ".join(cli.__doc__.split()) in text
    for path, (_, help_text) in cli.COMMANDS.items():
        assert f"{' '.join(path)} {' '.join(help_text.split())}" in text


def test_every_command_and_every_option_shows_its_default():
    parser = cli.build_parser()
    found = dict(commands(parser))
    assert set(found) == set(cli.COMMANDS)
    for path, sub in found.items():
        if sub.get_default("missing"):
            continue  # a command whose module is not in this version
        text = " ".join(sub.format_help().split())
        assert " ".join(sys.modules[cli.COMMANDS[path][0]].__doc__.split()) in text, path  # the module's docstring
        for action in sub._actions:
            if action.option_strings and not isinstance(action, argparse._HelpAction):
                shown = sub._get_formatter()._expand_help(action)
                assert "(default: " in shown, (path, action.option_strings, shown)


@pytest.mark.parametrize("argv, message", [
    (["demo", "--eta", "2"], "argument --eta: must be a number in [0, 1], got '2'"),
    (["demo", "--eta", "nan"], "argument --eta: must be a number in [0, 1], got 'nan'"),
    (["demo", "--steps", "2.5"], "argument --steps: must be an integer >= 1, got '2.5'"),
    (["demo", "--cfg", "-1"], "argument --cfg: must be a number in [0, 100], got '-1'"),
    (["demo", "--s", "1e9"], "argument --s: must be a number in [0, 100], got '1e9'"),
    (["demo", "--seed", "abc"], "argument --seed: must be an integer in [0, 9.22337e+18], got 'abc'"),
    (["demo", "--n-samples", "1"], "argument --n-samples: must be 0 or an integer >= 2, got '1'"),
    (["demo", "--per-digit", "0"], "argument --per-digit: must be an integer >= 1, got '0'"),
    (["demo", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    (["bench", "speed", "--steps", "0"], "argument --steps: must be an integer >= 1, got '0'"),
    (["bench", "speed", "--components", "x"], "argument --components: must be an integer >= 1, got 'x'"),
    (["bench", "speed", "--shapes", "4x4"], "argument --shapes: invalid choice: '4x4'"),
    (["bench", "quality", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    (["bench", "compare", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    (["bench", "comfy-peers", "--threads", "-1"], "argument --threads: must be an integer >= 1, got '-1'"),
    (["bench", "sde-mixture", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    (["bench", "soak", "--prompts", "0"], "argument --prompts: must be an integer >= 1, got '0'"),
    (["bench", "soak", "--steps", "2000"], "argument --steps: must be an integer in [1, 1000], got '2000'"),
    (["demo", "--nope"], "unrecognized arguments: --nope"),
    (["nope"], "invalid choice: 'nope'"),
])
def test_a_bad_value_is_one_argparse_error_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in err.strip().splitlines()[-1], err


def test_a_bad_value_found_while_running_is_one_line_from_the_shell_and_an_exception_when_called(tmp_path):
    argv = ["bench", "speed", "--out", str(tmp_path), "--shapes", "4x16x16", "--components", "2000",
            "--model-batches"]
    done = run_cli(*argv)  # a real shell call: no traceback, one line
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "python -m ddim_gmm: error: --components must be at most D = 1024 for 4x16x16, got 2000"]
    with pytest.raises(ValueError, match="--components must be at most"):
        cli.main(argv)
    assert not any(tmp_path.iterdir())


def test_bench_speed_never_replaces_results_unless_asked(tmp_path, monkeypatch, capsys):
    committed = ROOT / "bench" / "results" / "speed"
    before = {p.name: p.read_bytes() for p in committed.iterdir()}
    quick = ["--shapes", "4x16x16", "--components", "2", "--steps", "2", "--repeats", "1", "--model-batches"]
    monkeypatch.setattr(sys, "argv", ["ddim-gmm", "bench", "speed", "--out", str(committed)] + quick)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2 and "pass --overwrite" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in committed.iterdir()} == before
    assert cli.build_parser().parse_args(["bench", "speed"]).out == "out/bench_speed"
    argv = ["bench", "speed", "--out", str(tmp_path)] + quick
    cli.main(argv)
    first = (tmp_path / "speed.csv").read_bytes()
    with pytest.raises(ValueError, match=f"--out {tmp_path} already holds speed.csv, speed.md"):
        cli.main(argv)
    assert (tmp_path / "speed.csv").read_bytes() == first
    cli.main(argv + ["--overwrite"])
