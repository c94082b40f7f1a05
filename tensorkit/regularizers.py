"""Weight penalties that training adds to the loss, as Keras 3's ``keras.regularizers``.

``Dense(64, kernel_regularizer=tk.regularizers.L2(1e-4))`` (or ``"l2"``, which means
``L2(0.01)`` as in Keras) makes fit minimise ``loss + 1e-4 * sum(kernel ** 2)``: large
weights cost something, which fights overfitting. A layer's penalties are in
``layer.losses`` (and a model's, of all its layers, in ``model.losses``); fit and evaluate
add them to the loss they report, as Keras does.
"""

import math

from . import ops

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize"]


def _factor(name, value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not number >= 0 or math.isinf(number):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")     # as given, not as converted
    return number


class Regularizer:
    """A penalty of a weight: ``regularizer(weight)`` is a scalar tensor."""

    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(x)")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v:g}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)`` (a zero factor's term is left out)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor("l1", l1), _factor("l2", l2)

    def __call__(self, x):
        terms = [factor * ops.sum(fn(x)) for factor, fn in ((self.l1, ops.abs),
                                                             (self.l2, ops.square)) if factor]
        return sum(terms[1:], terms[0]) if terms else ops.sum(x) * 0.0

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)``: pushes weights to exactly zero."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x ** 2)`` (weight decay through the loss)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2                     # Keras' lower-case aliases
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
            "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    """A regularizer from None, a name ("l2"), a config dict (as saved) or an object."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict) and identifier.get("class_name") in _BY_NAME:
        return _BY_NAME[identifier["class_name"]].from_config(identifier.get("config") or {})
    if callable(identifier) and not isinstance(identifier, (str, dict, type)):
        return identifier                          # a function of a weight, as Keras allows
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r:.80}. "
                     "Expected None, 'l1', 'l2', 'l1_l2', a tk.regularizers object (e.g. "
                     "tk.regularizers.L2(1e-4)) or a function of a weight.")


def serialize(regularizer):
    """``{"class_name": ..., "config": ...}`` as Keras saves it (None stays None)."""
    if regularizer is None:
        return None
    if type(regularizer) not in (L1, L2, L1L2):
        raise ValueError(f"only tk.regularizers.L1, L2 and L1L2 can be saved (loading a file "
                         f"never runs code), not {regularizer!r:.60}. Fix: use one of those, "
                         "or save the weights only (model.save_weights).")
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
