"""The Layer base class: Keras' lifecycle (``__init__`` -> ``build`` -> ``call``) with shapes.

A layer validates its arguments in ``__init__``, creates weights in ``build(input_shape)``
the first time it is called, and runs ``call`` inside a layer scope so every op it runs is
recorded with the layer's name. Called on symbolic tensors (``tk.symbolic((None, 784))``)
it computes output shapes with no data, which is how summaries and graphs are made.
"""

import functools
import inspect
import re
from collections import defaultdict

import numpy

from .. import activations, backend, constraints, initializers, ops, regularizers
from ..errors import ShapeError, closest, format_shape
from ..graph import STATE, layer_scope
from ..tensor import Tensor, as_dtype, symbolic, tensor

_name_counts = defaultdict(int)
OBSERVERS = []      # callables (layer, change) told of trainable/add/pop: notebook widgets redraw


def notify(layer, change):
    for observer in list(OBSERVERS):
        observer(layer, change)


def clear_session():
    """Restart automatic layer names (dense, dense_1, ...), as ``keras.backend.clear_session``."""
    _name_counts.clear()


def unique_name(prefix):
    n = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def snake_case(name):
    """Keras' automatic-name rule: ``Conv2DTranspose`` -> ``conv2d_transpose``."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class Variable(Tensor):
    """A layer's weight: a tensor that training updates in place."""

    __slots__ = ("trainable", "layer", "constraint")

    def __init__(self, value, name, trainable=True):
        super().__init__(value, tuple(value.shape), value.dtype, None, None, trainable, name)
        self.trainable = trainable
        self.constraint = None          # applied by the optimizer after each step (Keras')

    def assign(self, value):
        """Replace the values (same shape), keeping this weight's identity."""
        arr = value.data if isinstance(value, Tensor) else value
        if tuple(numpy.shape(arr)) != self.shape:
            raise ShapeError(f"cannot assign values of shape {format_shape(numpy.shape(arr))} "
                             f"to the weight '{self.name}' of shape {format_shape(self.shape)}.",
                             expected=f"shape {format_shape(self.shape)}",
                             fix="pass values of the weight's own shape.")
        xp = backend.array_module(self.data)
        # into the same array, not a new one: an optimizer may hold this weight's data as
        # a view into its flat array of all the weights it trains
        self.data[...] = xp.asarray(arr, dtype=self.dtype)


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)):
        return [_as_tensor(t) for t in x]
    return tensor(x)


def _shape_of(x):
    return [_shape_of(t) for t in x] if isinstance(x, (list, tuple)) else x.shape


def _not_inputs(outputs, inputs):
    """The outputs, with any that *is* an input (Dropout at inference, Identity) made a new
    tensor on the same data and graph node: the call's mask and history then go on it, not
    on the input (which would loop a functional model's graph back on itself)."""
    given = inputs if isinstance(inputs, (list, tuple)) else (inputs,)
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(_fresh(t) if any(t is g for g in given) else t for t in outputs)
    return _fresh(outputs) if any(outputs is g for g in given) else outputs


def _fresh(t):
    if t.node is None and t.requires_grad:              # a leaf: keep its gradient path
        return ops.cast(t, t.dtype)
    return Tensor(t.data, t.shape, t.dtype, t.dims, t.node, t.requires_grad, t.name)


class LayerCall:
    """One call of a layer in a functional graph: which tensors went in and came out.

    `inputs` lists every tensor the call used: the first argument's, then any passed as
    extra arguments (``mha(query, value)``); `args`/`kwargs` hold SLOT where those went.
    """

    __slots__ = ("layer", "inputs", "outputs", "args", "kwargs", "first_is_list", "n_first")

    def __init__(self, layer, first, outputs, args=(), kwargs=None):
        self.layer, self.outputs = layer, outputs
        self.first_is_list = isinstance(first, list)
        firsts = first if self.first_is_list else [first]
        self.n_first = len(firsts)
        extra = [a for a in args if isinstance(a, Tensor)]
        kwargs = kwargs or {}
        extra += [v for v in kwargs.values() if isinstance(v, Tensor)]
        self.inputs = list(firsts) + extra
        self.args = tuple(SLOT if isinstance(a, Tensor) else a for a in args)
        self.kwargs = {k: SLOT if isinstance(v, Tensor) else v for k, v in kwargs.items()}

    def arguments(self, values):
        """The call's (first, args, kwargs) with `values` in place of its input tensors."""
        first = list(values[:self.n_first]) if self.first_is_list else values[0]
        rest = iter(values[self.n_first:])
        args = [next(rest) if a is SLOT else a for a in self.args]
        kwargs = {k: next(rest) if v is SLOT else v for k, v in self.kwargs.items()}
        return first, args, kwargs


