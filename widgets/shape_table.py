"""ShapeTable: the ops of a trace or a model call, one row each: op, inputs' shapes ->
output shape, the axes that changed (highlighted) and the layer. Needs no Graphviz.
"""

import html

import traitlets as t

from ._base import HERE, Widget
from ._data import BATCH_COLOR, changed_axes, graph_data, is_batch_axis, shape_text

__all__ = ["ShapeTable", "shape_rows", "table_text"]


def shape_rows(data, with_dims=False):
    """One dict per op of GraphData `data` (inputs and weights are not ops)."""
    rows = []
    for n in data.nodes:
        if not n["inputs"]:
            continue
        # compared with the input the output most resembles: x in 2 * x, the ids in a gather
        like = min(n["input_shapes"], key=lambda s: len(changed_axes(s, n["shape"])),
                   default=None)
        rows.append({
            "op": n["op"], "layer": n["layer"] or "",
            "inputs": [shape_text(s, d, with_dims)
                       for s, d in zip(n["input_shapes"], n["input_dims"])],
            "shape": n["shape"], "dims": n["dims"] if with_dims else None,
            "output": shape_text(n["shape"], n["dims"], with_dims),
            "changed": changed_axes(like, n["shape"]),
            "batch": is_batch_axis(n["shape"], n["dims"], 0)})
    return rows


def _marked(row):
    """The output shape with changed axes in *stars*, for terminals."""
    shape, dims = row["shape"], row["dims"] or [None] * len(row["shape"])
    parts = []
    for i, (n, d) in enumerate(zip(shape, dims)):
        text = f"{d}={n}" if d else str(n)
        parts.append(f"*{text}*" if i in row["changed"] else text)
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def table_text(data, with_dims=False):
    """The table as plain text: changed axes of each output shape are marked *like this*."""
    rows = shape_rows(data, with_dims)
    if not rows:
        return "(no ops)"
    body = [[r["op"], ", ".join(r["inputs"]), _marked(r), r["layer"]] for r in rows]
    head = ["op", "inputs", "-> output (*changed*)", "layer"]
    widths = [max(len(x[i]) for x in body + [head]) for i in range(4)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(b) for b in body])


def _cell(row):
    shape, dims = row["shape"], row["dims"] or [None] * len(row["shape"])
    parts = []
    for i, (n, d) in enumerate(zip(shape, dims)):
        text = html.escape(f"{d}={n}" if d else str(n))
        style = f' style="color:{BATCH_COLOR}"' if i == 0 and row["batch"] else ""
        cls = ' class="changed"' if i in row["changed"] else ""
        parts.append(f'<span{cls}{style} data-axis="{i}">{text}</span>')
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def table_html(rows):
    out = ['<table class="tk-shapes"><thead><tr><th>op</th><th>inputs</th><th></th>'
           "<th>output</th><th>layer</th></tr></thead><tbody>"]
    for r in rows:
        out.append(f'<tr><td class="op">{html.escape(r["op"])}</td>'
                   f'<td>{html.escape(", ".join(r["inputs"]))}</td><td>→</td>'
                   f'<td class="out">{_cell(r)}</td><td>{html.escape(r["layer"])}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


class ShapeTable(Widget):
    """Rows of ``op  inputs -> output  layer`` for a Model, a Trace or a function + inputs."""

    _esm = HERE / "shape_table.js"

    rows = t.List().tag(sync=True)
    dims = t.Bool(False).tag(sync=True)
    batch_color = t.Unicode(BATCH_COLOR).tag(sync=True)
    data = None

    def __init__(self, obj, *inputs, dims=False, **kwargs):
        super().__init__(**kwargs)
        self.data = graph_data(obj, inputs)
        self.dims = dims
        self.rows = shape_rows(self.data, dims)

    @t.observe("dims")
    def _redims(self, change):
        if self.data is not None:
            self.rows = shape_rows(self.data, change["new"])

    def to_text(self):
        return table_text(self.data, self.dims)

    def to_html(self):
        return table_html(self.rows)
