"""Models: Sequential, the functional Model(inputs, outputs), and subclassed models.

Every model knows its shapes before data: ``summary()`` and ``graph()`` run the model on
symbolic inputs (batch None), so no row ever says "multiple".
"""

import numpy

from .errors import ShapeError, format_shape
from .graph import Trace
from .layers.base import Layer, LayerCall, notify, unique_name
from .tensor import FUNCTIONAL_HOOK, Tensor, symbolic, tensor
from .training import Trainer

__all__ = ["Input", "InputLayer", "Model", "Sequential", "load_model", "load_tfjs",
           "model_from_json", "save_model", "clone_model"]


class InputLayer(Layer):
    """Where data enters a model: it only declares the shape (batch axis left out)."""

    def __init__(self, shape=None, batch_size=None, dtype="float32", name=None,
                 input_shape=None, **kwargs):
        shape = shape if shape is not None else input_shape
        if shape is None:
            raise ValueError("InputLayer needs a shape, e.g. InputLayer(shape=(784,)). "
                             "Received: shape=None")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(n is not None and (not isinstance(n, (int, numpy.integer)) or n <= 0)
               for n in shape):
            raise ValueError(f"Input shape sizes must be positive integers or None. "
                             f"Received: shape={shape}. Leave the batch axis out: "
                             "Input(shape=(28, 28, 1)) for 28x28 grey images.")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.shape = (batch_size,) + shape
        self.built = True
        tensor = symbolic(self.shape, dtype=dtype, name=self.name)
        tensor.history = self.__dict__["_first_call"] = LayerCall(self, [], [tensor])
        self.input_shape = self.output_shape = self.shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {**super().get_config(), "shape": list(self.shape[1:]),
                "batch_size": self.shape[0]}


class OpLayer(Layer):
    """An op applied to functional-model tensors (``x + y``), replayed as a layer."""

    def __init__(self, op, args, attrs):
        super().__init__(name=unique_name(op.name))
        self.op, self.args, self.attrs = op, args, attrs     # args: None where a layer feeds

    def call(self, inputs):
        given = iter(inputs if isinstance(inputs, list) else [inputs])
        return self.op(*[next(given) if a is None else a for a in self.args], **self.attrs)


def _record_op(op, inputs, attrs, out):
    from .layers.base import LayerCall
    fed = [t for t in inputs if t.history is not None]
    layer = OpLayer(op, [None if t.history is not None else t for t in inputs], attrs)
    layer.built = True
    out.history = LayerCall(layer, fed, [out])


FUNCTIONAL_HOOK.append(_record_op)


