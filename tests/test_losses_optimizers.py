"""Losses against NumPy formulas, optimizers against hand-written Keras 3 update rules."""

import math

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import losses, metrics, optimizers
from tensorkit.testing import gradcheck

EPS = 1e-7


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def reg(rng):
    return rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 4)).astype("float32")


# ---- losses: per-sample values against NumPy -----------------------------------------
def test_regression_losses_match_numpy(reg):
    t, p = reg
    np.testing.assert_allclose(losses.mean_squared_error(t, tk.tensor(p)).numpy(),
                               ((p - t) ** 2).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(losses.mae(t, tk.tensor(p)).numpy(), np.abs(p - t).mean(-1),
                               rtol=1e-6)
    err = np.abs(p - t)
    q = np.minimum(err, 0.5)
    np.testing.assert_allclose(losses.huber(t, tk.tensor(p), delta=0.5).numpy(),
                               (0.5 * q ** 2 + 0.5 * (err - q)).mean(-1), rtol=1e-6)
    # the Loss object averages over the batch ("sum_over_batch_size")
    assert losses.MeanSquaredError()(t, tk.tensor(p)).item() == pytest.approx(
        ((p - t) ** 2).mean(), rel=1e-6)
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.Huber().name == "huber_loss"


def test_kl_divergence_matches_numpy(rng):
    t = _softmax(rng.normal(size=(5, 3))).astype("float32")
    p = _softmax(rng.normal(size=(5, 3))).astype("float32")
    want = (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)
    np.testing.assert_allclose(losses.kl_divergence(t, tk.tensor(p)).numpy(), want, rtol=1e-5)
    assert losses.KLDivergence()(t, tk.tensor(p)).item() == pytest.approx(want.mean(), rel=1e-5)


def test_binary_crossentropy_probabilities_and_logits(rng):
    z = rng.normal(size=(8, 1)) * 3
    y = (rng.random((8, 1)) > 0.5).astype("float32")
    p = np.clip(_sigmoid(z), EPS, 1 - EPS)
    want = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)
    got = losses.binary_crossentropy(y, tk.tensor(_sigmoid(z).astype("float32"))).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4)
    got = losses.binary_crossentropy(y, tk.tensor(z.astype("float32")), from_logits=True)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4)
    # labels (N,) fit predictions (N, 1), as in Keras
    loss = losses.BinaryCrossentropy(from_logits=True)(y[:, 0], tk.tensor(z, dtype="float32"))
    assert loss.item() == pytest.approx(want.mean(), rel=1e-4)
    # huge logits: finite, where sigmoid-then-log would give inf
    big = losses.binary_crossentropy([[0.0]], tk.tensor([[1e4]]), from_logits=True)
    assert big.item() == pytest.approx(1e4)


def test_categorical_crossentropy_probabilities_and_logits(rng):
    z = rng.normal(size=(6, 5)).astype("float32")
    ids = rng.integers(0, 5, 6)
    onehot = np.eye(5, dtype="float32")[ids]
    want = -np.log(np.clip(_softmax(z), EPS, 1 - EPS))[np.arange(6), ids]
    p = tk.tensor(_softmax(z).astype("float32"))
    np.testing.assert_allclose(losses.categorical_crossentropy(onehot, p).numpy(), want,
                               rtol=1e-5)
    np.testing.assert_allclose(
        losses.categorical_crossentropy(onehot, tk.tensor(z), from_logits=True).numpy(),
        want, rtol=1e-5)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(ids, p).numpy(), want,
                               rtol=1e-5)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(ids, tk.tensor(z), from_logits=True).numpy(),
        want, rtol=1e-5)
    # labels as a column (N, 1) work too, as in Keras
    np.testing.assert_allclose(
        losses.SparseCategoricalCrossentropy(from_logits=True)(ids[:, None], tk.tensor(z))
        .item(), want.mean(), rtol=1e-5)
    # label smoothing, as Keras: y (1 - ls) + ls / classes
    smooth = onehot * 0.9 + 0.1 / 5
    np.testing.assert_allclose(
        losses.categorical_crossentropy(onehot, tk.tensor(z), from_logits=True,
                                        label_smoothing=0.1).numpy(),
        -(smooth * np.log(_softmax(z))).sum(-1), rtol=1e-5)


