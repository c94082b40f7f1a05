"""Errors that teach: each says what happened, what was expected and how to fix it.

A shape rule raises a bare ``ShapeError(problem, expected=..., fix=...)``; the engine
adds the op, the layer and every input shape (with its dim labels) before the learner
sees it, so rules stay pure functions on tuples.
"""

import difflib


def closest(name, names):
    """The known name nearest to a misspelt one, ignoring case ('Dens' -> 'Dense'), or None.

    >>> closest("categorical_crossentropi", ["mse", "categorical_crossentropy"])
    'categorical_crossentropy'
    """
    lower = {}
    for n in sorted(names, key=lambda n: n != n.lower()):   # 'accuracy' before 'Accuracy'
        lower.setdefault(n.lower(), n)
    close = difflib.get_close_matches(str(name).lower(), list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None


def missing_attribute(module, name, known, renamed):
    """The AttributeError for ``module.name``: the name other libraries use for one of ours
    (`renamed`: {their name: ours}), else the nearest known name, else Python's message."""
    if name in renamed:
        return AttributeError(f"{module} has no {name!r}: TensorFlow, TF.js or PyTorch call it "
                              f"that, here it is {module}.{renamed[name]}. Fix: "
                              f"{module}.{renamed[name]}(...).")
    best = None if name.startswith("__") else closest(name, [n for n in known
                                                            if not n.startswith("_")])
    if best is not None:
        return AttributeError(f"{module} has no {name!r}. Did you mean {module}.{best}?")
    return AttributeError(f"{module} has no attribute {name!r}")


def format_shape(shape, dims=None):
    """Write a shape the way Keras summaries do, with dim labels when there are any.

    >>> format_shape((None, 784))
    '(None, 784)'
    >>> format_shape((32, 10), ("batch", None))
    '(batch=32, 10)'
    >>> format_shape((5,))
    '(5,)'
    """
    if dims is None:
        dims = (None,) * len(shape)
    parts = [f"{d}={n}" if d is not None else str(n) for n, d in zip(shape, dims)]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


class ShapeError(ValueError):
    """Shapes (or dim labels) that an op cannot combine.

    Attributes: ``op`` (name), ``shapes`` (input shapes), ``dims`` (their labels),
    ``expected`` (what would have fitted), ``fix`` (one concrete change), ``layer``.
    """

    def __init__(self, problem, *, expected=None, fix=None, op=None, shapes=(), dims=(),
                 layer=None):
        self.problem = problem
        self.expected = expected
        self.fix = fix
        self.op = op
        self.shapes = tuple(shapes)
        self.dims = tuple(dims) if dims else (None,) * len(self.shapes)
        self.layer = layer
        super().__init__(self._message())

    def _message(self):
        head = ""
        if self.layer:
            head = f"In layer '{self.layer}': "
        if self.op and not self.shapes:             # e.g. tk.tensor of a ragged list
            head += f"{self.op}: "
        elif self.op:
            given = ", ".join(format_shape(s, d) for s, d in zip(self.shapes, self.dims))
            noun = "shape" if len(self.shapes) == 1 else "shapes"
            head += f"{self.op} got {noun} {given}: "
        lines = [head + self.problem]
        if self.expected:
            lines.append(f"Expected: {self.expected}")
        if self.fix:
            lines.append(f"Fix: {self.fix}")
        return "\n".join(lines)

    def at(self, op, shapes, dims, layer):
        """The same error, placed at a call of `op` on inputs of `shapes`."""
        dims = tuple(dims) if dims is not None else ()
        return ShapeError(self.problem, expected=self.expected, fix=self.fix, op=op,
                          shapes=shapes, dims=dims, layer=layer)

    def __reduce__(self):
        return (_rebuild_shape_error, (self.problem, self.expected, self.fix, self.op,
                                       self.shapes, self.dims, self.layer))


def _rebuild_shape_error(problem, expected, fix, op, shapes, dims, layer):
    return ShapeError(problem, expected=expected, fix=fix, op=op, shapes=shapes, dims=dims,
                      layer=layer)


class DTypeError(TypeError):
    """A value of the wrong kind: float indices, strings as data, an unknown dtype name."""


class SymbolicTensorError(TypeError):
    """Asking for the values of a symbolic tensor, which has a shape but no data."""


class BackendError(RuntimeError):
    """The array backend asked for (CuPy) cannot be used here."""


class DeviceError(ValueError):
    """Tensors on different devices meeting in one op."""


class GradientError(RuntimeError):
    """Backpropagation asked for something it cannot do (a non-scalar without a gradient)."""
