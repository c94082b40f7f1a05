"""DepthwiseConv2D, SeparableConv2D, grouped convolutions and Normalization against cases
recorded from real Keras 3 (scripts/reference/keras_layers_extra.py): same config, same
weights -> same output and gradients of sum(output * cotangent) for the input and the
weights, same compute_output_shape for a None batch, same weight names in the same order;
Normalization adapted on the same data -> the same mean, variance and count.
"""

import numpy as np
import pytest
from reference import close, cotangent, load_cases, params, weights

import tensorkit as tk

CASES = load_cases("keras_layers_extra")


def _check_output_and_input_gradient(layer, arrays):
    x = tk.tensor(arrays["x0"], requires_grad=True)
    y = layer(x)
    close(y.numpy(), arrays["y"], "output")
    (y * cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), arrays["gx0"], "gradient of the input")


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    tk.clear_session()
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    shape = (None,) + arrays["x0"].shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    layer.set_weights(weights(arrays))
    _check_output_and_input_gradient(layer, arrays)
    # float32 sums over a few hundred products (kernel gradients) land in another order
    for i, w in enumerate(layer.weights):
        close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4)


@pytest.mark.parametrize("spec,arrays", params(CASES, "norm"))
def test_normalization_matches_keras(spec, arrays):
    layer = tk.layers.Normalization(**spec["kwargs"])
    if "adapt" in arrays:
        layer.adapt(arrays["adapt"])
    elif spec["batches"]:
        layer.adapt([arrays[k] for k in sorted(arrays) if k.startswith("adapt")])
    shape = (None,) + arrays["x0"].shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    got = layer.get_weights()
    assert [(w.dtype, w.shape) for w in got] == [(w.dtype, w.shape) for w in weights(arrays)]
    for g, w in zip(got, weights(arrays)):
        close(g, w, "adapted statistics", rtol=2e-6, atol=1e-6)
    layer.set_weights(weights(arrays))           # the output from Keras's exact statistics
    _check_output_and_input_gradient(layer, arrays)
    assert layer.trainable_weights == []


# ---- Normalization's behaviour beyond the recorded cases ---------------------------------------

def test_normalization_adapted_model_saves_loads_and_trains_without_moving_stats(tmp_path):
    tk.clear_session()
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4)).astype(np.float32)
    norm = tk.layers.Normalization()
    norm.adapt(data)
    model = tk.Sequential([tk.Input(shape=(4,)), norm, tk.layers.Dense(1)])
    out = model(tk.tensor(data)).numpy()
    z = norm(tk.tensor(data)).numpy()
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-4)
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    np.testing.assert_array_equal(again(tk.tensor(data)).numpy(), out)
    assert [w.name for w in again.weights] == [w.name for w in model.weights]
    assert again.layers[0].get_weights()[2].dtype == np.int32
    stats = [w.copy() for w in norm.get_weights()]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, data[:, :1], epochs=1, batch_size=10, verbose=0)
    for before, after in zip(stats, norm.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_normalization_with_given_stats_saves_and_loads_from_its_config(tmp_path):
    tk.clear_session()
    norm = tk.layers.Normalization(axis=(1, 2), mean=[1.0, 2.0], variance=[4.0, 9.0],
                                   invert=True)
    model = tk.Sequential([tk.Input(shape=(3, 2)), norm])
    assert norm.weights == [] and norm.get_config()["mean"] == [1.0, 2.0]
    model.save(tmp_path / "m.tkmodel")
    x = tk.ones((2, 3, 2))
    np.testing.assert_array_equal(tk.models.load_model(tmp_path / "m.tkmodel")(x).numpy(),
                                  model(x).numpy())
    np.testing.assert_allclose(model(x).numpy()[0, 0], [3.0, 5.0])     # mean + x * std


def test_normalization_in_float64_and_on_integer_inputs():
    norm = tk.layers.Normalization(dtype="float64")
    norm.adapt(np.arange(12).reshape(6, 2))
    assert norm.get_weights()[0].dtype == np.float64
    y = norm(tk.tensor(np.arange(4).reshape(2, 2), dtype="int32"))
    assert y.dtype == np.float64
    np.testing.assert_allclose(norm.get_weights()[0], [5.0, 6.0])


@pytest.mark.parametrize("make, error, match", [
    (lambda: tk.layers.Normalization(mean=1.0), ValueError, r"both mean and variance"),
    (lambda: tk.layers.Normalization(mean=[1, 2], variance=[1, 2, 3]), ValueError,
     r"same shape.*\(2,\).*\(3,\)"),
    (lambda: tk.layers.Normalization(mean=[[1.0]], variance=[[1.0]]), ValueError,
     r"rank at most 1"),
    (lambda: tk.layers.Normalization(axis="last"), ValueError, r"Received: axis='last'"),
    (lambda: tk.layers.Normalization(axis=3)(tk.ones((2, 3))), tk.ShapeError,
     r"axis=\(3,\) is out of range for an input of rank 2"),
    (lambda: tk.layers.Normalization()(tk.symbolic((None, None))), tk.ShapeError,
     r"unknown size on a kept axis"),
    (lambda: tk.layers.Normalization(mean=0.0, variance=1.0).adapt(np.ones((3, 2))),
     ValueError, r"given mean and variance, so it has nothing to adapt"),
    (lambda: tk.layers.Normalization().adapt([]), ValueError, r"empty iterable"),
    (lambda: tk.layers.Normalization().adapt(3.0), TypeError, r"Received: float"),
])
def test_normalization_bad_arguments_say_what_and_how(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_normalization_adapt_on_data_of_other_features_is_refused():
    norm = tk.layers.Normalization()
    norm.adapt(np.ones((4, 3)))
    with pytest.raises(tk.ShapeError, match=r"does not fit this Normalization"):
        norm.adapt(np.ones((4, 5)))
    norm.adapt([(np.full((2, 3), 2.0), np.zeros(2))])        # (x, y) batches: x is used
    np.testing.assert_array_equal(norm.get_weights()[0], [2.0, 2.0, 2.0])
