"""The engine's core: Tensor, the one `apply` every op call goes through, and autograd.

An op is declared once (see ops/): a shape rule on tuples, a forward on arrays, and one
vector-Jacobian product per input. `apply` checks the shapes with the rule (also for
symbolic tensors, which have a shape but no data), runs the forward, checks its output
against the rule, and records a graph Node. `backward` runs the nodes newest first (a
reverse topological order, since inputs are always older) without recursion, so 100k-op
graphs are fine.
"""

from contextlib import contextmanager
from operator import attrgetter

import numpy

from . import backend
from .errors import DTypeError, GradientError, ShapeError, SymbolicTensorError, format_shape
from .graph import STATE, Node

OPS = {}                                            # name -> Op, filled by the ops modules
FUNCTIONAL_HOOK = []      # set by models: records ops on functional-model tensors as layers


class Op:
    """One operation: shape rule, forward and VJPs, side by side."""

    __slots__ = ("name", "shape", "forward", "vjps", "dims", "dtype", "variadic", "labels",
                 "saves", "doc")

    def __init__(self, name, shape, forward, vjps, dims=None, dtype=None, variadic=False,
                 labels=False, saves=False, doc=None):
        self.name = name
        self.shape = shape            # (*input_shapes, **attrs) -> output shape
        self.forward = forward        # (xp, *arrays, **attrs) -> array
        self.vjps = vjps              # per input: (xp, g, out, *arrays, **attrs) -> array, or None
        self.dims = dims              # (shapes, dims, **attrs) -> labels; None: keep or drop
        self.dtype = dtype            # (*dtypes, **attrs) -> dtype, for symbolic outputs
        self.variadic = variadic      # any number of inputs, one VJP called with index=i
        self.labels = labels          # the dims rule gives labels even to unlabelled inputs
        self.saves = saves            # forward returns (out, saved); VJPs get saved=...
        self.doc = doc

    def __call__(self, *inputs, **attrs):
        return apply(self, inputs, attrs)

    def __repr__(self):
        return f"<op {self.name}>"


def defop(name, shape, forward, *vjps, dims=None, dtype=None, variadic=False, labels=False,
          saves=False, doc=None):
    """Declare an op once and register it under `name`."""
    if name in OPS:
        raise ValueError(f"op {name!r} is declared twice")
    op = Op(name, shape, forward, vjps, dims=dims, dtype=dtype, variadic=variadic,
            labels=labels, saves=saves, doc=doc)
    OPS[name] = op
    return op


