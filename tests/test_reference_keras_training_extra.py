"""The metrics, losses, optimizers and schedules beyond keras_training's, against cases
recorded from real Keras 3 (JAX) by scripts/reference/keras_training_extra.py.

Needs neither keras nor jax. Tolerances are float32's: rtol 1e-5 for single formulas
and metric results (AUC included), looser for optimizer runs and whole fits.
"""

import re

import numpy as np
import pytest
from reference import load_cases

import tensorkit as tk
from tensorkit import losses, metrics, optimizers
from tensorkit.saving import load_model, save_model

CASES = load_cases("keras_training_extra")
RTOL, ATOL = 1e-5, 1e-6
OPT, FIT = CASES["opt_data"][1], CASES["fit_data"][1]


def names(kind):
    return sorted(n for n, (spec, _) in CASES.items() if spec["kind"] == kind)


def close(got, want, rtol=RTOL, atol=ATOL, what=""):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=atol,
                               err_msg=what)


# ---- losses --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("loss"))
def test_loss_value_and_gradient(name):
    spec, a = CASES[name]
    loss = getattr(losses, spec["cls"])(**spec["config"])
    assert loss.name == spec["obj_name"]
    p = tk.tensor(a["y_pred"], requires_grad=True)
    value = loss(a["y_true"], p, sample_weight=a.get("sw"))
    total = tk.sum(value) if value.shape else value
    grad = tk.backprop(total, wrt=[p])[p]
    assert value.shape == a["value"].shape
    close(value.numpy(), a["value"], what="loss value")
    close(np.asarray(grad), a["grad"], rtol=1e-5, atol=1e-5, what="d loss / d y_pred")
    again = type(loss).from_config(loss.get_config())           # the config round trip
    close(again(a["y_true"], tk.tensor(a["y_pred"]), sample_weight=a.get("sw")).numpy(),
          a["value"])


@pytest.mark.parametrize("name", names("loss_fn"))
def test_loss_by_name(name):
    spec, a = CASES[name]
    if "error" in spec:
        with pytest.raises(ValueError):
            losses.get(spec["name"])
        return
    fn = losses.get(spec["name"])
    assert isinstance(fn, losses.Loss) == spec["object"]
    assert (fn.name if spec["object"] else fn.__name__) == spec["obj_name"]
    close(fn(a["y_true"], tk.tensor(a["y_pred"])).numpy(), a["value"])


# ---- metrics ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("metric"))
def test_metric_running_result(name):
    spec, a = CASES[name]
    m = getattr(metrics, spec["cls"])(**spec["config"])
    assert m.name == re.sub(r"_\d+$", "", spec["name"])     # Keras numbers repeats: auc_1
    ours = m.get_config()
    for key, want in spec["keras_config"].items():          # Keras' defaults, as configured
        if key not in ("dtype", "name"):
            assert ours.get(key) == want, key
    for i in range(spec["n"]):
        m.update_state(a[f"t{i}"], a[f"p{i}"], sample_weight=a.get(f"w{i}"))
        got = m.result()
        assert np.shape(got) == a[f"r{i}"].shape
        close(got, a[f"r{i}"], what=f"result after update {i}")
    m.reset_state()
    close(m.result(), a["reset"])
    again = type(m).from_config(m.get_config())
    again.update_state(a["t0"], a["p0"], sample_weight=a.get("w0"))
    close(again.result(), a["r0"], what="after from_config(get_config())")


@pytest.mark.parametrize("name", names("metric_fn"))
def test_metric_function(name):
    spec, a = CASES[name]
    close(getattr(metrics, spec["name"])(a["y_true"], a["y_pred"]), a["value"])


@pytest.mark.parametrize("name", names("metric_get"))
def test_metric_by_name(name):
    spec, _ = CASES[name]
    if "error" in spec:
        with pytest.raises(ValueError):
            metrics.get(spec["name"])
        return
    m = metrics.get(spec["name"])
    assert (type(m).__name__, m.name) == (spec["cls"], spec["obj_name"])


# ---- schedules and optimizers -------------------------------------------------------------------
def _schedule(spec):
    cls, config = spec
    return getattr(optimizers.schedules, cls)(**config)