def test_softmax_output_uses_its_logits_for_stability():
    logits = tk.tensor([[0.0, 200.0]], requires_grad=True)
    probs = tk.softmax(logits)                     # probability of class 0 underflows to 0
    loss = losses.sparse_categorical_crossentropy([0], probs)
    assert loss.item() == pytest.approx(200.0)     # not clipped to -log(1e-7) = 16.1
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[-1.0, 1.0]], atol=1e-6)


@pytest.mark.parametrize("name", ["sparse", "sparse_probs", "dense", "sigmoid"])
def test_fused_loss_ops_gradcheck(name, rng):
    ids = tk.tensor(rng.integers(0, 4, 5).astype("int32"))
    x = rng.normal(size=(5, 4))
    if name == "sparse":
        gradcheck(lambda a: tk.sparse_softmax_cross_entropy(a, ids), x)
    elif name == "sparse_probs":
        gradcheck(lambda a: tk.sparse_categorical_crossentropy_probs(a, ids, epsilon=EPS),
                  _softmax(x) + 0.1)
    elif name == "dense":
        gradcheck(tk.softmax_cross_entropy, x, _softmax(rng.normal(size=(5, 4))))
    else:
        gradcheck(tk.sigmoid_cross_entropy, x, rng.random((5, 4)))


def test_losses_work_on_symbolic_shapes():
    out = losses.sparse_categorical_crossentropy(tk.symbolic((None,), dtype="int32"),
                                                 tk.symbolic((None, 10)), from_logits=True)
    assert out.shape == (None,)


# ---- loss errors that teach --------------------------------------------------------------
def test_sparse_labels_out_of_range_name_label_and_classes():
    with pytest.raises(ValueError, match=r"got the label 10, but the model predicts 10 "
                                         r"classes.*0\.\.9.*units=11"):
        losses.sparse_categorical_crossentropy([1, 10], tk.tensor(np.zeros((2, 10))))
    with pytest.raises(ValueError, match=r"label -1.*start at 1"):
        losses.sparse_categorical_crossentropy([-1, 2], tk.tensor(np.zeros((2, 3))))


def test_one_hot_labels_with_sparse_loss_suggest_categorical():
    with pytest.raises(tk.ShapeError, match=r"look one-hot.*categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(np.eye(3), tk.tensor(np.zeros((3, 3))))


def test_class_ids_with_categorical_loss_suggest_sparse():
    with pytest.raises(tk.ShapeError, match=r"look like class ids: use "
                                            r"sparse_categorical_crossentropy"):
        losses.categorical_crossentropy([0, 1, 2], tk.tensor(np.zeros((3, 3))))


def test_dense_on_images_without_flatten_is_named_as_the_cause():
    # Dense(10) on (batch, 28, 28) predicts per image row: (batch, 28, 10)
    flatten = r"predicts \(4, 28, 10\): one prediction for every position \(28,\).*Flatten"
    with pytest.raises(tk.ShapeError, match=flatten):
        losses.sparse_categorical_crossentropy([0, 1, 2, 3], tk.zeros((4, 28, 10)))
    with pytest.raises(tk.ShapeError, match=flatten):
        losses.categorical_crossentropy(np.eye(10)[:4], tk.zeros((4, 28, 10)))


def test_binary_labels_against_many_outputs_explain():
    with pytest.raises(tk.ShapeError, match=r"gives 3 outputs per sample.*Dense\(1, "
                                            r"activation='sigmoid'\)"):
        losses.binary_crossentropy([0.0, 1.0], tk.tensor(np.zeros((2, 3))))


def test_labels_for_another_batch_size_say_one_label_per_sample():
    # a GAN loop's fixed labels reused with a different batch: the fix is the labels' length
    with pytest.raises(tk.ShapeError, match=r"labels for 8 samples but predictions for 16: "
                                            r"give one label per sample"):
        losses.BinaryCrossentropy(from_logits=True)(np.ones((8, 1)), tk.zeros((16, 1)))


def test_unknown_loss_lists_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'msee'.*mean_squared_error"):
        losses.get("msee")


# ---- metrics ------------------------------------------------------------------------------
def test_metric_functions_and_accuracy_resolution():
    p = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], dtype="float32")
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy([1, 1, 1], p), [1, 0, 1])
    np.testing.assert_array_equal(metrics.categorical_accuracy(np.eye(2)[[1, 0, 0]], p),
                                  [1, 1, 0])
    # elementwise, as Keras 3 (Mean then averages each sample's row)
    np.testing.assert_array_equal(metrics.binary_accuracy([[1], [0]], [[0.7], [0.6]]),
                                  [[1], [0]])
    assert isinstance(metrics.resolve("accuracy", (None,), (None, 10)),
                      metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve("accuracy", (None, 10), (None, 10)),
                      metrics.CategoricalAccuracy)
    acc = metrics.resolve("acc", (None, 1), (None, 1))
    assert isinstance(acc, metrics.BinaryAccuracy) and acc.name == "acc"
    m = metrics.MeanAbsoluteError()
    m.update_state([[1.0], [2.0]], [[1.5], [2.0]])
    m.update_state([[0.0]], [[1.0]])
    assert m.result() == pytest.approx((0.5 + 0 + 1) / 3)


