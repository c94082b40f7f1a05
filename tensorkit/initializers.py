"""Weight initializers with Keras 3's names, classes, arguments and formulas, drawn from
tk.random (or from their own `seed`).

Each is a class (``HeNormal(seed=1)``, ``VarianceScaling(scale=2.0, mode="fan_out")``)
whose instance, called with a shape, gives a NumPy array; ``get`` also takes Keras' names
("he_normal", "HeNormal", "zero", "normal", "uniform") and serialized dicts.
"""

import math
import re

import numpy

from . import random
from .errors import DTypeError, closest

__all__ = ["get", "serialize", "compute_fans", "Initializer", "Constant", "Zeros", "Ones",
           "Identity", "STFT", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
           "LecunUniform", "LecunNormal", "Orthogonal"]


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) as Keras computes them: conv kernels count their receptive field;
    `input_axes` and `output_axes` (both given) name the axes that make each fan.

    >>> compute_fans((784, 10))
    (784, 10)
    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    >>> compute_fans((4, 8, 16), input_axes=(0,), output_axes=(1, 2))
    (4, 128)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``init(shape, dtype=None)`` -> array; ``get_config``/``from_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement __call__(shape, "
                                  "dtype=None).")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _cast(values, dtype):
    return values if dtype is None else numpy.asarray(values, dtype=numpy.dtype(dtype))


# ---- constants -----------------------------------------------------------------------------
class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return _cast(numpy.full(shape, self.value, dtype=float), dtype)

    def get_config(self):
        return {"value": self.value}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return _cast(numpy.zeros(shape), dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return _cast(numpy.ones(shape), dtype)


class Identity(Initializer):
    """gain * the identity matrix (rectangular ones too: ones on the main diagonal).
    Its config keeps `gain` (Keras 3.15's is empty, so a saved gain comes back as 1)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={tuple(shape)} of rank {len(shape)}. Fix: use it "
                             "for a Dense kernel (in, out) or a recurrent kernel.")
        return _cast(self.gain * numpy.eye(*shape), dtype)

    def get_config(self):
        return {"gain": self.gain}


def _window(name, n, periodic):
    """scipy.signal.get_window's windows that NumPy has (periodic: the DFT-even form)."""
    make = {"hann": numpy.hanning, "hamming": numpy.hamming, "blackman": numpy.blackman,
            "bartlett": numpy.bartlett}[name]
    return make(n + 1)[:-1] if periodic else make(n)


class STFT(Initializer):
    """Kernels of a short-time Fourier transform as a Conv1D: ``shape`` is
    ``(frame_length, input_channels, fft_length)``; `side` "real" (cosines) or "imag"
    (sines), times `window` and divided by its `scaling`, as Keras' STFT (which, like
    this, gives one input channel: shape ``(frame_length, 1, fft_length)``)."""

    _WINDOWS = ("hann", "hamming", "blackman", "bartlett")

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side!r}.")
        if isinstance(window, str) and window not in self._WINDOWS:
            raise ValueError(f"STFT got window={window!r}; tensorkit has the windows "
                             f"{self._WINDOWS} (or pass None, or an array of frame_length).")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling!r}")
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        frame_length, _, fft_length = shape
        freq = numpy.arange(fft_length).reshape(1, 1, -1) / ((fft_length - 1) * 2)
        time = numpy.arange(frame_length).reshape(-1, 1, 1)
        args = -2 * time * freq * math.pi              # (frame, 1, fft)
        kernel = numpy.cos(args) if self.side == "real" else numpy.sin(args)
        if self.window is not None:
            win = _window(self.window, frame_length, self.periodic) \
                if isinstance(self.window, str) else numpy.asarray(self.window, dtype=float)
            if win.shape != (frame_length,):
                raise ValueError(f"The shape of `window` must be equal to [frame_length]. "
                                 f"Received: window shape={win.shape}")
            win = win.reshape(-1, 1, 1)
            scale = {"density": math.sqrt((win ** 2).sum()), "spectrum": abs(win).sum(),
                     None: 1.0}[self.scaling]
            kernel = kernel * win / scale
        return _cast(kernel, dtype)

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


