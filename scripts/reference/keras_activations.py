"""Record every Keras 3 activation (values and gradients, the kinks included) and the
initializers' arguments, configs and statistics, for
tests/test_reference_keras_activations.py.

Run with a Python that has Keras 3 and JAX (not the project venv): ``make references``.

It writes tests/data/reference/keras_activations.npz. Cases, by spec["kind"]:
  act    keras.activations.<name>(x, **kwargs): x, y and gx (the gradient of
         sum(y * ct), ct = reference.cotangent(y.shape), by jax.grad). x holds 0, each
         activation's kinks and thresholds, large magnitudes and random values.
  names  every name keras.activations.get takes -> keras.activations.serialize of it;
         every name keras.initializers.get takes -> its class name and config.
  init   statistics (min, max, mean, std, max |W^T W - I|) of a large sample of
         keras.initializers.get(name) or of a class built with kwargs.
  exact  a deterministic initializer's (Constant, Identity, STFT) values, w.
"""

import jax
import jax.numpy as jnp
import numpy as np
from _keras import Cases, keras

rng = np.random.default_rng(0)
# 0, the kinks of every activation here (+-0.5, +-1, +-3, 6, and the kwargs' thresholds),
# values near them, and large magnitudes
SPECIAL = [0.0, -0.0, 1e-4, -1e-4, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 1.5, 4.0,
           0.7, -0.7, 2.0, -2.0, 0.999, 1.001, -0.999, -1.001, 5.999, 6.001, 20.0, -20.0,
           50.0, -50.0, 0.25, -0.25, 8.0, -8.0]

ACTS = [("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 6}),
        ("relu", {"max_value": 4.0}), ("relu", {"threshold": 1.5}),
        ("relu", {"negative_slope": 0.1, "threshold": 1.5, "max_value": 4.0}),
        ("relu", {"negative_slope": 0.2, "max_value": 6.0}),
        ("relu", {"negative_slope": 0.3, "max_value": 4.0}),
        ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}),
        ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}),
        ("celu", {"alpha": 2.0}), ("gelu", {}), ("gelu", {"approximate": True}),
        ("glu", {}), ("glu", {"axis": 0}), ("sigmoid", {}), ("hard_sigmoid", {}),
        ("sparse_sigmoid", {}), ("log_sigmoid", {}), ("silu", {}), ("swish", {}),
        ("hard_silu", {}), ("hard_swish", {}), ("mish", {}), ("tanh", {}), ("hard_tanh", {}),
        ("tanh_shrink", {}), ("softplus", {}), ("sparse_plus", {}), ("squareplus", {}),
        ("squareplus", {"b": 1}), ("softsign", {}), ("soft_shrink", {}),
        ("soft_shrink", {"threshold": 1.0}), ("hard_shrink", {}),
        ("hard_shrink", {"threshold": 1.0}),
        ("threshold", {"threshold": 0.7, "default_value": -1.0}),
        ("softmax", {}), ("softmax", {"axis": 0}), ("log_softmax", {}),
        ("log_softmax", {"axis": 0}), ("sparsemax", {}), ("sparsemax", {"axis": 0}),
        ("exponential", {}), ("linear", {})]

# initializer (name or class, kwargs) -> shape: statistics only, the RNGs differ
INITS = [("variance_scaling", {}, (300, 200)),
         ("VarianceScaling", {"scale": 3.0, "mode": "fan_out", "distribution": "uniform"},
          (300, 200)),
         ("VarianceScaling", {"scale": 0.5, "mode": "fan_avg",
                              "distribution": "untruncated_normal"}, (3, 3, 16, 32)),
         ("VarianceScaling", {"scale": 2.0, "mode": "fan_in", "distribution": "normal"},
          (5, 40, 64)),
         ("VarianceScaling", {"mode": "fan_in", "distribution": "uniform",
                              "input_axes": [0], "output_axes": [1, 2]}, (20, 50, 40)),
         ("HeNormal", {"input_axes": [0, 1], "output_axes": [2]}, (20, 10, 300)),
         ("RandomNormal", {"mean": 1.0, "stddev": 0.2}, (300, 200)),
         ("RandomUniform", {"minval": 0.0, "maxval": 2.0}, (300, 200)),
         ("TruncatedNormal", {"mean": -1.0, "stddev": 0.3}, (300, 200)),
         ("Orthogonal", {"gain": 2.0}, (64, 64)), ("normal", {}, (300, 200)),
         ("uniform", {}, (300, 200)), ("GlorotUniform", {}, (300, 200)),
         ("LecunNormal", {}, (300, 200))]

