"""The project's set-up files agree with each other.

- pyproject.toml and environment.yml list the same packages (runtime deps and the `dev` extra).
- README.md opens with the two commands: `make lab` and `make test`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli", reason="reading pyproject.toml on 3.10 needs tomli")

# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI = {
    "python-graphviz": "graphviz",
    "cupy": "cupy-cuda12x",
}
# conda entries that are not Python packages from pyproject: the interpreter, pip itself,
# and the Graphviz programs (`dot`), which pip can't install.
CONDA_ONLY = {"python", "pip", "graphviz"}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(spec: str) -> str:
    """`Foo_Bar[x]>=1; python_version<'3.11'` -> `foo-bar` (PEP 503 style)."""
    spec = spec.split("::")[-1]  # conda channel prefix, e.g. conda-forge::numpy
    m = _NAME.match(spec)
    assert m, f"can't read a package name from {spec!r}"
    return re.sub(r"[-_.]+", "-", m.group(1)).lower()


def _strip_comment(line: str) -> str:
    # YAML comments start at a '#' at the line start or after whitespace.
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0].rstrip()


def read_environment_yml(path: Path) -> dict:
    """A small line-based reader for the plain environment.yml this project keeps.

    Returns {"name": str, "channels": [str], "conda": [str], "pip": [str]}.
    """
    out: dict = {"name": None, "channels": [], "conda": [], "pip": []}
    section = None
    pip_indent = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = _strip_comment(raw)
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if indent == 0:
            key, _, value = text.partition(":")
            section = key.strip()
            pip_indent = None
            if section == "name":
                out["name"] = value.strip().strip("'\"")
            continue
        if not text.startswith("- "):
            raise AssertionError(f"environment.yml: can't read line {raw!r}")
        item = text[2:].strip().strip("'\"")
        if pip_indent is not None and indent > pip_indent:
            out["pip"].append(item)
            continue
        pip_indent = None
        if section == "channels":
            out["channels"].append(item)
        elif section == "dependencies":
            if item.rstrip() == "pip:":
                pip_indent = indent
            else:
                out["conda"].append(item)
    return out


def read_pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_environment_yml_matches_pyproject():
    project = read_pyproject()["project"]
    extras = project.get("optional-dependencies", {})
    runtime = {normalise(s) for s in project["dependencies"]}
    dev = {normalise(s) for s in extras.get("dev", [])}
    gpu = {normalise(s) for s in extras.get("gpu", [])}

    env = read_environment_yml(ROOT / "environment.yml")
    assert env["name"] == "tensorkit"
    assert "conda-forge" in env["channels"]

    conda_names = {normalise(s) for s in env["conda"]}
    assert {"python", "graphviz"} <= conda_names, (
        "environment.yml must list python and the Graphviz programs (`graphviz`)"
    )
    in_env = {CONDA_TO_PYPI.get(n, n) for n in conda_names - CONDA_ONLY}
    # pip: entries that are options (`-e .`, `-r file`) are not package names.
    in_env |= {normalise(s) for s in env["pip"] if not s.startswith("-")}

    wanted = runtime | dev
    missing_from_env = sorted(wanted - in_env)
    missing_from_pyproject = sorted(in_env - (runtime | dev | gpu))
    problems = []
    if missing_from_env:
        problems.append(
            "missing from environment.yml (conda-forge names: graphviz -> python-graphviz): "
            + ", ".join(missing_from_env)
        )
    if missing_from_pyproject:
        problems.append(
            "missing from pyproject.toml (dependencies or the dev extra): "
            + ", ".join(missing_from_pyproject)
        )
    assert not problems, "; ".join(problems)


def test_reader_understands_the_format(tmp_path):
    yml = tmp_path / "environment.yml"
    yml.write_text(
        "name: demo  # comment\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n"
        "  - python>=3.10\n"
        "  # a comment line\n"
        "  - conda-forge::numpy=2\n"
        "  - pip:\n"
        "      - playwright  # comment\n"
        "      - -e .\n"
        "  - matplotlib\n",
        encoding="utf-8",
    )
    env = read_environment_yml(yml)
    assert env == {
        "name": "demo",
        "channels": ["conda-forge"],
        "conda": ["python>=3.10", "conda-forge::numpy=2", "matplotlib"],
        "pip": ["playwright", "-e ."],
    }
    assert [normalise(s) for s in env["conda"]] == ["python", "numpy", "matplotlib"]
    assert normalise("Typing_Extensions[x]>=4; python_version<'3.11'") == "typing-extensions"


_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SHELL_LANGS = {"sh", "bash", "shell", "console", "zsh"}


def test_readme_opens_with_make_lab_and_make_test():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = _FENCE.findall(text)
    assert blocks, "README.md has no code block"
    lang, body = blocks[0]
    assert lang.strip().lower() in _SHELL_LANGS, (
        f"README.md's first code block should be a shell block, not {lang.strip()!r}"
    )
    commands = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:]
        line = _strip_comment(line).strip()
        if line:
            commands.append(" ".join(line.split()))
    assert commands[:2] == ["make lab", "make test"], (
        f"README.md's first shell commands should be `make lab` then `make test`, got {commands}"
    )
