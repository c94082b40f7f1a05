"""Build lessons 06-10 and 15 (which follows lesson 10 in the path) and their solutions from
one source, then execute and store them.

    .venv/bin/python lessons/_build/build_06_10.py          # all six
    .venv/bin/python lessons/_build/build_06_10.py 07 15    # some

Each lesson_NN.py fills a ``Lesson`` with ``md(text)``, ``code(src)`` and
``exercise(num, title, text, learner, solution, check)``: an exercise becomes a heading, an
answer cell (``answer = None`` for the learner, the answer in the solution) and a check cell
both copies share. Cell ids are fixed so a rebuild only changes what changed. Then run
``.venv/bin/python -m pytest --nbval --nbval-current-env lessons/NN_*.ipynb lessons/solutions``.
"""

import importlib
import os
import pathlib
import subprocess
import sys
import time

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEADER = "import numpy as np\nimport tensorkit as tk\nimport widgets\ntk.random.seed(0)"


class Lesson:
    def __init__(self, name):
        self.name = name
        self.learner, self.solution = [], []

    def md(self, text):
        c = text.strip("\n")
        self.learner.append(new_markdown_cell(c))
        self.solution.append(new_markdown_cell(c))

    def code(self, src):
        c = src.strip("\n")
        self.learner.append(new_code_cell(c))
        self.solution.append(new_code_cell(c))

    def exercise(self, num, title, text, learner, solution, check):
        self.md(f"### Exercise {num} — {title}\n\n{text.strip()}")
        self.learner.append(new_code_cell(learner.strip("\n")))
        self.solution.append(new_code_cell(solution.strip("\n")))
        self.code(check)

    def _nb(self, cells):
        for i, cell in enumerate(cells):
            cell["id"] = f"cell-{i:03d}"
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                     "name": "python3"}
        nb.metadata["language_info"] = {"name": "python"}
        return nb

    def write(self, execute=True):
        paths = [ROOT / "lessons" / self.name, ROOT / "lessons" / "solutions" / self.name]
        for path, cells in zip(paths, (self.learner, self.solution)):
            nbformat.write(self._nb(cells), path)
            if execute:
                start = time.time()
                subprocess.run([str(ROOT / ".venv/bin/jupyter"), "nbconvert", "--to",
                                "notebook", "--execute", "--inplace", str(path)],
                               check=True, cwd=path.parent)
                print(f"{path.relative_to(ROOT)}: {time.time() - start:.1f} s, "
                      f"{os.path.getsize(path) // 1024} KB", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for number in sys.argv[1:] or ["06", "07", "08", "09", "10", "15"]:
        importlib.import_module(f"lesson_{number}").build().write()