class Tensor:
    """A block of numbers with a shape, optional dim labels, and the op that made it."""

    __slots__ = ("data", "shape", "dtype", "dims", "node", "requires_grad", "grad", "name",
                 "mask", "history", "__weakref__")

    def __init__(self, data, shape, dtype, dims=None, node=None, requires_grad=False,
                 name=None):
        self.data = data              # numpy/cupy array, or None for a symbolic tensor
        self.shape = shape
        self.dtype = dtype
        self.dims = dims              # tuple of labels (None where unlabelled), or None
        self.node = node
        self.requires_grad = requires_grad
        self.grad = None
        self.name = name
        self.mask = None              # (batch, time) booleans from Embedding(mask_zero=True)
        self.history = None           # the layer call that made it (functional models)

    # ---- what it is ---------------------------------------------------------------
    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for s in self.shape:
            if s is None:
                return None
            n *= s
        return n

    @property
    def device(self):
        return "symbolic" if self.data is None else backend.device_of(self.data)

    @property
    def is_symbolic(self):
        return self.data is None

    @property
    def is_leaf(self):
        return self.node is None or not self.node.needs_grad

    @property
    def op(self):
        """Name of the op that made this tensor (None for data given directly)."""
        return self.node.op.name if self.node is not None else None

    def _need_data(self, what):
        if self.data is None:
            raise SymbolicTensorError(
                f"{what} needs data, but this is a symbolic tensor of shape "
                f"{format_shape(self.shape, self.dims)}: it only has a shape. Fix: call the "
                "same code on a real tensor (tk.tensor(...)) to get values.")
        return self.data

    def numpy(self):
        """The values as a NumPy array (copied from the GPU when needed)."""
        return backend.to_device(self._need_data(".numpy()"), "cpu")

    def item(self):
        data = self._need_data(".item()")
        if data.size != 1:
            raise ValueError(f".item() needs a tensor with exactly one element, but this one "
                             f"has shape {format_shape(self.shape)} ({data.size} elements). "
                             "Fix: reduce it first (e.g. .sum()) or index one element.")
        return data.item()

    def tolist(self):
        return self.numpy().tolist()

    def __array__(self, dtype=None, copy=None):
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a scalar tensor (shape ()): it has no axes, so no "
                            "length. Fix: use x.item() for its value, or x.shape / x.size "
                            "to see how big a tensor is.")
        if self.shape[0] is None:
            raise SymbolicTensorError("len() of a symbolic tensor whose first axis (the batch) "
                                      f"is unknown: shape {format_shape(self.shape, self.dims)}."
                                      " Fix: use x.shape[1:] for the known sizes, or call "
                                      "len() on real data.")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("cannot iterate over a scalar tensor (shape ()): it has no axis "
                            "to loop over. Fix: use x.item() for its value.")
        for i in range(len(self)):
            yield self[i]

    def __setitem__(self, index, value):
        raise TypeError(
            f"tensors cannot be changed in place (x[{_index_text(index)}] = ...), as in "
            "TensorFlow and TF.js: an op's inputs must stay as they were for backprop. Fix: "
            "make a new tensor, e.g. x = tk.where(mask, new_value, x), or edit a NumPy copy: "
            "a = x.numpy().copy(); a[...] = v; x = tk.tensor(a).")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # ndarray + Tensor, np.float32(2) * Tensor...: NumPy calls this; run our op
        name = _UFUNC_OPS.get(ufunc.__name__)
        if name is not None and method == "__call__" and not kwargs:
            return OPS[name](*inputs)
        tk_name = _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__)
        raise TypeError(
            f"np.{ufunc.__name__} was given a tensorkit Tensor; NumPy functions work on NumPy "
            f"arrays only and would lose the graph. Fix: use tk.{tk_name}(x) (it keeps the "
            f"gradient), or np.{ufunc.__name__}(x.numpy()) for plain values.")

    def __bool__(self):
        data = self._need_data("bool()")
        if data.size != 1:
            raise ValueError(f"The truth value of a tensor of shape {format_shape(self.shape)} "
                             "is ambiguous. Fix: use tk.all(...)/tk.any(...) or compare one "
                             "element.")
        return bool(data.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        """A 0-d integer tensor as a Python index: ``class_names[labels[i]]``, as NumPy."""
        data = self._need_data("an index")
        if data.ndim != 0 or data.dtype.kind not in "iub":
            raise TypeError(f"only a single integer (0-d int) tensor can be used as an index, "
                            f"not one of shape {format_shape(self.shape)} and dtype "
                            f"{self.dtype}. Fix: pick one element (t[0]) or int(t) after "
                            "rounding (tk.round(t)).")
        return int(data)

    __hash__ = object.__hash__

    # ---- autograd -----------------------------------------------------------------
    def backward(self, gradient=None):
        """Backpropagate from this tensor; leaves with requires_grad gain .grad.

        As in PyTorch, gradients add up: a second backward() adds to ``.grad``, so call
        ``x.zero_grad()`` (or use a fresh tensor) between steps."""
        for leaf, g in backprop(self, gradient).items():
            leaf.grad = Tensor(g, leaf.shape, g.dtype) if leaf.grad is None else \
                Tensor(leaf.grad.data + g, leaf.shape, g.dtype)

    def zero_grad(self):
        """Forget the accumulated gradient (``.grad`` becomes None)."""
        self.grad = None

    def detach(self):
        """The same values, cut from the graph: no gradient flows through it."""
        return Tensor(self.data, self.shape, self.dtype, self.dims, name=self.name)

    def requires_grad_(self, flag=True):
        if flag:
            _check_float(self.dtype, "requires_grad_()")
        self.requires_grad = flag
        return self

    # ---- display ------------------------------------------------------------------
    def __repr__(self):
        head = (f"Tensor(shape={format_shape(self.shape, self.dims)}, dtype={self.dtype}, "
                f"device={self.device}")
        if self.op:
            head += f", op={self.op}"
        if self.name:
            head += f", name={self.name!r}"
        if self.requires_grad:
            head += ", requires_grad=True"
        head += ")"
        if self.data is None:
            return head
        body = numpy.array2string(backend.to_device(self.data, "cpu"), threshold=200,
                                  edgeitems=3, precision=4)
        return head + "\n" + body

    def _repr_html_(self):
        from .display import tensor_html
        return tensor_html(self)

    # ---- operators: each one is an op from the tables -----------------------------
    def __add__(self, other): return OPS["add"](self, other)
    def __radd__(self, other): return OPS["add"](other, self)
    def __sub__(self, other): return OPS["sub"](self, other)
    def __rsub__(self, other): return OPS["sub"](other, self)
    def __mul__(self, other): return OPS["mul"](self, other)
    def __rmul__(self, other): return OPS["mul"](other, self)
    def __truediv__(self, other): return OPS["div"](self, other)
    def __rtruediv__(self, other): return OPS["div"](other, self)
    def __pow__(self, other): return OPS["pow"](self, other)
    def __rpow__(self, other): return OPS["pow"](other, self)
    def __matmul__(self, other): return OPS["matmul"](self, other)
    def __rmatmul__(self, other): return OPS["matmul"](other, self)
    def __neg__(self): return OPS["neg"](self)
    def __pos__(self): return self
    def __abs__(self): return OPS["abs"](self)
    def __lt__(self, other): return OPS["less"](self, other)
    def __le__(self, other): return OPS["less_equal"](self, other)
    def __gt__(self, other): return OPS["greater"](self, other)
    def __ge__(self, other): return OPS["greater_equal"](self, other)
    def __eq__(self, other): return OPS["equal"](self, other)
    def __ne__(self, other): return OPS["not_equal"](self, other)

    # __getitem__, .T, .reshape(), .sum(), ... are attached by ops/__init__.py, next to the
    # functions they call, so each has one definition.


def is_tensor(x):
    return isinstance(x, Tensor)


_UFUNC_OPS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div",
              "divide": "div", "power": "pow", "matmul": "matmul", "negative": "neg",
              "absolute": "abs", "less": "less", "less_equal": "less_equal",
              "greater": "greater", "greater_equal": "greater_equal", "equal": "equal",
              "not_equal": "not_equal"}
