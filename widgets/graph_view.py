"""GraphView: the op graph of a model, a trace or a function, laid out by Graphviz as SVG.

Edges carry the shape that flows along them (the batch axis in BATCH_COLOR); each layer is
a box that expands to its ops (a click) and collapses back (a click on its frame); frozen
layers are dashed and grey. Hovering or clicking a node shows its op, shapes, attributes
and parameter count. The SVG goes into an anywidget: JupyterLab shows a plain SVG output
as an <img>, which cannot be hovered.

The static fallback (text/html: nbconvert, and JupyterLab while a notebook is untrusted, as
one opened from git is until it is run) is the same SVG as an <img> with a data: URI and an
alt text of the shapes: JupyterLab's sanitizer keeps such images, but drops inline <svg>.
"""

import base64
import html
import re
import shutil

import traitlets as t

from ._base import HERE, Widget, after_each_cell, lookup, names_of, watch
from ._data import BATCH_COLOR, graph_data, is_batch_axis, shape_text
from .shape_table import table_text

__all__ = ["GraphView", "GraphvizMissing", "graph_svg"]

COLLAPSE_OVER = 60      # a trace with more nodes than this starts with its layers collapsed
OP_FILL, LEAF_FILL, LAYER_FILL, FROZEN_FILL = "#eef3fb", "#ffffff", "#fff7e6", "#e6e6e6"
FONT = "Helvetica"

