"""Array backends: NumPy on the CPU, CuPy on an NVIDIA GPU.

This is the only module that imports CuPy, and only when a GPU is asked for. Ops never
import either library: they receive the array module ``xp`` of their inputs.
"""

import os

import numpy

from .errors import BackendError, DeviceError

_CUPY_HELP = ("Install CuPy for your CUDA version (`pip install tensorkit[gpu]` installs "
              "cupy-cuda12x) on a machine with an NVIDIA GPU, or stay on the CPU with "
              "tk.set_backend('numpy').")

_cupy = None
_default = None                                   # resolved lazily: see default_module()


def _load_cupy():
    """CuPy, checked to really run: `import cupy` succeeds even without a GPU."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError as e:
        raise BackendError(f"CuPy is not installed ({e}). {_CUPY_HELP}") from None
    try:
        if not cupy.is_available():
            raise BackendError(f"CuPy is installed but finds no usable GPU. {_CUPY_HELP}")
        probe = cupy.arange(3, dtype=cupy.float32)
        if float((probe * 2).sum()) != 6.0:
            raise BackendError(f"CuPy computed a wrong result on this GPU. {_CUPY_HELP}")
    except BackendError:
        raise
    except Exception as e:                        # CUDA driver/runtime errors come in many types
        raise BackendError(f"CuPy is installed but cannot run on this machine: {e}. "
                           f"{_CUPY_HELP}") from None
    _cupy = cupy
    return cupy


def gpu_available():
    """True when CuPy is installed and runs on a GPU here."""
    try:
        _load_cupy()
    except BackendError:
        return False
    return True


def set_backend(name):
    """Choose where new tensors live: "numpy" (CPU) or "cupy" (GPU)."""
    global _default
    if name in ("numpy", "cpu"):
        _default = numpy
    elif name in ("cupy", "gpu"):
        _default = _load_cupy()
    else:
        raise ValueError(f"Unknown backend {name!r}. Expected 'numpy' or 'cupy'.")


def get_backend():
    """The name of the backend new tensors use: "numpy" or "cupy"."""
    return "numpy" if default_module() is numpy else "cupy"


def default_module():
    """The array module for new tensors; TENSORKIT_BACKEND=cupy picks CuPy."""
    global _default
    if _default is None:
        choice = os.environ.get("TENSORKIT_BACKEND", "numpy").strip().lower()
        if choice not in ("numpy", "cupy", "cpu", "gpu", ""):
            raise BackendError(f"TENSORKIT_BACKEND={choice!r} is not a backend. "
                               "Expected 'numpy' or 'cupy'.")
        if choice in ("cupy", "gpu"):
            try:
                _default = _load_cupy()
            except BackendError as e:
                raise BackendError(f"TENSORKIT_BACKEND=cupy was set, but: {e}") from None
        else:
            _default = numpy
    return _default


def array_module(array):
    """NumPy or CuPy: the module that owns `array` (CuPy's get_array_module idiom)."""
    if type(array) is numpy.ndarray or _cupy is None:
        return numpy
    return _cupy if isinstance(array, _cupy.ndarray) else numpy


def device_of(array):
    return "cpu" if array_module(array) is numpy else "gpu"


def to_device(array, device):
    """Copy `array` to "cpu" or "gpu" (a no-op when it is already there)."""
    if device == "cpu":
        if array_module(array) is numpy:
            return array
        return array.get()
    if device in ("gpu", "cuda"):
        cupy = _load_cupy()
        return cupy.asarray(array)
    raise ValueError(f"Unknown device {device!r}. Expected 'cpu' or 'gpu'.")


def check_same_device(op_name, arrays):
    """Raise a DeviceError naming both devices when `arrays` live in different places."""
    devices = [device_of(a) for a in arrays]
    if len(set(devices)) > 1:
        listed = ", ".join(f"input {i} on {d}" for i, d in enumerate(devices))
        raise DeviceError(f"{op_name} got tensors on different devices ({listed}). "
                          "Fix: move them to one device first, e.g. x.to('gpu') or "
                          "x.to('cpu').")
