"""The operation graph: every op call records a Node; a Trace collects them.

Widgets only read what is here (``Trace.to_dict()``); they never recompute shapes.
"""

import itertools
from contextlib import contextmanager

from .errors import format_shape


class _State:
    """Switches that apply to every op call (one learner, one thread)."""

    __slots__ = ("recording", "grad_enabled", "layers", "traces")

    def __init__(self):
        self.recording = True
        self.grad_enabled = True
        self.layers = []              # names of the layers whose call is running, outermost first
        self.traces = []              # active Trace objects


STATE = _State()
_ids = itertools.count()


class Node:
    """One call of one op: what went in, what came out, and where (which layer)."""

    __slots__ = ("id", "op", "inputs", "attrs", "shape", "dtype", "dims", "layer", "out",
                 "needs_grad", "saved")

    def __init__(self, op, inputs, attrs, shape, dtype, dims, out, needs_grad):
        self.id = next(_ids)
        self.op = op                  # the Op (its .name is the op name)
        self.inputs = inputs          # tuple of Tensors, in argument order
        self.attrs = attrs            # dict: axis, strides, ...
        self.shape = shape
        self.dtype = dtype
        self.dims = dims
        self.out = out                # forward result array, kept for the VJPs; None if symbolic
        self.needs_grad = needs_grad
        self.saved = None             # what an op that `saves` kept for its VJPs
        self.layer = STATE.layers[-1] if STATE.layers else None

    def __repr__(self):
        where = f" in {self.layer}" if self.layer else ""
        shapes = ", ".join(format_shape(t.shape, t.dims) for t in self.inputs)
        return f"<Node {self.op.name}({shapes}) -> {format_shape(self.shape, self.dims)}{where}>"


@contextmanager
def recording(enabled=True):
    """Switch graph recording on or off (off is a little faster; autograd still works)."""
    before = STATE.recording
    STATE.recording = bool(enabled)
    try:
        yield
    finally:
        STATE.recording = before


class layer_scope:
    """``with layer_scope(name):`` ops called inside are recorded as belonging to layer
    `name`. (A class, not a @contextmanager generator: every layer call enters one, and
    this is 3x cheaper.)"""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        STATE.layers.append(self.name)

    def __exit__(self, *exc):
        STATE.layers.pop()


def _plain(value):
    """Attributes as JSON-friendly data (tuples become lists, dtypes strings)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


class Trace:
    """The nodes recorded while active, and the edges between them, as plain data.

    >>> import tensorkit as tk
    >>> with tk.trace() as g:
    ...     y = tk.relu(tk.symbolic((None, 3)) * 2.0)
    >>> [n["op"] for n in g.nodes]
    ['input', 'constant', 'mul', 'relu']
    """

    def __init__(self):
        self.records = []             # Node objects in call order

    def __enter__(self):
        STATE.traces.append(self)
        return self

    def __exit__(self, *exc):
        STATE.traces.remove(self)

    def _build(self):
        """Number the recorded nodes and the tensors that fed them from outside."""
        nodes, edges, index = [], [], {}
        produced = {id(n) for n in self.records}

        def source(tensor):
            node = tensor.node
            if node is not None and id(node) in produced:
                return index[id(node)]
            key = id(tensor)
            if key not in index:
                index[key] = len(nodes)
                kind = "input" if tensor.requires_grad or tensor.data is None else "constant"
                if tensor.name and kind != "input":
                    kind = "parameter" if tensor.requires_grad else "constant"
                nodes.append({"id": len(nodes), "op": kind, "name": tensor.name,
                              "inputs": [], "input_shapes": [], "input_dims": [],
                              "shape": list(tensor.shape), "dims": _plain(tensor.dims),
                              "dtype": str(tensor.dtype), "attrs": {},
                              "layer": None})
            return index[key]

        for node in self.records:
            srcs = [source(t) for t in node.inputs]
            index[id(node)] = len(nodes)
            nodes.append({"id": len(nodes), "op": node.op.name, "name": None, "inputs": srcs,
                          "input_shapes": [list(t.shape) for t in node.inputs],
                          "input_dims": [_plain(t.dims) for t in node.inputs],
                          "shape": list(node.shape), "dims": _plain(node.dims),
                          "dtype": str(node.dtype),
                          "attrs": {k: _plain(v) for k, v in node.attrs.items()},
                          "layer": node.layer})
            for i, (src, t) in enumerate(zip(srcs, node.inputs)):
                edges.append({"src": src, "dst": index[id(node)], "index": i,
                              "shape": list(t.shape), "dims": _plain(t.dims)})
        return nodes, edges

    @property
    def nodes(self):
        return self._build()[0]

    @property
    def edges(self):
        return self._build()[1]

    def to_dict(self):
        """{"nodes": [...], "edges": [...]}: everything a widget needs, as plain data."""
        nodes, edges = self._build()
        return {"nodes": nodes, "edges": edges}

    def to_dot(self, batch_color="#d62728"):
        """A graphviz.Digraph with each edge labelled by the shape that flows along it."""
        import graphviz

        nodes, edges = self._build()
        dot = graphviz.Digraph(graph_attr={"rankdir": "TB"},
                               node_attr={"shape": "box", "style": "rounded",
                                          "fontname": "Helvetica"},
                               edge_attr={"fontname": "Helvetica", "fontsize": "10"})
        for n in nodes:
            label = n["op"] if not n["name"] else f"{n['name']}\n{n['op']}"
            if n["layer"]:
                label += f"\n[{n['layer']}]"
            if not n["inputs"]:
                label += "\n" + format_shape(tuple(n["shape"]), _tuple(n["dims"]))
            dot.node(str(n["id"]), label, shape="ellipse" if not n["inputs"] else "box")
        for e in edges:
            dot.edge(str(e["src"]), str(e["dst"]),
                     label=_edge_label(e["shape"], e["dims"], batch_color))
        return dot

    def __len__(self):
        return len(self.records)

    def __repr__(self):
        return f"<Trace of {len(self.records)} ops>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In a notebook, the widgets package draws the trace (loaded only then)."""
        try:
            from widgets import display_bundle
        except ImportError:
            return {"text/plain": self.to_text()}
        return display_bundle(self)

    def to_text(self):
        """One line per op: inputs' shapes -> output shape, for terminals and tests."""
        lines = []
        for n in self.nodes:
            if not n["inputs"]:
                continue
            given = ", ".join(format_shape(tuple(s), _tuple(d))
                              for s, d in zip(n["input_shapes"], n["input_dims"]))
            where = f"  [{n['layer']}]" if n["layer"] else ""
            lines.append(f"{n['op']:<14} {given} -> "
                         f"{format_shape(tuple(n['shape']), _tuple(n['dims']))}{where}")
        return "\n".join(lines)


def _tuple(dims):
    return tuple(dims) if dims is not None else None


def _edge_label(shape, dims, batch_color):
    """An HTML-like Graphviz label: the batch axis (axis 0 when unknown or labelled batch)."""
    if not shape:
        return "()"
    dims = dims or [None] * len(shape)
    parts = []
    for i, (n, d) in enumerate(zip(shape, dims)):
        text = f"{d}={n}" if d else str(n)
        if i == 0 and (n is None or d == "batch"):
            text = f'<font color="{batch_color}">{text}</font>'
        parts.append(text)
    inner = ", ".join(parts) + ("," if len(parts) == 1 else "")
    return f"<({inner})>"


def trace():
    """``with tk.trace() as g:`` collects the graph of the ops run inside."""
    return Trace()
