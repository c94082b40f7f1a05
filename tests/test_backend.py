"""Backends: NumPy by default, CuPy when a GPU is present (these tests skip without one)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import backend

GPU = backend.gpu_available()
needs_gpu = pytest.mark.skipif(not GPU, reason="no usable CUDA GPU with CuPy on this machine "
                                               "(CuPy tests run only where one is present)")


def test_numpy_is_the_default():
    assert tk.get_backend() == "numpy" and tk.ones(2).device == "cpu"


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="Expected 'numpy' or 'cupy'"):
        tk.set_backend("tpu")


@pytest.mark.skipif(GPU, reason="checks the message given where CuPy cannot run")
def test_cupy_without_a_gpu_says_why_and_how_to_install():
    with pytest.raises(tk.BackendError, match=r"pip install tensorkit\[gpu\]"):
        tk.set_backend("cupy")
    assert tk.get_backend() == "numpy"
    with pytest.raises(tk.BackendError, match="CuPy"):
        tk.ones(2).to("gpu")


def _run(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


@pytest.mark.skipif(GPU, reason="checks the message given where CuPy cannot run")
def test_environment_variable_asking_for_unusable_cupy_fails_clearly():
    result = _run("import tensorkit as tk; tk.ones(2)", TENSORKIT_BACKEND="cupy")
    assert result.returncode != 0
    assert "TENSORKIT_BACKEND=cupy was set, but" in result.stderr


def test_environment_variable_with_a_typo_fails_clearly():
    result = _run("import tensorkit as tk; tk.ones(2)", TENSORKIT_BACKEND="cupyy")
    assert "TENSORKIT_BACKEND='cupyy' is not a backend" in result.stderr


def test_only_backend_imports_cupy():
    import pathlib
    root = pathlib.Path(tk.__file__).parent
    importers = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
                 if "import cupy" in p.read_text()]
    assert importers == ["backend.py"]


@pytest.fixture
def on_gpu():
    tk.set_backend("cupy")
    yield
    tk.set_backend("numpy")


@needs_gpu
def test_same_code_runs_on_cupy(on_gpu):
    import cupy
    x = tk.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert isinstance(x.data, cupy.ndarray) and x.device == "gpu"
    w = tk.random.normal((3, 2))
    loss = tk.softmax(tk.tanh(x @ w), axis=-1).sum()
    loss.backward()
    assert x.grad.device == "gpu" and x.grad.shape == (2, 3)
    tk.set_backend("numpy")
    x_cpu = tk.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w_cpu = tk.tensor(w.numpy())
    tk.softmax(tk.tanh(x_cpu @ w_cpu), axis=-1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x_cpu.grad.numpy(), rtol=1e-5, atol=1e-6)


@needs_gpu
def test_to_moves_data_and_gradients_between_devices():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("gpu")
    assert y.device == "gpu" and y.op == "to_device"
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2, 4])


@needs_gpu
def test_mixing_devices_names_both():
    with pytest.raises(tk.DeviceError, match="input 0 on cpu, input 1 on gpu"):
        tk.ones(2) + tk.ones(2).to("gpu")


@needs_gpu
def test_seeded_random_is_the_same_on_both_backends(on_gpu):
    tk.random.seed(3)
    a = tk.random.normal((4,)).numpy()
    tk.set_backend("numpy")
    tk.random.seed(3)
    np.testing.assert_array_equal(a, tk.random.normal((4,)).numpy())