# ---- optimizers: Keras 3 update rules, step by step -----------------------------------------
GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.2]), np.array([-1.0, 0.5, 0.0])]
W0 = np.array([1.0, -2.0, 0.5])


def _run(opt, grads=GRADS):
    w = tk.tensor(W0, dtype="float64", requires_grad=True)
    for g in grads:
        opt.apply([g], [w])
    return w.numpy()


def _sgd_ref(lr=0.01, momentum=0.0, nesterov=False):
    w, m = W0.copy(), np.zeros(3)
    for g in GRADS:
        if momentum:
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if nesterov else m)
        else:
            w = w - lr * g
    return w


def _adam_ref(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, wd=0.0):
    w, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        w = w - w * wd * lr
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        w = w - m * (lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)) / (np.sqrt(v) + eps)
    return w


def _rmsprop_ref(lr=0.001, rho=0.9, momentum=0.0, eps=1e-7):
    w, v, mom = W0.copy(), np.zeros(3), np.zeros(3)
    for g in GRADS:
        v = rho * v + (1 - rho) * g * g
        inc = lr * g / np.sqrt(v + eps)
        if momentum:
            mom = momentum * mom + inc
            w = w - mom
        else:
            w = w - inc
    return w


def _adagrad_ref(lr=0.001, init=0.1, eps=1e-7):
    w, acc = W0.copy(), np.full(3, init)
    for g in GRADS:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
    return w


@pytest.mark.parametrize("opt, ref", [
    (lambda: optimizers.SGD(), lambda: _sgd_ref()),
    (lambda: optimizers.SGD(0.1, momentum=0.9), lambda: _sgd_ref(0.1, 0.9)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), lambda: _sgd_ref(0.1, 0.9, True)),
    (lambda: optimizers.Adam(), lambda: _adam_ref()),
    (lambda: optimizers.Adam(0.1, beta_1=0.5), lambda: _adam_ref(0.1, b1=0.5)),
    (lambda: optimizers.AdamW(0.1), lambda: _adam_ref(0.1, wd=0.004)),
    (lambda: optimizers.RMSprop(), lambda: _rmsprop_ref()),
    (lambda: optimizers.RMSprop(0.01, momentum=0.5), lambda: _rmsprop_ref(0.01, momentum=0.5)),
    (lambda: optimizers.Adagrad(), lambda: _adagrad_ref()),
    (lambda: optimizers.Adagrad(0.5, initial_accumulator_value=1.0),
     lambda: _adagrad_ref(0.5, 1.0)),
], ids=["sgd", "sgd-momentum", "sgd-nesterov", "adam", "adam-beta1", "adamw", "rmsprop",
        "rmsprop-momentum", "adagrad", "adagrad-init"])
def test_optimizer_matches_keras_rule(opt, ref):
    np.testing.assert_allclose(_run(opt()), ref(), rtol=1e-12, atol=1e-12)


def test_keras_defaults():
    adam = optimizers.get("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999,
                                                                            1e-7)
    rms = optimizers.get("rmsprop")
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon) == (0.001, 0.9, 0.0, 1e-7)
    assert optimizers.get("sgd").learning_rate == 0.01
    ada = optimizers.get("adagrad")
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon) == (0.001, 0.1, 1e-7)
    assert optimizers.get("adamw").weight_decay == 0.004
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamm'"):
        optimizers.get("adamm")