_UFUNC_NAMES = {"maximum": "maximum", "minimum": "minimum", "logical_and": "logical_and",
                "logical_or": "logical_or", "rint": "round", "subtract": "sub",
                "multiply": "mul", "divide": "div", "true_divide": "div", "negative": "neg",
                "power": "pow", "float_power": "pow", "absolute": "abs", "remainder": "mod"}


def _index_text(index):
    items = index if isinstance(index, tuple) else (index,)
    return ", ".join(":" if isinstance(i, slice) and i == slice(None) else
                     "..." if i is Ellipsis else f"{i!r:.20}" for i in items)


def _check_float(dtype, what):
    if numpy.dtype(dtype).kind != "f":
        raise DTypeError(f"{what}: only floating-point tensors can require gradients, but this "
                         f"one is {dtype} (integers have no small steps to differentiate). "
                         "Fix: make it a float tensor, e.g. tk.tensor([1.0, 2.0]) or "
                         "tk.tensor(x, dtype='float32').")


# ---- making tensors --------------------------------------------------------------------

def as_dtype(dtype):
    """A NumPy dtype from a name or type, or a DTypeError listing what works."""
    try:
        dt = numpy.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind not in "fiub":
        raise DTypeError(f"dtype={dtype!r} is not a tensor dtype. Expected one of "
                         "'float32', 'float64', 'float16', 'int32', 'int64', 'uint8', 'bool'.")
    return dt


def _find_ragged(data):
    """(path, length, other_path, other_length) of the first place nested lists disagree."""
    level = [((), data)]
    while level:
        lengths = []
        for path, item in level:
            is_seq = isinstance(item, (list, tuple)) or (hasattr(item, "shape") and
                                                         getattr(item, "ndim", 0) > 0)
            lengths.append((path, len(item) if is_seq else None))
        first_path, first_len = lengths[0]
        for path, n in lengths[1:]:
            if n != first_len:
                return first_path, first_len, path, n
        if first_len is None:
            return None
        level = [(path + (i,), item[i]) for path, item in level for i in range(len(item))]
    return None


