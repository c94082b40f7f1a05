"""Preprocessing layers: Normalization and Hashing, as Keras 3.

Normalization shifts and scales features to mean 0 and variance 1 with statistics it is
given (``mean=``, ``variance=``) or learns once from data with ``adapt(data)`` before
training, never by gradient descent: its weights are not trainable.

Hashing puts strings or integers into a fixed number of bins by a hash, with no vocabulary
to learn: TensorFlow's FarmHash Fingerprint64 (or SipHash-2-4 with a salt), written out
here in plain Python and checked bit for bit against TensorFlow's
(tests/test_reference_keras_more_layers_metrics.py).
"""

import math

import numpy

from .. import ops
from ..errors import ShapeError, format_shape
from ..tensor import Tensor, symbolic, tensor
from .base import Layer

__all__ = ["Normalization", "Hashing"]

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


# ---- Hashing ---------------------------------------------------------------------------------
# 64-bit unsigned arithmetic on Python ints: every sum and product is cut back with & _M64.
_M64 = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F   # FarmHash's


def _rotate(v, shift):
    return ((v >> shift) | (v << (64 - shift))) & _M64 if shift else v


def _u64(data, i):
    return int.from_bytes(data[i:i + 8], "little")


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash16(u, v, mul):
    a = _shift_mix(((u ^ v) * mul) & _M64)
    b = _shift_mix(((v ^ a) * mul) & _M64)
    return (b * mul) & _M64


