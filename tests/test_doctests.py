"""The examples in tensorkit's docstrings (shape rules, helpers) run as written."""

import doctest
import importlib
import pkgutil

import pytest

import tensorkit

MODULES = sorted(m.name for m in pkgutil.walk_packages(tensorkit.__path__, "tensorkit."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0, f"{failed} docstring example(s) in {name} give other output"
