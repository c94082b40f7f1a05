"""The metrics, losses, optimizers and schedules beyond keras_training's, against cases
recorded from real Keras 3 (JAX) by scripts/reference/keras_training_extra.py.

Needs neither keras nor jax. Tolerances are float32's: rtol 1e-5 for single formulas
and metric results (AUC included), looser for optimizer runs and whole fits.
"""


import numpy as np
import pytest
import reference_training as shared
from reference import load_cases
from reference_training import (
    check_fit_history_and_evaluate,
    check_fit_save_load,
    check_five_steps,
    check_metric_by_name,
    close,
    plain,
    schedule,
)

import tensorkit as tk
from tensorkit import losses, metrics, optimizers

CASES = load_cases("keras_training_extra")
OPT, FIT = CASES["opt_data"][1], CASES["fit_data"][1]


def names(kind):
    return shared.names(CASES, kind)


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
    assert m.name == plain(spec["name"])     # Keras numbers repeats: auc_1
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
    check_metric_by_name(CASES[name][0])


# ---- schedules and optimizers -------------------------------------------------------------------
@pytest.mark.parametrize("name", names("schedule"))
def test_schedule(name):
    spec, a = CASES[name]
    sched = schedule((spec["cls"], spec["config"]))
    close([sched(i) for i in range(len(a["lr"]))], a["lr"], rtol=1e-6, atol=1e-8)
    config = sched.get_config()
    for key, want in spec["keras_config"].items():
        assert config[key] == pytest.approx(want), key
    again = optimizers.deserialize_schedule(optimizers.serialize_schedule(sched))
    close([again(i) for i in range(len(a["lr"]))], a["lr"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", names("opt"))
def test_optimizer_five_steps(name):
    spec, a = CASES[name]
    check_five_steps(spec, a, OPT)


# ---- fits that log the new metrics by name ----------------------------------------------------
@pytest.mark.parametrize("name", names("fit"))
def test_fit_history_and_evaluate(name):
    spec, a = CASES[name]
    check_fit_history_and_evaluate(spec, a, FIT)


@pytest.mark.parametrize("name", names("fit"))
def test_fit_model_saves_and_loads(name, tmp_path):
    spec, a = CASES[name]
    check_fit_save_load(spec, a, FIT, tmp_path)
