"""What an editor and a type checker read of the library without running it: the install is one they follow
(setuptools' strict editable link tree and py.typed, docs/development.md), jedi completes each sampler's options and
shows their defaults, mypy names a misspelled option and a wrong choice and passes the documented examples.

The tools run in this venv and search where an editor started from this shell would: the venv's own paths, and
PYTHONPATH where it is set (a checkout put on the path by hand); the first test drops PYTHONPATH and asks the install
alone."""

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ddim_gmm import sampling
from ddim_gmm.sampling import COVARIANCES, OPTIONS

ROOT = Path(__file__).resolve().parents[1]
SAMPLERS = ("sample_ddim_gmm", "sample_rfim_gmm", "sample_ddim", "sample_rfim", "sample_ddim_control",
            "sample_rfim_control")
GMM_SAMPLERS = ("sample_ddim_gmm", "sample_rfim_gmm", "sample_ddim_control", "sample_rfim_control")
# sample_ddim_gmm's keywords after k-diffusion's leading six, in signature order: the options, then the noise's two.
DDIM_GMM_KEYWORDS = ["eta", "s", "n_components", "offsets", "covariance", "share_offsets", "priors", "offset_schedule",
                     "offset_variance_fraction", "cfg_pp", "noise_sampler", "seed"]
REINSTALL = "pip install -e '.[test]' --config-settings editable_mode=strict"


def tool_environment(install_only=False):
    """os.environ without MYPYPATH (nothing set by hand for the tools), and without PYTHONPATH for install_only."""
    drop = {"MYPYPATH", "PYTHONPATH"} if install_only else {"MYPYPATH"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def jedi_script(code, folder, env):
    """jedi as an editor runs it on `code` in `folder`: on this venv's interpreter, with that interpreter's paths."""
    try:
        import jedi
    except ImportError:
        pytest.fail(f"jedi (the test extra) is not installed: {REINSTALL}")
    environment = jedi.create_environment(sys.executable, safe=False, env_vars=env)
    return jedi.Script(code, path=folder / "script.py", environment=environment, project=jedi.Project(folder))


def run_mypy(folder, files, cache, env):
    """mypy on `files` in `folder` with this venv's interpreter and no config file: {file name: its report lines}."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file=", "--cache-dir", str(cache), "--no-pretty",
                           "--no-error-summary", *files], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=900)
    assert "No module named mypy" not in done.stderr, f"mypy (the test extra) is not installed: {REINSTALL}"
    assert done.returncode in (0, 1) and not done.stderr, done.stdout + done.stderr
    report = {name: [] for name in files}
    for line in done.stdout.splitlines():
        report[line.split(":", 1)[0]].append(line)
    return report


def errors(lines):
    return [line for line in lines if ": error: " in line]


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy_cache")


def call_site(name, typed=""):
    """`name(model, x, sigmas, ` after its import: the cursor where an editor offers the sampler's keywords."""
    code = f"from ddim_gmm.sampling import {name}\n\n{name}(model, x, sigmas, {typed}"
    return code, 3, len(code.splitlines()[-1])


def test_static_tools_find_the_installed_package(tmp_path, mypy_cache):
    env = tool_environment(install_only=True)
    code = "import inspect, ddim_gmm.sampling as s; print(inspect.getsourcefile(inspect.unwrap(s.sample_ddim_gmm)))"
    where = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.returncode == 0, f"ddim_gmm is not installed in this venv: {REINSTALL}\n{where.stderr}"
    source = Path(where.stdout.strip()).resolve()
    # jedi goes to the file Python runs.
    code = "from ddim_gmm.sampling import sample_ddim_gmm\n"
    (found,) = jedi_script(code, tmp_path, env).goto(1, code.index("sample_ddim_gmm"), follow_imports=True)
    assert found.module_path is not None and Path(found.module_path).resolve() == source
    # mypy finds the package as a typed one: no import-not-found (an import hook), no import-untyped (no py.typed).
    (tmp_path / "imports.py").write_text(code + "reveal_type(sample_ddim_gmm)\n")
    (lines,) = run_mypy(tmp_path, ["imports.py"], mypy_cache, env).values()
    assert not errors(lines), f"mypy cannot read the installed package (reinstall: {REINSTALL}):\n" + "\n".join(lines)
    assert any("Revealed type is" in line for line in lines), lines


@pytest.mark.parametrize("name", SAMPLERS)
def test_jedi_completes_the_options_inside_the_call(name, tmp_path):
    code, line, column = call_site(name)
    offered = {c.name.removesuffix("=") for c in jedi_script(code, tmp_path, tool_environment()).complete(line, column)
               if c.type == "param"}
    # Every keyword the sampler takes, as Python binds it (model, x and sigmas are given).
    expected = set(inspect.signature(getattr(sampling, name)).parameters) - {"model", "x", "sigmas"}
    assert offered == expected
    if name == "sample_ddim_gmm":
        assert set(DDIM_GMM_KEYWORDS) <= offered
    if name in GMM_SAMPLERS:
        code, line, column = call_site(name, "n_")
        assert [c.name for c in jedi_script(code, tmp_path, tool_environment()).complete(line, column)] == [
            "n_components="]


@pytest.mark.parametrize("name", SAMPLERS)
def test_jedi_signature_shows_every_default(name, tmp_path):
    code, line, column = call_site(name)
    (signature,) = jedi_script(code, tmp_path, tool_environment()).get_signatures(line, column)
    shown = {p.name: p.to_string() for p in signature.params}
    runtime = inspect.signature(getattr(sampling, name)).parameters
    assert list(shown) == list(runtime)
    if name == "sample_ddim_gmm":
        assert list(shown)[6:] == DDIM_GMM_KEYWORDS
    declared = {o.name: o.flow_default if "rfim" in name else o.default for o in OPTIONS}
    for parameter in runtime.values():
        if parameter.default is inspect.Parameter.empty:
            assert "=" not in shown[parameter.name], shown[parameter.name]
            continue
        # "eta: float=1.0": the default as written in the source, which an editor shows as is.
        default = ast.literal_eval(shown[parameter.name].split("=", 1)[1])
        assert default == parameter.default and type(default) is type(parameter.default), shown[parameter.name]
        if parameter.name in declared:
            assert default == declared[parameter.name], (parameter.name, shown[parameter.name])


def bad_calls_script():
    """A script with one wrong call per line, and {line: the error mypy must report there}."""
    lines = ["import torch", "from ddim_gmm.sampling import " + ", ".join(SAMPLERS), "",
             "def model(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:", "    return x", "",
             "sigmas = torch.linspace(14.6, 0.0, 11)", "x = torch.randn(2, 4, 8, 8) * sigmas[0]"]
    expected = {}

    def call(text, error):
        lines.append(text)
        expected[len(lines)] = error

    for name in SAMPLERS:
        call(f'{name}(model, x, sigmas, eta="1")',
             f'Argument "eta" to "{name}" has incompatible type "str"; expected "float"  [arg-type]')
    for name in GMM_SAMPLERS:
        call(f"{name}(model, x, sigmas, n_component=8)",
             f'Unexpected keyword argument "n_component" for "{name}"; did you mean "n_components"?  [call-arg]')
        call(f'{name}(model, x, sigmas, covariance="full")',
             f'Argument "covariance" to "{name}" has incompatible type "Literal[\'full\']"; expected "Literal[...]"')
    return "\n".join(lines) + "\n", expected


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory, mypy_cache):
    """mypy, once, on the wrong calls, the README's library example and each code block of docs/library.md."""
    folder = tmp_path_factory.mktemp("scripts")
    script, _ = bad_calls_script()
    scripts = {"bad_calls.py": script}
    readme = (ROOT / "README.md").read_text().split("<!-- section: library -->")[1]
    scripts["readme_example.py"] = python_blocks(readme)[0]
    for number, block in enumerate(python_blocks((ROOT / "docs" / "library.md").read_text()), 1):
        scripts[f"library_block_{number}.py"] = block
    for file_name, text in scripts.items():
        (folder / file_name).write_text(text)
    return run_mypy(folder, list(scripts), mypy_cache, tool_environment())


