"""compile / fit / evaluate / predict, callbacks, custom training loops, and errors that teach."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import callbacks, losses, optimizers
from tensorkit.layers import Dense, Dropout
from tensorkit.training import NaNLossError


def blobs(n=600, classes=10, features=64, seed=0, spread=1.0):
    """A digits-like problem: 10 classes of 8x8 'images', each a noisy copy of a prototype."""
    rng = np.random.default_rng(seed)
    prototypes = rng.random((classes, features)) * 16            # pixel values 0..16
    y = rng.integers(0, classes, n)
    x = prototypes[y] + rng.normal(0, 2.0 * spread, (n, features))
    return x.astype("float32") / 16, y


def mlp(classes=10, features=64, dropout=0.0, activation="softmax"):
    layers = [tk.Input(shape=(features,)), Dense(32, activation="relu")]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(classes, activation=activation))
    return tk.Sequential(layers)


# ---- fit learns ---------------------------------------------------------------------------
def test_fit_learns_digits_like_problem_to_high_validation_accuracy():
    x, y = blobs(1000, spread=2.0)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=32, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 8 for v in history.history.values())
    assert history.history["val_accuracy"][-1] >= 0.95
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.history is history and history.epoch == list(range(8))
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc >= 0.95 and loss == pytest.approx(
        losses.sparse_categorical_crossentropy(y, tk.tensor(model.predict(x))).numpy().mean(),
        rel=1e-4)


def test_regression_with_mse_and_mae_metric_and_loss_objects():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3
    model = tk.Sequential([tk.Input(shape=(3,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(0.1), loss=losses.MeanSquaredError(),
                  metrics=["mae"])
    history = model.fit(x, y, epochs=20, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 1e-3
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], [1.0, -2.0, 0.5], atol=0.02)
    assert model.metrics_names == ["loss", "mae"]


def test_binary_labels_without_trailing_axis_and_binary_accuracy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 2)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")                  # (N,) labels, (N, 1) output
    model = tk.Sequential([tk.Input(shape=(2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert model.predict(x[:3]).shape == (3, 1)


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = blobs(200)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    val_loss, val_acc = model.evaluate(x[150:], y[150:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(val_acc)
    # validation_data is used as given
    history = model.fit(x[:150], y[:150], validation_data=(x[150:], y[150:]), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[150:], y[150:], verbose=0)[0], rel=1e-6)


def _seeded_run():
    tk.random.seed(42)
    x, y = blobs(160)
    model = mlp(dropout=0.3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model.get_weights(), history.history["loss"]


def test_seeded_fit_is_bit_for_bit_repeatable():
    (w1, l1), (w2, l2) = _seeded_run(), _seeded_run()
    assert l1 == l2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_frozen_layer_is_unchanged_after_fit():
    x, y = blobs(128)
    model = mlp()
    frozen = model.layers[0]
    frozen.trainable = False
    before = frozen.get_weights()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.layers[1].get_weights()[0], mlp().layers[1].get_weights()[0])


# ---- callbacks ------------------------------------------------------------------------------
class Scripted(callbacks.Callback):
    """Puts a made-up score in the logs and remembers the weights at each epoch's end."""

    def __init__(self, scores):
        super().__init__()
        self.scores, self.weights = scores, []

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.scores[epoch]
        self.weights.append(self.model.get_weights())


def test_early_stopping_restores_best_weights():
    x, y = blobs(64)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    script = Scripted([3.0, 1.0, 2.0, 4.0, 5.0, 6.0])
    stop = callbacks.EarlyStopping(monitor="score", patience=2, restore_best_weights=True,
                                   mode="min")
    history = model.fit(x, y, epochs=6, callbacks=[script, stop], verbose=0)
    assert len(history.history["loss"]) == 4 and stop.stopped_epoch == 3
    assert stop.best_epoch == 1
    for a, b in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_on_missing_key_says_what_exists():
    x, y = blobs(32)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(KeyError, match=r"watches 'val_loss'.*validation_split"):
        model.fit(x, y, callbacks=[callbacks.EarlyStopping()], verbose=0)


