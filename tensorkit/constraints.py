"""Weight constraints, as Keras 3's ``keras.constraints``: after every optimizer step the
weight is projected back into the allowed set.

``Dense(64, kernel_constraint=tk.constraints.MaxNorm(3))`` keeps each unit's incoming
weight vector (a column of the (in, out) kernel: ``axis=0``) at a norm of at most 3 — the
max-norm that goes with dropout in Srivastava et al. (2014). For a Conv2D kernel
(kh, kw, in, out), ``axis=[0, 1, 2]`` constrains each filter as a whole.
Constraints work on arrays (NumPy or CuPy), not on recorded tensors: they are not part of
what is differentiated, only of the update.
"""

from . import backend
from .errors import closest

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize"]

EPSILON = 1e-7                       # Keras' backend.epsilon(), added to the norms divided by


class Constraint:
    """``constraint(w)`` returns the projected weight values (an array of w's shape)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _norms(w, axis):
    """(sum of squares along axis)^½, kept as axes of size 1 to broadcast back over w."""
    xp = backend.array_module(w)
    return xp.sqrt((w * w).sum(axis=_axis(axis), keepdims=True))


class MaxNorm(Constraint):
    """Rescale each weight vector along `axis` whose norm exceeds `max_value` to that norm."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = backend.array_module(w).clip(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each norm along `axis` into [min_value, max_value]: fully with rate=1, a
    fraction `rate` of the way otherwise."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = backend.array_module(w).clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become 0."""

    def __call__(self, w):
        return backend.array_module(w).maximum(w, 0)


class UnitNorm(Constraint):
    """Each weight vector along `axis` divided by its norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
_BY_NAME = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
            "unit_norm": UnitNorm, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
            "NonNeg": NonNeg, "UnitNorm": UnitNorm}


def get(identifier):
    """A constraint from None, a name ("max_norm"), a config dict (as saved), a class or
    an object; a function of the weight values is used as it is, as Keras allows."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict) and identifier.get("class_name") in _BY_NAME:
        return _BY_NAME[identifier["class_name"]].from_config(identifier.get("config") or {})
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier) and not isinstance(identifier, (str, dict, type)):
        return identifier
    near = closest(identifier, list(_BY_NAME)) if isinstance(identifier, str) else None
    hint = f" Did you mean {near!r}?" if near else ""
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r:.80}.{hint} "
                     "Expected None, 'max_norm', 'min_max_norm', 'non_neg', 'unit_norm', a "
                     "tk.constraints object (e.g. tk.constraints.MaxNorm(3)) or a function of "
                     "the weight values.")


def serialize(constraint):
    """``{"class_name": ..., "config": ...}`` as Keras saves it (None stays None)."""
    if constraint is None:
        return None
    if type(constraint) not in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm):
        raise ValueError(f"only tk.constraints.MaxNorm, MinMaxNorm, NonNeg and UnitNorm can be "
                         f"saved (loading a file never runs code), not {constraint!r:.60}. "
                         "Fix: use one of those, or save the weights only "
                         "(model.save_weights).")
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