def Input(shape=None, batch_size=None, dtype="float32", name=None):
    """A symbolic tensor standing for the model's input: ``tk.Input(shape=(784,))``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name).output


def _what(x):
    if isinstance(x, type):
        return f"class {x.__name__}"
    return f"single {type(x).__name__}"


def _flatten(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Model(Trainer, Layer):
    """``Model(inputs, outputs)`` for a graph of layers, or subclass it and write ``call``."""

    _mask_from_outputs = True       # the output keeps its last layer's mask, as Keras

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        if name is None and inputs is not None and type(self) is Model:
            name = unique_name("functional")                  # Keras 3's name for these
        super().__init__(name=name, **kwargs)
        self._functional = inputs is not None
        if self._functional:
            if outputs is None:
                raise ValueError("Model(inputs, outputs) needs outputs: the tensors the "
                                 "layers produced from the inputs.")
            self._init_graph(inputs, outputs)

    # ---- the functional graph -----------------------------------------------------------
    def _init_graph(self, inputs, outputs):
        self._single_input = not isinstance(inputs, (list, tuple))
        self._single_output = not isinstance(outputs, (list, tuple))
        self.inputs, self.outputs = _flatten(inputs), _flatten(outputs)
        for t in self.inputs:
            if not isinstance(t, Tensor) or t.history is None or \
                    not isinstance(t.history.layer, InputLayer):
                raise TypeError("Model inputs must come from tk.Input(shape=...). Received: "
                                f"{t!r:.80}")
        known = {id(t) for t in self.inputs}
        calls, seen = [], set()

        def visit(t, path):
            if id(t) in known:
                return
            call = t.history if isinstance(t, Tensor) else None
            if call is None or isinstance(call.layer, InputLayer):
                raise ValueError(
                    f"Model output depends on a tensor that is not computed from the model's "
                    f"inputs ({path}). Fix: pass every tk.Input the outputs use in inputs=[...].")
            if id(call) in seen:
                return
            for inp in call.inputs:
                visit(inp, f"{call.layer.name} <- " + path)
            seen.add(id(call))
            calls.append(call)

        for out in self.outputs:
            visit(out, "output")
        self._calls = calls
        layers = [t.history.layer for t in self.inputs]
        for call in calls:
            if all(call.layer is not l for l in layers):
                layers.append(call.layer)
        self._layers = layers
        self._build_shapes = [t.shape for t in self.inputs]
        shapes = [[tuple(t.shape) for t in ends] for ends in (self.inputs, self.outputs)]
        self.input_shape, self.output_shape = (s[0] if len(s) == 1 else s for s in shapes)
        self.built = True

    @property
    def layers(self):
        return list(self._layers)

    # ---- its graph's ends, as Keras: tk.Model(model.input, model.layers[2].output) --------
    @property
    def input(self):
        """The model's input tensor (a list for several), from tk.Input."""
        inputs = self._graph_ends("inputs")
        return inputs[0] if len(inputs) == 1 else list(inputs)

    @property
    def output(self):
        """The model's output tensor (a list for several)."""
        outputs = self._graph_ends("outputs")
        return outputs[0] if len(outputs) == 1 else list(outputs)

    def _graph_ends(self, which):
        """self.inputs or self.outputs, or an error saying why the model has none."""
        if isinstance(self, Sequential):
            ends = getattr(self, which)
            if ends is None:
                raise AttributeError(
                    f"Sequential model {self.name!r} has no {which[:-1]} tensor yet: its input "
                    "shape is not known. Fix: start it with tk.Input(shape=...), or call it on "
                    "data once.")
            return ends
        if not self._functional:
            raise AttributeError(
                f"Model {self.name!r} has no {which[:-1]} tensor: it is a subclassed model, "
                "whose call can do anything. Fix: build it from tk.Input and layers "
                "(Sequential or functional) to take a layer's output out of it.")
        return self.__dict__[which]

    def call(self, inputs, training=None):
        if not self._functional:
            raise NotImplementedError(f"{type(self).__name__} must define call(inputs).")
        given = _flatten(inputs)
        if len(given) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' takes {len(self.inputs)} input(s) but "
                             f"received {len(given)}.")
        values = {id(s): v for s, v in zip(self.inputs, given)}
        for s, v in zip(self.inputs, given):
            _check_model_input(self, s.shape, v.shape)
        for call in self._calls:
            first, args, kwargs = call.arguments([values[id(t)] for t in call.inputs])
            out = call.layer(first, *args, training=training, **kwargs)
            for s, v in zip(call.outputs, _flatten(out)):
                values[id(s)] = v
        outs = [values[id(t)] for t in self.outputs]
        return outs[0] if self._single_output else outs

    # ---- shapes before data ------------------------------------------------------------
    def _symbolic_inputs(self):
        shapes = self._build_shapes
        if shapes is None:
            raise ValueError(
                f"Model '{self.name}' does not know its input shape yet. Fix: start it with "
                "tk.Input(shape=...) (or layers.InputLayer), or call it once on data.")
        if isinstance(shapes, list):
            return [symbolic((None,) + tuple(s[1:])) for s in shapes]
        return symbolic((None,) + tuple(shapes[1:]))

    def build(self, input_shape):
        if self._build_shapes is None:
            self._build_shapes = input_shape
        self.built = True

    def graph(self):
        """The op graph of one call on symbolic inputs (batch None), for widgets."""
        with Trace() as g:
            self(self._symbolic_inputs())
        return g

    def summary(self, expand_nested=False, print_fn=None, as_dict=False):
        """A table of layers: input and output shapes (batch None), params, trainable."""
        self(self._symbolic_inputs())
        data = _summary_data(self, expand_nested)
        if as_dict:
            return data
        text = _summary_text(data)
        (print_fn or print)(text)

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r} in model '{self.name}'. Its layers: "
                         f"{[l.name for l in self.layers]}")

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(self, Sequential) and isinstance(inputs, (list, tuple)) and \
                not any(isinstance(t, Tensor) for t in inputs):
            inputs = tensor(inputs)             # model([[1., 2.]]): one batch, as Keras
        if not self._functional and self._build_shapes is None:
            given = _flatten(inputs)
            shapes = [tuple(getattr(t, "shape", numpy.shape(t))) for t in given]
            self._build_shapes = shapes if isinstance(inputs, (list, tuple)) else shapes[0]
        return super().__call__(inputs, *args, **kwargs)

    def get_config(self):
        return {**Layer.get_config(self)}

    # ---- files (tensorkit/saving.py) ----------------------------------------------------
    def to_json(self, **json_options):
        """The architecture as a JSON string (no weights): tk.models.model_from_json(s)."""
        from .saving import model_to_json
        return model_to_json(self, **json_options)

    def save(self, path, format=None):
        """Write architecture, weights and optimizer state to one file (e.g. model.tkmodel);
        ``format="tfjs"``: a TensorFlow.js Layers model folder (see tk.export.to_tfjs)."""
        if format == "tfjs":
            from .export import to_tfjs
            return to_tfjs(self, path)
        if format not in (None, "tensorkit"):
            raise ValueError(f"Model.save writes format=None (a tensorkit file) or 'tfjs'. "
                             f"Received: format={format!r}")
        from .saving import save_model
        save_model(self, path)

    def save_weights(self, path):
        from .saving import save_weights
        save_weights(self, path)

    def load_weights(self, path):
        from .saving import load_weights
        load_weights(self, path)


