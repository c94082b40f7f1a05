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
import sys

import notebooks
from nbformat.v4 import new_code_cell, new_markdown_cell

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

    def write(self):
        for solution, cells in ((False, self.learner), (True, self.solution)):
            nb = notebooks.new(cells, lambda i: f"cell-{i:03d}")
            notebooks.run_and_save(nb, self.name, solution)


if __name__ == "__main__":
    for number in sys.argv[1:] or ["06", "07", "08", "09", "10", "15"]:
        importlib.import_module(f"lesson_{number}").build().write()