def test_learning_rate_scheduler_changes_the_learning_rate():
    x, y = blobs(64)
    model = mlp()
    model.compile(optimizer=optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    seen = []
    record = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, callbacks=[sched, record], verbose=0)
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_model_checkpoint_saves_weights(tmp_path):
    x, y = blobs(64)
    model = mlp()
    if not hasattr(model, "save_weights"):
        pytest.skip("model.save_weights (tensorkit.saving) is not available yet")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = tmp_path / "ckpt-{epoch:02d}.weights.h5"
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        callbacks.ModelCheckpoint(str(path), monitor="loss", save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir())[:2] == ["ckpt-01.weights.h5",
                                                              "ckpt-02.weights.h5"]


def test_model_checkpoint_best_only_skips_worse_epochs():
    saved = []

    class Fake:
        def save(self, path):
            saved.append(path)

    ckpt = callbacks.ModelCheckpoint("m-{epoch}.keras", monitor="val_loss",
                                     save_best_only=True)
    ckpt.set_model(Fake())
    for epoch, val in enumerate([0.5, 0.7, 0.4]):
        ckpt.on_epoch_end(epoch, {"val_loss": val})
    assert saved == ["m-1.keras", "m-3.keras"]


def test_callback_protocol_order_and_logs():
    x, y = blobs(40)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    events = []

    class Spy(callbacks.Callback):
        def on_train_begin(self, logs=None): events.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): events.append(f"epoch_begin {epoch}")
        def on_batch_begin(self, batch, logs=None): events.append(f"batch_begin {batch}")
        def on_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch} {sorted(logs)}")
        def on_epoch_end(self, epoch, logs=None): events.append(f"epoch_end {sorted(logs)}")
        def on_train_end(self, logs=None): events.append("train_end")

    spy = Spy()
    model.fit(x, y, batch_size=32, epochs=1, validation_split=0.2, callbacks=[spy], verbose=0)
    assert spy.params == {"epochs": 1, "steps": 1, "verbose": 0}
    assert events == ["train_begin", "epoch_begin 0", "batch_begin 0",
                      "batch_end 0 ['accuracy', 'loss']",
                      "epoch_end ['accuracy', 'loss', 'val_accuracy', 'val_loss']", "train_end"]


# ---- NaN ----------------------------------------------------------------------------------
def _nan_data():
    x, y = blobs(96)
    x[40, 3] = np.nan                               # in the second batch of 32
    return x, y


def test_terminate_on_nan_stops_and_keeps_weights_from_before():
    x, y = _nan_data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    seen = []
    record = callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: seen.append(model.get_weights()))
    history = model.fit(x, y, epochs=3, shuffle=False, verbose=0,
                        callbacks=[record, callbacks.TerminateOnNaN()])
    assert len(seen) == 2 and model.stop_training
    assert np.isnan(history.history["loss"][0])
    for a, b in zip(model.get_weights(), seen[0]):
        np.testing.assert_array_equal(a, b)


