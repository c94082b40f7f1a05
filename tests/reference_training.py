"""What the replay tests of the recorded Keras training cases share (tests/test_reference_
keras_training*.py): the tolerance check, schedules from their spec, the five-step optimizer
check, and the small models whose fits log metrics by name."""

import re

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import metrics, optimizers
from tensorkit.saving import load_model, save_model

RTOL, ATOL = 1e-5, 1e-6
# a fit runs ~6 float32 steps and sums in another order than XLA's
FIT_RTOL, FIT_ATOL = 2e-5, 5e-6


def names(cases, kind):
    return sorted(n for n, (spec, _) in cases.items() if spec["kind"] == kind)


def close(got, want, rtol=RTOL, atol=ATOL, what=""):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=atol,
                               err_msg=what)


def plain(name):
    """Keras numbers a second object of a class (precision_12, sgd_1): the plain name."""
    return re.sub(r"_\d+$", "", name)


def check_metric_by_name(spec, errors=ValueError, match=None):
    """metrics.get(name) gives Keras' class and name (returned), or refuses the names Keras
    refuses (None)."""
    if "error" in spec:
        with pytest.raises(errors, match=match):
            metrics.get(spec["name"])
        return None
    m = metrics.get(spec["name"])                     # a Metric object, as keras.metrics.get
    assert (type(m).__name__, m.name) == (spec["cls"], spec["obj_name"])
    return m


def check_running_values(m, spec, a):
    """A Mean or Sum fed the case's values (and weights) update by update, then reset."""
    assert m.name == spec["name"]
    for i in range(spec["n"]):
        m.update_state(a[f"v{i}"], sample_weight=a.get(f"w{i}"))
        close(m.result(), a[f"r{i}"], what=f"result after update {i}")
    m.reset_state()
    close(m.result(), a["reset"])


def schedule(spec):
    cls, config = spec
    return getattr(optimizers.schedules, cls)(**config)


def optimizer_of(spec):
    """The case's optimizer, checked to fill in the defaults Keras does."""
    config = dict(spec["config"])
    if isinstance(config.get("learning_rate"), list):
        config["learning_rate"] = schedule(config["learning_rate"])
    opt = getattr(optimizers, spec["cls"])(**config)
    ours = opt.get_config()
    for key, want in spec["keras_config"].items():
        want = plain(want) if key == "name" else want
        if key in ours and key != "learning_rate":
            assert ours[key] == (pytest.approx(want) if isinstance(want, float) else want), key
    return opt


def check_five_steps(spec, a, data):
    """A kernel and a bias after the recorded steps of gradients gw{i}, gb{i} from w0, b0
    (in `data`)."""
    opt = optimizer_of(spec)
    w = tk.tensor(data["w0"].copy(), requires_grad=True)
    b = tk.tensor(data["b0"].copy(), requires_grad=True)
    lrs = []
    for i in range(len(a["lrs"])):
        lrs.append(opt.learning_rate)
        opt.apply([data[f"gw{i}"], data[f"gb{i}"]], [w, b])
    assert opt.iterations == int(a["iterations"])
    close(lrs, a["lrs"], rtol=1e-6)
    # five float32 steps; Keras keeps its step sizes in float32, tensorkit in float64:
    # a few ulps of weights of size ~2 (1.3e-6 seen)
    close(w.numpy(), a["w"], rtol=1e-5, atol=3e-6, what="kernel after 5 steps")
    close(b.numpy(), a["b"], rtol=1e-5, atol=3e-6, what="bias after 5 steps")


# ---- fits that log metrics by name ------------------------------------------------------------
def _model(kind):
    L = tk.layers
    head = {"binary": L.Dense(1, activation="sigmoid"), "cat": L.Dense(5, activation="softmax"),
            "reg": L.Dense(2)}[kind]
    return tk.Sequential([tk.Input((4,)), L.Dense(6, activation="tanh"), head])


def compiled(spec, a):
    """The recorded model with Keras' initial weights, compiled as the case says."""
    model = _model(spec["model"])
    model.set_weights([a[f"init{i}"] for i in range(sum(k.startswith("init") for k in a))])
    kw = dict(spec["compile"])
    kw["metrics"] = kw.get("metrics", []) + [getattr(metrics, c)(**cfg)
                                             for c, cfg in spec["metric_objects"]]
    if spec.get("opt"):
        kw["optimizer"] = getattr(optimizers, spec["opt"][0])(**spec["opt"][1])
    model.compile(**kw)
    return model


def check_fit_history_and_evaluate(spec, a, fit):
    model = compiled(spec, a)
    hist = model.fit(fit["x"], a["y"], epochs=spec["epochs"], batch_size=16, shuffle=False,
                     verbose=0, validation_data=(fit["xv"], a["yv"]))
    keys = {plain(k): k for k in spec["history_keys"]}
    assert sorted(hist.history) == sorted(keys)
    for key, theirs in keys.items():
        close(hist.history[key], a[f"h_{theirs}"], FIT_RTOL, FIT_ATOL, what=f"history[{key!r}]")
    for i, weight in enumerate(model.get_weights()):
        close(weight, a[f"final{i}"], FIT_RTOL, FIT_ATOL, what=f"weight {i} after fit")
    ev = model.evaluate(fit["xv"], a["yv"], batch_size=5, verbose=0, return_dict=True)
    keys = [plain(k) for k in spec["evaluate_keys"]]
    assert sorted(ev) == sorted(keys)
    close([ev[k] for k in keys], a["evaluate"], FIT_RTOL, FIT_ATOL)


def check_fit_save_load(spec, a, fit, tmp_path):
    """A fitted model saves and loads: the same evaluation, and the optimizer state came
    along (one more step gives the same weights)."""
    model = compiled(spec, a)
    model.fit(fit["x"], a["y"], epochs=1, batch_size=16, shuffle=False, verbose=0)
    save_model(model, tmp_path / "model.tkmodel")
    loaded = load_model(tmp_path / "model.tkmodel")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    want = model.evaluate(fit["xv"], a["yv"], verbose=0, return_dict=True)
    got = loaded.evaluate(fit["xv"], a["yv"], verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    close([got[k] for k in want], [want[k] for k in want], 1e-6, 1e-7)
    model.train_on_batch(fit["x"][:8], a["y"][:8])
    loaded.train_on_batch(fit["x"][:8], a["y"][:8])
    for w0, w1 in zip(model.get_weights(), loaded.get_weights()):
        close(w1, w0, 1e-6, 1e-7)