def test_clipnorm_clipvalue_global_clipnorm():
    g = np.array([3.0, 4.0, 0.0])                           # norm 5
    w = _run(optimizers.SGD(1.0, clipnorm=1.0), [g])
    np.testing.assert_allclose(w, W0 - g / 5)
    w = _run(optimizers.SGD(1.0, clipvalue=1.0), [g])
    np.testing.assert_allclose(w, W0 - np.array([1.0, 1.0, 0.0]))
    a, b = tk.tensor([0.0], dtype="float64", requires_grad=True), \
        tk.tensor([0.0, 0.0], dtype="float64", requires_grad=True)
    optimizers.SGD(1.0, global_clipnorm=1.0).apply([np.array([3.0]), np.array([4.0, 0.0])],
                                                    [a, b])
    np.testing.assert_allclose(np.concatenate([a.numpy(), b.numpy()]), [-0.6, -0.8, 0.0])
    with pytest.raises(ValueError, match="Only one of clipnorm, clipvalue"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_schedules_and_schedule_driven_learning_rate():
    exp = optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert exp(0) == pytest.approx(0.1) and exp(10) == pytest.approx(0.05)
    assert exp(5) == pytest.approx(0.1 * 0.5 ** 0.5)
    stair = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert stair(19) == pytest.approx(0.05)
    pw = optimizers.schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.1])
    assert [pw(s) for s in range(4)] == [1.0, 1.0, 0.5, 0.1]
    # the optimizer evaluates the schedule at its iteration count before each step
    w = _run(optimizers.SGD(pw), GRADS)
    np.testing.assert_allclose(w, W0 - 1.0 * GRADS[0] - 1.0 * GRADS[1] - 0.5 * GRADS[2])
    opt = optimizers.SGD(pw)
    with pytest.raises(TypeError, match="learning-rate schedule"):
        opt.learning_rate = 0.1
    cfg = optimizers.Adam(exp).get_config()
    assert optimizers.Adam.from_config(cfg).learning_rate == pytest.approx(0.1)


def test_frozen_weight_never_changes_and_none_gradients_skip():
    w = tk.tensor(W0, requires_grad=True)
    frozen = tk.tensor(W0, requires_grad=False)
    opt = optimizers.Adam(0.1)
    opt.apply([np.ones(3), np.ones(3)], [w, frozen])
    opt.apply([None, np.ones(3)], [w, frozen])
    np.testing.assert_array_equal(frozen.numpy(), W0.astype("float32"))
    assert not np.allclose(w.numpy(), W0)
    assert opt.iterations == 2


def test_apply_gradients_and_state_round_trip():
    a = tk.tensor(W0, requires_grad=True)
    b = tk.tensor(W0, requires_grad=True)
    opt_a, opt_b = optimizers.Adam(0.1), optimizers.Adam(0.1)
    for g in GRADS[:2]:
        opt_a.apply_gradients(zip([g], [a]))
        opt_b.apply([g], [b])
    state = opt_a.get_state()
    assert state["iterations"] == 2 and len(state["variables"]) == 2      # m and v
    assert len(opt_a.variables) == 3                                       # + iterations
    c = tk.tensor(b.numpy(), requires_grad=True)
    opt_c = optimizers.Adam.from_config(opt_a.get_config())
    opt_c.set_state(state, [c])
    opt_b.apply([GRADS[2]], [b])
    opt_c.apply([GRADS[2]], [c])
    np.testing.assert_array_equal(b.numpy(), c.numpy())


def test_state_given_before_weights_waits_for_first_apply():
    a = tk.tensor(W0, requires_grad=True)
    opt = optimizers.SGD(0.1, momentum=0.9)
    opt.apply([GRADS[0]], [a])
    fresh = optimizers.SGD(0.1, momentum=0.9)
    fresh.set_state(opt.get_state())
    b = tk.tensor(a.numpy(), requires_grad=True)
    fresh.apply([GRADS[1]], [b])
    opt.apply([GRADS[1]], [a])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert fresh.iterations == 2


def test_apply_errors_name_the_problem():
    w = tk.tensor(W0, requires_grad=True, name="kernel")
    with pytest.raises(ValueError, match="apply got 2 gradients for 1 weights"):
        optimizers.SGD().apply([np.ones(3), np.ones(3)], [w])
    with pytest.raises(tk.ShapeError, match=r"gradient for 'kernel' has shape \(2,\)"):
        optimizers.SGD().apply([np.ones(2)], [w])
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) momentum"):
        optimizers.Adam(momentum=0.1)


def test_step_decay_schedules_refuse_zero_decay_steps():
    for schedule in (tk.optimizers.schedules.ExponentialDecay,
                     tk.optimizers.schedules.InverseTimeDecay):
        with pytest.raises(ValueError, match="Received: decay_steps=0"):
            schedule(0.1, 0, 0.5)
        assert schedule(0.1, 10, 0.5).get_config()["name"] == schedule.__name__


