"""EinsumDense, Hashing, PearsonCorrelation / ConcordanceCorrelation and
compile(weighted_metrics=...) against cases recorded from real Keras 3 (JAX; TensorFlow for
Hashing's hashes) by scripts/reference/keras_more_layers_metrics.py; then Hashing's own
unit tests (arguments, shapes, models, saving), which need no recording.

Where Keras' compute_output_shape disagrees with the output its own call gives, tensorkit
gives the call's shape (its graph is the call's): EinsumDense with '...' over two axes
(Keras lists them reversed), a Hashing one-hot of a rank-1 input or of (N, T) strings (Keras
drops an axis). Where Keras leaves a size None that the input fixes (EinsumDense's
output_shape=(None, 64)), tensorkit fills it in.
"""

import numpy as np
import pytest
from reference import close, cotangent, load_cases, weights
from reference_training import FIT_ATOL, FIT_RTOL, _model

import tensorkit as tk
from tensorkit import layers, metrics
from tensorkit.layers.preprocessing import fingerprint64, siphash

CASES = load_cases("keras_more_layers_metrics")
FIT = CASES["fit_data"][1]


def names(kind):
    return sorted(n for n, (spec, _) in CASES.items() if spec["kind"] == kind)


# ---- EinsumDense ------------------------------------------------------------------------------
KERAS_SHAPE_DIFFERS = {"einsum_ellipsis_left_rank4": (None, 5, 4, 3),      # the call: 4, 5
                       "hashing_one_hot_rank1": (4,), "hashing_one_hot_seq": (3, 5)}


def _keras_shape_fits(name, ours, theirs):
    if name in KERAS_SHAPE_DIFFERS:
        return theirs == KERAS_SHAPE_DIFFERS[name] and theirs != ours
    return len(ours) == len(theirs) and all(k is None or k == o for o, k in zip(ours, theirs))