# ---- random --------------------------------------------------------------------------------
class _Random(Initializer):
    """An initializer that draws: from tk.random's stream, or (an integer `seed`) the same
    values on every call, as Keras' seeded initializers."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or
                                 not isinstance(seed, (int, numpy.integer))):
            raise ValueError(f"`seed` argument should be an integer or None. Received: "
                             f"seed={seed!r}. Fix: seed=42.")
        self.seed = seed

    def _rng(self):
        return random.generator() if self.seed is None else numpy.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _truncated(rng, shape, mean, stddev):
    """Normal values redrawn until within two standard deviations (Keras' TruncatedNormal)."""
    out = rng.normal(0.0, 1.0, shape)
    bad = numpy.abs(out) > 2
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = numpy.abs(out) > 2
    return mean + stddev * out


class RandomNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _cast(self._rng().normal(self.mean, self.stddev, shape), dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal values beyond two standard deviations of `mean` are drawn again."""

    def __call__(self, shape, dtype=None):
        return _cast(_truncated(self._rng(), shape, self.mean, self.stddev), dtype)


class RandomUniform(_Random):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return _cast(self._rng().uniform(self.minval, self.maxval, shape), dtype)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(_Random):
    """Values of variance scale / n, n the fan_in, fan_out or their mean (`mode`); from a
    normal truncated at 2 std ("truncated_normal", alias "normal"), a plain normal
    ("untruncated_normal") or a uniform on [-sqrt(3 var), sqrt(3 var)]."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {modes}.")
        distribution = str(distribution).lower()
        distribution = "truncated_normal" if distribution == "normal" else distribution
        kinds = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in kinds:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use "
                             f"one of {kinds}.")
        super().__init__(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return _cast(rng.uniform(-limit, limit, shape), dtype)
        if self.distribution == "untruncated_normal":
            return _cast(rng.normal(0.0, math.sqrt(variance), shape), dtype)
        # 0.8796...: the stddev of a unit normal truncated at two standard deviations
        return _cast(_truncated(rng, shape, 0.0, math.sqrt(variance) / 0.87962566103423978),
                     dtype)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution):
    """A VarianceScaling with fixed scale, mode and distribution (GlorotUniform...)."""
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes,
                                 output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}

    doc = f"VarianceScaling(scale={scale}, mode={mode!r}, distribution={distribution!r})."
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(_Random):
    """A (flattened) orthogonal matrix times `gain`, as Keras' for recurrent kernels."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={tuple(shape)} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        q, r = numpy.linalg.qr(self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols))))
        q = q * numpy.sign(numpy.diag(r))
        if rows < cols:
            q = q.T
        return _cast(self.gain * q.reshape(shape), dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# ---- lookup --------------------------------------------------------------------------------
_CLASSES = [Constant, Zeros, Ones, Identity, STFT, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal]


def _snake(name):
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# Keras' names: snake_case class names and the old spellings (class names: _CLASS_NAMES)
_BY_NAME = {**{_snake(c.__name__): c for c in _CLASSES}, "zero": Zeros, "one": Ones,
            "normal": RandomNormal, "uniform": RandomUniform, "identity_initializer": Identity,
            "orthogonal_initializer": Orthogonal, "stft_initializer": STFT}
_CLASS_NAMES = {**{c.__name__: c for c in _CLASSES}, "IdentityInitializer": Identity,
                "OrthogonalInitializer": Orthogonal, "STFTInitializer": STFT}
# Keras' lower-case aliases of the classes (keras.initializers.he_normal is HeNormal)
constant, zeros, ones, identity, stft = Constant, Zeros, Ones, Identity, STFT
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal = \
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal


def get(identifier):
    """An initializer from a Keras name ("he_normal", "HeNormal"), a serialized dict
    ``{"class_name": ..., "config": {...}}``, a class, or an instance / function of a
    shape (returned as it is)."""
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict) and isinstance(identifier.get("class_name"), str):
        cls = _CLASS_NAMES.get(identifier["class_name"], _BY_NAME.get(identifier["class_name"]))
        config = identifier.get("config") or {}
        if cls is not None and isinstance(config, dict):
            try:
                return cls.from_config(config)
            except TypeError as e:
                raise DTypeError(f"initializer {identifier['class_name']} got a config it "
                                 f"does not take: {config!r} ({e}).") from None
    if isinstance(identifier, str) and identifier in _CLASS_NAMES:
        return _CLASS_NAMES[identifier]()
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    best = closest(str(identifier), _BY_NAME)
    hint = f" Did you mean {best!r}?" if best else ""
    raise DTypeError(f"unknown initializer {identifier!r}.{hint} Expected a Keras name such as "
                     f"'glorot_uniform', an initializer such as Constant(0.5), or a function "
                     f"of a shape.")


def serialize(initializer):
    """Keras' serialized form: ``{"module", "class_name", "config", "registered_name"}``."""
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def name_of(initializer):
    """What a layer's config holds: the Keras name where the initializer has its default
    arguments ("he_normal"), else its serialized dict (``HeNormal(seed=1)``)."""
    if isinstance(initializer, Initializer):
        cls = type(initializer)
        if cls in _CLASSES and initializer.get_config() == cls().get_config():
            return _snake(cls.__name__)
        return serialize(initializer)
    return getattr(initializer, "__name__", "custom")
