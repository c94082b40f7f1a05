"""What the Keras recording scripts share: the JAX backend, the case collection and file,
and the random data they draw (from one seeded generator per script, so a script's cases
come out the same on every run)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from reference import save_cases  # noqa: E402

assert keras.backend.backend() == "jax", "run with KERAS_BACKEND=jax"
f32 = np.float32


class Cases(dict):
    """{name: (spec, arrays)} of one area, written to tests/data/reference/<area>.npz."""

    def __init__(self, area):
        super().__init__()
        self.out = os.path.join(HERE, "..", "..", "tests", "data", "reference", f"{area}.npz")

    def add(self, name, spec, arrays):
        assert name not in self, name
        self[name] = (spec, {k: np.asarray(v) for k, v in arrays.items()})

    def save(self):
        save_cases(self.out, dict(self))
        return self.out


class Draws:
    """Labels and predictions of the kinds losses and metrics take, from `seed`."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def probs(self, *shape):                     # rows that sum to 1
        e = np.exp(self.rng.normal(size=shape) * 1.5)
        return (e / e.sum(-1, keepdims=True)).astype(f32)

    @staticmethod
    def onehot(ids, c):
        return np.eye(c, dtype=f32)[ids]

    def sigm(self, *shape):                      # in (0, 1), often near the ends
        return (1 / (1 + np.exp(-2 * self.rng.normal(size=shape)))).astype(f32)

    def bits(self, *shape):
        return (self.rng.random(shape) > 0.5).astype(f32)

    def normal(self, *shape):
        return self.rng.normal(size=shape).astype(f32)


def loss_name_case(cases, name, y_true, y_pred):
    """What keras.losses.get(name) gives (its kind and name, its value on the data), or the
    error it raises, as the case ``lossname_<name>``."""
    try:
        fn = keras.losses.get(name)
    except Exception as e:
        cases.add(f"lossname_{name}", {"kind": "loss_fn", "name": name,
                                       "error": type(e).__name__}, {})
        return
    obj = isinstance(fn, keras.losses.Loss)
    cases.add(f"lossname_{name}", {"kind": "loss_fn", "name": name, "object": obj,
                                   "obj_name": fn.name if obj else fn.__name__},
              {"y_true": y_true, "y_pred": y_pred, "value": np.asarray(fn(y_true, y_pred))})


def stepped_optimizer(cls, cfg, weights, grads):
    """A Keras optimizer made from a case's config (a schedule given as (class, config)),
    stepped over `grads` from `weights`: (optimizer, weights after, learning rates, the
    plain values of its config)."""
    kcfg = dict(cfg)
    if isinstance(cfg.get("learning_rate"), tuple):
        scls, scfg = cfg["learning_rate"]
        kcfg["learning_rate"] = getattr(keras.optimizers.schedules, scls)(**scfg)
    opt = getattr(keras.optimizers, cls)(**kcfg)
    ws = [keras.Variable(v) for v in weights]
    lrs = []
    for step in grads:
        lrs.append(float(opt.learning_rate))
        opt.apply([keras.ops.convert_to_tensor(g) for g in step], ws)
    config = {k: v for k, v in opt.get_config().items()
              if isinstance(v, (int, float, bool, str, type(None)))}
    return opt, ws, np.array(lrs, f32), config


def logging_model(kind):
    """The small model whose fits log metrics by name (tests/reference_training.py)."""
    L = keras.layers
    head = {"binary": L.Dense(1, activation="sigmoid"), "cat": L.Dense(5, activation="softmax"),
            "reg": L.Dense(2)}[kind]
    return keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh"), head])


def logging_fit(cases, rng, data, name, kind, compile_kw, y, yv, metric_objects=None, epochs=2,
                opt=None):
    """Record a fit of logging_model(kind) on data = (x, x_val): History, final weights and
    evaluate (return_dict) for the replay in tests/reference_training.py."""
    x, xv = data
    keras.utils.set_random_seed(0)
    model = logging_model(kind)
    weights = [rng.normal(size=v.shape).astype(f32) * 0.5 for v in model.get_weights()]
    model.set_weights(weights)
    kw = dict(compile_kw)
    if metric_objects:
        kw["metrics"] = kw.get("metrics", []) + [getattr(keras.metrics, c)(**cfg)
                                                 for c, cfg in metric_objects]
    if opt:
        kw["optimizer"] = getattr(keras.optimizers, opt[0])(**opt[1])
    model.compile(**kw)
    hist = model.fit(x, y, epochs=epochs, batch_size=16, shuffle=False, verbose=0,
                     validation_data=(xv, yv))
    arrays = {"y": y, "yv": yv, **{f"init{i}": v for i, v in enumerate(weights)}}
    for k, v in hist.history.items():
        arrays[f"h_{k}"] = np.array(v, f32)
    for i, v in enumerate(model.get_weights()):
        arrays[f"final{i}"] = v
    ev = model.evaluate(xv, yv, batch_size=5, verbose=0, return_dict=True)
    arrays["evaluate"] = np.array(list(ev.values()), f32)
    spec = {"kind": "fit", "model": kind, "compile": compile_kw,
            "metric_objects": metric_objects or [], "epochs": epochs,
            "history_keys": list(hist.history), "evaluate_keys": list(ev)}
    cases.add(name, {**spec, "opt": opt} if opt is not None else spec, arrays)