@pytest.mark.parametrize("name", names("schedule"))
def test_schedule(name):
    spec, a = CASES[name]
    sched = _schedule((spec["cls"], spec["config"]))
    close([sched(i) for i in range(len(a["lr"]))], a["lr"], rtol=1e-6, atol=1e-8)
    config = sched.get_config()
    for key, want in spec["keras_config"].items():
        assert config[key] == pytest.approx(want), key
    again = optimizers.deserialize_schedule(optimizers.serialize_schedule(sched))
    close([again(i) for i in range(len(a["lr"]))], a["lr"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", names("opt"))
def test_optimizer_five_steps(name):
    spec, a = CASES[name]
    config = dict(spec["config"])
    if isinstance(config.get("learning_rate"), list):
        config["learning_rate"] = _schedule(config["learning_rate"])
    opt = getattr(optimizers, spec["cls"])(**config)
    ours = opt.get_config()
    for key, want in spec["keras_config"].items():           # the defaults Keras fills in
        if key == "name":
            want = re.sub(r"_\d+$", "", want)
        if key in ours and key != "learning_rate":
            assert ours[key] == (pytest.approx(want) if isinstance(want, float) else want), key
    w = tk.tensor(OPT["w0"].copy(), requires_grad=True)
    b = tk.tensor(OPT["b0"].copy(), requires_grad=True)
    lrs = []
    for i in range(len(a["lrs"])):
        lrs.append(opt.learning_rate)
        opt.apply([OPT[f"gw{i}"], OPT[f"gb{i}"]], [w, b])
    assert opt.iterations == int(a["iterations"])
    close(lrs, a["lrs"], rtol=1e-6)
    # five float32 steps; Keras keeps its step sizes in float32, tensorkit in float64
    close(w.numpy(), a["w"], rtol=1e-5, atol=3e-6, what="kernel after 5 steps")
    close(b.numpy(), a["b"], rtol=1e-5, atol=3e-6, what="bias after 5 steps")


# ---- fits that log the new metrics by name ----------------------------------------------------
def _model(kind):
    L = tk.layers
    head = {"binary": L.Dense(1, activation="sigmoid"), "cat": L.Dense(5, activation="softmax"),
            "reg": L.Dense(2)}[kind]
    return tk.Sequential([tk.Input((4,)), L.Dense(6, activation="tanh"), head])


def _compiled(spec, a):
    model = _model(spec["model"])
    model.set_weights([a[f"init{i}"] for i in range(sum(k.startswith("init") for k in a))])
    kw = dict(spec["compile"])
    kw["metrics"] = kw.get("metrics", []) + [getattr(metrics, c)(**cfg)
                                             for c, cfg in spec["metric_objects"]]
    model.compile(**kw)
    return model


# a fit runs ~6 float32 steps and sums in another order than XLA's
FIT_RTOL, FIT_ATOL = 2e-5, 5e-6


@pytest.mark.parametrize("name", names("fit"))
def test_fit_history_and_evaluate(name):
    spec, a = CASES[name]
    model = _compiled(spec, a)
    hist = model.fit(FIT["x"], a["y"], epochs=spec["epochs"], batch_size=16, shuffle=False,
                     verbose=0, validation_data=(FIT["xv"], a["yv"]))
    # Keras numbers a second object of a class: precision_12 is our precision
    keys = {re.sub(r"_\d+$", "", k): k for k in spec["history_keys"]}
    assert sorted(hist.history) == sorted(keys)
    for key, theirs in keys.items():
        close(hist.history[key], a[f"h_{theirs}"], FIT_RTOL, FIT_ATOL, what=f"history[{key!r}]")
    for i, weight in enumerate(model.get_weights()):
        close(weight, a[f"final{i}"], FIT_RTOL, FIT_ATOL, what=f"weight {i} after fit")
    ev = model.evaluate(FIT["xv"], a["yv"], batch_size=5, verbose=0, return_dict=True)
    keys = [re.sub(r"_\d+$", "", k) for k in spec["evaluate_keys"]]
    assert sorted(ev) == sorted(keys)
    close([ev[k] for k in keys], a["evaluate"], FIT_RTOL, FIT_ATOL)


@pytest.mark.parametrize("name", names("fit"))
def test_fit_model_saves_and_loads(name, tmp_path):
    spec, a = CASES[name]
    model = _compiled(spec, a)
    model.fit(FIT["x"], a["y"], epochs=1, batch_size=16, shuffle=False, verbose=0)
    path = tmp_path / "model.keras"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    want = model.evaluate(FIT["xv"], a["yv"], verbose=0, return_dict=True)
    got = loaded.evaluate(FIT["xv"], a["yv"], verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    close([got[k] for k in want], [want[k] for k in want], 1e-6, 1e-7)
    # the optimizer state came along: one more step gives the same weights
    model.train_on_batch(FIT["x"][:8], a["y"][:8])
    loaded.train_on_batch(FIT["x"][:8], a["y"][:8])
    for w0, w1 in zip(model.get_weights(), loaded.get_weights()):
        close(w1, w0, 1e-6, 1e-7)