# ---- the losses, metrics and optimizers added after Keras 3's basics ----------------------
NEW_LOSSES = ["cosine_similarity", "hinge", "squared_hinge", "categorical_hinge", "log_cosh",
              "poisson", "mape", "msle", "binary_focal_crossentropy",
              "categorical_focal_crossentropy"]


@pytest.mark.parametrize("name", NEW_LOSSES)
def test_new_losses_gradcheck(name, rng):
    y = (rng.random((4, 3)) > 0.5).astype("float64")
    y[:, 0] = 1 - y[:, 1]                          # no all-zero rows (cosine, categorical)
    p = rng.random((4, 3)) * 0.8 + 0.1             # in (0, 1), away from kinks and clips
    if name == "mape":
        y = y + 1.0                                # |y| >= 1e-7: no division by the floor
    fn = losses.get(name)
    gradcheck(lambda a: fn(y, a), p)


def test_new_losses_refuse_mismatched_shapes():
    for name in NEW_LOSSES:
        with pytest.raises(tk.ShapeError):
            losses.get(name)(np.ones((4, 3)), tk.tensor(np.ones((4, 2))))


def test_hinge_converts_01_labels_only():
    p = tk.tensor([[0.3, -0.5]])
    assert losses.hinge([[1.0, 0.0]], p).item() == pytest.approx(losses.hinge([[1.0, -1.0]],
                                                                              p).item())
    assert losses.hinge([[0.5, 0.0]], p).item() == pytest.approx(((1 - 0.15) + 1) / 2)


def test_confusion_metrics_accumulate_and_refuse_bad_arguments():
    m = metrics.Precision()
    m.update_state([1, 0, 1], [0.9, 0.8, 0.2])
    m.update_state([1], [0.7])
    assert m.result() == pytest.approx(2 / 3)
    assert metrics.Recall(thresholds=[0.1, 0.5]).__class__.__name__ == "Recall"
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        metrics.AUC(curve="RUC")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Received: k=0"):
        metrics.SparseTopKCategoricalAccuracy(k=0)
    auc = metrics.AUC()
    auc.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert auc.result() == pytest.approx(0.75, abs=0.01)         # the exact ROC area
    auc.reset_state()
    assert auc.result() == 0.0


def test_new_metric_names_compile_and_log():
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(1, activation="sigmoid")])
    model.compile("nadam", "binary_focal_crossentropy",
                  metrics=["precision", "recall", "auc", metrics.AUC(curve="PR", name="prauc")])
    hist = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y))
    assert sorted(hist.history) == sorted(
        ["loss", "precision", "recall", "auc", "prauc", "val_loss", "val_precision",
         "val_recall", "val_auc", "val_prauc"])


@pytest.mark.parametrize("name", ["nadam", "adamax", "adadelta", "lion"])
def test_new_optimizers_by_name_state_round_trip(name):
    opt = optimizers.get(name)
    w = tk.tensor(W0.copy(), requires_grad=True)
    opt.apply([np.ones_like(W0)], [w])
    fresh = optimizers.deserialize(optimizers.serialize(opt))
    w2 = tk.tensor(w.numpy().copy(), requires_grad=True)
    fresh.set_state(opt.get_state(), [w2])
    g = np.linspace(-1, 1, W0.size).reshape(W0.shape)
    opt.apply([g], [w])
    fresh.apply([g], [w2])
    np.testing.assert_allclose(w.numpy(), w2.numpy(), rtol=0, atol=0)


def test_new_schedules_refuse_bad_steps():
    S = tk.optimizers.schedules
    with pytest.raises(ValueError, match="decay_steps=0"):
        S.PolynomialDecay(0.1, 0)
    with pytest.raises(ValueError, match="first_decay_steps=0"):
        S.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


# ---- segmentation and regression metrics, dice/tversky, Adafactor, Ftrl, Lamb -------------
@pytest.mark.parametrize("fn", [losses.dice, lambda y, p: losses.tversky(y, p, 0.7, 0.3),
                                lambda y, p: losses.dice(y, p, axis=[1, 2])])
def test_dice_and_tversky_gradcheck(fn, rng):
    y = (rng.random((3, 4, 2)) > 0.5).astype("float64")
    gradcheck(lambda a: fn(y, a), rng.random((3, 4, 2)) * 0.8 + 0.1)


