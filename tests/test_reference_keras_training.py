"""Losses, metrics, optimizers and fit against cases recorded from real Keras 3 (JAX).

The cases come from scripts/reference/keras_training.py (see there for how to rerun it);
this file needs neither keras nor jax. Tolerances are float32's: rtol 1e-5 for single
formulas, looser where many float32 steps accumulate (optimizer runs, whole fits), as
noted at each check.
"""


import numpy as np
import pytest
import reference_training as shared
from reference import load_cases
from reference_training import (
    check_five_steps,
    check_metric_by_name,
    check_running_values,
    close,
    schedule,
)

import tensorkit as tk
from tensorkit import losses, metrics

CASES = load_cases("keras_training")
# Keras refuses a per-sample weight (batch,) on per-timestep losses (batch, time) with a
# ValueError; tensorkit deliberately applies it to every timestep of the sample.
BROADCASTS_SAMPLE_WEIGHT = {"mse_3d_sw_sample", "scce_3d_sw_sample"}
# Names tensorkit accepts beyond Keras 3's ("huber_loss" is the Huber class's name).
EXTRA_NAMES = {"huber_loss"}


def names(kind):
    return shared.names(CASES, kind)


# ---- losses --------------------------------------------------------------------------------
def _loss_value_and_grad(loss, y_true, y_pred, sw):
    p = tk.tensor(y_pred, requires_grad=True)
    value = loss(y_true, p, sample_weight=sw)
    total = tk.sum(value) if value.shape else value
    grad = tk.backprop(total, wrt=[p])[p]
    return value.numpy(), np.asarray(grad)


@pytest.mark.parametrize("name", names("loss"))
def test_loss_class(name):
    spec, a = CASES[name]
    if name in BROADCASTS_SAMPLE_WEIGHT:
        pytest.skip("Keras refuses (batch,) weights on (batch, time) losses; tensorkit "
                    "broadcasts them on purpose")
    cls = getattr(losses, spec["cls"])
    config = dict(spec["config"])
    if "error" in spec or (config.get("axis", -1) != -1 and "Categorical" in spec["cls"]):
        with pytest.raises(ValueError):
            _loss_value_and_grad(cls(**config), a["y_true"], a["y_pred"], a.get("sw"))
        return
    value, grad = _loss_value_and_grad(cls(**config), a["y_true"], a["y_pred"], a.get("sw"))
    assert value.shape == a["value"].shape
    close(value, a["value"], what="loss value")
    close(grad, a["grad"], what="d loss / d y_pred")


@pytest.mark.parametrize("name", names("loss_fn"))
def test_loss_by_name(name):
    spec, a = CASES[name]
    if "error" in spec:
        if spec["name"] in EXTRA_NAMES:
            pytest.skip(f"{spec['name']!r}: a name tensorkit accepts and Keras 3 doesn't")
        with pytest.raises(ValueError):
            losses.get(spec["name"])
        return
    fn = losses.get(spec["name"])
    assert isinstance(fn, losses.Loss) == spec["object"]
    assert (fn.name if spec["object"] else fn.__name__) == spec["obj_name"]
    got = fn(a["y_true"], tk.tensor(a["y_pred"]))
    close(got.numpy(), a["value"])


# ---- metrics ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("metric"))
def test_metric_running_result(name):
    spec, a = CASES[name]
    m = getattr(metrics, spec["cls"])(**spec["config"])
    assert m.name == spec["name"]
    for i in range(spec["n"]):
        m.update_state(a[f"t{i}"], a[f"p{i}"], sample_weight=a.get(f"w{i}"))
        close(m.result(), a[f"r{i}"], what=f"result after update {i}")
    m.reset_state()
    close(m.result(), a["reset"])


@pytest.mark.parametrize("name", names("mean"))
def test_mean_metric(name):
    spec, a = CASES[name]
    check_running_values(metrics.Mean(), spec, a)


@pytest.mark.parametrize("name", names("metric_fn"))
def test_metric_function(name):
    spec, a = CASES[name]
    close(getattr(metrics, spec["name"])(a["y_true"], a["y_pred"]), a["value"])


@pytest.mark.parametrize("name", names("metric_get"))
def test_metric_by_name(name):
    spec, a = CASES[name]
    m = check_metric_by_name(spec)
    if m is None:
        return
    close(m(a["y_true"], a["y_pred"]), a["value"])


@pytest.mark.parametrize("name", names("acc"))
def test_accuracy_resolves_by_shapes(name):
    spec, _ = CASES[name]
    m = metrics.resolve(spec["identifier"], tuple(spec["y_true"]), tuple(spec["y_pred"]))
    assert (type(m).__name__, m.name) == (spec["cls"], spec["name"])