SLOT = object()                                       # where a call's tensor argument went
_REGULARIZED = [0]        # how many penalties layers have had: 0 lets fit skip model.losses
_LOSS_HOLDERS = []        # layers whose add_loss values are not cleared yet


# ---- argument checks every layer shares ------------------------------------------------------

class ArgumentError(TypeError, ValueError):
    """An argument a layer does not take: a TypeError as Python's, a ValueError as Keras's."""


_LAYER_ARGS = ("name", "trainable", "dtype", "input_shape", "input_dim", "activity_regularizer")


def constrained(cls):
    """Keras' {weight}_constraint arguments of a layer class: argument name -> weight name
    (the weights that take a {weight}_regularizer take a constraint too, as in Keras)."""
    return {arg[:-len("regularizer")] + "constraint": weight
            for arg, weight in cls.regularized.items()}


def unrecognized_arguments(layer, kwargs):
    """The error for keyword arguments a layer does not take, with the nearest real name."""
    cls = layer if isinstance(layer, type) else type(layer)
    kind = cls.__name__
    known = [p for p in inspect.signature(cls.__init__).parameters
             if p not in ("self", "args", "kwargs")] + list(cls.regularized) + \
        list(constrained(cls)) + list(_LAYER_ARGS)
    hints = []
    for key, value in sorted(kwargs.items()):
        best = closest(key, known)
        if best is not None:
            hints.append(f"{best}={value!r}")
    fix = (f" Did you mean {', '.join(h.split('=')[0] for h in hints)}? Fix: "
           f"{kind}({', '.join(hints)}, ...)." if hints else
           f" {kind} takes: {', '.join(known)}.")
    return ArgumentError(f"{kind} got unexpected argument(s) {', '.join(sorted(kwargs))}: "
                         f"Unrecognized keyword arguments passed to {kind}: {kwargs!r}.{fix}")


def get_activation(layer, arg, value):
    """activations.get(value), with Keras' exact (lower-case) names and the layer named."""
    kind = type(layer).__name__
    if isinstance(value, str) and value not in activations._BY_NAME:
        best = closest(value, activations._BY_NAME)
        case = best is not None and best == value.lower()
        raise ValueError(
            f"{kind}: Unknown activation {value!r}"
            + (" (activation names are lower case, as in Keras)" if case else "") + ". "
            + (f"Did you mean {best!r}? Fix: {arg}={best!r}." if best else
               f"Expected one of {sorted(activations._BY_NAME)}, None or a function.")
            + f" Received: {arg}={value!r}")
    if value is not None and not isinstance(value, str) and not callable(value):
        raise ValueError(f"{kind} expects {arg} to be an activation name such as 'relu', None "
                         f"or a function. Received: {arg}={value!r}")
    return activations.get(value)


_INITIALIZER_ALIASES = {"zero": "zeros", "one": "ones", "normal": "random_normal"}   # Keras'


def get_initializer(layer, arg, value):
    """initializers.get(value), taking Keras' other spellings ('zero', 'GlorotUniform') and
    naming the layer and argument when the name is unknown."""
    if isinstance(value, type) and issubclass(value, initializers.Initializer):
        return value()                                  # the class: HeNormal, as Keras
    if callable(value):
        return value
    if isinstance(value, dict):                         # Keras' serialized form (a config)
        return initializers.get(value)
    kind, names = type(layer).__name__, initializers._BY_NAME
    if isinstance(value, str):
        key = _INITIALIZER_ALIASES.get(value, value)
        key = snake_case(key) if key[:1].isupper() else key     # Keras' class names
        if key in names:
            return initializers.get(key)
        best = closest(value, names)
        raise ValueError(f"{kind}: unknown initializer {value!r}. "
                         + (f"Did you mean {best!r}? Fix: {arg}={best!r}." if best else
                            f"Expected one of {sorted(names)} or a function of a shape.")
                         + f" Received: {arg}={value!r}")
    raise ValueError(f"{kind} expects {arg} to be an initializer name such as "
                     f"'glorot_uniform' or a function of a shape. Received: {arg}={value!r}")


