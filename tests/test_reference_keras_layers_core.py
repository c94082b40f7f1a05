"""Core layers, activations and initializers against cases recorded from real Keras 3
(scripts/reference/keras_layers_core.py): same config, same weights -> same output, same
gradients of sum(output * cotangent) for the inputs and the weights, and the same
compute_output_shape for a None batch. Initializers are compared by the statistics of a
large sample (min, max, mean, std), since the random generators differ.
"""

import numpy as np
import pytest
from reference import close, load_cases, params

import tensorkit as tk
from tensorkit import initializers

CASES = load_cases("keras_layers_core")


def _inputs(arrays):
    n = sum(1 for k in arrays if k.startswith("x"))
    return [tk.tensor(arrays[f"x{i}"], requires_grad=True) for i in range(n)]


def _cotangent(shape):
    """The fixed cotangent the script used (scripts/reference/keras_layers_core.py)."""
    return tk.tensor(np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape)
                     .astype(np.float32))


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    xs = _inputs(arrays)
    shapes = [(None,) + x.shape[1:] for x in xs]
    arg_shape = shapes if spec["multi"] else shapes[0]
    out_shape = layer.compute_output_shape(arg_shape)     # builds the layer too
    assert tuple(out_shape) == tuple(spec["output_shape"])
    n_weights = sum(1 for k in arrays if k.startswith("w"))
    layer.set_weights([arrays[f"w{i}"] for i in range(n_weights)])

    y = layer(xs if spec["multi"] else xs[0])
    close(y.numpy(), arrays["y"], "output")
    (y * _cotangent(y.shape)).sum().backward()
    for i, x in enumerate(xs):
        close(x.grad.numpy(), arrays[f"gx{i}"], f"gradient of input {i}")
    # float32 sums over up to a few hundred products (kernel gradients) land in another order
    for i, w in enumerate(layer.weights):
        close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("spec,arrays", params(CASES, "op"))
def test_op_matches_keras(spec, arrays):
    (x,) = _inputs(arrays)
    y = getattr(tk.ops, spec["op"])(x, **spec["kwargs"])
    close(y.numpy(), arrays["y"], "output")
    (y * _cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), arrays["gx0"], "gradient")


def _stats(w):
    w = np.asarray(w, dtype=np.float64)
    flat = w.reshape(-1, w.shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    return w.min(), w.max(), w.mean(), w.std(), np.abs(gram - np.eye(len(gram))).max()


@pytest.mark.parametrize("spec,arrays", params(CASES, "init"))
def test_initializer_statistics_match_keras(spec, arrays):
    name, shape = spec["initializer"], tuple(spec["shape"])
    lo, hi, mean, std, off = _stats(initializers.get(name)(shape))
    k_lo, k_hi, k_mean, k_std, k_off = arrays["stats"]
    # two samples of n: std and mean within 5 standard errors, and the bounds of the
    # bounded distributions (uniform limits, +-2 std truncation) within 5% of a std
    n = np.prod(shape)
    assert std == pytest.approx(k_std, rel=0.01 + 5 / np.sqrt(2 * n))
    assert abs(mean - k_mean) < 5 * k_std / np.sqrt(n)
    if name not in ("random_normal", "orthogonal"):
        assert abs(lo - k_lo) < 0.05 * k_std and abs(hi - k_hi) < 0.05 * k_std
    if name == "orthogonal":
        assert k_off < 1e-4 and off < 1e-4