# ---- schedules and optimizers -------------------------------------------------------------------
@pytest.mark.parametrize("name", names("schedule"))
def test_schedule(name):
    spec, a = CASES[name]
    sched = schedule((spec["cls"], spec["config"]))
    close([sched(i) for i in range(len(a["lr"]))], a["lr"], rtol=1e-6)


@pytest.mark.parametrize("name", names("opt"))
def test_optimizer_five_steps(name):
    spec, a = CASES[name]
    check_five_steps(spec, a, a)


# ---- whole training ---------------------------------------------------------------------------
def _model(kind):
    L = tk.layers
    if kind == "mlp":
        layers = [L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")]
    elif kind == "mlp_dropout":
        layers = [L.Dense(8, activation="relu"), L.Dropout(0.0),
                  L.Dense(3, activation="softmax")]
    elif kind == "binary":
        layers = [L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")]
    else:
        layers = [L.Dense(6, activation="tanh"), L.Dense(2)]
    return tk.Sequential([tk.Input((4,))] + layers)


# A fit runs ~10 float32 steps, summed in another order than XLA's (matched to 1e-6 now).
FIT_RTOL, FIT_ATOL = 1e-5, 2e-6


@pytest.mark.parametrize("name", names("fit"))
def test_fit_evaluate_predict(name):
    spec, a = CASES[name]
    model = _model(spec["model"])
    model.set_weights([a[f"init{i}"] for i in range(sum(k.startswith("init") for k in a))])
    model.compile(**spec["compile"])
    kw = dict(spec["fit"])
    if kw.pop("val_data", False):
        kw["validation_data"] = (a["xv"], a["yv"])
    if "class_weight" in kw:
        kw["class_weight"] = {int(k): v for k, v in kw["class_weight"].items()}
    if spec["has_sw"]:
        kw["sample_weight"] = a["sw"]
    hist = model.fit(a["x"], a["y"], verbose=0, shuffle=False, **kw)
    # Keras (JAX) sorts the keys (pytree order); the set and every value must match
    assert sorted(hist.history) == sorted(spec["history_keys"])
    for key in spec["history_keys"]:
        close(hist.history[key], a[f"h_{key}"], FIT_RTOL, FIT_ATOL, what=f"history[{key!r}]")
    for i, weight in enumerate(model.get_weights()):
        close(weight, a[f"final{i}"], FIT_RTOL, FIT_ATOL, what=f"weight {i} after fit")
    ev = model.evaluate(a["xv"], a["yv"], batch_size=4, verbose=0)
    assert isinstance(ev, list) == spec["evaluate_is_list"]
    close(ev, a["evaluate"], FIT_RTOL, FIT_ATOL, what="evaluate()")
    evd = model.evaluate(a["xv"], a["yv"], batch_size=4, verbose=0, return_dict=True)
    assert sorted(evd) == sorted(spec["evaluate_dict_keys"])
    close([evd[k] for k in spec["evaluate_dict_keys"]], a["evaluate_dict"], FIT_RTOL,
          FIT_ATOL, what="evaluate(return_dict=True)")
    pred = model.predict(a["xv"], batch_size=3, verbose=0)
    assert pred.shape == a["predict"].shape
    close(pred, a["predict"], FIT_RTOL, FIT_ATOL, what="predict()")
    if "on_batch" not in spec["extra"]:
        return
    x, y, xv, yv = a["x"], a["y"], a["xv"], a["yv"]
    tb = [model.train_on_batch(x[:8], y[:8]), model.train_on_batch(x[8:12], y[8:12])]
    tbd = model.train_on_batch(x[:5], y[:5], return_dict=True)
    assert sorted(tbd) == sorted(spec["train_on_batch_dict_keys"])
    got = [np.atleast_1d(v) for v in tb] + [[tbd[k] for k in spec["train_on_batch_dict_keys"]]]
    close(np.array(got, dtype=np.float64), a["train_on_batch"], FIT_RTOL, FIT_ATOL,
          what="train_on_batch()")
    sb = [np.atleast_1d(model.test_on_batch(xv[:4], yv[:4])),
          np.atleast_1d(model.test_on_batch(xv[4:], yv[4:]))]
    close(np.array(sb, dtype=np.float64), a["test_on_batch"], FIT_RTOL, FIT_ATOL,
          what="test_on_batch()")
    close(np.concatenate([v.ravel() for v in model.get_weights()]), a["after_on_batch"],
          FIT_RTOL, FIT_ATOL, what="weights after train_on_batch")
    close(model.evaluate(xv, yv, verbose=0), a["evaluate_after"], FIT_RTOL, FIT_ATOL)
