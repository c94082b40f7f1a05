"""The lessons as a course: every notebook is in the index, every exercise has a check that
the teacher's solution passes, and every notebook is stored executed (nbval compares it).

Outputs themselves are compared by nbval (`make test` runs `pytest --nbval ... lessons`);
these tests check the structure that nbval cannot see. They read whatever lessons exist, so
a lesson still being written is not a failure until its file appears.
"""

import json
import pathlib
import re

import pytest

LESSONS = pathlib.Path(__file__).resolve().parent.parent / "lessons"
SOLUTIONS = LESSONS / "solutions"
README = LESSONS / "README.md"
COURSE = ["00_widgets_demo.ipynb", "01_tensors.ipynb", "02_operations_and_graphs.ipynb",
          "03_shapes_batches_broadcasting.ipynb", "04_first_model.ipynb",
          "05_training_and_validation.ipynb", "06_images.ipynb", "07_text.ipynb",
          "08_rnns_and_lstms.ipynb", "09_attention.ipynb",
          "10_pretrained_and_transfer.ipynb",
          "15_model_in_a_web_page.ipynb",          # follows 10 in the path (numbered as added)
          "11_variational_autoencoders.ipynb",
          "12_gans.ipynb", "13_camera_and_microphone.ipynb", "14_gpu.ipynb"]
PASS, FAIL = "✓ Correct!", "✗ Not yet"
MAX_BYTES = 300_000
EXERCISE = re.compile(r"\s*### Exercise (\d+\.\d+)")

lessons = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
solutions = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
notebooks = lessons + solutions


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def output_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        text = data.get("text/plain", out.get("text", ""))
        parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def exercises(nb):
    """{"N.k": (heading, [code cells up to the next heading])} in notebook order."""
    found, current = {}, None
    for cell in nb["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown":
            m = EXERCISE.match(text)
            if m:
                current = found.setdefault(m.group(1), (text.splitlines()[0], []))[1]
            elif text.lstrip().startswith("#"):
                current = None
        elif current is not None:
            current.append(cell)
    return found


def check_cells(cells):
    return [c for c in cells if "widgets.check(" in source(c)]


def rel(path):
    return str(path.relative_to(LESSONS))


# ---- the index ----------------------------------------------------------------------------
def test_readme_lists_the_whole_course_in_order():
    text = README.read_text(encoding="utf-8")
    places = [text.find(f"({name})") for name in COURSE]
    missing = [name for name, at in zip(COURSE, places) if at < 0]
    assert not missing, f"lessons/README.md does not link {missing}"
    assert places == sorted(places), "lessons/README.md lists the lessons out of order"


def test_every_lesson_file_is_in_the_index_and_every_listed_file_that_exists_is_named_right():
    text = README.read_text(encoding="utf-8")
    unlisted = [p.name for p in lessons if f"({p.name})" not in text]
    assert not unlisted, f"add {unlisted} to lessons/README.md's table"
    strays = [p.name for p in lessons if p.name not in COURSE]
    assert not strays, f"{strays} are not lesson names of the course (see COURSE)"
    linked = set(re.findall(r"\((\d\d_[a-z0-9_]+\.ipynb)\)", text))
    assert linked <= set(COURSE), f"README links unknown lessons {linked - set(COURSE)}"


def test_every_solution_has_its_learner_copy():
    orphans = [p.name for p in solutions if not (LESSONS / p.name).exists()]
    assert not orphans, f"solutions without a lesson: {orphans}"


# ---- each notebook --------------------------------------------------------------------------
@pytest.mark.parametrize("path", notebooks, ids=rel)
def test_stored_executed_small_and_seeded(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a lesson without code"
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unrun, f"code cells {unrun} are stored unexecuted: run the notebook and save it"
    assert path.stat().st_size < MAX_BYTES, f"{rel(path)} is {path.stat().st_size} bytes"
    first = source(code[0])
    for line in ("import tensorkit as tk", "import widgets", "tk.random.seed("):
        assert line in first, f"the first code cell should contain {line!r}"
    errors = [c for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, "a stored output is an uncaught error: catch and print it instead"
    bars = [c for c in code for o in c.get("outputs", [])
            if o["output_type"] == "stream" and "\r" in "".join(o.get("text", ""))]
    assert not bars, "a progress bar is stored: use fit(..., verbose=0) or a TrainingMonitor"


@pytest.mark.parametrize("path", lessons, ids=rel)
def test_every_exercise_has_a_check_and_a_solution_that_passes_it(path):
    found = exercises(load(path))
    if not found:
        return                       # the widget tour has no exercises
    solution = SOLUTIONS / path.name
    assert solution.exists(), f"exercises without lessons/solutions/{path.name}"
    solved = exercises(load(solution))
    assert list(solved) == list(found), "the solution's exercises differ from the lesson's"
    for number, (heading, cells) in found.items():
        checks = check_cells(cells)
        assert checks, f"{heading!r} has no code cell calling widgets.check("
        assert all(FAIL in output_text(c) for c in checks), \
            f"{heading!r}: the learner's stored check should say {FAIL!r} (no answer given)"
        solved_checks = check_cells(solved[number][1])
        assert [source(c) for c in solved_checks] == [source(c) for c in checks], \
            f"{heading!r}: the solution's check cell differs from the lesson's"
        for cell in solved_checks:
            assert PASS in output_text(cell), f"{heading!r}: the solution does not pass"