def _weak32(data, i, a, b):
    """FarmHash's WeakHashLen32WithSeeds: 32 bytes at i and two seeds -> two words."""
    w, x, y, z = (_u64(data, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _M64
    b = _rotate((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rotate(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def _hash_short(data):
    """FarmHash (farmhashna) of up to 64 bytes."""
    n = len(data)
    mul = _K2 + 2 * n
    if n > 16:
        a, b = (_u64(data, 0) * (_K1 if n <= 32 else _K2)) & _M64, _u64(data, 8)
        c, d = (_u64(data, n - 8) * mul) & _M64, (_u64(data, n - 16) * _K2) & _M64
        y = (_rotate((a + b) & _M64, 43) + _rotate(c, 30) + d) & _M64
        z = (a + _rotate((b + _K2) & _M64, 18) + c) & _M64
        if n <= 32:
            return _hash16(y, z, mul)
        z = _hash16(y, z, mul)
        e, f = (_u64(data, 16) * mul) & _M64, _u64(data, 24)
        g, h = ((y + _u64(data, n - 32)) * mul) & _M64, ((z + _u64(data, n - 24)) * mul) & _M64
        return _hash16((_rotate((e + f) & _M64, 43) + _rotate(g, 30) + h) & _M64,
                       (e + _rotate((f + a) & _M64, 18) + g) & _M64, mul)
    if n >= 8:
        a, b = (_u64(data, 0) + _K2) & _M64, _u64(data, n - 8)
        return _hash16((_rotate(b, 37) * mul + a) & _M64, ((_rotate(a, 25) + b) * mul) & _M64,
                       mul)
    if n >= 4:
        first, last = (int.from_bytes(data[i:i + 4], "little") for i in (0, n - 4))
        return _hash16(n + (first << 3), last, mul)
    if n:
        y, z = data[0] + (data[n >> 1] << 8), n + (data[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M64) * _K2) & _M64
    return _K2


def fingerprint64(data):
    """FarmHash's Fingerprint64 of `data` (bytes), TensorFlow's ``Fingerprint64``: what
    ``tf.strings.to_hash_bucket_fast`` and Keras' Hashing take modulo the number of bins.

    >>> hex(fingerprint64(b""))
    '0x9ae16a3b2f90404f'
    >>> fingerprint64(b"A") % 3, fingerprint64(b"B") % 3      # Keras' Hashing(num_bins=3)
    (1, 0)
    """
    n = len(data)
    if n <= 64:
        return _hash_short(data)
    # 64 bytes a round, seven words of state; the last round reads the last 64 bytes
    x, y = 81, (81 * _K1 + 113) & _M64
    z = (_shift_mix((y * _K2 + 113) & _M64) * _K2) & _M64
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _u64(data, 0)) & _M64
    for i in range(0, (n - 1) // 64 * 64, 64):
        x = (_rotate((x + y + v[0] + _u64(data, i + 8)) & _M64, 37) * _K1) & _M64
        y = (_rotate((y + v[1] + _u64(data, i + 48)) & _M64, 42) * _K1) & _M64
        x ^= w[1]
        y = (y + v[0] + _u64(data, i + 40)) & _M64
        z = (_rotate((z + w[0]) & _M64, 33) * _K1) & _M64
        v = _weak32(data, i, (v[1] * _K1) & _M64, (x + w[0]) & _M64)
        w = _weak32(data, i + 32, (z + w[1]) & _M64, (y + _u64(data, i + 16)) & _M64)
        x, z = z, x
    i, mul = n - 64, _K1 + ((z & 0xFF) << 1)
    w0 = (w[0] + ((n - 1) & 63)) & _M64
    v0 = (v[0] + w0) & _M64
    w0 = (w0 + v0) & _M64
    x = (_rotate((x + y + v0 + _u64(data, i + 8)) & _M64, 37) * mul) & _M64
    y = (_rotate((y + v[1] + _u64(data, i + 48)) & _M64, 42) * mul) & _M64
    x ^= (w[1] * 9) & _M64
    y = (y + v0 * 9 + _u64(data, i + 40)) & _M64
    z = (_rotate((z + w0) & _M64, 33) * mul) & _M64
    v = _weak32(data, i, (v[1] * mul) & _M64, (x + w0) & _M64)
    w = _weak32(data, i + 32, (z + w[1]) & _M64, (y + _u64(data, i + 16)) & _M64)
    x, z = z, x
    return _hash16((_hash16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _M64,
                   (_hash16(v[1], w[1], mul) + x) & _M64, mul)


def _sip_rounds(v0, v1, v2, v3, n):
    for _ in range(n):
        v0 = (v0 + v1) & _M64
        v1, v0 = _rotate(v1, 51) ^ v0, _rotate(v0, 32)       # rotate left 13, then 32
        v2 = (v2 + v3) & _M64
        v3 = _rotate(v3, 48) ^ v2                           # left 16
        v0 = (v0 + v3) & _M64
        v3 = _rotate(v3, 43) ^ v0                           # left 21
        v2 = (v2 + v1) & _M64
        v1, v2 = _rotate(v1, 47) ^ v2, _rotate(v2, 32)       # left 17, then 32
    return v0, v1, v2, v3


def siphash(key, data):
    """SipHash-2-4 of `data` (bytes) with the 128-bit `key` given as two 64-bit words:
    TensorFlow's ``StrongKeyedHash``, which Keras' Hashing uses with a salt.

    >>> key = (0x0706050403020100, 0x0F0E0D0C0B0A0908)     # the SipHash paper's test key
    >>> hex(siphash(key, b"")), hex(siphash(key, bytes(range(15))))
    ('0x726fdb47dd0e0e31', '0xa129ca6149be45e5')
    """
    k0, k1 = (k & _M64 for k in key)
    v = (k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573)
    n, tail = len(data), len(data) // 8 * 8
    for m in [_u64(data, i) for i in range(0, tail, 8)] + \
            [((n & 0xFF) << 56) | int.from_bytes(data[tail:], "little")]:
        v = _sip_rounds(v[0], v[1], v[2], v[3] ^ m, 2)
        v = (v[0] ^ m,) + v[1:]
    v0, v1, v2, v3 = _sip_rounds(v[0], v[1], v[2] ^ 0xFF, v[3], 4)
    return v0 ^ v1 ^ v2 ^ v3


_HASHING_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(Layer):
    """Strings or integers -> bins 0..num_bins-1 by a hash: the same value always lands in
    the same bin (no vocabulary to learn), and different values may share one.

    As Keras 3 (TensorFlow's ops): FarmHash Fingerprint64 of each value's UTF-8 bytes (an
    integer hashes as its decimal text, "42"; a float is first cut to an integer), modulo
    num_bins; with `salt` (an int, or two) SipHash-2-4 keyed by it instead. `mask_value`
    gets bin 0 and the rest share bins 1..num_bins-1. ``output_mode`` "one_hot",
    "multi_hot" or "count" give float32 rows of num_bins instead of int64 bin ids.

    Strings run before the model (tensors hold numbers); integers may come from a model's
    Input too. ``Hashing(3)([["A"], ["B"], ["C"]])`` -> [[1], [0], [1]].
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, numpy.integer)) or \
                num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins!r}. Fix: a whole number "
                             "of bins, e.g. num_bins=1000.")
        if output_mode == "int" and self.dtype.kind not in "iu":
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, "
                             f"'int32' or 'int64'. Received: dtype={kwargs['dtype']}")
        if output_mode not in _HASHING_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{_HASHING_MODES}. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("Hashing: `sparse=True` can only be used with the TensorFlow "
                             f"backend (as in Keras on JAX). Received: sparse={sparse!r}")
        if salt is not None and not (
                isinstance(salt, int) and not isinstance(salt, bool) or
                isinstance(salt, (tuple, list)) and len(salt) == 2 and
                all(isinstance(k, int) and not isinstance(k, bool) for k in salt)):
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 "
                             f"integers, or a single integer. Received: salt={salt}.")
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.salt = None if salt is None else [salt, salt] if isinstance(salt, int) \
            else list(salt)
        self.output_mode, self.sparse = output_mode, False

    # strings never become tensors: they are hashed here, before any graph
    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, Tensor):
            values = numpy.asarray(inputs)
            if values.dtype.kind in "USO":
                return tensor(self._encode(self._bins(values)), dtype=self.dtype)
            inputs = tensor(values, dtype=values.dtype if values.dtype.kind in "iu" else None)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        if inputs.data is None:
            return symbolic(self.compute_output_shape(inputs.shape), dtype=self.dtype)
        return tensor(self._encode(self._bins(inputs.numpy())), dtype=self.dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if self.output_mode == "one_hot":              # a last axis of 1 is the one-hot axis
            for _ in range(2):                         # (Keras squeezes twice: (N, 1, 1))
                shape = shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape
            return shape + (self.num_bins,)
        return shape[:1] + shape[2:] + (self.num_bins,) if len(shape) > 1 else \
            (self.num_bins,)                           # one row per sample (axis 1 counted)

    def _hash(self, data):
        return fingerprint64(data) if self.salt is None else siphash(self.salt, data)

    def _bins(self, values):
        """An array of values -> int64 bin ids, each distinct value hashed once."""
        kind, flat = values.dtype.kind, values.ravel().tolist()
        bad = [v for v in flat if isinstance(v, bool) or not isinstance(v, (str, bytes, int))] \
            if kind == "O" else [] if kind in "iufUS" else flat
        if bad:
            raise TypeError(f"Hashing takes strings or integers, but got {type(bad[0]).__name__}"
                            f" values such as {bad[0]!r:.40}. Fix: pass a list or array of "
                            "str, or of int.")
        bins, masked = self.num_bins, None
        if self.mask_value is not None and bins > 1:   # bin 0 is the mask's: compared before
            bins -= 1                                  # floats are cut, as Keras does
            mask = _as_bytes(self.mask_value) if isinstance(self.mask_value, str) else \
                self.mask_value
            masked = [(_as_bytes(v) if isinstance(v, str) else v) == mask for v in flat]
        if kind == "f":                                # Keras casts floats to int64 first
            with numpy.errstate(invalid="ignore"):
                flat = numpy.trunc(values.ravel()).astype(numpy.int64).tolist()
        seen = {}
        out = numpy.array([seen[v] if v in seen else
                           seen.setdefault(v, self._hash(_as_bytes(v)) % bins) for v in flat],
                          numpy.int64).reshape(values.shape)
        return out if masked is None else \
            numpy.where(numpy.reshape(masked, values.shape), 0, out + 1)

    def _encode(self, ids):
        if self.output_mode == "int":
            return ids
        from .text_preprocessing import encode
        if self.output_mode == "one_hot" and ids.ndim and ids.shape[-1] == 1:
            ids = ids[..., 0]                          # Keras' own squeeze, then encode's
        return encode(ids, self.output_mode, self.num_bins, self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


def _as_bytes(value):
    """What TensorFlow hashes: a string's UTF-8 bytes, an integer's decimal digits."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(int(value)).encode()