def _check_model_input(model, want, got, what=None):
    want, got = tuple(want), tuple(got)
    if want[1:] == got[1:] and len(want) == len(got):      # the common case, checked fast
        return
    if len(want) == len(got) and all(a is None or b is None or a == b
                                     for a, b in zip(want[1:], got[1:])):
        return
    from .layers.base import _input_fix
    where = f" as {what}" if what else ""
    fix = _input_fix(got, want)
    if got == want[1:-1] and len(want) > 2 and want[-1] == 1:   # one image, no batch/channel
        fix = "one sample without its batch and channel axes: pass x[None, ..., None]."
    elif fix.startswith("reshape your data") and not got:
        fix = f"pass a batch, e.g. x of shape {format_shape((1,) + want[1:])}."
    elif fix.startswith("reshape your data"):           # data, not a layer, to change here
        fix = (f"give {what or 'the input'} the shape (samples, "
               f"{', '.join(map(str, want[1:]))})")
        fix += (f", or build the model for {format_shape((None,) + got[1:])} "
                f"(tk.Input(shape={got[1:]}))." if len(got) == len(want) else ".")
    raise ShapeError(f"the model expects input of shape {format_shape(want)} but received "
                     f"{format_shape(got)}{where}.",
                     expected=f"shape {format_shape(want)} (any batch size)",
                     fix=fix, layer=model.name)