def test_nan_loss_without_terminate_on_nan_stops_with_a_clear_error():
    x, y = _nan_data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(NaNLossError, match=r"(?s)epoch 1, batch 2 of 3.*not applied.*"
                                           r"x itself contains NaN.*lower the learning rate"
                                           r".*TerminateOnNaN") as info:
        model.fit(x, y, epochs=2, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert info.value.epoch == 0 and info.value.batch == 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_diverging_learning_rate_is_reported():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32") * 100
    y = rng.normal(size=(64, 1)).astype("float32")
    model = tk.Sequential([tk.Input(shape=(4,)), Dense(8), Dense(1)])
    model.compile(optimizer=optimizers.SGD(1e3), loss="mse")
    with pytest.raises(NaNLossError, match=r"The loss became (nan|inf).*lower the learning "):
        model.fit(x, y, epochs=50, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


# ---- custom loops: a tiny GAN step ------------------------------------------------------------
def test_tiny_gan_step_with_custom_gradients():
    rng = np.random.default_rng(0)
    generator = tk.Sequential([tk.Input(shape=(2,)), Dense(8, activation="relu"), Dense(2)])
    discriminator = tk.Sequential([tk.Input(shape=(2,)), Dense(8, activation="relu"),
                                   Dense(1)])
    g_opt, d_opt = optimizers.Adam(1e-2), optimizers.Adam(1e-2)
    bce = losses.BinaryCrossentropy(from_logits=True)
    real = tk.tensor(rng.normal(3.0, 0.5, (16, 2)))
    ones, zeros = np.ones((16, 1), "float32"), np.zeros((16, 1), "float32")
    g_before = generator.get_weights()

    # discriminator step: gradients only for its weights; the fakes are detached
    fake = generator(tk.random.normal((16, 2))).detach()
    d_loss = bce(ones, discriminator(real)) + bce(zeros, discriminator(fake))
    d_weights = discriminator.trainable_weights
    d_before = discriminator.get_weights()
    d_opt.apply(tk.gradients(d_loss, d_weights), d_weights)
    assert all(not np.array_equal(a, b) for a, b in zip(d_before, discriminator.get_weights()))
    for a, b in zip(g_before, generator.get_weights()):
        np.testing.assert_array_equal(a, b)

    # generator step with loss.backward(): the discriminator is frozen for it
    discriminator.trainable = False
    d_mid = discriminator.get_weights()
    g_loss = bce(ones, discriminator(generator(tk.random.normal((16, 2)))))
    g_loss.backward()
    g_weights = generator.trainable_weights
    g_opt.apply([w.grad for w in g_weights], g_weights)
    for w in g_weights:
        w.zero_grad()
    assert all(not np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights()))
    for a, b in zip(d_mid, discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)
    discriminator.trainable = True
    g_loss_after = bce(ones, discriminator(generator(tk.random.normal((16, 2))))).item()
    assert np.isfinite(g_loss_after)


# ---- one batch at a time, predict -------------------------------------------------------------
def test_on_batch_methods_and_batched_predict():
    x, y = blobs(70)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    loss, acc = model.train_on_batch(x[:32], y[:32])
    assert np.isfinite(loss) and 0 <= acc <= 1
    logs = model.test_on_batch(x[:32], y[:32], return_dict=True)
    assert set(logs) == {"loss", "accuracy"} and logs["loss"] < loss
    out = model.predict(x, batch_size=32)
    assert isinstance(out, np.ndarray) and out.shape == (70, 10)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-6)
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-5)


