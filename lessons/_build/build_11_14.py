"""Build lessons 11-14 and their solutions from one source, then execute and store them.

    .venv/bin/python lessons/_build/build_11_14.py          # all four
    .venv/bin/python lessons/_build/build_11_14.py 12 14    # some

Cells come from lessons_11_14.py; cell ids are fixed (``NN-kk``) so a rebuild only changes
what changed, and execution timestamps are dropped. Then check both copies:
``.venv/bin/python -m pytest --nbval --nbval-current-env lessons/1[1-4]_*.ipynb
lessons/solutions/1[1-4]_*.ipynb``.
"""

import pathlib
import sys
import time

import nbformat
from lessons_11_14 import LESSONS
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def notebook(name, cells, solution):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    for cell in cells:
        if cell[0] == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[1]))
        elif cell[0] == "code":
            nb.cells.append(nbformat.v4.new_code_cell(cell[1]))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell[2] if solution else cell[1]))
    for i, c in enumerate(nb.cells):
        c.id = f"{name[:2]}-{i:02d}"
    return nb


def execute(nb, path):
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def main(which):
    for name, cells in LESSONS.items():
        if which and name[:2] not in which:
            continue
        for solution, folder in ((False, ROOT), (True, ROOT / "solutions")):
            path = folder / name
            start = time.perf_counter()
            execute(notebook(name, cells, solution), path)
            print(f"{path.relative_to(ROOT.parent)}: {time.perf_counter() - start:.1f} s, "
                  f"{path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
