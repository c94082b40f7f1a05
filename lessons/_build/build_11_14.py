"""Build lessons 11-14 and their solutions from one source, then execute and store them.

    .venv/bin/python lessons/_build/build_11_14.py          # all four
    .venv/bin/python lessons/_build/build_11_14.py 12 14    # some

Cells come from lessons_11_14.py; cell ids are fixed (``NN-kk``) so a rebuild only changes
what changed. Then check both copies: ``.venv/bin/python -m pytest --nbval
--nbval-current-env lessons/1[1-4]_*.ipynb lessons/solutions/1[1-4]_*.ipynb``.
"""

import sys

import notebooks
from lessons_11_14 import LESSONS


def main(which):
    for name, cells in LESSONS.items():
        if not which or name[:2] in which:
            for solution in (False, True):
                nb = notebooks.new(notebooks.cells_of(cells, solution),
                                   lambda i: f"{name[:2]}-{i:02d}")
                notebooks.run_and_save(nb, name, solution)


if __name__ == "__main__":
    main(sys.argv[1:])