def test_functional_model_with_two_inputs():
    rng = np.random.default_rng(3)
    a, b = tk.Input(shape=(3,)), tk.Input(shape=(2,))
    out = Dense(1)(tk.layers.Concatenate()([Dense(4)(a), b]))
    model = tk.Model([a, b], out)
    model.compile(optimizer="adam", loss="mse")
    xa, xb = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    history = model.fit([xa, xb], rng.normal(size=(40, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict([xa, xb]).shape == (40, 1)


# ---- progress and plots -----------------------------------------------------------------------
def test_verbose_output_is_plain_and_repeatable_when_not_interactive(capsys):
    x, y = blobs(64)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=1, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2 - 2/2 - loss: ")
    assert "val_accuracy: " in lines[1]


def test_history_plot_returns_a_figure():
    import matplotlib
    matplotlib.use("Agg")
    x, y = blobs(64)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    fig = history.plot()
    assert len(fig.axes) == 2
    assert [l.get_label() for l in fig.axes[0].get_lines()] == ["loss", "val_loss"]
    with pytest.raises(ValueError, match="no values to plot"):
        callbacks.History().plot()


# ---- bad input, clear errors --------------------------------------------------------------
@pytest.fixture
def compiled():
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_x_y_length_mismatch(compiled):
    x, y = blobs(100)
    with pytest.raises(ValueError, match="x has 100 samples but y has 99"):
        compiled.fit(x, y[:99], verbose=0)


def test_wrong_input_shape_names_expected_and_got_and_suggests_flatten(compiled):
    x, y = blobs(100)
    with pytest.raises(tk.ShapeError, match=r"(?s)expects input of shape \(None, 64\) but "
                                            r"received \(100, 8, 8\).*Flatten"):
        compiled.fit(x.reshape(100, 8, 8), y, verbose=0)


def test_single_sample_to_predict_says_the_batch_axis_is_missing(compiled):
    x, _ = blobs(4)
    with pytest.raises(tk.ShapeError, match=r"batch axis is missing: pass x\[None\]"):
        compiled.predict(x[0])


def test_labels_out_of_range_in_fit(compiled):
    x, y = blobs(64)
    y[5] = 10
    with pytest.raises(ValueError, match=r"got the label 10, but the model predicts 10 "
                                         r"classes"):
        compiled.fit(x, y, verbose=0)


def test_one_hot_labels_for_sparse_loss_in_fit(compiled):
    x, y = blobs(64)
    with pytest.raises(tk.ShapeError, match="look one-hot"):
        compiled.fit(x, np.eye(10)[y], verbose=0)


def test_ragged_sequences_say_to_pad():
    model = tk.Sequential([tk.Input(shape=(3,)), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(tk.ShapeError, match=r"(?s)x is a ragged list.*pad"):
        model.fit([[1, 2, 3], [1, 2], [4, 5, 6]], [0.0, 1.0, 0.0], verbose=0)


def test_fit_before_compile_and_compile_without_loss():
    model = mlp()
    with pytest.raises(RuntimeError, match=r"needs a compiled model.*model.compile"):
        model.fit(*blobs(8), verbose=0)
    with pytest.raises(ValueError, match="compile needs a loss"):
        model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="validation_split must be between 0 and 1"):
        model.compile(optimizer="adam", loss="mse")
        model.fit(*blobs(8), validation_split=1.5, verbose=0)


# ---- sample_weight and class_weight -----------------------------------------------------------
def _weighted_model(lr=0.1):
    tk.random.seed(3)
    model = tk.Sequential([tk.Input(shape=(3,)), Dense(2)])
    model.compile(optimizer=optimizers.SGD(lr), loss="sparse_categorical_crossentropy")
    return model


def test_sample_weight_scales_each_samples_loss_as_keras():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 3)).astype(np.float32), np.array([0, 1, 1, 0])
    weighted, subset = _weighted_model(0.1), _weighted_model(0.05)
    # sum(loss * w) / batch: zero weights drop two samples and halve the step
    weighted.fit(x, y, batch_size=4, shuffle=False, sample_weight=[1, 1, 0, 0], verbose=0)
    subset.fit(x[:2], y[:2], batch_size=2, shuffle=False, verbose=0)
    for a, b in zip(weighted.get_weights(), subset.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    model = _weighted_model()
    per_sample = tk.losses.sparse_categorical_crossentropy(y, model.predict(x, verbose=0))
    w = np.array([2.0, 0.0, 1.0, 0.5], np.float32)
    want = float(np.sum(per_sample.numpy() * w) / 4)
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(want, rel=1e-6)
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(want, rel=1e-6)
    history = model.fit(x, y, validation_data=(x, y, w), epochs=1, verbose=0,
                        sample_weight=np.ones(4))
    assert history.history["val_loss"][0] == pytest.approx(   # weighted, after the step
        model.evaluate(x, y, sample_weight=w, verbose=0), rel=1e-6)
    assert history.history["val_loss"][0] != pytest.approx(
        model.evaluate(x, y, verbose=0), rel=1e-3)
    split = model.fit(x, y, validation_split=0.5, sample_weight=w, epochs=1, verbose=0)
    assert split.history["val_loss"][0] == pytest.approx(   # the weights split with the data
        model.evaluate(x[2:], y[2:], sample_weight=w[2:], verbose=0), rel=1e-6)


def test_class_weight_is_sample_weight_by_label():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)).astype(np.float32), np.array([0, 1, 1, 0, 1, 1])
    by_class, by_sample = _weighted_model(), _weighted_model()
    h1 = by_class.fit(x, y, batch_size=3, shuffle=False, class_weight={0: 3.0}, verbose=0)
    h2 = by_sample.fit(x, y, batch_size=3, shuffle=False,
                       sample_weight=np.where(y == 0, 3.0, 1.0), verbose=0)
    assert h1.history == h2.history
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_array_equal(a, b)
    one_hot = tk.Sequential([tk.Input(shape=(3,)), Dense(2)])
    one_hot.compile(optimizer="sgd", loss=losses.CategoricalCrossentropy(from_logits=True))
    one_hot.train_on_batch(x, np.eye(2)[y], class_weight={1: 0.5})   # one-hot labels too


def test_per_sample_weights_cover_every_step_of_a_sequence():
    model = tk.Sequential([tk.Input(shape=(5, 2)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(2).normal(size=(3, 5, 2)).astype(np.float32)
    y = np.zeros((3, 5, 1), np.float32)
    per_step = np.mean(model.predict(x, verbose=0) ** 2, axis=-1)          # (3, 5)
    w = np.array([1.0, 0.0, 2.0], np.float32)
    want = float(np.mean(per_step * w[:, None]))
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(want, rel=1e-5)


def test_weight_mistakes_are_named():
    model = _weighted_model()
    x, y = np.zeros((4, 3), np.float32), np.array([0, 1, 1, 0])
    with pytest.raises(ValueError, match="cannot pass both class_weight and sample_weight"):
        model.fit(x, y, sample_weight=np.ones(4), class_weight={0: 2.0}, verbose=0)
    with pytest.raises(tk.ShapeError, match=r"sample_weight has shape \(3,\) but there are 4 "
                                            r"samples"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match=r"class_weight must be a dict \{class id: weight\}"):
        model.fit(x, y, class_weight=[1.0, 2.0], verbose=0)


# ---- weighted_metrics ------------------------------------------------------------------------
def _fixed_regression():
    """A model whose errors are known: predictions 0, labels 1, 2, 3, 4 (mae 1..4)."""
    model = tk.Sequential([tk.Input(shape=(2,)), Dense(1, kernel_initializer="zeros")])
    x = np.ones((4, 2), np.float32)
    y = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)
    return model, x, y


def test_weighted_metrics_take_the_sample_weights_and_metrics_do_not():
    model, x, y = _fixed_regression()
    model.compile(optimizer=optimizers.SGD(0.0), loss="mae", metrics=["mae"],
                  weighted_metrics=["mae", "mse"])
    assert model.metrics_names == ["loss"]                        # known after a first batch
    w = np.array([1.0, 0.0, 0.0, 3.0], np.float32)
    logs = model.evaluate(x, y, sample_weight=w, batch_size=3, verbose=0, return_dict=True)
    assert list(logs) == model.metrics_names == ["loss", "mae", "weighted_mae", "mse"]
    assert logs["mae"] == pytest.approx(2.5)                     # (1 + 2 + 3 + 4) / 4
    assert logs["weighted_mae"] == pytest.approx((1 + 3 * 4) / 4)      # sum(w * e) / sum(w)
    assert logs["mse"] == pytest.approx((1 + 3 * 16) / 4)
    assert logs["loss"] == pytest.approx((1 + 3 * 4) / 4)        # the loss: / batch size
    plain = model.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    assert plain["weighted_mae"] == plain["mae"] == pytest.approx(2.5)   # no weights given
    history = model.fit(x, y, class_weight={1: 5.0}, epochs=1, verbose=0, shuffle=False,
                        validation_data=(x, y, w))
    assert history.history["val_weighted_mae"] == [pytest.approx(logs["weighted_mae"])]
    assert history.history["mae"] == [pytest.approx(2.5)]       # class ids by rounding: y=1
    assert history.history["weighted_mae"] == [pytest.approx((5 + 2 + 3 + 4) / 8)]
    assert model.test_on_batch(x, y, sample_weight=w, return_dict=True)["weighted_mae"] == \
        pytest.approx(logs["weighted_mae"])
    assert model.train_on_batch(x, y, sample_weight=w, return_dict=True)["mse"] == \
        pytest.approx(logs["mse"])


def test_weighted_metric_names_follow_keras():
    model, x, y = _fixed_regression()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mae", "accuracy"],
                  weighted_metrics=["mae", "mae", "accuracy", tk.metrics.MeanSquaredError()])
    model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "mae", "mae_1", "accuracy", "weighted_mae",
                                   "weighted_mae_1", "weighted_accuracy", "mean_squared_error"]
    a, b = tk.Input(shape=(2,)), tk.Input(shape=(2,))
    two = tk.Model([a, b], [Dense(1, name="left")(a), Dense(1, name="right")(b)])
    two.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"])
    two.evaluate([x, x], [y, y], sample_weight=np.ones(4), verbose=0)
    assert two.metrics_names == ["loss", "left_mae", "right_mae", "left_weighted_mae",
                                 "right_weighted_mae"]


def test_weighted_metrics_mistakes_are_named():
    model, x, y = _fixed_regression()
    with pytest.raises(ValueError, match=r"Expected `weighted_metrics` argument to be a list, "
                                         r"tuple, or dict.*Fix: weighted_metrics=\['mae'\]"):
        model.compile(optimizer="sgd", loss="mse", weighted_metrics="mae")
    with pytest.raises(ValueError, match=r"weighted_metrics='mean_absolute_eror'.*Did you "
                                         r"mean 'mean_absolute_error'\? Fix: "
                                         r"weighted_metrics=\['mean_absolute_error'\]"):
        model.compile(optimizer="sgd", loss="mse", weighted_metrics=["mean_absolute_eror"])
    with pytest.raises(TypeError, match=r"compile\(weighted_metrics=...\) got the function"):
        model.compile(optimizer="sgd", loss="mse", weighted_metrics=[lambda y: y])


def test_correlation_metrics_by_name_and_in_fit():
    assert isinstance(tk.metrics.get("pearson_correlation"), tk.metrics.PearsonCorrelation)
    assert isinstance(tk.metrics.get("ConcordanceCorrelation"),
                      tk.metrics.ConcordanceCorrelation)
    tk.random.seed(0)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = x @ rng.normal(size=(3, 4)).astype(np.float32)
    model = tk.Sequential([tk.Input(shape=(3,)), Dense(4)])
    model.compile(optimizer=optimizers.Adam(0.1), loss="mse",
                  metrics=["pearson_correlation", tk.metrics.ConcordanceCorrelation()])
    history = model.fit(x, y, epochs=40, verbose=0)
    assert set(history.history) == {"loss", "pearson_correlation", "concordance_correlation"}
    for name in ("pearson_correlation", "concordance_correlation"):   # each row's 4 outputs
        assert history.history[name][-1] > max(0.9, history.history[name][0])
    constant = tk.metrics.pearson_correlation(np.ones((2, 3)), x[:2])
    assert np.isnan(constant).all() and constant.dtype == np.float32    # as Keras: nan


def test_per_class_metrics_log_arrays_as_keras(capsys):
    # F1Score() (average=None) and Precision(thresholds=[...]) give one value per class or
    # threshold: History keeps the arrays, the progress line and plot show every value
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 8)).astype("float32"), np.eye(3)[rng.integers(0, 3, 32)]
    model = tk.Sequential([tk.Input(shape=(8,)), Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy",
                  metrics=[tk.metrics.F1Score(), tk.metrics.Precision(thresholds=[0.3, 0.6])])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=2, validation_split=0.25)
    assert [np.shape(v) for v in history.history["f1_score"]] == [(3,), (3,)]
    assert np.shape(history.history["val_precision"][1]) == (2,)
    assert "f1_score: [" in capsys.readouterr().out
    labels = [line.get_label() for ax in history.plot().axes for line in ax.lines]
    assert "f1_score[2]" in labels and "val_precision[1]" in labels