def _ragged_error(data):
    found = _find_ragged(data)
    if found is None:
        return None

    def where(path):
        return "data" + "".join(f"[{i}]" for i in path)

    def size(n):
        return "a single number" if n is None else f"length {n}"

    a, na, b, nb = found
    return ShapeError(
        f"ragged nested list: {where(b)} has {size(nb)} but {where(a)} has {size(na)}.",
        expected="a rectangular block: every list at the same depth with the same length",
        fix="pad the sequences to one length (tk.data.pad_sequences(...)), or cut them to "
            "the shortest, before making a tensor.",
        op="tensor", shapes=())


def _object_message(data, arr):
    """Why an array of Python objects is not a tensor, and the fix."""
    numbers = (int, float, bool, numpy.number)
    odd = [v for v in arr.reshape(-1)[:10000] if not isinstance(v, numbers)][:1]
    if isinstance(data, numpy.ndarray) and not odd:
        return (f"an array of dtype=object (shape {format_shape(arr.shape)}) holds Python "
                "objects, not one kind of number; it often comes from a pandas DataFrame with "
                "mixed columns. Fix: convert it: x = np.asarray(x, dtype='float32').")
    head = f"could not make a tensor from {type(data).__name__} {data!r:.60}: "
    odd = odd[0] if odd else 0
    if odd is None:
        return (head + "it holds None, a missing value, not a number. Fix: fill the missing "
                "values with numbers first (e.g. 0), or drop those rows.")
    if isinstance(odd, (set, dict)) or hasattr(odd, "__next__"):
        return (head + f"a {type(odd).__name__} is not a sequence of numbers. Fix: turn it "
                "into a list first: tk.tensor(list(values)).")
    if isinstance(odd, numbers + (list, tuple, numpy.ndarray)):
        return (head + "tensors hold numbers in a rectangular block. Fix: pass numbers, or "
                "nested lists of numbers, only.")
    return (head + f"it holds {odd!r:.30} ({type(odd).__name__}), which is not a number. Fix: "
            "pass numbers, or nested lists of numbers, only.")


def _default_dtype(arr):
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype != numpy.float32 and arr.dtype.itemsize > 4:
        return numpy.float32                          # Keras' floatx: float64 -> float32
    if kind in "iu" and arr.dtype.itemsize == 8:
        if arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31):
            return numpy.int32                        # int64 -> int32 when the values fit
    return None


def to_array(data, dtype=None, xp=None):
    """Turn scalars, (nested) lists, NumPy/CuPy arrays and Tensors into an array."""
    xp = xp or backend.default_module()
    if isinstance(data, Tensor):
        arr = data._need_data("tk.tensor(...)")
    elif isinstance(data, (list, tuple)) and data and any(isinstance(x, Tensor) for x in data):
        parts = [numpy.asarray(x) for x in data]
        for i, p in enumerate(parts[1:], 1):
            if p.shape != parts[0].shape:
                raise ShapeError(
                    f"the list holds tensors of different shapes: data[{i}] has shape "
                    f"{format_shape(p.shape)} but data[0] has {format_shape(parts[0].shape)}.",
                    expected="tensors of one shape, to stack into one tensor",
                    fix="pad or cut them to one shape first, or join them along an existing "
                        "axis with tk.concatenate(tensors, axis=0).", op="tensor", shapes=())
        arr = numpy.stack(parts)
    elif data is None:
        raise DTypeError("cannot make a tensor from None: there are no numbers in it. Fix: "
                         "check that the variable was assigned (a function without `return` "
                         "gives None).")
    elif isinstance(data, str) or (isinstance(data, (list, tuple)) and data and
                                   isinstance(data[0], str)):
        raise DTypeError(f"tensors hold numbers, not text (got {data!r:.60}). Fix: turn text "
                         "into numbers first, e.g. with tk.data.Tokenizer.")
    elif backend.array_module(data) is not numpy and not isinstance(data, numpy.ndarray):
        arr = data                                    # a CuPy array stays on its device
    else:
        try:
            arr = numpy.asarray(data)
        except ValueError as e:
            err = _ragged_error(data) if isinstance(data, (list, tuple)) else None
            if err is not None:
                raise err from None
            raise DTypeError(f"could not make a tensor from {type(data).__name__}: {e}") from None
        if arr.dtype == object:
            if isinstance(data, (list, tuple)) or (isinstance(data, numpy.ndarray) and
                                                   data.ndim > 0):
                err = _ragged_error(data)
                if err is not None:
                    raise err from None
            raise DTypeError(_object_message(data, arr))
        if arr.dtype.kind in "USO":
            raise DTypeError(f"tensors hold numbers, not {arr.dtype} values. Fix: convert "
                             "text to numbers first, e.g. with tk.data.Tokenizer.")
        if arr.dtype.kind == "c":
            raise DTypeError("complex numbers are not supported; use the real and imaginary "
                             "parts as two tensors.")
    target = as_dtype(dtype) if dtype is not None else _default_dtype(arr)
    if target is not None and arr.dtype != target:
        arr = arr.astype(target)
    if backend.array_module(arr) is not xp:
        arr = xp.asarray(arr)
    return arr


