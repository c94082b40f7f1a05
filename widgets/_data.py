"""What the widgets draw, read from tensorkit's records: a trace's nodes and edges, a model's
summary rows. Nothing here computes a shape; it only groups, labels and compares them.
"""

import math

from tensorkit.display import BATCH_COLOR
from tensorkit.errors import format_shape

__all__ = ["BATCH_COLOR", "GraphData", "changed_axes", "graph_data", "is_batch_axis",
           "shape_text"]


def is_batch_axis(shape, dims, axis):
    """The rule tensorkit draws by: axis 0 is the batch when unknown (None) or labelled batch."""
    if axis != 0 or not shape:
        return False
    return shape[0] is None or bool(dims and dims[0] == "batch")


def shape_text(shape, dims=None, with_dims=True):
    """``(None, 784)`` or ``(batch=None, 784)``, as tensorkit writes shapes."""
    if shape is None:
        return "?"
    if shape and isinstance(shape[0], list):                 # a layer with several inputs
        return ", ".join(shape_text(s) for s in shape)
    return format_shape(tuple(shape), tuple(dims) if (dims and with_dims) else None)


def changed_axes(before, after):
    """The axes of `after` that differ from `before` (compared from the left, batch first).

    >>> changed_axes([None, 28, 28], [None, 784])
    [1]
    >>> changed_axes([2, 3], [2, 3])
    []
    """
    if before is None or after is None:
        return []
    changed = [i for i, n in enumerate(after) if i >= len(before) or before[i] != n]
    if not changed and len(after) < len(before) and after:
        changed = [len(after) - 1]                 # an axis was dropped: mark where it was
    return changed


def count(shape):
    return int(math.prod(n for n in shape if n is not None)) if shape else 1


class GraphData:
    """A trace's nodes and edges, each node given to a layer (weights to the layer using them).

    `layers` lists every layer in the order its first op ran, with the summary row of a
    model when there is one (type, params, trainable).
    """

    def __init__(self, trace, rows=(), title=""):
        self.title = title
        self.nodes = [dict(n) for n in trace["nodes"]]
        self.edges = [dict(e) for e in trace["edges"]]
        users = {}
        for e in self.edges:
            users.setdefault(e["src"], []).append(e["dst"])
        by_id = {n["id"]: n for n in self.nodes}
        for n in self.nodes:
            n["group"] = n["layer"]
            n["weight"] = False
            if not n["inputs"] and (n["op"] == "parameter" or "/" in (n["name"] or "")):
                owners = {by_id[u]["layer"] for u in users.get(n["id"], [])}
                if len(owners) == 1 and None not in owners:
                    n["group"] = owners.pop()           # a layer's kernel sits in its box
                    n["weight"] = True
        self.outputs = [n["id"] for n in self.nodes if n["inputs"] and n["id"] not in users]
        info = {r["name"]: r for r in rows}
        order = []
        for n in self.nodes:
            if n["group"] and n["group"] not in order:
                order.append(n["group"])
        self.layers = []
        for name in order:
            members = [n for n in self.nodes if n["group"] == name]
            ops = [n for n in members if n["inputs"]]
            row = info.get(name, {})
            params = row.get("params", sum(count(n["shape"]) for n in members if n["weight"]))
            self.layers.append({
                "name": name, "type": row.get("type", ""), "params": params,
                "trainable_params": row.get("trainable_params", params),
                "trainable": row.get("trainable", True),
                "input_shape": row.get("input_shape", ops[0]["input_shapes"][0]
                                       if ops and ops[0]["input_shapes"] else None),
                "output_shape": row.get("output_shape", ops[-1]["shape"] if ops else None),
                "ops": len(ops)})
        frozen = {l["name"] for l in self.layers if not l["trainable"]}
        for n in self.nodes:
            weights = [count(by_id[i]["shape"]) for i in n["inputs"] if by_id[i]["weight"]]
            n["params"] = count(n["shape"]) if n["weight"] else sum(weights)
            n["frozen"] = n["group"] in frozen

    def __len__(self):
        return len(self.nodes)


def graph_data(obj, inputs=()):
    """GraphData of a Model, a Trace, a trace's dict, or a function called on `inputs`."""
    import tensorkit as tk

    if isinstance(obj, tk.Model):
        summary = obj.summary(as_dict=True, expand_nested=True)
        return GraphData(obj.graph().to_dict(), summary["layers"], title=obj.name)
    if isinstance(obj, tk.Trace):
        return GraphData(obj.to_dict())
    if isinstance(obj, dict) and "nodes" in obj:
        return GraphData(obj)
    if callable(obj):
        if not inputs:
            raise TypeError(f"To draw the function {getattr(obj, '__name__', obj)!r}, give it "
                            "symbolic inputs: GraphView(f, tk.symbolic((None, 3))).")
        with tk.trace() as g:
            obj(*inputs)
        return GraphData(g.to_dict(), title=getattr(obj, "__name__", ""))
    raise TypeError(f"Cannot draw a graph of {type(obj).__name__}: pass a model, a "
                    "tk.trace() result, or a function with symbolic inputs.")