def test_csv_logger_writes_keras_layout(tmp_path):
    # as Keras' CSVLogger: sorted keys, val_ columns NA until there is validation, append
    # without a second header
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 4)).astype("float32"), rng.integers(0, 3, 40)
    model = tk.Sequential([tk.Input(shape=(4,)), Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25,
              callbacks=[callbacks.CSVLogger(path, append=True)])
    rows = [line.split(",") for line in path.read_text().splitlines()]
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"] and rows[1][3:] == ["NA", "NA"]
    assert float(rows[3][4]) > 0 and len(rows) == 4


def test_backup_and_restore_resumes_an_interrupted_fit_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((48, 4)).astype("float32"), rng.integers(0, 3, 48)

    def model():
        tk.random.seed(1)
        m = tk.Sequential([tk.Input(shape=(4,)), Dense(8, activation="relu"), Dense(3)])
        m.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
        return m

    whole = model()
    whole.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)

    class Interrupt(callbacks.Callback):             # the kernel dies after epoch 3
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    backup = tmp_path / "backup"
    resumed = model()
    with pytest.raises(KeyboardInterrupt):
        resumed.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0,
                    callbacks=[callbacks.BackupAndRestore(backup), Interrupt()])
    assert sorted(p.name for p in backup.iterdir()) == sorted(callbacks.BackupAndRestore.FILES)
    again = model()                                  # a fresh notebook: new model, same code
    history = again.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0,
                        callbacks=[callbacks.BackupAndRestore(backup)])
    assert history.epoch == [3, 4] and again.optimizer.iterations == whole.optimizer.iterations
    for a, b in zip(again.get_weights(), whole.get_weights()):
        np.testing.assert_array_equal(a, b)          # weights and Adam's moments resumed
    assert not backup.exists()                       # a finished run deletes its backup
    with pytest.raises(ValueError, match="save_freq must be 'epoch' or a number"):
        callbacks.BackupAndRestore(backup, save_freq="batch")