def _check_dims(dims, shape):
    if dims is None:
        return None
    dims = tuple(dims)
    if len(dims) != len(shape):
        raise ShapeError(f"{len(dims)} dim labels {dims} were given for a tensor of rank "
                         f"{len(shape)}.",
                         expected=f"one label (or None) per axis: {len(shape)} labels",
                         fix="give exactly one label per axis, None for an unlabelled one.",
                         op="tensor", shapes=(shape,))
    return dims if any(d is not None for d in dims) else None


def tensor(data, dtype=None, dims=None, requires_grad=False, name=None):
    """Make a tensor from numbers, nested lists, or an array.

    Floats become float32 and integers int32 (as in Keras and TensorFlow.js) unless
    `dtype` says otherwise. `dims` labels the axes, e.g. ("batch", "features").
    """
    arr = to_array(data, dtype)
    shape = tuple(arr.shape)
    if requires_grad:
        _check_float(arr.dtype, "tk.tensor(..., requires_grad=True)")
    return Tensor(arr.copy() if arr is data else arr, shape, arr.dtype,
                  _check_dims(dims, shape), None, requires_grad, name)


def symbolic(shape, dims=None, name=None, dtype="float32"):
    """A tensor with a shape but no data; None marks an unknown size (the batch).

    Ops on it work out shapes and record the graph without computing anything.
    """
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(shape)
    for n in shape:
        if n is not None and (not isinstance(n, (int, numpy.integer)) or n < 0):
            raise ShapeError(f"shape {shape} has the size {n!r}.",
                             expected="non-negative integers, or None for an unknown size",
                             fix="use None for the batch axis, e.g. tk.symbolic((None, 784)).",
                             op="symbolic", shapes=())
    shape = tuple(None if n is None else int(n) for n in shape)
    return Tensor(None, shape, as_dtype(dtype), _check_dims(dims, shape), name=name)


def constant_like(value, like):
    """A Python number as a 0-d tensor that keeps `like`'s dtype (NumPy's weak scalars)."""
    dtype = like.dtype if like is not None else numpy.dtype(numpy.float32)
    if isinstance(value, (bool, int, float)):
        if isinstance(value, float) and dtype.kind in "iub":
            dtype = numpy.dtype(numpy.float32)
        elif isinstance(value, int) and not isinstance(value, bool) and dtype.kind == "b":
            dtype = numpy.dtype(numpy.int32)
    else:
        arr = to_array(value, xp=_module_of(like))
        return Tensor(arr, tuple(arr.shape), arr.dtype)
    xp = _module_of(like)
    return Tensor(xp.asarray(value, dtype=dtype), (), dtype)


def _module_of(t):
    if t is None or t.data is None:
        return backend.default_module()
    return backend.array_module(t.data)


# ---- the one place every op call goes through ------------------------------------------

_F64 = numpy.dtype(numpy.float64)


def _promoted(inputs, attrs):
    """Whether a float64 result came from NumPy's promotion (int with float32, int / int)
    rather than from a float64 input or an asked-for dtype: Keras gives float32 there."""
    return "dtype" not in attrs and all(t.dtype != _F64 for t in inputs)


def _fits(actual, rule):
    return len(actual) == len(rule) and all(r is None or r == a for a, r in zip(actual, rule))


