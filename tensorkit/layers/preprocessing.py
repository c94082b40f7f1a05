"""Preprocessing layers: Normalization, as Keras 3.

Normalization shifts and scales features to mean 0 and variance 1 with statistics it is
given (``mean=``, ``variance=``) or learns once from data with ``adapt(data)`` before
training, never by gradient descent: its weights are not trainable.
"""

import math

import numpy

from .. import ops
from ..errors import ShapeError, format_shape
from ..tensor import Tensor, tensor
from .base import Layer

__all__ = ["Normalization"]

EPSILON = 1e-7          # keras.backend.epsilon(): the smallest standard deviation divided by


def _batch(batch):
    """The inputs of a batch that may be (x, y) or (x, y, sample_weight), as Keras."""
    batch = batch[0] if isinstance(batch, tuple) else batch
    return batch.numpy() if isinstance(batch, Tensor) else numpy.asarray(batch)


class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` with one mean and variance per position
    of `axis` (default the features, -1); ``invert=True`` maps back: ``mean + x * std``.

    Either give ``mean`` and ``variance`` (numbers or arrays that broadcast over the kept
    axes; the layer then has no weights) or call ``adapt(data)`` once on training data.
    Weights, as Keras: mean, variance (the kept axes' shape) and count (int32, kept at 0 as
    Keras does), none trainable. ``axis=None`` keeps no axis: one mean over everything.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else tuple(axis) if isinstance(axis, (tuple, list)) \
            else (axis,)
        if any(isinstance(a, bool) or not isinstance(a, int) for a in self.axis):
            raise ValueError("Normalization expects axis to be an integer, a tuple of integers "
                             f"or None. Received: axis={axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither (then "
                             f"call adapt(data)). Received: mean={mean!r} and "
                             f"variance={variance!r}")
        if mean is not None and numpy.shape(mean) != numpy.shape(variance):
            raise ValueError("Normalization expects mean and variance of the same shape. "
                             f"Received: mean shape {numpy.shape(mean)} and variance shape "
                             f"{numpy.shape(variance)}")
        if mean is not None and numpy.ndim(mean) > len(self.axis):
            raise ValueError(f"Normalization expects mean of rank at most {len(self.axis)} "
                             f"(the number of axes kept, axis={self.axis}). Received: mean "
                             f"shape {numpy.shape(mean)}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ShapeError(f"axis={self.axis} is out of range for an input of rank {ndim} "
                             f"{format_shape(input_shape)}.",
                             expected=f"axes from {-ndim} to {ndim - 1}",
                             fix="use axis=-1 to normalize each feature.", op="Normalization",
                             shapes=(tuple(input_shape),), layer=self.name)
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep):
            raise ShapeError(f"the input {format_shape(input_shape)} has an unknown size on a "
                             f"kept axis ({self.axis}), so there is no telling how many means "
                             "to keep.", expected="known sizes on the kept axes",
                             fix="give the Input its full feature shape, or use axis=None.",
                             op="Normalization", shapes=(tuple(input_shape),), layer=self.name)
        self._input_shape = tuple(input_shape)
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.mean = self.add_weight("mean", shape, "zeros", trainable=False)
            self.variance = self.add_weight("variance", shape, "ones", trainable=False)
            self.count = self.add_weight("count", (), "zeros", trainable=False, dtype="int32")
            return
        # given statistics: trailing axes line up with the last kept axes, as Keras
        expanded = [1] * ndim
        given = numpy.shape(self.input_mean)
        for i in range(1, len(given) + 1):
            expanded[self._keep[-i]] = given[-i]
        self.mean, self.variance = (
            tensor(numpy.broadcast_to(numpy.reshape(numpy.asarray(v, dtype=self.dtype),
                                                    expanded), self._broadcast))
            for v in (self.input_mean, self.input_variance))

    def adapt(self, data):
        """Learn mean and variance from `data`: an array (or tensor) of examples, or an
        iterable of batches (arrays, or (x, y) pairs), combined as Keras combines them."""
        if self.input_mean is not None:
            raise ValueError("this Normalization was given mean and variance, so it has nothing "
                             "to adapt. Fix: make it without mean= and variance=.")
        if isinstance(data, (Tensor, numpy.ndarray)):
            batches = None
            first = data.numpy() if isinstance(data, Tensor) else data
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("Normalization.adapt got an empty iterable: no batches. Pass "
                                 "the training array, or a list of batches.")
            first = _batch(first)
        else:
            raise TypeError(f"Normalization.adapt expects an array of examples or an iterable "
                            f"of batches. Received: {type(data).__name__}")
        if not self.built:
            self.build(first.shape)
        self._check_sizes(first.shape)
        if batches is None:
            mean, var = numpy.mean(first, axis=self._reduce), numpy.var(first, axis=self._reduce)
        else:
            mean, var = self._running(first, batches)
        self.mean.assign(numpy.asarray(mean, dtype=self.mean.dtype))
        self.variance.assign(numpy.asarray(var, dtype=self.variance.dtype))

    def _check_sizes(self, shape):
        if len(shape) != len(self._input_shape) or any(
                shape[a] != self._input_shape[a] for a in self._keep):
            raise ShapeError(f"the data {format_shape(shape)} does not fit this Normalization, "
                             f"built for inputs {format_shape(self._input_shape)}.",
                             expected=f"the same sizes on the kept axes {self._keep}",
                             fix="adapt on data shaped like the model's inputs.",
                             op="Normalization", shapes=(tuple(shape),), layer=self.name)

    def _running(self, first, batches):
        """Keras's update of mean and variance batch by batch (each batch weighted by its
        number of values), in the layer's dtype."""
        shape = tuple(self._input_shape[a] for a in self._keep)
        mean = numpy.zeros(shape, self.dtype)
        var = numpy.zeros(shape, self.dtype)
        count = 0
        for batch in _chain(first, batches):
            batch = numpy.asarray(batch, dtype=self.dtype)
            self._check_sizes(batch.shape)
            n = math.prod(batch.shape[a] for a in self._reduce)
            count += n
            w = n / count
            batch_mean, batch_var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            new_mean = mean * (1.0 - w) + batch_mean * w
            var = (var + (mean - new_mean) ** 2) * (1.0 - w) + \
                (batch_var + (batch_mean - new_mean) ** 2) * w
            mean = new_mean
        return mean, var

    def call(self, inputs):
        if inputs.dtype != self.dtype:
            inputs = inputs.astype(self.dtype)
        mean = ops.reshape(self.mean, self._broadcast)          # kept axes, 1 elsewhere
        std = ops.maximum(ops.sqrt(ops.reshape(self.variance, self._broadcast)), EPSILON)
        return mean + inputs * std if self.invert else (inputs - mean) / std

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": numpy.array(self.input_mean).tolist(),
                "variance": numpy.array(self.input_variance).tolist()}


def _chain(first, rest):
    yield first
    for batch in rest:
        yield _batch(batch)
