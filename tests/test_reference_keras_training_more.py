"""IoU, MeanIoU, BinaryIoU, OneHot(Mean)IoU, R2Score, Sum, the loss-like metrics, the
confusion counts and the X-at-Y metrics; Dice and Tversky; Adafactor, Ftrl and Lamb,
against cases recorded from real Keras 3 (JAX) by scripts/reference/keras_training_more.py.

Needs neither keras nor jax. Tolerances are float32's, as in
test_reference_keras_training_extra.py.
"""


import numpy as np
import pytest
import reference_training as shared
from reference import load_cases
from reference_training import (
    check_fit_history_and_evaluate,
    check_fit_save_load,
    check_metric_by_name,
    check_running_values,
    close,
    optimizer_of,
    plain,
)

import tensorkit as tk
from tensorkit import losses, metrics, optimizers

CASES = load_cases("keras_training_more")
OPT, FIT = CASES["opt_data"], CASES["fit_data"][1]


def names(kind):
    return shared.names(CASES, kind)


def same_config(ours, theirs):
    for key, want in theirs.items():              # Keras' defaults, as configured
        if key not in ("dtype", "name"):
            got = ours.get(key)
            got = list(got) if isinstance(got, tuple) else got
            assert got == (pytest.approx(want) if isinstance(want, float) else want), key


# ---- losses --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("loss"))
def test_loss_value_and_gradient(name):
    spec, a = CASES[name]
    loss = getattr(losses, spec["cls"])(**spec["config"])
    assert loss.name == spec["obj_name"]
    same_config(loss.get_config(), spec["keras_config"])
    p = tk.tensor(a["y_pred"], requires_grad=True)
    value = loss(a["y_true"], p, sample_weight=a.get("sw"))
    total = tk.sum(value) if value.shape else value
    grad = tk.backprop(total, wrt=[p])[p]
    assert value.shape == a["value"].shape
    close(value.numpy(), a["value"], what="loss value")
    close(np.asarray(grad), a["grad"], rtol=1e-5, atol=1e-6, what="d loss / d y_pred")
    again = type(loss).from_config(loss.get_config())
    close(again(a["y_true"], tk.tensor(a["y_pred"]), sample_weight=a.get("sw")).numpy(),
          a["value"])


@pytest.mark.parametrize("name", names("loss_fn"))
def test_loss_by_name(name):
    spec, a = CASES[name]
    fn = losses.get(spec["name"])
    assert isinstance(fn, losses.Loss) == spec["object"]
    assert (fn.name if spec["object"] else fn.__name__) == spec["obj_name"]
    close(fn(a["y_true"], tk.tensor(a["y_pred"])).numpy(), a["value"])


# ---- metrics ---------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:More independent predictors")   # as Keras warns
@pytest.mark.parametrize("name", names("metric"))
def test_metric_running_result(name):
    spec, a = CASES[name]
    if spec["data"]:
        a = {**CASES[spec["data"]][1], **a}
    m = getattr(metrics, spec["cls"])(**spec["config"])
    assert m.name == plain(spec["name"])     # Keras numbers repeats: iou_1
    same_config(m.get_config(), spec["keras_config"])
    for i in range(spec["n"]):
        m.update_state(a[f"t{i}"], a[f"p{i}"], sample_weight=a.get(f"w{i}"))
        got = m.result()
        assert np.shape(got) == a[f"r{i}"].shape
        close(got, a[f"r{i}"], what=f"result after update {i}")
    m.reset_state()
    if "reset" in a:
        close(m.result(), a["reset"])
    again = type(m).from_config(m.get_config())
    again.update_state(a["t0"], a["p0"], sample_weight=a.get("w0"))
    close(again.result(), a["r0"], what="after from_config(get_config())")


@pytest.mark.parametrize("name", names("sum"))
def test_sum(name):
    spec, a = CASES[name]
    check_running_values(metrics.Sum(), spec, a)


@pytest.mark.parametrize("name", names("metric_get"))
def test_metric_by_name(name):
    check_metric_by_name(CASES[name][0], (ValueError, TypeError), match="Fix|Expected")


# ---- optimizers --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("opt"))
def test_optimizer_five_steps_and_slots(name):
    spec, a = CASES[name]
    opt = optimizer_of(spec)
    data = OPT[1]
    ws = [tk.tensor(data[f"w{j}"].copy(), requires_grad=True)
          for j in range(len(OPT[0]["shapes"]))]
    lrs = []
    for i in range(len(a["lrs"])):
        lrs.append(opt.learning_rate)
        opt.apply([data[f"g{i}_{j}"] for j in range(len(ws))], ws)
    assert opt.iterations == int(a["iterations"])
    close(lrs, a["lrs"], rtol=1e-6)
    for j, w in enumerate(ws):
        close(w.numpy(), a[f"w{j}"], rtol=2e-5, atol=3e-6, what=f"weight {j} after 5 steps")
    state = opt.get_state()["variables"]                 # Keras' optimizer.variables
    assert len(state) == spec["slots"]
    for j, s in enumerate(state):
        assert s.shape == a[f"s{j}"].shape, j
        close(s, a[f"s{j}"], rtol=2e-5, atol=1e-6, what=f"slot {j}")
    # the state moves into a fresh optimizer: one more step gives the same weights
    again = optimizers.deserialize(optimizers.serialize(opt))
    copies = [tk.tensor(w.numpy().copy(), requires_grad=True) for w in ws]
    again.set_state(opt.get_state(), copies)
    grads = [data[f"g0_{j}"] for j in range(len(ws))]
    opt.apply(grads, ws)
    again.apply(grads, copies)
    for w, c in zip(ws, copies):
        np.testing.assert_array_equal(c.numpy(), w.numpy())


@pytest.mark.parametrize("name", names("opt_get"))
def test_optimizer_by_name(name):
    spec, _ = CASES[name]
    if "error" in spec:
        with pytest.raises(ValueError, match="Fix"):
            optimizers.get(spec["name"])
        return
    assert type(optimizers.get(spec["name"])).__name__ == spec["cls"]


# ---- fits that log the new metrics by name ----------------------------------------------------
@pytest.mark.parametrize("name", names("fit"))
def test_fit_history_and_evaluate(name):
    spec, a = CASES[name]
    check_fit_history_and_evaluate(spec, a, FIT)


@pytest.mark.parametrize("name", names("fit"))
def test_fit_model_saves_and_loads(name, tmp_path):
    spec, a = CASES[name]
    check_fit_save_load(spec, a, FIT, tmp_path)
