"""Record Keras 3 fit / evaluate / predict on Python generators and PyDatasets.

Run (needs keras 3 + jax; writes tests/data/reference/keras_fit_data.npz):

    make references

tests/test_reference_keras_fit_data.py replays every case with tensorkit. A case's spec
says how its data is made (``source``: see ``make_source``, the same recipe the test
follows), the fit arguments, and what Keras did: History, final weights, the batches each
epoch saw (``seen``: which batch of the source, in order, ``-1`` between epochs) and how
often a PyDataset's ``on_epoch_end`` ran. Kinds: ``fit`` (a whole fit, then evaluate and
predict on arrays), ``evaluate`` and ``predict`` (on a source, from fixed weights).
"""
# isort: skip_file

import random
import warnings

from _keras import Cases, Draws, f32  # first: it selects Keras' JAX backend
import keras
import numpy as np
from reference import batch_source

cases = Cases("keras_fit_data")
draw = Draws(20250704)
rng = draw.rng
X, Y = draw.normal(22, 4), rng.integers(0, 3, 22)
XV, YV = draw.normal(9, 4), rng.integers(0, 3, 9)
SW = rng.random(22).astype(f32)
DATA = {"train": (X, Y, SW), "val": (XV, YV, SW[:9])}
cases.add("data", {"kind": "data"}, {"x": X, "y": Y, "xv": XV, "yv": YV, "sw": SW})


def make_source(spec, log):
    """A generator or PyDataset of batches of DATA[spec['data']] (tests/reference.py's
    batch_source, the recipe the test replays)."""
    return batch_source(spec, DATA[spec["data"]], log, keras.utils.PyDataset)


def mlp():
    L = keras.layers
    return keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"),
                             L.Dense(3, activation="softmax")])


def weighted_model(compile_kw):
    keras.utils.set_random_seed(0)
    model = mlp()
    weights = [rng.normal(size=w.shape).astype(f32) * 0.5 for w in model.get_weights()]
    model.set_weights(weights)
    model.compile(**compile_kw)
    return model, {f"init{i}": v for i, v in enumerate(weights)}


class Seen(keras.callbacks.Callback):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_epoch_end(self, epoch, logs=None):
        self.log.append(-1)


ADAM = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"]}


def fit_case(name, source, fit_kw, val=None, compile_kw=ADAM, seed=None):
    model, arrays = weighted_model(compile_kw)
    log, vlog = [], []
    kw = dict(fit_kw)
    if "class_weight" in kw:
        kw["class_weight"] = {int(k): v for k, v in kw["class_weight"].items()}
    data = make_source(source, log) if source["type"] != "arrays" else None
    args = (data,) if data is not None else (X, Y)
    if val is not None:
        kw["validation_data"] = make_source(val, vlog)
    if seed is not None:
        random.seed(seed)                         # a PyDataset's batch order (shuffle=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = model.fit(*args, verbose=0, callbacks=[Seen(log)], **kw)
    ran_out = sum("ran out of data" in str(w.message) for w in caught)
    spec = {"kind": "fit", "source": source, "val": val, "fit": fit_kw, "seed": seed,
            "compile": compile_kw, "history_keys": list(hist.history), "ran_out": ran_out,
            "ends": getattr(data, "ends", None),
            "val_ends": getattr(kw.get("validation_data"), "ends", None)}
    for k, v in hist.history.items():
        arrays[f"h_{k}"] = np.array(v, f32)
    for i, v in enumerate(model.get_weights()):
        arrays[f"final{i}"] = v
    arrays["seen"] = np.array(log, np.int32)
    arrays["vseen"] = np.array(vlog, np.int32)
    arrays["evaluate"] = np.array(model.evaluate(XV, YV, verbose=0), f32)
    arrays["predict"] = model.predict(XV, verbose=0)
    cases.add(name, spec, arrays)


def gen(bs=6, data="train", **kw):
    return {"type": "gen", "bs": bs, "data": data, **kw}


def pyds(bs=6, data="train", **kw):
    return {"type": "pyds", "bs": bs, "data": data, **kw}


# (a) generators
fit_case("gen_one_epoch", gen(), {"epochs": 1})
fit_case("gen_sample_weight", gen(sw=True), {"epochs": 1})
fit_case("gen_used_up_epochs", gen(bs=5), {"epochs": 3})     # later epochs: 2 kept batches
fit_case("gen_forever_steps", gen(forever=True), {"epochs": 3, "steps_per_epoch": 3})
fit_case("gen_runs_out_steps", gen(bs=8), {"epochs": 4, "steps_per_epoch": 2})
fit_case("gen_exact_steps", gen(bs=8), {"epochs": 3, "steps_per_epoch": 3})
# (b) PyDatasets (22 rows in batches of 6: the last has 4)
fit_case("pyds_partial", pyds(), {"epochs": 3, "shuffle": False})
fit_case("pyds_reshuffle", pyds(reshuffle=True, sw=True), {"epochs": 3, "shuffle": False})
fit_case("pyds_shuffled", pyds(bs=4), {"epochs": 3}, seed=11)
fit_case("pyds_class_weight", pyds(queue=3), {"epochs": 2, "shuffle": False,
                                                "class_weight": {"0": 2.0, "2": 0.5}})