class Sequential(Model):
    """A stack of layers, each feeding the next: ``tk.Sequential([Dense(64), Dense(10)])``."""

    def __init__(self, layers=None, name=None, **kwargs):
        if isinstance(layers, (Layer, Tensor)) or (isinstance(layers, type) and
                                                    issubclass(layers, Layer)):
            more = " and more layers" if name is not None and not isinstance(name, str) else ""
            raise TypeError(f"Sequential takes one list of layers, but got a "
                            f"{_what(layers)}{more} on its own. Fix: put them in square "
                            "brackets: tk.Sequential([layers.Dense(64), layers.Dense(10)]).")
        super().__init__(name=name, **kwargs)
        self._layers = []
        self._input_layer = None
        self._graph_outs = []              # each layer's output, from the Input's tensor on
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._layers)

    @property
    def inputs(self):
        """[the Input tensor] once the input shape is known (else None), as Keras."""
        return None if not self._graph() else [self._input_layer.output]

    @property
    def outputs(self):
        """[the last layer's output on that tensor] once the input shape is known."""
        return None if not self._graph() else [self._graph_end()]

    def _shapes_from_graph(self):
        """The model's shapes and built state from its graph's ends, without calling every
        layer again on a fresh symbolic input (that made n adds cost n² layer calls)."""
        self.built = True
        io = self.__dict__
        io["_input_shape"] = io["_built_input_shape"] = tuple(self._input_layer.shape)
        io["_output_shape"] = tuple(self._graph_end().shape)

    def _graph_end(self):
        return self._graph_outs[-1] if self._graph_outs else self._input_layer.output

    def _graph(self):
        """The layers called one after the other on the Input's tensor (made here when the
        shape came from data or input_shape=), so each layer's .input and .output lead back
        to model.input, as in Keras. False while the input shape is unknown."""
        if self._input_layer is None:
            if not isinstance(self._build_shapes, tuple):
                return False
            self._input_layer = InputLayer(shape=self._build_shapes[1:])
            self._graph_outs = []
        while len(self._graph_outs) < len(self._layers):
            self._graph_outs.append(self._layers[len(self._graph_outs)](self._graph_end()))
        return True

    def add(self, layer):
        """Put `layer` on top of the stack (a tk.Input(...) tensor sets the input shape)."""
        if isinstance(layer, Tensor) and layer.history is not None and \
                isinstance(layer.history.layer, InputLayer):
            layer = layer.history.layer
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input can only come first in a Sequential model.")
            self._input_layer = layer
            self._build_shapes = layer.shape
            notify(self, "add")
            return
        if isinstance(layer, type) and issubclass(layer, Layer):
            example = "Dense(10)" if layer.__name__ == "Dense" else f"{layer.__name__}(...)"
            raise TypeError(f"Sequential got the class {layer.__name__}, not a layer made from "
                            f"it. Fix: call it with its arguments: layers.{example}.")
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add takes a layer, received {type(layer).__name__}: "
                            f"{layer!r:.60}. Fix: e.g. model.add(tk.layers.Dense(10)).")
        if any(layer is l for l in self._layers):
            raise ValueError(f"Layer '{layer.name}' is already in this model.")
        if not self._layers and self._build_shapes is None and layer._build_shapes is not None:
            self._build_shapes = layer._build_shapes           # Dense(4, input_shape=(8,))
        self._layers.append(layer)
        if self._build_shapes is not None and self._graph():   # build now, shapes known
            self._shapes_from_graph()
        notify(self, "add")

    def pop(self):
        """Remove the top layer (e.g. a pretrained model's head) and return it."""
        if not self._layers:
            raise ValueError(f"Model '{self.name}' has no layers to pop.")
        layer = self._layers.pop()
        self.output_shape = None
        del self._graph_outs[len(self._layers):]         # the graph ends one layer lower
        if self._layers and self._input_layer is not None:
            self._shapes_from_graph()                   # output_shape of the new top
        notify(self, "pop")
        return layer

    def __getitem__(self, index):
        return self._layers[index]

    def __len__(self):
        return len(self._layers)

    def call(self, inputs, training=None):
        if self._build_shapes is not None:
            _check_model_input(self, self._build_shapes, inputs.shape)
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x


# ---- summary --------------------------------------------------------------------------
def _summary_data(model, expand_nested, depth=0):
    rows = []
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue
        params = layer.count_params() if layer.built else 0
        trainable = sum(int(numpy.prod(w.shape)) for w in layer.trainable_weights)
        rows.append({"name": layer.name, "type": type(layer).__name__, "depth": depth,
                     "input_shape": _plain_shape(layer.input_shape),
                     "output_shape": _plain_shape(layer.output_shape),
                     "params": params, "trainable_params": trainable,
                     "trainable": bool(layer.trainable)})
        if expand_nested and isinstance(layer, Model):
            rows.extend(_summary_data(layer, True, depth + 1)["layers"])
    weights = model.weights
    total = sum(int(numpy.prod(w.shape)) for w in weights)
    trainable = sum(int(numpy.prod(w.shape)) for w in model.trainable_weights)
    return {"name": model.name, "type": type(model).__name__, "layers": rows,
            "total_params": total, "trainable_params": trainable,
            "non_trainable_params": total - trainable}


def _plain_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [list(s) for s in shape]
    return list(shape)


def _shape_text(shape):
    if shape is None:
        return "?"
    if shape and isinstance(shape[0], list):
        return ", ".join(format_shape(tuple(s)) for s in shape)
    return format_shape(tuple(shape))


