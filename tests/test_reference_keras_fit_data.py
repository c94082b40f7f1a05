"""fit / evaluate / predict on generators and PyDatasets against real Keras 3 (JAX).

The cases come from scripts/reference/keras_fit_data.py; each spec says how its data is
made, and ``make_source`` here follows the same recipe with tk.data.PyDataset. Besides
History and weights, the order in which batches were made (``seen``) and the number of
``on_epoch_end`` calls are Keras', so epochs are cut exactly as Keras cuts them.
"""

import random
import warnings

import numpy as np
import pytest
from reference import batch_source, load_cases

import tensorkit as tk

CASES = load_cases("keras_fit_data")
# ~10 float32 Adam steps, summed in another order than XLA's.
RTOL, ATOL = 1e-5, 2e-6


def names(kind):
    return sorted(n for n, (spec, _) in CASES.items() if spec["kind"] == kind)


def close(got, want, what=""):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=RTOL, atol=ATOL,
                               err_msg=what)


D = CASES["data"][1]                  # the script's arrays, shared by every case


def _data(a, which):
    return (D["x"], D["y"], D["sw"]) if which == "train" else (D["xv"], D["yv"], D["sw"][:9])


def make_source(spec, data, log):
    """The script's source, with tk.data.PyDataset for keras.utils.PyDataset."""
    return batch_source(spec, data, log, tk.data.PyDataset)


def model_from(a, compile_kw):
    L = tk.layers
    model = tk.Sequential([tk.Input((4,)), L.Dense(5, activation="relu"),
                           L.Dense(3, activation="softmax")])
    model.set_weights([a[f"init{i}"] for i in range(4)])
    model.compile(**compile_kw)
    return model


class Seen(tk.callbacks.Callback):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_epoch_end(self, epoch, logs=None):
        self.log.append(-1)


ADAM = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"]}


@pytest.mark.parametrize("name", names("fit"))
def test_fit(name):
    spec, a = CASES[name]
    model = model_from(a, spec["compile"])
    log, vlog = [], []
    kw = dict(spec["fit"])
    if "class_weight" in kw:
        kw["class_weight"] = {int(k): v for k, v in kw["class_weight"].items()}
    arrays = spec["source"]["type"] == "arrays"
    data = None if arrays else make_source(spec["source"], _data(a, spec["source"]["data"]),
                                           log)
    if spec["val"] is not None:
        kw["validation_data"] = make_source(spec["val"], _data(a, spec["val"]["data"]), vlog)
    if spec["seed"] is not None:
        random.seed(spec["seed"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = model.fit(*((D["x"], D["y"]) if arrays else (data,)), verbose=0,
                         callbacks=[Seen(log)], **kw)
    assert sorted(hist.history) == sorted(spec["history_keys"])
    for key in spec["history_keys"]:
        close(hist.history[key], a[f"h_{key}"], what=f"history[{key!r}]")
    for i, weight in enumerate(model.get_weights()):
        close(weight, a[f"final{i}"], what=f"weight {i} after fit")
    assert log == a["seen"].tolist(), "the batches each epoch saw"
    assert vlog == a["vseen"].tolist(), "the validation batches"
    assert getattr(data, "ends", None) == spec["ends"], "on_epoch_end calls"
    assert getattr(kw.get("validation_data"), "ends", None) == spec["val_ends"]
    ran_out = sum("ran out of data" in str(w.message) for w in caught)
    assert ran_out <= spec["ran_out"]              # Keras also warns at a generator's end
    close(model.evaluate(D["xv"], D["yv"], verbose=0), a["evaluate"], what="evaluate()")
    close(model.predict(D["xv"], verbose=0), a["predict"], what="predict()")


@pytest.mark.parametrize("name", names("evaluate") + names("predict"))
def test_evaluate_predict(name):
    spec, a = CASES[name]
    model = model_from(a, ADAM)
    log = []
    data = make_source(spec["source"], _data(a, spec["source"]["data"]), log)
    kw = {k: v for k, v in spec["kw"].items() if k != "keys"}
    if spec["kind"] == "evaluate":
        out = model.evaluate(data, verbose=0, **kw)
        if kw.get("return_dict"):             # Keras (JAX) sorts the keys (pytree order)
            assert sorted(out) == sorted(spec["kw"]["keys"])
            out = [out[k] for k in spec["kw"]["keys"]]
    else:
        out = model.predict(data, verbose=0, **kw)
        assert out.shape == a["value"].shape
    close(out, a["value"], what=spec["kind"])
    assert log == a["seen"].tolist()
    assert getattr(data, "ends", None) == spec["ends"]


ERRORS = {
    "err_gen_with_y": lambda a: (make_source({"type": "gen", "bs": 6}, _data(a, "train"), []),
                                 {"y": D["y"]}),
    "err_gen_class_weight": lambda a: (make_source({"type": "gen", "bs": 6},
                                                   _data(a, "train"), []),
                                       {"class_weight": {0: 2.0}}),
    "err_gen_validation_split": lambda a: (make_source({"type": "gen", "bs": 6},
                                                       _data(a, "train"), []),
                                           {"validation_split": 0.2}),
    "err_gen_list": lambda a: (([D["x"], D["y"]] for _ in range(2)), {}),
    "err_gen_empty": lambda a: ((b for b in []), {}),
    "err_pyds_sample_weight": lambda a: (make_source({"type": "pyds", "bs": 6},
                                                     _data(a, "train"), []),
                                         {"sample_weight": D["sw"]}),
}


@pytest.mark.parametrize("name", names("error"))
def test_refused_as_keras_refuses(name):
    spec, _ = CASES[name]
    a = CASES["gen_one_epoch"][1]
    data, kw = ERRORS[name](a)
    with pytest.raises(ValueError):
        model_from(a, ADAM).fit(data, verbose=0, **kw)
    assert spec["error"] == "ValueError"
