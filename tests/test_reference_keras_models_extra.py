"""GroupNormalization, UnitNormalization, AdditiveAttention, LayerNormalization's
rms_scaling, and whole models trained with fit, against cases recorded from real Keras 3
(scripts/reference/keras_models_extra.py).

Layer cases: same config and weights -> same output (and attention scores), the same
gradients of sum(output * cotangent) for inputs and weights, compute_output_shape and
get_weights order. Fit cases: the same initial weights, fit(epochs=3, batch_size=16,
validation_split=0.2, shuffle=False) -> the same History, final weights (moving
statistics included), evaluate() and predict().
"""

import numpy as np
import pytest
from reference import cotangent, load_cases, params

import tensorkit as tk

CASES = load_cases("keras_models_extra")
L = tk.layers


def _close(actual, expected, what, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol,
                               atol=atol, err_msg=what)


@pytest.mark.filterwarnings("ignore:rms_scaling=True is deprecated")
@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    layer = getattr(L, spec["layer"])(**spec["kwargs"])
    n = sum(1 for k in arrays if k.startswith("x"))
    xs = [tk.tensor(arrays[f"x{i}"], requires_grad=True) for i in range(n)]
    shapes = [(None,) + x.shape[1:] for x in xs]
    assert tuple(layer.compute_output_shape(shapes if spec["multi"] else shapes[0])) == \
        tuple(spec["output_shape"])
    config = layer.get_config()                 # after build, as recorded
    for key, want in spec["config"].items():
        # Keras's LayerNormalization turns axis=-1 into [-1] when it builds
        got = [config[key]] if isinstance(want, list) and isinstance(config[key], int) \
            else config[key]
        assert got == want, key
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    n_weights = sum(1 for k in arrays if k.startswith("w"))
    layer.set_weights([arrays[f"w{i}"] for i in range(n_weights)])
    kw = dict(spec["call"])
    if any(k.startswith("m") for k in arrays):
        kw["mask"] = [arrays.get(f"m{i}") for i in range(n)]
    out = layer(xs if spec["multi"] else xs[0], **kw)
    if "scores" in arrays:
        out, scores = out
        _close(scores.numpy(), arrays["scores"], "attention scores")
    _close(out.numpy(), arrays["y"], "output")
    (out * cotangent(out.shape)).sum().backward()
    for i, x in enumerate(xs):
        _close(x.grad.numpy(), arrays[f"gx{i}"], f"gradient of input {i}")
    for i, w in enumerate(layer.weights):
        _close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4)


# ---- whole models ---------------------------------------------------------------------------
def _cnn(flatten):
    return tk.Sequential([
        tk.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
        L.MaxPooling2D(), L.Conv2D(5, 3), L.Flatten() if flatten else L.GlobalAveragePooling2D(),
        L.Dense(3, activation="softmax")])


def _two_inputs():
    a, b = tk.Input((4,), name="a"), tk.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="tanh")(a), L.Dense(2, activation="relu")(b)])
    return tk.Model([a, b], L.Dense(2)(h))


MODELS = {
    "cnn_gap": lambda: _cnn(False),
    "cnn_flatten": lambda: _cnn(True),
    "cnn_flatten_saturated": lambda: _cnn(True),
    "text_lstm": lambda: tk.Sequential([tk.Input((7,), dtype="int32"),
                                        L.Embedding(12, 4, mask_zero=True), L.LSTM(5),
                                        L.Dense(1, activation="sigmoid")]),
    "gru_td": lambda: tk.Sequential([tk.Input((6, 3)), L.GRU(5, return_sequences=True),
                                     L.TimeDistributed(L.Dense(3, activation="softmax"))]),
    "batchnorm": lambda: tk.Sequential([
        tk.Input((5,)), L.Dense(8, use_bias=False), L.BatchNormalization(momentum=0.8),
        L.Activation("relu"),
        L.Dense(6, use_bias=False), L.BatchNormalization(center=False, epsilon=0.01),
        L.Dense(3, activation="softmax")]),
    "two_inputs": _two_inputs,
}
# Nine float32 steps whose sums run in another order than XLA's (matched to ~1e-6).
FIT_RTOL, FIT_ATOL = 1e-5, 2e-6
# Where tensorkit and Keras 3 (JAX) knowingly differ.
DIFFERS = {
    "fit_cnn_flatten_saturated":
        "some softmax outputs are < 1e-7: Keras's JAX backend clips them to 1e-7 in "
        "sparse_categorical_crossentropy (loss capped at 16.1, gradient 0), tensorkit takes "
        "the softmax's logits as Keras's TensorFlow backend does (tensorkit/losses.py "
        "_logits_of). Clipping that path's loss to [-log(1 - 1e-7), -log(1e-7)] (float32) "
        "when from_logits=False makes this case match at 1e-5",
}


@pytest.mark.parametrize("spec,arrays", params(CASES, "fit"))
def test_fit_matches_keras(spec, arrays, request):
    if request.node.callspec.id in DIFFERS:
        pytest.xfail(DIFFERS[request.node.callspec.id])
    model = MODELS[spec["model"]]()
    n_init = sum(1 for k in arrays if k.startswith("init"))
    assert len(model.weights) == n_init
    model.set_weights([arrays[f"init{i}"] for i in range(n_init)])
    model.compile(**spec["compile"])
    xs = [arrays[f"x{i}"] for i in range(sum(1 for k in arrays if k.startswith("x")))]
    x = xs if spec["multi"] else xs[0]
    hist = model.fit(x, arrays["y"], epochs=3, batch_size=16, validation_split=0.2,
                     shuffle=False, verbose=0)
    assert sorted(hist.history) == sorted(spec["history_keys"])
    for key in spec["history_keys"]:
        _close(hist.history[key], arrays[f"h_{key}"], f"history[{key!r}]", FIT_RTOL, FIT_ATOL)
    for i, w in enumerate(model.get_weights()):
        _close(w, arrays[f"final{i}"], f"weight {spec['weight_paths'][i]} after fit",
               FIT_RTOL, FIT_ATOL)
    _close(model.evaluate(x, arrays["y"], verbose=0), arrays["evaluate"], "evaluate()",
           FIT_RTOL, FIT_ATOL)
    pred = model.predict(x, batch_size=16, verbose=0)
    assert pred.shape == arrays["predict"].shape
    _close(pred, arrays["predict"], "predict()", FIT_RTOL, FIT_ATOL)