def _summary_text(data):
    header = ["Layer (type)", "Input Shape", "Output Shape", "Param #", "Trainable"]
    rows = [["  " * r["depth"] + f"{r['name']} ({r['type']})", _shape_text(r["input_shape"]),
             _shape_text(r["output_shape"]), f"{r['params']:,}",
             "Y" if r["trainable"] else "N (frozen)"] for r in data["layers"]]
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.rjust(w) if i == 3 else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "-" * len(line(header))
    out = [f'Model: "{data["name"]}"', rule, line(header), "=" * len(rule)]
    out += [line(r) for r in rows] or ["(no layers)"]
    out += [rule, f"Total params: {data['total_params']:,}",
            f"Trainable params: {data['trainable_params']:,}",
            f"Non-trainable params: {data['non_trainable_params']:,}"]
    return "\n".join(out)


def load_model(path, safe_mode=True):
    from .saving import load_model as _load
    return _load(path, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """A model with fresh weights from model.to_json()'s string (nothing in it is run)."""
    from .saving import model_from_json as _from_json
    return _from_json(json_string, custom_objects)


def load_tfjs(directory):
    """A model from a TensorFlow.js Layers folder (model.json + shards): tk.export.load_tfjs."""
    from .export import load_tfjs as _load
    return _load(directory)


def save_model(model, filepath, overwrite=True):
    """``model.save(filepath)``, as ``keras.models.save_model``; ``overwrite=False`` refuses to
    replace an existing file."""
    import os
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False. Fix: pick another "
                              "name, or pass overwrite=True to replace it.")
    model.save(filepath)


def _fresh_copy(layer):
    """Keras' default clone_function: the same class and config, new weights."""
    if isinstance(layer, OpLayer):
        return layer                                  # a raw op between layers: no weights
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False):
    """A new model with the same layers wired the same way and freshly initialized weights,
    as ``keras.models.clone_model``. `clone_function(layer)` makes each new layer (e.g. to
    keep some: ``lambda l: l if l.name == "body" else ...``); `recursive=True` clones the
    models inside too; `input_tensors` (tk.Input tensors) replace a functional model's
    inputs. A layer shared by several calls is cloned once and shared again."""
    if call_function is not None:
        raise ValueError("clone_model's call_function is not supported by tensorkit. Fix: "
                         "clone, then wrap the calls you want to change in your own layer.")
    make = clone_function or _fresh_copy
    memo = {}

    def clone(layer):
        if id(layer) not in memo:
            memo[id(layer)] = (clone_model(layer, clone_function=clone_function,
                                           recursive=True)
                               if recursive and isinstance(layer, Model) and
                               (isinstance(layer, Sequential) or layer._functional)
                               else make(layer))
        return memo[id(layer)]

    if isinstance(model, Sequential):
        if input_tensors is not None:
            raise ValueError("input_tensors is for functional models. Fix: clone the "
                             "Sequential, then call it on your tensor.")
        start = [] if model._input_layer is None else [Input(
            shape=model._input_layer.shape[1:], batch_size=model._input_layer.shape[0],
            dtype=model._input_layer.dtype)]
        return Sequential(start + [clone(layer) for layer in model.layers], name=model.name)
    if not isinstance(model, Model) or not model._functional:
        raise ValueError(f"clone_model takes a Sequential or functional model; "
                         f"{type(model).__name__} is a subclassed model, whose call can do "
                         "anything. Fix: create a new instance of your class instead.")
    inputs = [Input(shape=t.shape[1:], dtype=t.dtype) for t in model.inputs] \
        if input_tensors is None else _flatten(input_tensors)
    if len(inputs) != len(model.inputs):
        raise ValueError(f"model takes {len(model.inputs)} input(s) but input_tensors has "
                         f"{len(inputs)}. Fix: one tk.Input per model input.")
    values = {id(old): new for old, new in zip(model.inputs, inputs)}
    for call in model._calls:
        first, args, kwargs = call.arguments([values[id(t)] for t in call.inputs])
        out = clone(call.layer)(first, *args, **kwargs)
        for old, new in zip(call.outputs, _flatten(out)):
            values[id(old)] = new
    outputs = [values[id(t)] for t in model.outputs]
    return Model(inputs[0] if model._single_input else inputs,
                 outputs[0] if model._single_output else outputs, name=model.name)
