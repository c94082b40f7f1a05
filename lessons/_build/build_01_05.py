"""Build lessons 01-05 and their solutions from one source, then execute and store them.

    .venv/bin/python lessons/_build/build_01_05.py          # all five
    .venv/bin/python lessons/_build/build_01_05.py 03 05    # some

Each lesson is a list of cells: ``md(text)``, ``code(src)`` and ``exercise(...)``; an
exercise becomes a heading, an answer cell (``answer = None`` for the learner, the answer in
the solution) and a check cell that both copies share. Cell ids are fixed (``cNN``) so a
rebuild only changes what changed. Run the notebooks' tests afterwards:
``.venv/bin/python -m pytest --nbval --nbval-current-env lessons/NN_*.ipynb lessons/solutions``.
"""

import sys

import notebooks
from lessons_01_05 import LESSONS


def spec(cells):
    """An exercise ("ex", (heading, blank, answer, check)) as its three cells."""
    for kind, payload in cells:
        if kind == "ex":
            heading, blank, answer, check = payload
            yield from (("md", heading), ("answer", blank, answer), ("code", check))
        else:
            yield kind, payload


def main(which):
    for name, cells in LESSONS.items():
        if not which or name[:2] in which:
            for solution in (False, True):
                nb = notebooks.new(notebooks.cells_of(spec(cells), solution),
                                   lambda i: f"c{i:02d}")
                notebooks.run_and_save(nb, name, solution)


if __name__ == "__main__":
    main(sys.argv[1:])