@pytest.mark.parametrize("name", names("einsum"))
def test_einsum_dense_matches_keras(name):
    spec, a = CASES[name]
    tk.clear_session()
    layer = layers.EinsumDense(**spec["kwargs"])
    shape = (None,) + a["x0"].shape[1:]
    ours = tuple(layer.compute_output_shape(shape))
    assert ours == (None,) + a["y"].shape[1:]
    assert _keras_shape_fits(name, ours, tuple(spec["output_shape"]))
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    assert [list(w.shape) for w in layer.weights] == spec["weight_shapes"]
    layer.set_weights(weights(a))
    x = tk.tensor(a["x0"], requires_grad=True)
    y = layer(x)
    close(y.numpy(), a["y"], "output")
    (y * cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), a["gx0"], "gradient of the input")
    for i, w in enumerate(layer.trainable_weights):
        close(w.grad.numpy(), a[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4)


@pytest.mark.parametrize("name", names("einsum_init"))
def test_einsum_dense_kernel_fans_match_keras(name):
    """glorot_uniform counts the equation's input letters as fan_in and its output letters
    as fan_out (not a conv kernel's receptive field): the same spread as Keras'."""
    spec, a = CASES[name]
    layer = layers.EinsumDense(**spec["kwargs"],
                               kernel_initializer=tk.initializers.GlorotUniform(seed=3))
    layer.build(tuple(spec["input_shape"]))
    kernel = layer.get_weights()[0]
    assert kernel.std() == pytest.approx(float(a["std"]), rel=0.03)
    assert np.abs(kernel).max() == pytest.approx(float(a["absmax"]), rel=0.01)
    assert layer.get_config()["kernel_initializer"]["config"]["input_axes"] is None  # as given


@pytest.mark.parametrize("name", names("config"))
def test_config_matches_keras(name):
    spec, _ = CASES[name]
    kwargs = {k: v for k, v in spec["config"].items() if k in ("equation", "output_shape")}
    if spec["layer"] == "Hashing":
        kwargs = {"num_bins": spec["config"]["num_bins"]}
    layer = getattr(layers, spec["layer"])(**kwargs)
    again = type(layer).from_config({**layer.get_config(), **spec["config"]}).get_config()
    for key, want in spec["config"].items():
        assert key in again, key
        got = list(again[key]) if isinstance(again[key], tuple) else again[key]
        assert got == want, key


# ---- Hashing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("hashing"))
def test_hashing_matches_keras(name):
    spec, a = CASES[name]
    layer = layers.Hashing(**spec["kwargs"])
    x = a["x"]
    y = layer(x)
    np.testing.assert_array_equal(y.numpy(), a["y"])
    assert y.dtype == ("int64" if spec["kwargs"].get("output_mode", "int") == "int"
                       else "float32")
    ours = tuple(layer.compute_output_shape(x.shape))
    assert ours == y.shape
    assert _keras_shape_fits(name, ours, tuple(spec["output_shape"]))


@pytest.mark.parametrize("table", ["fast", "strong_133_137", "strong_big"])
def test_farmhash_and_siphash_match_tensorflow_bit_for_bit(table):
    """TensorFlow's own hashes of texts of 0 to 300 UTF-8 bytes (every length branch of
    FarmHash, SipHash's tails), over 2**63 - 1 buckets so that nearly all 64 bits show."""
    spec, a = CASES["hash_raw"]
    buckets = spec["buckets"]
    key = spec["keys"].get(table)
    got = [(fingerprint64(t.encode()) if key is None else siphash(key, t.encode())) % buckets
           for t in a["texts"].tolist()]
    lengths = {len(t.encode()) for t in a["texts"].tolist()}
    for low, high in [(0, 0), (1, 3), (4, 7), (8, 16), (17, 32), (33, 64), (65, 128),
                      (129, 300)]:                  # FarmHash's branches, by length
        assert lengths & set(range(low, high + 1)), (low, high)
    np.testing.assert_array_equal(np.array(got, np.int64), a[table])


# ---- correlation metrics -----------------------------------------------------------------------
@pytest.mark.parametrize("name", names("corr_fn"))
def test_correlation_functions_match_keras(name):
    spec, a = CASES[name]
    fn = getattr(metrics, spec["fn"])
    axis = tuple(spec["axis"]) if isinstance(spec["axis"], list) else spec["axis"]
    got = fn(a["y_true"], a["y_pred"], axis=axis)
    assert np.shape(got) == a["value"].shape
    close(got, a["value"], "value", rtol=2e-5, atol=2e-6)     # nan where Keras has nan


@pytest.mark.parametrize("name", names("metric"))
def test_correlation_metrics_match_keras(name):
    spec, a = CASES[name]
    m = getattr(metrics, spec["cls"])(**spec["config"])
    assert m.name == spec["name"]
    config = m.get_config()
    for key, want in spec["keras_config"].items():
        if key != "dtype":
            assert config[key] == want, key
    for i in range(spec["n"]):
        m.update_state(a[f"t{i}"], a[f"p{i}"], sample_weight=a.get(f"w{i}"))
        close(m.result(), a[f"r{i}"], f"result after update {i}", rtol=2e-5, atol=2e-6)
    m.reset_state()
    close(m.result(), a["reset"], "after reset_state")
    by_name = metrics.get(metrics.snake_case(spec["cls"]))        # "pearson_correlation"
    assert type(by_name) is type(m) and by_name.name == metrics.snake_case(spec["cls"])


# ---- compile(weighted_metrics=...) --------------------------------------------------------------
def _objects(specs):
    return [s if isinstance(s, str) else getattr(metrics, s[0])(**s[1]) for s in specs]


@pytest.mark.parametrize("name", names("fit"))
def test_fit_with_weighted_metrics_matches_keras(name):
    """metrics ignore the weights, weighted_metrics take them (sample_weight or
    class_weight, and validation_data's third array); names as Keras logs them."""
    spec, a = CASES[name]
    model = _model(spec["model"])
    model.set_weights([a[f"init{i}"] for i in range(sum(k.startswith("init") for k in a))])
    model.compile(**{k: _objects(v) if k.endswith("metrics") else v
                     for k, v in spec["compile"].items()})
    given = {"sample_weight": FIT["sw"]} if spec["weights"] == "sample" else \
        {"class_weight": {0: 0.5, 1: 3.0}}
    hist = model.fit(FIT["x"], a["y"], epochs=2, batch_size=16, shuffle=False, verbose=0,
                     validation_data=(FIT["xv"], a["yv"], FIT["swv"]), **given)
    assert sorted(hist.history) == sorted(spec["history_keys"])
    for key in spec["history_keys"]:
        close(hist.history[key], a[f"h_{key}"], f"history[{key!r}]", FIT_RTOL, FIT_ATOL)
    for i, weight in enumerate(model.get_weights()):
        close(weight, a[f"final{i}"], f"weight {i} after fit", FIT_RTOL, FIT_ATOL)
    ev = model.evaluate(FIT["xv"], a["yv"], sample_weight=FIT["swv"], batch_size=5, verbose=0,
                        return_dict=True)
    assert list(ev) == [k for k in model.metrics_names]
    assert sorted(ev) == sorted(spec["evaluate_keys"])
    close([ev[k] for k in spec["evaluate_keys"]], a["evaluate"], "evaluate", FIT_RTOL,
          FIT_ATOL)


# ---- Hashing beyond the recordings --------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Hashing(0), ValueError, r"cannot be `None` or non-positive.*num_bins=0"),
    (lambda: layers.Hashing(None), ValueError, r"Received: num_bins=None"),
    (lambda: layers.Hashing(2.5), ValueError, r"Received: num_bins=2.5"),
    (lambda: layers.Hashing(3, output_mode="tf_idf"), ValueError,
     r"Expected one of \('int', 'one_hot', 'multi_hot', 'count'\).*output_mode=tf_idf"),
    (lambda: layers.Hashing(3, dtype="float32"), ValueError,
     r"`dtype` should be an integer type.*dtype=float32"),
    (lambda: layers.Hashing(3, salt="x"), ValueError, r"tuple of size 2 integers.*salt=x"),
    (lambda: layers.Hashing(3, salt=[1, 2, 3]), ValueError, r"salt=\[1, 2, 3\]"),
    (lambda: layers.Hashing(3, output_mode="count", sparse=True), ValueError,
     r"TensorFlow backend.*sparse=True"),
    (lambda: layers.Hashing(3, bins=3), TypeError, r"unexpected argument\(s\) bins"),
    (lambda: layers.Hashing(3)([None, "a"]), TypeError, r"strings or integers.*NoneType"),
    (lambda: layers.Hashing(3)(np.array([True, False])), TypeError, r"bool values"),
])
def test_hashing_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_hashing_integers_in_a_model_symbolic_shapes_and_saving(tmp_path):
    tk.clear_session()
    ids = np.array([[3, 17, 3], [0, -5, 2 ** 40]], np.int64)
    inputs = tk.Input(shape=(3,), dtype="int64")
    hashed = layers.Hashing(num_bins=10, mask_value=0, salt=[1, 2])(inputs)
    assert hashed.shape == (None, 3) and hashed.dtype == "int64"
    outputs = layers.Dense(2)(layers.Flatten()(layers.Embedding(10, 4)(hashed)))
    model = tk.Model(inputs, outputs)
    bins = model.layers[1](ids).numpy()
    texts = [[str(v) for v in row] for row in ids.tolist()]            # an int is its text
    np.testing.assert_array_equal(layers.Hashing(10, salt=[1, 2])(ids).numpy(),
                                  layers.Hashing(10, salt=[1, 2])(texts).numpy())
    assert bins[1, 0] == 0 and (bins[ids != 0] >= 1).all()            # 0 is the mask's bin
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    np.testing.assert_array_equal(again(ids).numpy(), model(ids).numpy())
    assert again.layers[1].get_config() == model.layers[1].get_config()
    for mode, shape in [("int", (None, 4, 3)), ("one_hot", (None, 4, 3, 5)),
                        ("multi_hot", (None, 3, 5)), ("count", (None, 3, 5))]:
        layer = layers.Hashing(5, output_mode=mode)
        assert layer(tk.symbolic((None, 4, 3), dtype="int32")).shape == shape
        assert layer.compute_output_shape((None, 4, 3)) == shape
        assert layer(np.zeros((2, 4, 3), np.int32)).shape == (2,) + shape[1:]


def test_hashing_strings_run_before_the_model_and_repeat():
    words = ["the", "cat", "the", "", "日本"]
    layer = layers.Hashing(num_bins=8)
    first = layer(words).numpy()
    assert first[0] == first[2] and ((0 <= first) & (first < 8)).all()
    np.testing.assert_array_equal(layers.Hashing(num_bins=8)(np.array(words)).numpy(), first)
    np.testing.assert_array_equal(layer([w.encode() for w in words]).numpy(), first)
    assert layer(words[0]).shape == ()                 # one string: one bin
    salted = layers.Hashing(num_bins=8, salt=5)(words).numpy()
    assert not np.array_equal(salted, first)           # another hash altogether
    np.testing.assert_array_equal(layers.Hashing(num_bins=8, salt=[5, 5])(words).numpy(), salted)
    with pytest.raises(tk.DTypeError, match="tensors hold numbers"):
        tk.Sequential([tk.Input(shape=(1,)), layers.Hashing(4)])(["a"])