def test_mode_auto_asks_the_metric_which_way_is_better():
    x, y = blobs(64)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", tk.metrics.SparseTopKCategoricalAccuracy(2, name="top2"),
                           tk.metrics.SparseCategoricalCrossentropy(name="xent")])
    watch = {m: callbacks.EarlyStopping(monitor=m, patience=50)
             for m in ("val_loss", "val_accuracy", "val_top2", "xent")}
    model.fit(x, y, epochs=1, validation_split=0.25, callbacks=list(watch.values()), verbose=0)
    assert {m: cb._mode for m, cb in watch.items()} == {
        "val_loss": "min", "val_accuracy": "max", "val_top2": "max", "xent": "min"}
    lost = callbacks.ReduceLROnPlateau(monitor="val_score")
    with pytest.raises(ValueError, match=r"monitor='val_score', but it can't tell whether.*"
                                         r"Fix: pass mode='max'"):
        model.fit(x, y, epochs=1, validation_split=0.25, callbacks=[lost], verbose=0)
    with pytest.raises(ValueError, match=r"mode must be 'auto', 'min' or 'max'"):
        callbacks.EarlyStopping(mode="maximum")


# ---- the metrics API of Keras 3's Trainer (model.metrics, reset_metrics...) -------------------
def test_model_metrics_list_the_loss_tracker_then_the_compiled_metrics():
    x, y = blobs(48)
    model = mlp()
    assert model.metrics == [] and model.metrics_names == []    # not compiled yet, as Keras
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    assert [m.name for m in model.metrics] == ["loss"]           # compiled ones: first batch
    logs = model.evaluate(x, y, batch_size=20, verbose=0, return_dict=True)
    assert [type(m).__name__ for m in model.metrics] == ["Mean", "SparseCategoricalAccuracy"]
    assert model.get_metrics_result() == logs                   # the running state, as logged
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert model.get_metrics_result() == {k: v[-1] for k, v in history.history.items()}
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_data=(x[:8], y[:8]))
    assert model.get_metrics_result() == pytest.approx(          # validation ran last
        model.evaluate(x[:8], y[:8], verbose=0, return_dict=True))
    model.reset_metrics()
    assert model.get_metrics_result() == {"loss": 0.0, "accuracy": 0.0}
    model.train_on_batch(x[:4], y[:4])
    assert model.metrics[0].count == 4


