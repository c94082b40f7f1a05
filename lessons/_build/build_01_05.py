"""Build lessons 01-05 and their solutions from one source, then execute and store them.

    .venv/bin/python lessons/_build/build_01_05.py          # all five
    .venv/bin/python lessons/_build/build_01_05.py 03 05    # some

Each lesson is a list of cells: ``md(text)``, ``code(src)`` and ``exercise(...)``; an
exercise becomes a heading, an answer cell (``answer = None`` for the learner, the answer in
the solution) and a check cell that both copies share. Cell ids are fixed so a rebuild only
changes what changed; timestamps are dropped. Run the notebooks' tests afterwards:
``.venv/bin/python -m pytest --nbval --nbval-current-env lessons/NN_*.ipynb lessons/solutions``.
"""

import pathlib
import sys
import time

import nbformat
from lessons_01_05 import LESSONS
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def notebook(cells, solution):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    for kind, payload in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(payload))
        elif kind == "code":
            nb.cells.append(nbformat.v4.new_code_cell(payload))
        else:
            heading, blank, answer, check = payload
            nb.cells.append(nbformat.v4.new_markdown_cell(heading))
            nb.cells.append(nbformat.v4.new_code_cell(answer if solution else blank))
            nb.cells.append(nbformat.v4.new_code_cell(check))
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:02d}"
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
            execute(notebook(cells, solution), path)
            print(f"{path.relative_to(ROOT.parent)}: {time.perf_counter() - start:.1f} s, "
                  f"{path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