def test_dice_and_tversky_refuse_bad_arguments():
    with pytest.raises(ValueError, match=r"axis=\[1, 5\].*Expected"):
        losses.dice(np.ones((2, 3)), tk.tensor(np.ones((2, 3))), axis=[1, 5])
    with pytest.raises(tk.ShapeError):
        losses.Tversky()(np.ones((4, 3)), tk.tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match="alpha='big'"):
        losses.Tversky(alpha="big")
    assert losses.dice(np.ones((2, 3)), tk.tensor(np.ones((2, 3)))).item() == \
        pytest.approx(0.0, abs=1e-6)
    assert losses.get("tversky") is losses.tversky


def test_iou_metrics_count_and_refuse_bad_arguments():
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert m.result() == pytest.approx(1 / 3)
    m.update_state([1], [1], sample_weight=[0.5])         # int32 counts, as Keras: adds 0
    assert m.result() == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range"):
        metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.raises(ValueError, match="num_classes=0"):
        metrics.MeanIoU(num_classes=0)
    with pytest.raises(ValueError, match="target_class_ids"):
        metrics.IoU(num_classes=3, target_class_ids=1)
    with pytest.raises(ValueError, match="3 labels but 2 predictions"):
        metrics.IoU(3, [0]).update_state([0, 1, 2], [0, 1])
    with pytest.raises(TypeError, match=r"Fix: metrics=\[tk.metrics.MeanIoU\(num_classes"):
        metrics.get("mean_io_u")
    assert isinstance(metrics.get("binary_io_u"), metrics.BinaryIoU)


def test_regression_and_threshold_metrics_refuse_bad_arguments():
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 3, 1, 2)), np.ones((2, 3, 1, 2)))
    with pytest.raises(ValueError, match=r"`recall` must be in the range \[0, 1\]"):
        metrics.PrecisionAtRecall(recall=1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.SpecificityAtSensitivity(0.5, num_thresholds=0)
    r2 = metrics.R2Score()
    r2.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]])
    assert r2.result() == pytest.approx(1.0)
    tp = metrics.TruePositives(thresholds=[0.3, 0.6])
    tp.update_state([1, 1, 0], [0.5, 0.9, 0.8])
    np.testing.assert_array_equal(tp.result(), [2, 1])


def test_new_optimizers_refuse_bad_arguments_and_lamb_by_name():
    with pytest.raises(ValueError, match="learning_rate_power=0.5"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength=-1"):
        optimizers.Ftrl(l1_regularization_strength=-1)
    with pytest.raises(ValueError, match=r"Fix: optimizer=tk.optimizers.Lamb"):
        optimizers.get("lamb")
    assert type(optimizers.get("Adafactor")) is optimizers.Adafactor
    assert optimizers.deserialize(optimizers.serialize(optimizers.Lamb(0.01))).learning_rate \
        == pytest.approx(0.01)


@pytest.mark.parametrize("name", ["adafactor", "ftrl", optimizers.Lamb])
def test_adafactor_ftrl_lamb_state_round_trip(name):
    opt = optimizers.get(name)
    ws = [tk.tensor(W0.copy(), requires_grad=True), tk.tensor(np.ones(3), requires_grad=True)]
    opt.apply([np.ones_like(W0), np.ones(3)], ws)
    fresh = optimizers.deserialize(optimizers.serialize(opt))
    copies = [tk.tensor(w.numpy().copy(), requires_grad=True) for w in ws]
    fresh.set_state(opt.get_state(), copies)
    g = [np.linspace(-1, 1, W0.size).reshape(W0.shape), np.array([0.5, -1.0, 2.0])]
    opt.apply(g, ws)
    fresh.apply(g, copies)
    for w, c in zip(ws, copies):
        np.testing.assert_array_equal(c.numpy(), w.numpy())


def test_segmentation_metrics_compile_fit_save_and_load(tmp_path):
    from tensorkit.saving import load_model, save_model
    rng = np.random.default_rng(1)
    x = rng.normal(size=(24, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizers.Lamb(0.05), "dice",
                  metrics=["true_positives", metrics.BinaryIoU(target_class_ids=[1]),
                           metrics.RecallAtPrecision(0.5)])
    hist = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y))
    assert sorted(hist.history) == sorted(
        ["loss", "true_positives", "binary_io_u", "recall_at_precision", "val_loss",
         "val_true_positives", "val_binary_io_u", "val_recall_at_precision"])
    path = tmp_path / "seg.keras"
    save_model(model, path)
    loaded = load_model(path)
    assert isinstance(loaded.optimizer, optimizers.Lamb)
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True))
    model.train_on_batch(x[:8], y[:8])
    loaded.train_on_batch(x[:8], y[:8])
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6)