def apply(op, args, attrs):
    """Call `op` on `args` (Tensors or numbers): check shapes, run, record, return a Tensor."""
    vjps = op.vjps * len(args) if op.variadic else op.vjps
    if len(args) != len(vjps):
        raise TypeError(f"{op.name} takes {len(op.vjps)} tensor input(s) but got {len(args)}; "
                        "pass its options by name (e.g. axis=1).")
    inputs = args
    for a in args:
        if not isinstance(a, Tensor):                 # numbers: 0-d tensors, as NumPy's
            like = next((b for b in args if isinstance(b, Tensor)), None)
            inputs = tuple([b if isinstance(b, Tensor) else constant_like(b, like)
                            for b in args])
            break
    shapes = tuple([t.shape for t in inputs])
    symbolic_in = labelled = needs_grad = False      # one pass over the inputs (hot path)
    grad_enabled = STATE.grad_enabled
    for t, vjp in zip(inputs, vjps):
        if t.data is None:
            symbolic_in = True
        if t.dims is not None:
            labelled = True
        if grad_enabled and vjp is not None and t.requires_grad:
            needs_grad = True
    try:
        shape = op.shape(*shapes, **attrs)
        dims = _out_dims(op, inputs, shapes, shape, attrs) if labelled or op.labels else None
    except ShapeError as e:
        layer = STATE.layers[-1] if STATE.layers else None
        raise e.at(op.name, shapes, [t.dims for t in inputs], layer) from None

    if symbolic_in:
        dtype = (op.dtype(*[t.dtype for t in inputs], **attrs) if op.dtype is not None
                 else numpy.result_type(*[t.dtype for t in inputs]))
        if dtype == _F64 and _promoted(inputs, attrs):
            dtype = numpy.dtype(numpy.float32)
        node = Node(op, inputs, attrs, shape, dtype, dims, None, needs_grad)
        for tr in STATE.traces:
            tr.records.append(node)
        out = Tensor(None, shape, dtype, dims, node, needs_grad)
        if FUNCTIONAL_HOOK and not STATE.layers and any(t.history is not None for t in inputs):
            FUNCTIONAL_HOOK[0](op, inputs, attrs, out)   # x + y between functional layers
        return out

    datas = [t.data for t in inputs]
    xp = numpy
    if backend._cupy is not None:
        backend.check_same_device(op.name, datas)
        xp = backend.array_module(datas[0])
    out = op.forward(xp, *datas, **attrs)
    saved = None
    if op.saves:
        out, saved = out                              # what only the backward pass needs
    if type(out) is not numpy.ndarray:                  # a NumPy scalar, or a CuPy array
        out = backend.array_module(out).asarray(out)
    if out.dtype == _F64 and _promoted(inputs, attrs):
        out = out.astype(numpy.float32)   # int32 + float32, exp(int): float32 as in Keras
    if out.shape != shape:
        if not _fits(out.shape, shape):
            raise RuntimeError(f"internal error: {op.name} computed shape {out.shape} but its "
                               f"shape rule says {shape}. Please report this.")
        shape = out.shape                             # a size only the data could tell
    node = None
    dtype = out.dtype
    if needs_grad or STATE.recording:
        node = Node(op, inputs, attrs, shape, dtype, dims, out if needs_grad else None,
                    needs_grad)
        if needs_grad:
            node.saved = saved
        if STATE.recording:
            for tr in STATE.traces:
                tr.records.append(node)
    return Tensor(out, shape, dtype, dims, node, needs_grad)


def _out_dims(op, inputs, shapes, shape, attrs):
    """Labels of the output: the op's dims rule, else keep them when the shape is kept."""
    dims = [t.dims if t.dims is not None else (None,) * len(t.shape) for t in inputs]
    if op.dims is not None:
        out = op.dims(shapes, dims, **attrs)
    elif shape == shapes[0]:
        out = dims[0]
    else:
        return None
    return out if out is not None and any(d is not None for d in out) else None


# ---- autograd ------------------------------------------------------------------------

def _walk(root):
    """The tensors `root` depends on that need a gradient: (made by ops, newest first;
    leaves). Every input of a node is older than the node, so running nodes newest
    first is a topological order, found with one walk (no recursion) and one sort."""
    inner, leaves, seen, stack = [], [], {id(root)}, [root]
    while stack:
        t = stack.pop()
        node = t.node
        if node is None or not node.needs_grad:
            leaves.append(t)
            continue
        inner.append(t)
        for inp in node.inputs:
            if inp.requires_grad and id(inp) not in seen:
                seen.add(id(inp))
                stack.append(inp)
    inner.sort(key=_node_id, reverse=True)
    return inner, leaves


_node_id = attrgetter("node.id")


