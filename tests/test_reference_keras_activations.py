"""Every Keras 3 activation and initializer against cases recorded from real Keras
(scripts/reference/keras_activations.py): activation values and gradients of
sum(y * cotangent) at 0, at the kinks and at large magnitudes; the names get() takes and
what serialize() gives back; initializer configs, exact values of the deterministic ones
and statistics of a large sample of the random ones (the random generators differ).
"""

import numpy as np
import pytest
from reference import close, cotangent, load_cases, params

import tensorkit as tk
from tensorkit import activations, initializers

CASES = load_cases("keras_activations")
NAMES = CASES["names"][0]


@pytest.mark.parametrize("spec,arrays", params(CASES, "act"))
def test_activation_matches_keras(spec, arrays):
    x = tk.tensor(arrays["x"], requires_grad=True)
    y = getattr(activations, spec["name"])(x, **spec["kwargs"])
    close(y.numpy(), arrays["y"], "output")
    (y * cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), arrays["gx"], "gradient")


def test_activation_names_match_keras():
    for name, keras_name in NAMES["activations"].items():
        fn = activations.get(name)
        assert activations.serialize(fn) == keras_name, name
        assert activations.get(keras_name) is fn or keras_name == "silu"


def test_initializer_names_match_keras():
    for name, expected in NAMES["initializers"].items():
        if expected is None:            # Keras' get("constant") fails: Constant needs a value
            continue
        init = initializers.get(name)
        assert [type(init).__name__, _keras_config(init)] == expected, name


def _keras_config(init):
    """Keras' config: tensorkit's Identity also keeps its gain (Keras' drops it)."""
    config = init.get_config()
    return {} if isinstance(init, initializers.Identity) else config


def _make(name, kwargs):
    return getattr(initializers, name)(**kwargs) if name[:1].isupper() else \
        initializers.get(name)


def test_initializer_configs_match_keras():
    for name, kwargs, serialized in NAMES["configs"]:
        init = _make(name, kwargs)
        assert {**initializers.serialize(init), "config": _keras_config(init)} == serialized, \
            (name, kwargs)
        again = initializers.get(initializers.serialize(init))
        assert type(again) is type(init) and again.get_config() == init.get_config()


@pytest.mark.parametrize("spec,arrays", params(CASES, "exact"))
def test_deterministic_initializer_matches_keras(spec, arrays):
    w = _make(spec["name"], spec["kwargs"])(tuple(spec["shape"]))
    close(w, arrays["w"], "values", rtol=1e-5, atol=1e-6)


def _stats(w):
    w = np.asarray(w, dtype=np.float64)
    flat = w.reshape(-1, w.shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    off = np.abs(gram / np.abs(np.diag(gram)).mean() - np.eye(len(gram))).max()
    return w.min(), w.max(), w.mean(), w.std(), off


@pytest.mark.parametrize("spec,arrays", params(CASES, "init"))
def test_initializer_statistics_match_keras(spec, arrays):
    shape = tuple(spec["shape"])
    init = _make(spec["name"], spec["kwargs"])
    tk.random.seed(1)
    lo, hi, mean, std, off = _stats(init(shape))
    k_lo, k_hi, k_mean, k_std, k_off = arrays["stats"]
    n = np.prod(shape)          # two samples of n: within 5 standard errors
    assert std == pytest.approx(k_std, rel=0.01 + 5 / np.sqrt(2 * n))
    assert abs(mean - k_mean) < 5 * k_std / np.sqrt(n)
    kind = getattr(init, "distribution", type(init).__name__)
    if kind in ("uniform", "truncated_normal", "RandomUniform", "TruncatedNormal"):
        assert abs(lo - k_lo) < 0.05 * k_std and abs(hi - k_hi) < 0.05 * k_std
    if kind == "Orthogonal":
        assert k_off < 1e-4 and off < 1e-4


# ---- behaviour -----------------------------------------------------------------------------
NEW = ["celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "sparse_plus",
       "squareplus", "log_sigmoid", "sparsemax", "sparse_sigmoid", "relu6", "hard_silu"]


@pytest.mark.parametrize("name", NEW)
def test_dense_with_new_activation_saves_and_loads(name, tmp_path):
    model = tk.Sequential([tk.Input(shape=(4,)), tk.layers.Dense(6, activation=name)])
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    assert model.layers[0].get_config()["activation"] == name
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    assert again.layers[0].get_config()["activation"] == name
    close(again.predict(x, verbose=0), model.predict(x, verbose=0), "reloaded output")


def test_new_activation_in_symbolic_model_keeps_shape():
    inputs = tk.Input(shape=(8,))
    assert tk.layers.Dense(6, activation="sparsemax")(inputs).shape == (None, 6)
    assert tk.layers.Activation("glu")(inputs).shape == (None, 4)


def test_activation_errors():
    with pytest.raises(ValueError, match="odd size 5.*even size"):
        activations.glu(tk.ones((2, 5)))
    with pytest.raises(ValueError, match="Did you mean 'hard_tanh'"):
        activations.get("hard_tahn")


def test_sparsemax_is_keras_formula_not_the_papers():
    # Keras 3.15 gives 0 for equal entries (the paper: 1/n each); we follow Keras
    assert np.all(activations.sparsemax(tk.ones((1, 4))).numpy() == 0)
    close(activations.sparsemax(tk.tensor([[2.0, 0.0]])).numpy(), [[1.0, 0.0]], "one winner")


def test_initializer_classes_and_errors():
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    assert initializers.get(initializers.Zeros)((2,)).tolist() == [0, 0]
    a, b = initializers.GlorotUniform(seed=3)((4, 5)), initializers.GlorotUniform(seed=3)((4, 5))
    assert np.array_equal(a, b)                     # a seed gives the same values each call
    assert initializers.RandomNormal()((2, 2), dtype="float32").dtype == np.float32
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_mean")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="seed"):
        initializers.HeNormal(seed="x")
    with pytest.raises(TypeError, match="Did you mean 'he_normal'"):
        initializers.get("he_normall")


def test_layer_config_names_default_initializers_and_serializes_others():
    dense = tk.layers.Dense(3, kernel_initializer=initializers.HeNormal(),
                            bias_initializer=initializers.Constant(0.5))
    config = dense.get_config()
    assert config["kernel_initializer"] == "he_normal"
    assert config["bias_initializer"]["class_name"] == "Constant"
    assert config["bias_initializer"]["config"] == {"value": 0.5}
    dense.build((None, 2))
    assert np.all(dense.bias.numpy() == 0.5)
