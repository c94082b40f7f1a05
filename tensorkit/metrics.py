"""Metrics by their Keras 3 names: functions give one value per sample, Metric objects
keep a running mean over the batches (weighted by samples), as ``keras.metrics``.

Metrics only watch: they run on the arrays, with no graph and no gradients, so a metric
costs a training step almost nothing. ``metrics=["accuracy"]`` in ``compile`` picks
binary, sparse or categorical accuracy from the labels' and predictions' shapes, as Keras.
"""

import re

import numpy

from . import backend
from .tensor import Tensor, to_array

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "mean_squared_error", "mean_absolute_error", "mse",
           "mae", "get", "resolve"]


def snake_case(name):
    """Keras' default name for an object of class `name`: "MyMetric" -> "my_metric"."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _array(x):
    if isinstance(x, Tensor):
        return x._need_data("a metric")
    return x if hasattr(x, "shape") and hasattr(x, "dtype") else to_array(x)


def _same_rank(a, b):
    """Keras' squeeze_or_expand_to_same_rank: (N,) fits (N, 1) by growing the (N,) side,
    (N, T) fits (N, T, 1) by dropping the 1."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b.reshape(b.shape + (1,))) if b.ndim == 1 else (a.reshape(a.shape[:-1]), b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a.reshape(a.shape + (1,)), b) if a.ndim == 1 else (a, b.reshape(b.shape[:-1]))
    return a, b


def _rows(t, p, fn):
    t, p = _array(t), _array(p)
    return fn(backend.array_module(p), *_same_rank(t, p))


# ---- per-sample functions (arrays or tensors in, an array out) --------------------------
def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly, else 0 (elementwise, as Keras)."""
    return _rows(y_true, y_pred, lambda xp, t, p: (t == p).astype(numpy.float32))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (y_pred > threshold) equals the 0/1 label, else 0 (elementwise, as Keras)."""
    return _rows(y_true, y_pred, lambda xp, t, p: ((p > threshold) == t).astype(numpy.float32))


def categorical_accuracy(y_true, y_pred):
    """1 where the largest prediction is at the one-hot label's class, else 0."""
    t, p = _array(y_true), _array(y_pred)
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(numpy.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the largest prediction is at the class id y_true, else 0."""
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    return (t == p.argmax(axis=-1)).astype(numpy.float32)


def mean_squared_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: ((p - t) ** 2).mean(axis=-1))


def mean_absolute_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: xp.abs(p - t).mean(axis=-1))


mse = mean_squared_error
mae = mean_absolute_error


# ---- Metric objects: running means ---------------------------------------------------
class Metric:
    """A running value: ``update_state(...)`` per batch, ``result()``, ``reset_state()``."""

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)     # as Keras' auto_name
        self.dtype = dtype
        self.reset_state()

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def result(self):
        return self.total / self.count if self.count else 0.0

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} result={self.result():.4g}>"


class Mean(Metric):
    """The (weighted) mean of the values given."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, values, sample_weight=None):
        """Each sample (first axis) counts once: its values are averaged first, as Keras."""
        values = numpy.asarray(backend.to_device(_array(values), "cpu"), dtype=numpy.float64)
        if sample_weight is None:
            self.total += float(_per_sample(values).sum())
            self.count += len(values) if values.ndim else 1
            return
        w = numpy.asarray(backend.to_device(_array(sample_weight), "cpu"), numpy.float64)
        values, w = _same_rank(values, w)
        if values.ndim > w.ndim:                  # (N, T) values, (N,) weights
            values = values.mean(axis=tuple(range(w.ndim, values.ndim)))
        w = numpy.broadcast_to(w, values.shape)
        self.total += float(_per_sample(values * w).sum())
        self.count += float(_per_sample(w).sum())


def _per_sample(x):
    return x.mean(axis=tuple(range(1, x.ndim))) if x.ndim > 1 else x


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **options)``."""

    def __init__(self, fn, name=None, dtype=None, **options):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self.fn, self.options = fn, options

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.options), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self.options}


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


_FUNCTIONS = {"accuracy": accuracy, "binary_accuracy": binary_accuracy,
              "categorical_accuracy": categorical_accuracy,
              "sparse_categorical_accuracy": sparse_categorical_accuracy,
              "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
              "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error}
_CLASSES = {c.__name__: c for c in (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, MeanSquaredError,
                                    MeanAbsoluteError, Mean)}


_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error"}
_OBJECTS = {"accuracy": Accuracy, "binary_accuracy": BinaryAccuracy,
            "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "mean_squared_error": MeanSquaredError, "mean_absolute_error": MeanAbsoluteError}


def get(identifier):
    """A Metric object from a Keras name ("mae", "Accuracy"), as keras.metrics.get; a
    Metric object or a function metric(y_true, y_pred) is returned as is."""
    if isinstance(identifier, Metric) or (callable(identifier) and
                                          not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        name = _NAMES.get(identifier, identifier)
        if name in _OBJECTS:
            return _OBJECTS[name]()
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
    raise ValueError(f"Unknown metric {identifier!r}. Expected one of "
                     f"{sorted(set(_FUNCTIONS) | set(_CLASSES))}, a Metric object or a "
                     "function metric(y_true, y_pred).")


def resolve(identifier, y_true_shape, y_pred_shape):
    """A fresh Metric object for compile(metrics=[...]), named as Keras names it.

    "accuracy" (or "acc") becomes binary accuracy for one output unit, sparse categorical
    accuracy for class-id labels, else categorical accuracy: Keras' rule.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        t, p = tuple(y_true_shape), tuple(y_pred_shape)
        if len(p) <= 1 or p[-1] == 1:
            return BinaryAccuracy(name=identifier)
        if len(t) < len(p) or (t and t[-1] == 1):
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    found = get(identifier)
    if not isinstance(found, Metric):
        found = MeanMetricWrapper(found, name=getattr(found, "__name__", "metric"))
    if isinstance(identifier, str):
        found.name = identifier                       # "mae" logs as "mae", as Keras
    return found