INSTALL = ("Graphviz's `dot` program was not found, so the graph cannot be laid out. "
           "Install it: `sudo apt-get install graphviz` (Debian/Ubuntu), "
           "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`, "
           "then restart the kernel. widgets.ShapeTable(...) shows the same shapes "
           "without it.")


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` binary is not installed (the message says how to install it)."""


def _edge_label(shape, dims, with_dims):
    """Graphviz HTML label of a shape, the batch axis coloured (as tensorkit's to_dot)."""
    if not shape:
        return "<()>"
    parts = []
    for i, n in enumerate(shape):
        d = dims[i] if (dims and with_dims) else None
        text = html.escape(f"{d}={n}" if d else str(n))
        if is_batch_axis(shape, dims, i):
            text = f'<font color="{BATCH_COLOR}">{text}</font>'
        parts.append(text)
    return "<(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")>"


def _node_label(n, with_dims):
    op = html.escape(n["op"])
    if n["inputs"]:
        return f"<<b>{op}</b>>"
    name = html.escape(n["name"] or n["op"])
    shape = html.escape(shape_text(n["shape"], n["dims"], with_dims))
    return f'<{name}<br/><font point-size="9">{shape}</font>>'


def _layer_label(layer, collapsed):
    name = html.escape(layer["name"])
    kind = f"&#160;({html.escape(layer['type'])})" if layer["type"] else ""
    lines = [f"<b>{name}</b>{kind}"]
    if collapsed:
        ops = f"{layer['ops']} op" + ("" if layer["ops"] == 1 else "s")
        lines.append(f'<font point-size="9">{layer["params"]:,} params · {ops} ▸</font>')
    if not layer["trainable"]:
        lines.append('<font point-size="9">frozen</font>')
    return "<" + "<br/>".join(lines) + ">"


def graph_svg(data, expanded=None, with_dims=True):
    """Lay out GraphData `data` with Graphviz; layers not in `expanded` are single boxes."""
    import graphviz

    if shutil.which("dot") is None:
        raise GraphvizMissing(INSTALL)
    expanded = set(l["name"] for l in data.layers) if expanded is None else set(expanded)
    index = {l["name"]: k for k, l in enumerate(data.layers)}
    big = len(data.nodes) > 300
    dot = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": FONT, "fontsize": "11", "nodesep": "0.25",
                    "ranksep": "0.3", **({"nslimit": "2", "mclimit": "0.2"} if big else {})},
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled",
                   "fillcolor": OP_FILL, "color": "#4a6fa5", "height": "0.3"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#777777"})

    def rep(n):
        g = n["group"]
        return f"L{index[g]}" if g is not None and g not in expanded else f"n{n['id']}"

    clusters = {}
    for n in data.nodes:
        g = n["group"]
        if g is not None and g not in expanded:
            continue
        target = dot
        if g is not None:
            if g not in clusters:
                clusters[g] = []
            target = clusters[g]
        attrs = {"id": f"n{n['id']}", "class": "op" if n["inputs"] else "leaf"}
        if not n["inputs"]:
            attrs.update(shape="note" if n["weight"] else "ellipse", fillcolor=LEAF_FILL)
        if n["frozen"]:
            attrs.update(fillcolor=FROZEN_FILL, style="rounded,filled,dashed", color="#999999")
            attrs["class"] += " frozen"
        args = (f"n{n['id']}", _node_label(n, with_dims))
        if target is dot:
            dot.node(*args, **attrs)
        else:
            target.append((args, attrs))
    for layer in data.layers:
        k, name = index[layer["name"]], layer["name"]
        frozen = not layer["trainable"]
        if name in expanded:
            with dot.subgraph(name=f"cluster_{k}") as c:
                c.attr(label=_layer_label(layer, False), id=f"C{k}", style="rounded,dashed"
                       if frozen else "rounded", color="#999999" if frozen else "#d9a441",
                       bgcolor=FROZEN_FILL if frozen else "#fffdf7",
                       **{"class": "layer expanded" + (" frozen" if frozen else "")})
                for args, attrs in clusters.get(name, []):
                    c.node(*args, **attrs)
        else:
            dot.node(f"L{k}", _layer_label(layer, True), id=f"L{k}", shape="box",
                     style="rounded,filled,dashed" if frozen else "rounded,filled,bold",
                     fillcolor=FROZEN_FILL if frozen else LAYER_FILL,
                     color="#999999" if frozen else "#d9a441",
                     **{"class": "layer collapsed" + (" frozen" if frozen else "")})
    by_id = {n["id"]: n for n in data.nodes}
    seen = set()
    for e in data.edges:
        a, b = rep(by_id[e["src"]]), rep(by_id[e["dst"]])
        key = (a, b, tuple(e["shape"]), e["index"] if a == b else 0)
        if a == b or key in seen:
            continue                           # inside a collapsed layer, or drawn already
        seen.add(key)
        dot.edge(a, b, label=_edge_label(e["shape"], e["dims"], with_dims),
                 id=f"e{e['src']}_{e['dst']}")
    for k, i in enumerate(data.outputs):
        n = by_id[i]
        dot.node(f"out{k}", "output", shape="plaintext", style="", id=f"out{k}")
        dot.edge(rep(n), f"out{k}", label=_edge_label(n["shape"], n["dims"], with_dims),
                 id=f"eout{k}")
    svg = dot.pipe(format="svg", engine="dot").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)   # no version stamp: deterministic


def _details(data):
    """What a hover or click shows, keyed by the SVG element's id."""
    nodes = {}
    for n in data.nodes:
        nodes[f"n{n['id']}"] = {
            "kind": "op" if n["inputs"] else ("weight" if n["weight"] else "input"),
            "op": n["op"], "name": n["name"], "layer": n["group"], "dtype": n["dtype"],
            "inputs": [shape_text(s, d) for s, d in zip(n["input_shapes"], n["input_dims"])],
            "output": shape_text(n["shape"], n["dims"]), "attrs": n["attrs"],
            "params": n["params"], "frozen": n["frozen"]}
    for k, l in enumerate(data.layers):
        info = {"kind": "layer", "op": l["type"] or "layer", "name": l["name"],
                "layer": l["name"], "inputs": [shape_text(l["input_shape"])],
                "output": shape_text(l["output_shape"]), "attrs": {"ops": l["ops"]},
                "params": l["params"], "trainable_params": l["trainable_params"],
                "frozen": not l["trainable"], "dtype": ""}
        nodes[f"L{k}"] = nodes[f"C{k}"] = info
    return nodes


class GraphView(Widget):
    """The op graph of `obj`: a Model, a tk.trace() result, or a function with `inputs`.

    ``GraphView(model)`` redraws when layers are added, popped or frozen, also from later
    cells; ``GraphView(f, tk.symbolic((None, 3)))`` retraces when a cell redefines ``f``.
    """

    _esm = HERE / "graph_view.js"

    svg = t.Unicode("").tag(sync=True)
    nodes = t.Dict().tag(sync=True)
    layers = t.List().tag(sync=True)
    expanded = t.List().tag(sync=True)
    selected = t.Unicode("").tag(sync=True)
    dims = t.Bool(True).tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    batch_color = t.Unicode(BATCH_COLOR).tag(sync=True)
    redraws = t.Int(0).tag(sync=True)
    data = None             # the GraphData drawn (None while the model has no input shape)

    def __init__(self, obj, *inputs, collapsed=None, dims=True, **kwargs):
        super().__init__(dims=dims, **kwargs)
        self.obj, self.inputs, self.collapsed = obj, inputs, collapsed
        self.data = None
        self._names = names_of(obj)
        self.refresh()
        watch(self, GraphView._concerns)
        after_each_cell(self, "_follow")

    def _concerns(self, layer):
        import tensorkit as tk
        if not isinstance(self.obj, tk.Model):
            return False
        return layer is self.obj or any(l is layer for l in _all_layers(self.obj))

    def _follow(self):
        """A cell rebound the name (redefined the function, retraced, rebuilt the model)."""
        for name in self._names:
            new = lookup(name)
            if new is not None and new is not self.obj and type(new) is type(self.obj):
                self.obj = new
                self.refresh(keep_expanded=False)
                return

    def update(self, obj=None, *inputs):
        """Draw `obj` instead (or retrace the same function), e.g. after changing it."""
        if obj is not None:
            self.obj, self.inputs = obj, inputs or self.inputs
        self.refresh(keep_expanded=False)

    def refresh(self, keep_expanded=True):
        try:
            data = graph_data(self.obj, self.inputs)
        except (ValueError, TypeError) as err:  # a model without an input shape yet, ...
            self.message, self.svg, self.data = str(err).split("\n")[0], "", None
            return
        names = [l["name"] for l in data.layers]
        if keep_expanded and self.data is not None:
            old = {l["name"] for l in self.data.layers}
            expanded = [n for n in names if n in self.expanded or n not in old and
                        not self._start_collapsed(data)]
        else:
            expanded = [] if self._start_collapsed(data) else names
        self.data = None                        # so the expanded observer waits for the layout
        with self.hold_sync():
            self.title = data.title
            self.nodes = _details(data)
            self.layers = [{**l, "id": f"L{k}"} for k, l in enumerate(data.layers)]
            self.expanded = expanded
            self.data = data
            self._layout()

    def _start_collapsed(self, data):
        import tensorkit as tk
        if self.collapsed is not None:
            return self.collapsed
        return isinstance(self.obj, tk.Model) or len(data.nodes) > COLLAPSE_OVER

    @t.observe("expanded", "dims")
    def _relayout(self, change):
        if self.data is not None:
            self._layout()

    def _layout(self):
        try:
            self.svg = graph_svg(self.data, self.expanded, self.dims)
            self.message = ""
        except GraphvizMissing as err:
            self.svg, self.message = "", str(err)
        self.redraws += 1

    def expand(self, *names):
        """Show the ops inside these layers (all when none are named)."""
        names = names or [l["name"] for l in self.data.layers]
        self.expanded = list(dict.fromkeys(self.expanded + list(names)))

    def collapse(self, *names):
        """Draw these layers (all when none are named) as single boxes again."""
        self.expanded = [n for n in self.expanded if names and n not in names]

    def to_text(self):
        if self.data is None:
            return f"GraphView: {self.message}"
        head = f"Graph {self.title!r}: " if self.title else "Graph: "
        return head + f"{len(self.data.nodes)} nodes\n" + table_text(self.data)

    def to_html(self):
        note = f"<p>{html.escape(self.message)}</p>" if self.message else ""
        img = ""
        if self.svg and self.data is not None:
            uri = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
            img = (f'<img alt="{html.escape(_alt_text(self.data, self.dims))}" '
                   f'src="data:image/svg+xml;base64,{uri}">')
        return f'<div class="tk-graph-static">{note}{img}</div>'


ALT_ITEMS = 20          # the alt text names at most this many layers (or ops)


def _alt_text(data, with_dims=True):
    """What the static picture shows, in words: each layer's (or, without layers, each
    op's) input and output shapes."""
    if data.layers:
        items = [f"{l['name']}" + (f" ({l['type']})" if l["type"] else "") +
                 f": {shape_text(l['input_shape'])} -> {shape_text(l['output_shape'])}"
                 for l in data.layers]
    else:
        items = [f"{n['op']}: " + ", ".join(shape_text(s, d, with_dims) for s, d in
                                            zip(n["input_shapes"], n["input_dims"])) +
                 f" -> {shape_text(n['shape'], n['dims'], with_dims)}"
                 for n in data.nodes if n["inputs"]]
    if len(items) > ALT_ITEMS:
        items = items[:ALT_ITEMS] + [f"and {len(items) - ALT_ITEMS} more"]
    head = f"Graph {data.title!r}" if data.title else "Graph"
    return f"{head}: " + "; ".join(items)


def _all_layers(model):
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out
