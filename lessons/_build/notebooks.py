"""What the lesson builders share: a notebook from its cells, run, and stored.

Cell ids are given by each builder (fixed, so a rebuild only changes what changed) and
execution timestamps are dropped, for the same reason.
"""

import pathlib
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent          # lessons/
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def new(cells, ids):
    """A notebook of `cells` (nbformat cells), the i-th with id ``ids(i)``."""
    for i, cell in enumerate(cells):
        cell["id"] = ids(i)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNEL), "language_info": {"name": "python"}}
    return nb


def cells_of(spec, solution):
    """Cells from ("md", text) / ("code", src) / ("answer", learner's, solution's) items."""
    out = []
    for kind, *payload in spec:
        if kind == "md":
            out.append(nbformat.v4.new_markdown_cell(payload[0]))
        elif kind == "code":
            out.append(nbformat.v4.new_code_cell(payload[0]))
        else:
            out.append(nbformat.v4.new_code_cell(payload[1] if solution else payload[0]))
    return out


def run_and_save(nb, name, solution):
    """Execute `nb` in lessons/ (or lessons/solutions/) and write it there as `name`."""
    path = ROOT / "solutions" / name if solution else ROOT / name
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"{path.relative_to(ROOT.parent)}: {time.perf_counter() - start:.1f} s, "
          f"{path.stat().st_size // 1024} KB")
