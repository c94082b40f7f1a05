"""``keras.utils.plot_model`` and ``model_to_dot``: a model's layers as boxes, with the shape
each takes and gives, drawn by Graphviz. (The op-level graph is ``model.graph().to_dot()``
and, interactive, ``widgets.GraphView``.)

Drawn as Keras 3 draws them: a box per layer (a shared layer once, with an edge per use),
``name (Class)`` on top, then "Input shape" and "Output shape" cells; functional models show
their InputLayers, Sequential models don't; a subclassed model is one box.
"""

import html
import os
import shutil
import tempfile

from .errors import format_shape

__all__ = ["model_to_dot", "plot_model"]

INSTALL = ("Fix: install Graphviz's `dot` program — `make setup` does, or "
           "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
           "`conda install -c conda-forge graphviz` — then restart the kernel. "
           "model.summary() shows the same shapes without it.")
FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "dot")


def _shape(shape):
    if shape is None:
        return "?"
    if shape and isinstance(shape[0], (list, tuple)):         # several inputs
        return "[" + ", ".join(format_shape(tuple(s)) for s in shape) + "]"
    return format_shape(tuple(shape))


def _cell(text, bold, color="white", font="black"):
    return (f'<td bgcolor="{color}"><font point-size="14" color="{font}">{html.escape(text)}'
            f'<b>{html.escape(bold)}</b></font></td>')


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    """An HTML-like table: the name row, then one row of the cells asked for."""
    kind = type(layer).__name__
    title = (f"<b>{html.escape(layer.name)}</b> ({kind})" if show_layer_names
             else f"<b>{kind}</b>")
    cells = []
    if show_shapes:
        if kind != "InputLayer":
            cells.append(_cell("Input shape: ", _shape(layer.input_shape)))
        cells.append(_cell("Output shape: ", _shape(layer.output_shape)))
    if show_dtype:
        cells.append(_cell("Output dtype: ", str(getattr(layer, "dtype", None) or "?")))
    if show_trainable and layer.weights:
        cells.append(_cell("", "Trainable", "forestgreen", "white") if layer.trainable else
                     _cell("", "Non-trainable", "firebrick", "white"))
    span = max(1, len(cells))
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" '
            f'color="white">{title}</font></td></tr>']
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = getattr(activation, "__name__", None) or str(activation)
        rows.append(f'<tr><td bgcolor="white" colspan="{span}"><font point-size="14">'
                    f"Activation: <b>{html.escape(name)}</b></font></td></tr>")
    if cells:
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _is_graph(model):
    from .models import Sequential
    return isinstance(model, Sequential) or getattr(model, "_functional", False)


def _draw(dot, model, options, expand_nested, prefix=""):
    """Add model's layers and edges to `dot`; returns (entry nodes, exit nodes), the boxes
    an edge into or out of this model attaches to."""
    from .models import InputLayer, Sequential

    def node_of(layer):
        return f"{prefix}{id(layer)}"

    ends = {}                                   # nested model -> its (entries, exits)
    sequential = isinstance(model, Sequential)
    layers = [l for l in model.layers if not (sequential and isinstance(l, InputLayer))]
    for layer in layers:
        if expand_nested and _is_graph(layer):
            with dot.subgraph(name=f"cluster_{node_of(layer)}") as sub:
                sub.attr(label=layer.name, labeljust="l", style="dashed")
                ends[id(layer)] = _draw(sub, layer, options, True, node_of(layer) + "_")
        else:
            dot.node(node_of(layer), _label(layer, **options), fontname="Helvetica",
                     shape="plaintext", margin="0")

    def entries(layer):
        return ends.get(id(layer), ([node_of(layer)], None))[0]

    def exits(layer):
        return ends.get(id(layer), (None, [node_of(layer)]))[1]

    edges = []
    if sequential:
        edges = list(zip(layers, layers[1:]))
        first, last = layers[:1], layers[-1:]
    else:
        for call in model._calls:
            for t in call.inputs:
                edges.append((t.history.layer, call.layer))
        first = [t.history.layer for t in model.inputs]
        last = [t.history.layer for t in model.outputs]
    seen = set()
    for src, dst in edges:
        for a in exits(src):
            for b in entries(dst):
                if (a, b) not in seen:
                    seen.add((a, b))
                    dot.edge(a, b, penwidth="2")
    return ([n for l in first for n in entries(l)], [n for l in last for n in exits(l)])


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """The model's layers as a ``graphviz.Digraph`` (Keras returns a pydot graph; this one
    shows itself in a notebook and has ``.source``, ``.render()`` and ``.pipe()``).

    ``expand_nested=True`` draws a model used as a layer as a dashed box of its own layers.
    """
    import graphviz

    from .models import Model

    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {sorted(kwargs)}. "
                         "Fix: see help(tk.utils.model_to_dot) for the arguments it takes.")
    if not isinstance(model, Model):
        raise TypeError(f"model_to_dot draws a model (tk.Sequential or tk.Model), not "
                        f"{type(model).__name__}. Fix: wrap the layers in tk.Sequential([...]).")
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data, or start it "
                         "with tk.Input(shape=...).")
    if _is_graph(model) and getattr(model, "_build_shapes", None) is not None:
        model(model._symbolic_inputs())              # fill in every layer's shapes
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations,
                   show_trainable=show_trainable)
    if subgraph:
        dot = graphviz.Digraph(name=f"cluster_{model.name}",
                               graph_attr={"label": model.name, "labeljust": "l",
                                           "style": "dashed"})
    else:
        dot = graphviz.Digraph(name=model.name, graph_attr={
            "rankdir": rankdir, "concentrate": "true", "dpi": str(dpi), "splines": splines})
    if _is_graph(model):
        _draw(dot, model, options, expand_nested)
    else:                                             # subclassed: one box, as Keras
        dot.node(str(id(model)), _label(model, **options), fontname="Helvetica",
                 shape="plaintext", margin="0")
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw the model's layers into `to_file` (its extension picks the format: png, svg,
    pdf, jpg...), as ``keras.utils.plot_model``; in a notebook the picture is returned, so
    it shows under the cell. ``show_shapes=True`` writes each layer's input and output
    shape (batch as None) in its box."""
    to_file = os.fspath(to_file)
    ext = os.path.splitext(to_file)[1][1:].lower() or "png"
    if ext not in FORMATS:
        raise ValueError(f"plot_model can't write a {ext!r} file ({to_file!r}). Expected one "
                         f"of {', '.join(FORMATS)}. Fix: to_file='model.png'.")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines, **kwargs)
    if ext == "dot":
        data = dot.source.encode()
    else:
        if shutil.which("dot") is None:
            raise RuntimeError("plot_model needs Graphviz's `dot` program to draw the model, "
                               "and it was not found. " + INSTALL)
        data = dot.pipe(format="jpeg" if ext == "jpg" else ext)
    folder = os.path.dirname(os.path.abspath(to_file))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".plot_model-", suffix="." + ext)
    try:                                  # written whole or not at all: an old plot survives
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, to_file)
    except BaseException:
        os.unlink(tmp)
        raise
    try:
        from IPython import display
    except ImportError:
        return None
    if ext == "svg":
        return display.SVG(filename=to_file)
    if ext in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=to_file)
    return None