def check_seed(layer, seed):
    """None or an integer, as Keras' seed arguments."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer))):
        raise ValueError(f"{type(layer).__name__} expects seed to be an integer (or None for a "
                         f"new draw each run). Received: seed={seed!r}. Fix: seed=42.")
    return seed


class Layer:
    """Base class of every layer (and of models, which are layers made of layers)."""

    def __new__(cls, *args, **kwargs):
        # A misspelt required argument (Conv2D(filter=8, ...)) fails before __init__ runs,
        # as "missing 1 required positional argument": name the misspelling instead.
        if kwargs:
            init = inspect.signature(cls.__init__)
            try:
                init.bind(None, *args, **kwargs)
            except TypeError:
                known = set(init.parameters) | set(cls.regularized) | \
                    set(constrained(cls)) | set(_LAYER_ARGS)
                unknown = {k: v for k, v in kwargs.items() if k not in known}
                if unknown:
                    raise unrecognized_arguments(cls, unknown) from None
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        # As Keras' build wrapper: a layer built by hand (layer.build(shape), e.g. to
        # set_weights before the first call) counts as built, so a call doesn't build anew.
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            build = cls.__dict__["build"]

            @functools.wraps(build)
            def built_build(self, input_shape, *args, **kw):
                build(self, input_shape, *args, **kw)
                self.built = True

            cls.build = built_build

    # Keras' {weight}_regularizer arguments a layer takes: argument name -> weight name
    # (the same weights take a {weight}_constraint argument: see constrained())
    regularized = {}

    def __init__(self, name=None, trainable=True, dtype="float32", input_shape=None,
                 activity_regularizer=None, **kwargs):
        penalties = {arg: regularizers.get(kwargs.pop(arg, None)) for arg in self.regularized}
        projections = {arg: constraints.get(kwargs.pop(arg, None))
                       for arg in constrained(type(self))}
        input_dim = kwargs.pop("input_dim", None)       # Keras: input_shape=(input_dim,)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if kwargs:
            raise unrecognized_arguments(self, kwargs)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = as_dtype(dtype)
        self.built = False
        self._trainable = bool(trainable)
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._layers = []                           # sublayers, in the order they were set
        self._input_shape = None                    # shapes of the last call (see input_shape)
        self._output_shape = None
        self.supports_masking = False
        if isinstance(input_shape, (int, numpy.integer)):      # input_shape=784, as Input's
            input_shape = (input_shape,)
        self._build_shapes = (None,) + tuple(input_shape) if input_shape is not None else None
        self._built_input_shape = None
        self._checked_shape = None                  # the last other input shape that passed
        for arg, value in {**penalties, **projections}.items():
            setattr(self, arg, value)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._penalties = []                        # (weight, regularizer) pairs
        self._losses = []                           # add_loss values of the last call
        if self.activity_regularizer is not None:
            _REGULARIZED[0] += 1
        params = inspect.signature(self.call).parameters
        self._call_params = set(params)
        # training=None resolves to the call's own default, as Keras: Dropout and
        # BatchNormalization infer, augmentation layers augment, a model passes None on
        default = params["training"].default if "training" in params else None
        self._training_default = None if default is inspect.Parameter.empty else default

    def __setattr__(self, name, value):
        """Track sublayers assigned as attributes (also lists of layers), as Keras does."""
        if not name.startswith("_") and (isinstance(value, Layer) or isinstance(
                value, (list, tuple)) and value and isinstance(value[0], Layer)):
            for layer in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(layer, Layer) and layer is not self and \
                        all(layer is not known for known in self._layers):
                    self._layers.append(layer)
        object.__setattr__(self, name, value)

    # ---- weights ----------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", trainable=True, dtype=None,
                   regularizer=None, constraint=None):
        """Create a weight of `shape`, filled by `initializer` (a Keras name or function);
        a `regularizer` (or the layer's ``{name}_regularizer`` argument) adds its penalty of
        the weight to ``layer.losses``; a `constraint` (or ``{name}_constraint``) projects
        the weight after every optimizer step."""
        if regularizer is None:
            arg = next((a for a, w in self.regularized.items() if w == name), None)
            regularizer = getattr(self, arg, None) if arg else None
        if constraint is None:
            arg = next((a for a, w in constrained(type(self)).items() if w == name), None)
            constraint = getattr(self, arg, None) if arg else None
        regularizer = regularizers.get(regularizer)
        values = initializers.get(initializer)(tuple(shape))
        arr = numpy.asarray(values, dtype=as_dtype(dtype or self.dtype))
        arr = backend.default_module().asarray(arr)
        var = Variable(arr, f"{self.name}/{name}", trainable)
        var.requires_grad = trainable and self._trainable
        var.layer = self
        var.constraint = constraints.get(constraint)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(var)
        if regularizer is not None:
            self._penalties.append((var, regularizer))
            _REGULARIZED[0] += 1
        return var

    # ---- losses beyond the compiled one (regularization, add_loss) ---------------------------
    def add_loss(self, loss):
        """Add a tensor (e.g. a VAE's KL term) to what training minimises, for this call."""
        self._losses.append(loss if isinstance(loss, Tensor) else tensor(loss))
        _LOSS_HOLDERS.append(self)

    @property
    def losses(self):
        """What fit adds to the loss for this layer and the layers inside it: each trainable
        weight's regularization penalty, and what add_loss (or an activity_regularizer)
        added during the last call. Scalar tensors, as Keras' ``layer.losses``."""
        out = []
        for layer in self._self_and_sublayers():
            out.extend(layer._losses)
            out.extend(regularizer(var) for var, regularizer in layer._penalties
                       if var.requires_grad)
        return out

    def _self_and_sublayers(self):
        found, stack, seen = [], [self], {id(self)}
        while stack:
            layer = stack.pop()
            found.append(layer)
            for sub in layer._layers:
                if id(sub) not in seen:
                    seen.add(id(sub))
                    stack.append(sub)
        return found

    def _clear_losses(self):
        for layer in self._self_and_sublayers():
            layer._losses = []
        _LOSS_HOLDERS[:] = [h for h in _LOSS_HOLDERS if h._losses]

    @property
    def weights(self):
        """All weights: this layer's (trainable first, as created), then its sublayers'."""
        out, seen = [], set()
        for w in self._trainable_variables + self._non_trainable_variables + \
                [w for layer in self._layers for w in layer.weights]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for w in self.weights if w.requires_grad]

    @property
    def non_trainable_weights(self):
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    # Keras 3's other names for the same lists
    variables = property(lambda self: self.weights, doc="The same list as ``weights``.")
    trainable_variables = property(lambda self: self.trainable_weights,
                                   doc="The same list as ``trainable_weights``.")
    non_trainable_variables = property(lambda self: self.non_trainable_weights,
                                       doc="The same list as ``non_trainable_weights``.")

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Freeze (False) or unfreeze this layer and every layer inside it."""
        self._trainable = bool(value)
        for w in self._trainable_variables:
            w.requires_grad = self._trainable and w.trainable
        for layer in self._layers:
            layer.trainable = value
        notify(self, "trainable")

    def get_weights(self):
        """The weights' values as NumPy arrays, in Keras' order."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, values):
        weights = self.weights
        values = list(values)
        if len(values) != len(weights):
            raise ValueError(
                f"Layer '{self.name}' has {len(weights)} weights "
                f"({', '.join(w.name for w in weights) or 'none'}) but set_weights received "
                f"{len(values)} arrays. Fix: pass one array per weight, in get_weights() order.")
        for w, v in zip(weights, values):
            v = numpy.asarray(v)
            if tuple(v.shape) != w.shape:
                raise ShapeError(
                    f"Layer '{self.name}': weight '{w.name}' has shape {format_shape(w.shape)} "
                    f"but set_weights received shape {format_shape(v.shape)}.",
                    expected=f"an array of shape {format_shape(w.shape)}",
                    fix="check the order (get_weights() gives it) and the layer's sizes.")
        for w, v in zip(weights, values):
            w.assign(v)

    def count_params(self):
        if not self.built:
            raise ValueError(f"Layer '{self.name}' has no weights yet: it builds them on its "
                             "first call. Fix: call it on data or tk.symbolic shapes first, or "
                             "give the model an Input.")
        return int(sum(numpy.prod(w.shape) for w in self.weights))

    @property
    def input_shape(self):
        """The last call's input shape as Keras reports it: any batch size (None)."""
        return _any_batch(self._input_shape)

    @input_shape.setter
    def input_shape(self, shape):
        self._input_shape = shape

    @property
    def output_shape(self):
        """The last call's output shape, with any batch size (None)."""
        return _any_batch(self._output_shape)

    @output_shape.setter
    def output_shape(self, shape):
        self._output_shape = shape

    # ---- lifecycle ---------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of `input_shape` (batch axis first, maybe None)."""
        self.built = True

    def call(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs)")

    def compute_output_shape(self, input_shape):
        """The output shape, worked out by running `call` on a symbolic tensor (no data)."""
        shapes = input_shape if isinstance(input_shape, list) else None
        if shapes is None:
            x = symbolic(tuple(input_shape), dtype=self._input_dtype())
        else:
            x = [symbolic(tuple(s)) for s in shapes]
        out = self(x)
        return [t.shape for t in out] if isinstance(out, (list, tuple)) else out.shape

    def _input_dtype(self):
        return "float32"

    _mask_from_outputs = False                          # Model: True

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def __call__(self, inputs, *args, training=None, mask=None, **kwargs):
        if _LOSS_HOLDERS and not STATE.layers:          # an outermost call starts afresh
            self._clear_losses()
        inputs = _as_tensor(inputs)
        if mask is None:
            mask = [t.mask for t in inputs] if isinstance(inputs, list) else inputs.mask
            if isinstance(mask, list) and all(m is None for m in mask):
                mask = None
        shape = _shape_of(inputs)
        if not self.built:
            with layer_scope(self.name):
                self.build(shape)
            self.built = True
        if shape != self._built_input_shape and shape != self._checked_shape:
            self._check_input(shape)                    # the shape it was built for passes
            if self._built_input_shape is not None:
                self._checked_shape = shape
        call_kwargs = dict(kwargs)
        if "training" in self._call_params:
            call_kwargs["training"] = self._training_default if training is None else \
                bool(training)
        if "mask" in self._call_params and mask is not None:
            call_kwargs["mask"] = mask
        scope = STATE.layers                            # as layer_scope, inlined: every call
        scope.append(self.name)
        try:                                            # the mask's ops belong to the layer too
            outputs = _not_inputs(self.call(inputs, *args, **call_kwargs), inputs)
            if self._mask_from_outputs:                 # a model: its last layers' masks
                out_mask = [getattr(t, "mask", None) for t in outputs] if isinstance(
                    outputs, (list, tuple)) else outputs.mask
            else:
                out_mask = self.compute_mask(inputs, mask)
            if self.activity_regularizer is not None:
                for t in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
                    if isinstance(t, Tensor) and t.data is not None:   # per sample, as Keras
                        penalty = self.activity_regularizer(t)
                        self.add_loss(penalty / t.shape[0] if t.shape and t.shape[0] else
                                      penalty)
        finally:
            scope.pop()
        if self._built_input_shape is None:
            self._built_input_shape = shape             # only once a call has worked
        if isinstance(outputs, Tensor) and not isinstance(out_mask, list):
            outputs.mask = out_mask
        else:
            outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            masks = out_mask if isinstance(out_mask, list) else \
                [out_mask] + [None] * (len(outs) - 1)
            for t, m in zip(outs, masks):               # RNN states get no mask, as in Keras
                if isinstance(t, Tensor):
                    t.mask = m
        # The shapes of this call, as they came: input_shape and output_shape report them
        # with any batch size. Set past __setattr__ (no sublayer to track): every call.
        io = self.__dict__
        io["_input_shape"] = shape
        io["_output_shape"] = _shape_of(list(outputs) if isinstance(outputs, tuple) else outputs)
        if _in_graph(inputs, args, kwargs):
            record = LayerCall(self, inputs,
                               list(outputs) if isinstance(outputs, (list, tuple)) else [outputs],
                               args, kwargs)
            for t in record.outputs:
                if isinstance(t, Tensor):
                    t.history = record
            io.setdefault("_first_call", record)       # Keras' node 0: layer.input/.output
        return outputs

    # ---- the tensors of the first call in a functional graph (Keras' node 0) ---------------
    def _first(self, what):
        record = self.__dict__.get("_first_call")
        if record is None:
            raise AttributeError(
                f"The layer {self.name!r} has never been called on tensors of a model "
                f"(tk.Input or a model's layers) and thus has no defined {what}. Fix: build the "
                "model from tk.Input(shape=...) first, e.g. tk.Sequential([tk.Input(shape="
                "(784,)), ...]).")
        return record

    @property
    def input(self):
        """The symbolic tensor(s) this layer took when first called in a model's graph: with
        ``output`` it cuts a model open, e.g. ``tk.Model(model.input, layer.output)``."""
        record = self._first("input")
        return record.inputs[0] if len(record.inputs) == 1 else list(record.inputs)

    @property
    def output(self):
        """The symbolic tensor(s) this layer gave when first called in a model's graph."""
        record = self._first("output")
        return record.outputs[0] if len(record.outputs) == 1 else list(record.outputs)

    def _check_input(self, shape):
        """Once built, inputs keep their rank and last axis (Keras' input spec); the batch,
        lengths and image sizes may change."""
        built_for = self._built_input_shape
        if built_for is None or isinstance(shape, list) or isinstance(built_for, list) or \
                not (self._trainable_variables or self._non_trainable_variables):
            return                                      # weightless layers take any shape
        if len(shape) != len(built_for) or (
                shape[-1] is not None and built_for[-1] is not None and
                shape[-1] != built_for[-1]):
            want = (None,) * (len(built_for) - 1) + (built_for[-1],)
            raise ShapeError(
                f"built for inputs of shape {format_shape(want)} but received "
                f"{format_shape(shape)}.",
                expected=f"inputs of rank {len(built_for)} whose last axis is {built_for[-1]}",
                fix=_input_fix(shape, built_for), layer=self.name)

    # ---- config ------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments (as Keras' get_config), enough to rebuild the layer."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype)}
        for arg in self.regularized:
            config[arg] = regularizers.serialize(getattr(self, arg))
        for arg in constrained(type(self)):
            config[arg] = constraints.serialize(getattr(self, arg))
        if self.regularized or self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _in_graph(inputs, args, kwargs):
    """Whether a call builds a functional graph: a tensor it used is symbolic or came
    from another layer call of such a graph (it has a history)."""
    used = inputs if isinstance(inputs, list) else [inputs]
    if args or kwargs:
        used = used + [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
    for t in used:
        if t.data is None or t.history is not None:
            return True
    return False


def _any_batch(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_any_batch(s) for s in shape]
    return (None,) + tuple(shape[1:]) if shape else shape


def _axis_order(got, want):
    """The order of got's axes that gives want (a tuple of indices), when got is want with
    its axes in another order (axes of equal size keep theirs); else None."""
    if len(got) != len(want) or got == want or None in got + want or sorted(got) != sorted(want):
        return None
    free, order = list(range(len(got))), []
    for n in want:
        order.append(next(i for i in free if got[i] == n))
        free.remove(order[-1])
    return tuple(order)


def _input_fix(got, want):
    """A concrete suggestion for the mistakes learners make with input shapes."""
    got, want = tuple(got), tuple(want)
    if len(got) == len(want) - 1 and tuple(got) == tuple(want[1:]):
        return "the batch axis is missing: pass x[None] (a batch of one) instead of x."
    if len(got) == len(want) - 1 and tuple(got[1:]) == tuple(want[1:-1]) and want[-1] == 1:
        return "the channel axis is missing: pass x[..., None]."
    if len(got) > 2 and len(want) == 2:
        return "flatten the input first: add layers.Flatten() before this layer."
    order = _axis_order(got[1:], want[1:])
    if order is not None:
        axes = (0,) + tuple(i + 1 for i in order)
        hint = " (channels-first images; tensorkit, like Keras, puts channels last)" \
            if axes == (0, 2, 3, 1) else ""
        return (f"the axes are in another order{hint}: pass x.transpose{axes}, which makes "
                f"{format_shape(got)} into {format_shape((got[0],) + want[1:])}.")
    if len(got) == len(want) - 1 and want[1] is None and got[1:] == want[2:]:
        return (f"the model was built for (batch, ?, {', '.join(map(str, want[2:]))}): an "
                f"Input(shape=...) leaves the batch axis out. If you meant the batch axis, "
                f"build it with tk.Input(shape={tuple(want[2:])}); if the None is a time axis, "
                f"give x one: x[:, None].")
    return (f"reshape your data to (batch, {', '.join(str(n) for n in want[1:])}), or build a "
            "new layer for the new shape.")