def test_metric_attributes_join_model_metrics_and_the_default_steps_log_them():
    class Tracked(tk.Sequential):
        def __init__(self, layers):
            super().__init__(layers)
            self.extra = [tk.metrics.Mean(name="extra")]         # lists are looked into too

    x, y = blobs(32)
    model = Tracked([tk.Input(shape=(64,)), Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.5)
    assert model.metrics_names == ["loss", "acc", "extra"]
    assert history.history["extra"] == [0.0, 0.0] == history.history["val_extra"]
    plain = mlp()
    with pytest.raises(ValueError, match=r"compile needs a loss.*may leave it out"):
        plain.compile(optimizer="adam", loss=None)


def test_validation_in_fit_calls_the_test_callbacks_as_keras():
    calls = []

    class Recorder(callbacks.Callback):
        def on_test_begin(self, logs=None):
            calls.append("test_begin")

        def on_test_batch_end(self, batch, logs=None):
            calls.append(f"test_batch_{batch}")

        def on_test_end(self, logs=None):
            calls.append(("test_end", sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_{epoch}")

    x, y = blobs(40)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.5, verbose=0,
              callbacks=[Recorder()])
    one_epoch = ["test_begin", "test_batch_0", "test_batch_1",
                 ("test_end", ["accuracy", "loss"])]
    assert calls == one_epoch + ["epoch_0"] + one_epoch + ["epoch_1"]