EXACT = [("Constant", {"value": 0.7}, (3, 4)), ("constant", {}, (2, 3)), ("Ones", {}, (2, 2)),
         ("zero", {}, (2, 2)), ("Identity", {}, (4, 4)), ("Identity", {"gain": 2.0}, (3, 5)),
         ("identity", {}, (5, 3)), ("STFT", {}, (8, 1, 5)),
         ("STFT", {"side": "imag", "window": "hamming", "periodic": True}, (8, 2, 5)),
         ("STFT", {"window": "hann", "scaling": "spectrum", "periodic": True}, (16, 1, 9)),
         ("STFT", {"window": None, "scaling": None}, (6, 1, 4)),
         ("STFT", {"window": "blackman"}, (8, 1, 5)),
         ("STFT", {"window": "bartlett", "periodic": True}, (8, 1, 5))]


def cotangent_array(shape):
    """reference.cotangent's formula, as an array."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(np.float32)


def act_input(name):
    if name == "sparsemax":          # rows with ties, one winner, several, all equal
        rows = [[1, 1, 1, 1, 1, 1], [0.5, 0.1, -2, 0.3, 0.3, -1], [3, 1, 2.9, 0, 0, 2.95],
                [0, 0, 0, 0, 0, 5], [0.2, -0.2, 0.1, 0.4, -0.1, 0.0]]
        return np.concatenate([np.array(rows, np.float32),
                               (rng.normal(size=(3, 6)) * 2).astype(np.float32)])
    values = np.array(SPECIAL + list(rng.normal(size=16) * 3), np.float32)    # 48 values
    return values.reshape(4, 12)


def act_case(name, kwargs):
    fn = getattr(keras.activations, name)
    x = act_input(name)
    y = np.asarray(fn(x, **kwargs))
    ct = cotangent_array(y.shape)
    gx = jax.grad(lambda x: jnp.sum(fn(x, **kwargs) * ct))(jnp.asarray(x))
    return {"kind": "act", "name": name, "kwargs": kwargs}, {"x": x, "y": y, "gx": gx}


def stats(w):
    w = np.asarray(w, dtype=np.float64)
    flat = w.reshape(-1, w.shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    scale = np.abs(np.diag(gram)).mean()
    off = np.abs(gram / scale - np.eye(len(gram))).max()
    return np.array([w.min(), w.max(), w.mean(), w.std(), off])


def make(name, kwargs):
    cls = getattr(keras.initializers, name, None)
    return cls(**kwargs) if isinstance(cls, type) else keras.initializers.get(name)


def names():
    from keras.src.activations import ALL_OBJECTS_DICT as acts
    from keras.src.initializers import ALL_OBJECTS_DICT as inits
    act = {n: keras.activations.serialize(keras.activations.get(n)) for n in sorted(acts)}
    init = {}
    for n in sorted(inits):
        if n in ("Initializer", "initializer"):
            continue
        try:
            obj = keras.initializers.get(n)
        except KeyError:            # get("constant") needs a value: Keras raises KeyError
            init[n] = None
            continue
        init[n] = [type(obj).__name__, keras.initializers.serialize(obj)["config"]]
    configs = [[cls, kwargs, keras.initializers.serialize(make(cls, kwargs))]
               for cls, kwargs, _ in INITS + EXACT]
    return {"kind": "names", "activations": act, "initializers": init, "configs": configs}


def main():
    keras.utils.set_random_seed(0)
    cases = Cases("keras_activations")
    for name, kwargs in ACTS:
        tag = "_".join(f"{k}{v}" for k, v in kwargs.items())
        cases.add(f"act_{name}{'_' + tag if tag else ''}", *act_case(name, kwargs))
    cases.add("names", names(), {})
    for i, (name, kwargs, shape) in enumerate(INITS):
        w = make(name, kwargs)(shape)
        cases.add(f"init{i:02d}_{name}", {"kind": "init", "name": name, "kwargs": kwargs,
                                          "shape": list(shape)}, {"stats": stats(w)})
    for i, (name, kwargs, shape) in enumerate(EXACT):
        w = np.asarray(make(name, kwargs)(shape))
        cases.add(f"exact{i:02d}_{name}", {"kind": "exact", "name": name, "kwargs": kwargs,
                                           "shape": list(shape)}, {"w": w})
    out = cases.save()
    print(f"{len(cases)} cases -> {out}")


if __name__ == "__main__":
    main()