def test_mypy_reports_a_misspelled_option_and_a_wrong_type_or_choice(mypy_report):
    _, expected = bad_calls_script()
    reported = {}
    for line in errors(mypy_report["bad_calls.py"]):
        number, message = re.fullmatch(r"bad_calls\.py:(\d+): error: (.*)", line).groups()
        assert int(number) not in reported, f"two errors on one line: {reported[int(number)]!r}, {message!r}"
        reported[int(number)] = message
    assert set(reported) == set(expected), (f"mypy should report an error on each of lines {sorted(expected)} of "
                                            f"bad_calls.py, and only there; it reported:\n"
                                            + "\n".join(mypy_report["bad_calls.py"]))
    for number, message in reported.items():
        if expected[number].endswith('"Literal[...]"'):
            # The choices as the signature declares them: Literal['diag', 'vub', 'exact'].
            prefix = expected[number].removesuffix('"Literal[...]"')
            assert message.startswith(prefix), message
            choices = re.fullmatch(r'"Literal\[(.*)\]"  \[arg-type\]', message.removeprefix(prefix)).group(1)
            assert sorted(ast.literal_eval(f"[{choices}]")) == sorted(COVARIANCES), message
        else:
            assert message == expected[number]


def test_mypy_passes_the_documented_examples(mypy_report):
    assert len(mypy_report) >= 3  # the wrong calls, the README's example, docs/library.md's blocks
    for file_name, lines in mypy_report.items():
        if file_name != "bad_calls.py":
            assert not errors(lines), "\n".join(lines)