# (c) steps_per_epoch smaller than the data
fit_case("pyds_steps", pyds(bs=5), {"epochs": 4, "steps_per_epoch": 2, "shuffle": False})
fit_case("pyds_steps_shuffled", pyds(bs=5, reshuffle=True), {"epochs": 3,
                                                             "steps_per_epoch": 3}, seed=3)
fit_case("arrays_steps", {"type": "arrays"}, {"epochs": 3, "steps_per_epoch": 3,
                                              "shuffle": False})
fit_case("arrays_steps_batch", {"type": "arrays"}, {"epochs": 3, "steps_per_epoch": 2,
                                                    "batch_size": 5, "shuffle": False})
# (d) validation data as a PyDataset or a generator
fit_case("val_pyds", pyds(), {"epochs": 3, "shuffle": False}, val=pyds(bs=4, data="val"))
fit_case("val_pyds_freq", pyds(reshuffle=True), {"epochs": 4, "shuffle": False,
                                                 "validation_freq": 2},
         val=pyds(bs=4, data="val", reshuffle=True))
fit_case("val_gen_steps", gen(forever=True), {"epochs": 3, "steps_per_epoch": 2,
                                              "validation_steps": 3},
         val=gen(bs=2, data="val", forever=True))
fit_case("val_gen_used_up", pyds(), {"epochs": 3, "shuffle": False},
         val=gen(bs=4, data="val"))
fit_case("val_freq_list", {"type": "arrays"}, {"epochs": 4, "initial_epoch": 1,
                                               "validation_freq": [2, 4], "shuffle": False},
         val=pyds(bs=4, data="val"))
fit_case("sgd_mse_gen", gen(bs=7), {"epochs": 1},
         compile_kw={"optimizer": "sgd", "loss": "sparse_categorical_crossentropy"})


# (e) evaluate / predict on sources, from fixed weights
def eval_case(name, source, kw):
    model, arrays = weighted_model(ADAM)
    log = []
    data = make_source(source, log)
    out = model.evaluate(data, verbose=0, **kw)
    if isinstance(out, dict):
        kw = {**kw, "keys": list(out)}
        out = list(out.values())
    arrays["value"] = np.array(out, f32)
    arrays["seen"] = np.array(log, np.int32)
    cases.add(name, {"kind": "evaluate", "source": source, "kw": kw,
                     "ends": getattr(data, "ends", None)}, arrays)


def predict_case(name, source, kw):
    model, arrays = weighted_model(ADAM)
    log = []
    data = make_source(source, log)
    arrays["value"] = model.predict(data, verbose=0, **kw)
    arrays["seen"] = np.array(log, np.int32)
    cases.add(name, {"kind": "predict", "source": source, "kw": kw,
                     "ends": getattr(data, "ends", None)}, arrays)


eval_case("evaluate_gen", gen(), {})
eval_case("evaluate_gen_steps", gen(forever=True, sw=True), {"steps": 5})
eval_case("evaluate_pyds", pyds(bs=5), {"return_dict": True})
eval_case("evaluate_pyds_steps", pyds(bs=5), {"steps": 2})
predict_case("predict_gen", gen(x_only=True, bs=5), {})
predict_case("predict_gen_xy", gen(bs=5), {})
predict_case("predict_gen_steps", gen(forever=True, bs=4, x_only=True), {"steps": 7})
predict_case("predict_pyds", pyds(bs=5, x_only=True), {})
predict_case("predict_pyds_steps", pyds(bs=5), {"steps": 3})

# what Keras refuses (recorded as the exception's type)
for name, make, kw in [
        ("err_gen_with_y", lambda: make_source(gen(), []), {"y": Y}),
        ("err_gen_class_weight", lambda: make_source(gen(), []), {"class_weight": {0: 2.0}}),
        ("err_gen_validation_split", lambda: make_source(gen(), []),
         {"validation_split": 0.2}),
        ("err_gen_list", lambda: ([X, Y] for _ in range(2)), {}),
        ("err_gen_empty", lambda: (b for b in []), {}),
        ("err_pyds_sample_weight", lambda: make_source(pyds(), []), {"sample_weight": SW})]:
    model, _ = weighted_model(ADAM)
    try:
        model.fit(make(), verbose=0, **{k: v for k, v in kw.items()})
        error = None
    except Exception as e:
        error = type(e).__name__
    cases.add(name, {"kind": "error", "case": name, "error": error}, {})

print(cases.save(), len(cases), "cases")