def backprop(root, gradient=None, wrt=None):
    """Gradients of `root` for its leaves (or for the tensors in `wrt`), as arrays by tensor."""
    data = root._need_data("backward()")
    if not root.requires_grad:
        raise GradientError(
            "backward() was called on a tensor that does not depend on anything with "
            "requires_grad=True, so there is nothing to differentiate. Fix: create the "
            "weights with requires_grad=True (or tk.Variable), and don't compute the loss "
            "under tk.no_grad().")
    if gradient is None:
        if data.size != 1:
            raise GradientError(
                f"backward() without a gradient needs a scalar, but this tensor has shape "
                f"{format_shape(root.shape)}. Fix: reduce it to one number first (e.g. "
                "loss = y.mean()) or pass a gradient of the same shape: y.backward(g).")
        g = backend.array_module(data).ones_like(data)
    else:
        g = to_array(gradient, dtype=root.dtype, xp=backend.array_module(data))
        if g.shape != data.shape:
            raise ShapeError(f"the gradient has shape {g.shape} but the tensor has "
                             f"shape {data.shape}.", expected="equal shapes",
                             fix="pass a gradient with the tensor's shape.", op="backward",
                             shapes=(root.shape, g.shape))
    targets = None if wrt is None else {id(t) for t in wrt}
    inner, leaves = _walk(root)
    grads = {id(root): g}
    found = {}
    on_gpu = backend._cupy is not None
    for t in inner:                                   # each gradient is complete here
        g = grads.pop(id(t), None)
        if g is None:
            continue
        if targets is not None and id(t) in targets:
            found[t] = g
        node = t.node
        op = node.op
        inputs = node.inputs
        datas = [i.data for i in inputs]
        xp = backend.array_module(g) if on_gpu else numpy
        for i, vjp in enumerate(op.vjps * len(datas) if op.variadic else op.vjps):
            inp = inputs[i]
            if vjp is None or not inp.requires_grad:
                continue
            if op.variadic:
                gi = vjp(xp, g, node.out, *datas, index=i, **node.attrs)
            elif op.saves:
                gi = vjp(xp, g, node.out, *datas, saved=node.saved, **node.attrs)
            else:
                gi = vjp(xp, g, node.out, *datas, **node.attrs)
            if gi.shape != inp.shape:
                raise RuntimeError(f"internal error: the gradient of {op.name} for input "
                                   f"{i} has shape {gi.shape}, but that input has shape "
                                   f"{inp.shape}. Please report this.")
            if gi.dtype != inp.dtype:
                gi = gi.astype(inp.dtype)
            key = id(inp)
            grads[key] = grads[key] + gi if key in grads else gi
    for t in leaves:
        g = grads.get(id(t))
        if g is not None and (targets is None or id(t) in targets):
            found[t] = g
    return found


def gradients(y, xs):
    """Gradients of scalar `y` with respect to each tensor in `xs` (None where unused)."""
    xs = list(xs)
    found = backprop(y, wrt=xs)
    return [Tensor(found[x], x.shape, found[x].dtype) if x in found else None for x in xs]


def grad(f, argnums=0):
    """``tk.grad(f)(x)``: the gradient of scalar-valued `f` with respect to argument(s)."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    def grad_f(*args, **kwargs):
        args = list(args)
        leaves = []
        for i in nums:
            x = args[i] if isinstance(args[i], Tensor) else tensor(args[i])
            _check_float(x.dtype, f"tk.grad (argument {i})")
            leaf = Tensor(x._need_data("tk.grad"), x.shape, x.dtype, x.dims, None, True, x.name)
            args[i] = leaf
            leaves.append(leaf)
        with enable_grad():
            out = f(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise GradientError(f"tk.grad needs f to return a Tensor, got {type(out).__name__}.")
        found = backprop(out, wrt=leaves) if out.requires_grad else {}   # f ignores them
        res = [Tensor(found[x], x.shape, x.dtype) if x in found else
               Tensor(backend.array_module(x.data).zeros_like(x.data), x.shape, x.dtype)
               for x in leaves]
        return res[0] if single else tuple(res)

    return grad_f


@contextmanager
def no_grad():
    """Ops inside compute values only: no gradients are tracked (faster, less memory)."""
    before = STATE.grad_enabled
    STATE.grad_enabled = False
    try:
        yield
    finally:
        STATE.grad_enabled = before


@contextmanager
def enable_grad():
    before = STATE.grad_enabled
    STATE.grad_enabled = True
    try:
        yield
    finally:
        STATE.grad_enabled = before
