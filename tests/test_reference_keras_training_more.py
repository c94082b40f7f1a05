"""IoU, MeanIoU, BinaryIoU, OneHot(Mean)IoU, R2Score, Sum, the loss-like metrics, the
confusion counts and the X-at-Y metrics; Dice and Tversky; Adafactor, Ftrl and Lamb,
against cases recorded from real Keras 3 (JAX) by scripts/reference/keras_training_more.py.

Needs neither keras nor jax. Tolerances are float32's, as in
test_reference_keras_training_extra.py.
"""

import re

import numpy as np
import pytest
from reference import load_cases

import tensorkit as tk
from tensorkit import losses, metrics, optimizers
from tensorkit.saving import load_model, save_model

CASES = load_cases("keras_training_more")
RTOL, ATOL = 1e-5, 1e-6
OPT, FIT = CASES["opt_data"], CASES["fit_data"][1]


def names(kind):
    return sorted(n for n, (spec, _) in CASES.items() if spec["kind"] == kind)


def close(got, want, rtol=RTOL, atol=ATOL, what=""):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=atol,
                               err_msg=what)


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
    assert m.name == re.sub(r"_\d+$", "", spec["name"])     # Keras numbers repeats: iou_1
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
    m = metrics.Sum()
    assert m.name == spec["name"]
    for i in range(spec["n"]):
        m.update_state(a[f"v{i}"], sample_weight=a.get(f"w{i}"))
        close(m.result(), a[f"r{i}"], what=f"after update {i}")
    m.reset_state()
    close(m.result(), a["reset"])


@pytest.mark.parametrize("name", names("metric_get"))
def test_metric_by_name(name):
    spec, _ = CASES[name]
    if "error" in spec:
        with pytest.raises((ValueError, TypeError), match="Fix|Expected"):
            metrics.get(spec["name"])
        return
    m = metrics.get(spec["name"])
    assert (type(m).__name__, m.name) == (spec["cls"], spec["obj_name"])


# ---- optimizers --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names("opt"))
def test_optimizer_five_steps_and_slots(name):
    spec, a = CASES[name]
    config = dict(spec["config"])
    if isinstance(config.get("learning_rate"), list):
        cls, cfg = config["learning_rate"]
        config["learning_rate"] = getattr(optimizers.schedules, cls)(**cfg)
    opt = getattr(optimizers, spec["cls"])(**config)
    ours = opt.get_config()
    for key, want in spec["keras_config"].items():
        if key == "name":
            want = re.sub(r"_\d+$", "", want)
        if key in ours and key != "learning_rate":
            assert ours[key] == (pytest.approx(want) if isinstance(want, float) else want), key
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
    if spec["opt"]:
        kw["optimizer"] = getattr(optimizers, spec["opt"][0])(**spec["opt"][1])
    model.compile(**kw)
    return model


FIT_RTOL, FIT_ATOL = 2e-5, 5e-6


@pytest.mark.parametrize("name", names("fit"))
def test_fit_history_and_evaluate(name):
    spec, a = CASES[name]
    model = _compiled(spec, a)
    hist = model.fit(FIT["x"], a["y"], epochs=spec["epochs"], batch_size=16, shuffle=False,
                     verbose=0, validation_data=(FIT["xv"], a["yv"]))
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
    model.train_on_batch(FIT["x"][:8], a["y"][:8])
    loaded.train_on_batch(FIT["x"][:8], a["y"][:8])
    for w0, w1 in zip(model.get_weights(), loaded.get_weights()):
        close(w1, w0, 1e-6, 1e-7)
