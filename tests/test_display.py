"""Tensor._repr_html_: the static picture of a shape (tensorkit/display.py)."""

import time
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import tensorkit as tk
from tensorkit.display import BATCH_COLOR, MAX_CELLS, tensor_html


class _Element:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.text = tag, dict(attrs), ""

    def has_class(self, name):
        return name in (self.attrs.get("class") or "").split()


class _Parser(HTMLParser):
    """Every element with its attributes and text; fails on unbalanced tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.open = [], []

    def handle_starttag(self, tag, attrs):
        el = _Element(tag, attrs)
        self.elements.append(el)
        self.open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(_Element(tag, attrs))

    def handle_endtag(self, tag):
        assert self.open, f"</{tag}> closes nothing"
        top = self.open.pop()
        assert top.tag == tag, f"</{tag}> closes <{top.tag}>"

    def handle_data(self, data):
        for el in self.open:
            el.text += data


def parse(html):
    p = _Parser()
    p.feed(html)
    p.close()
    assert not p.open, f"unclosed tags: {[el.tag for el in p.open]}"
    return p.elements


def of_class(elements, name):
    return [el for el in elements if el.has_class(name)]


def axis_marks(elements, axis):
    return [el for el in of_class(elements, "axis") if el.attrs["data-axis"] == str(axis)]


def batch_coloured(elements):
    return [el for el in elements if BATCH_COLOR in (el.attrs.get("style") or "")]


def caption(elements):
    (el,) = of_class(elements, "caption")
    return el.text


def test_scalar_is_one_cell_with_its_value():
    els = parse(tensor_html(tk.tensor(3.5)))
    assert len(of_class(els, "cell")) == 1
    assert of_class(els, "axis") == []
    assert [v.text for v in of_class(els, "value")] == ["3.5"]
    assert batch_coloured(els) == []
    assert "shape ()" in caption(els) and "float32" in caption(els) and "cpu" in caption(els)


def test_vector_is_a_row_labelled_with_size_and_dim():
    els = parse(tk.tensor([1.0, 2.0, 3.0, 4.0], dims=("features",))._repr_html_())
    cells = of_class(els, "cell")
    assert len(cells) == 4
    assert len({c.attrs["y"] for c in cells}) == 1                 # one row
    (mark,) = axis_marks(els, 0)
    assert mark.text == "features=4"
    assert batch_coloured(els) == []                                # data, not labelled batch
    assert [v.text for v in of_class(els, "value")] == ["1", "2", "3", "4"]


def test_matrix_is_a_grid_with_the_batch_axis_coloured():
    x = tk.tensor(np.arange(12, dtype=np.float32).reshape(3, 4), dims=("batch", "units"))
    els = parse(tensor_html(x * 2))
    cells = of_class(els, "cell")
    assert len(cells) == 12
    assert len({c.attrs["y"] for c in cells}) == 3 and len({c.attrs["x"] for c in cells}) == 4
    assert axis_marks(els, 0)[0].text == "batch=3"
    assert axis_marks(els, 1)[0].text == "units=4"
    coloured = batch_coloured(els)
    assert coloured == axis_marks(els, 0) + of_class(els, "batch")
    assert of_class(els, "batch")[0].text == "batch=3"              # in the caption's shape
    assert BATCH_COLOR not in (axis_marks(els, 1)[0].attrs["style"])
    assert [v.text for v in of_class(els, "value")][:3] == ["0", "2", "4"]
    assert "op mul" in caption(els)


def test_rank3_is_a_stack_of_sheets():
    els = parse(tensor_html(tk.tensor(np.zeros((4, 5, 6), np.float32))))
    assert len(of_class(els, "sheet")) == 4
    assert len(of_class(els, "cell")) == 5 * 6                      # the front sheet's grid
    assert [axis_marks(els, i)[0].text for i in range(3)] == ["4", "5", "6"]
    assert of_class(els, "value") == [] and of_class(els, "ellipsis") == []
    assert batch_coloured(els) == []


def test_rank5_is_rows_of_stacks_for_the_leading_axes():
    els = parse(tensor_html(tk.tensor(np.zeros((2, 3, 4, 5, 6), np.float32))))
    # axis 0: 2 groups; axis 1: 2 of its 3 drawn in each, then "…"; each a 4-sheet stack
    assert len(of_class(els, "group")) == 2 + 2 * 2
    assert len(of_class(els, "sheet")) == 4 * 4
    assert len(of_class(els, "cell")) == 4 * 5 * 6
    assert [len(axis_marks(els, i)) for i in range(5)] == [1, 2, 4, 4, 4]
    assert {m.text for m in axis_marks(els, 1)} == {"3"}
    assert len(of_class(els, "ellipsis")) == 2                      # axis 1, in each group
    assert "(2, 3, 4, 5, 6)" in caption(els)


def test_symbolic_batch_is_none_and_coloured_only_on_axis_0():
    x = tk.symbolic((None, 28, 28, 1), dims=("batch", "height", "width", "channels"))
    els = parse(tensor_html(x))
    (mark,) = axis_marks(els, 0)
    assert mark.text == "batch=None"
    assert batch_coloured(els) == [mark] + of_class(els, "batch")
    for i in (1, 2, 3):
        assert all(BATCH_COLOR not in m.attrs["style"] for m in axis_marks(els, i))
    groups = of_class(els, "group")
    assert 1 < len(groups) <= 4                                     # unknown size: a few, then "…"
    assert len(of_class(els, "sheet")) == len(groups) * MAX_CELLS   # 28 sheets elided to 12
    assert len(of_class(els, "cell")) == len(groups) * MAX_CELLS * 1
    assert of_class(els, "value") == []
    assert "symbolic" in caption(els) and "op none" in caption(els)


def test_symbolic_without_labels_still_marks_the_batch():
    els = parse(tensor_html(tk.relu(tk.symbolic((None, 10)))))
    assert axis_marks(els, 0)[0].text == "None"
    assert batch_coloured(els) == axis_marks(els, 0) + of_class(els, "batch")
    assert "op relu" in caption(els)


def test_real_tensor_with_other_first_label_has_no_batch_colour():
    els = parse(tensor_html(tk.tensor(np.ones((2, 3), np.float32), dims=("time", None))))
    assert batch_coloured(els) == []
    assert BATCH_COLOR not in tensor_html(tk.tensor(np.ones((2, 3), np.float32)))


@pytest.mark.parametrize("t", [tk.symbolic((10000, 10000)),
                               tk.tensor(np.zeros((1000, 1000), np.float32)),
                               tk.symbolic((None, 5000, 5000, 300, 7))],
                         ids=["symbolic-10k", "real-1k", "rank5-huge"])
def test_huge_tensors_draw_quickly_and_elide(t):
    t0 = time.perf_counter()
    html = tensor_html(t)
    assert time.perf_counter() - t0 < 0.5
    els = parse(html)
    assert len(of_class(els, "cell")) <= 4 * MAX_CELLS ** 2
    assert of_class(els, "ellipsis")
    assert len(html) < 100_000
    for i, n in enumerate(t.shape):
        assert axis_marks(els, i)[0].text == str(n)


def test_huge_matrix_draws_max_cells_per_axis():
    els = parse(tensor_html(tk.symbolic((10000, 10000))))
    cells = of_class(els, "cell")
    assert len({c.attrs["x"] for c in cells}) == MAX_CELLS
    assert len({c.attrs["y"] for c in cells}) == MAX_CELLS
    assert len(of_class(els, "ellipsis")) == 2


def test_values_only_for_small_tensors():
    assert len(of_class(parse(tensor_html(tk.ones((8, 8)))), "value")) == 64
    assert of_class(parse(tensor_html(tk.ones((9, 8)))), "value") == []
    assert of_class(parse(tensor_html(tk.ones((2, 2, 2)))), "value") == []
    ints = parse(tensor_html(tk.tensor([[1, -2], [3, 4]])))
    assert [v.text for v in of_class(ints, "value")] == ["1", "-2", "3", "4"]


def test_text_is_escaped_and_nothing_is_scripted():
    x = tk.tensor([1.0, 2.0], dims=("<script>alert(1)</script>",), name="a<b>&c")
    html = tensor_html(x)
    els = parse(html)
    assert "<script" not in html and "javascript" not in html.lower()
    assert axis_marks(els, 0)[0].text == "<script>alert(1)</script>=2"   # shown, as text
    assert "a<b>&c" in caption(els)
    assert not any("id" in el.attrs for el in els)


def test_output_is_deterministic():
    a = tk.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = tk.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert tensor_html(a) == tensor_html(b) == a._repr_html_()


@settings(max_examples=40, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=6, min_side=0, max_side=20))
def test_any_shape_parses_and_labels_every_axis(shape):
    els = parse(tensor_html(tk.zeros(shape)))
    for i, n in enumerate(shape):
        assert axis_marks(els, i)[0].text == str(n)
    assert batch_coloured(els) == []
