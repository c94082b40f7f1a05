"""Keras' "customize what happens in fit()": a subclass overrides train_step / test_step /
predict_step (and compute_loss, compile), and fit still gives its progress bar, callbacks,
History and validation.

References: the numbers of each custom fit are recomputed by a hand-written loop (NumPy, or
tensorkit's autograd step by step); the semantics of the logs follow Keras 3.15's trainers
(keras/src/trainers/trainer.py and backend/torch/trainer.py, whose train_step is eager as
tensorkit's is): fit calls ``self.reset_metrics()`` as each epoch starts; a batch's logs are
what train_step returned (floats); an epoch's logs are ``get_metrics_result()`` when the step
returned exactly those names, else the last step's logs; validation runs test_step after
resetting the metrics and adds ``val_`` to each name. (Keras also sorts the keys of the logs;
tensorkit keeps them in the order the step returned them, as its default fit keeps "loss"
first.)
"""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import callbacks, layers, metrics, optimizers
from tensorkit.training import NaNLossError, unpack_x_y_sample_weight


def regression(n=20, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")[:features] + 0.3).astype("float32")
    return x, y


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches, self.epochs, self.tests = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))

    def on_test_batch_end(self, batch, logs=None):
        self.tests.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(dict(logs))


# ---- the Keras guide's first example -------------------------------------------------------
class GuideModel(tk.Model):
    """The guide's train_step, word for word in tensorkit (tk.gradients for the tape)."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tk.gradients(loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class BackwardModel(GuideModel):
    """The same step as Keras' torch guide writes it: zero_grad, loss.backward(), .grad."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        weights = self.trainable_weights
        self.optimizer.apply([w.grad for w in weights], weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def linear(cls=GuideModel, features=3):
    inputs = tk.Input(shape=(features,))
    return cls(inputs, layers.Dense(1)(inputs))


def numpy_sgd_fit(kernel, bias, x, y, lr, batch_size, epochs):
    """The guide's fit by hand, in float64: each batch's MSE loss counts once in the loss
    tracker (update_state(loss)); MAE is the mean over samples, before each update."""
    kernel, bias = kernel.astype("float64"), bias.astype("float64")
    history, batch_logs = {"loss": [], "mae": []}, []
    for _ in range(epochs):
        losses, abs_sum, seen = [], 0.0, 0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            err = xb @ kernel + bias - yb                              # (B, 1)
            losses.append(float(np.mean(err ** 2)))
            abs_sum, seen = abs_sum + float(np.abs(err).sum()), seen + len(xb)
            kernel = kernel - lr * 2 * xb.T @ err / len(xb)
            bias = bias - lr * 2 * err.sum(0) / len(xb)
            batch_logs.append({"loss": np.mean(losses), "mae": abs_sum / seen})
        history["loss"].append(np.mean(losses))
        history["mae"].append(abs_sum / seen)
    return history, batch_logs, kernel, bias


@pytest.mark.parametrize("cls", [GuideModel, BackwardModel], ids=["gradients", "backward"])
def test_guide_train_step_matches_a_hand_written_loop(cls):
    x, y = regression(20)
    model = linear(cls)
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    kernel, bias = model.get_weights()
    seen = Recorder()
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                        callbacks=[seen])
    want, want_batches, want_kernel, want_bias = numpy_sgd_fit(kernel, bias, x, y, 0.1, 8, 3)
    assert list(history.history) == ["loss", "mae"] and history.epoch == [0, 1, 2]
    for key in want:
        np.testing.assert_allclose(history.history[key], want[key], rtol=1e-5)
    assert len(seen.batches) == 9                     # 3 batches (8, 8, 4) a epoch
    for got, expected in zip(seen.batches, want_batches):
        assert list(got) == ["loss", "mae"] and all(type(v) is float for v in got.values())
        np.testing.assert_allclose([got["loss"], got["mae"]],
                                   [expected["loss"], expected["mae"]], rtol=1e-5)
    assert seen.epochs == [{k: v[i] for k, v in history.history.items()} for i in range(3)]
    np.testing.assert_allclose(model.get_weights()[0], want_kernel, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[1], want_bias, rtol=1e-5)
    assert [m.name for m in model.metrics] == model.metrics_names == ["loss", "mae"]


def test_a_pydataset_gives_the_custom_step_the_same_batches_as_arrays():
    x, y = regression(20)

    class Batches(tk.data.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[8 * i:8 * i + 8], y[8 * i:8 * i + 8]

    runs = []
    for data in ((x, y), (Batches(),)):
        tk.random.seed(4)
        model = linear()
        model.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=["mae"])
        runs.append((model.fit(*data, batch_size=8 if len(data) == 2 else None, epochs=2,
                               shuffle=False, verbose=0).history, model.get_weights()))
    assert runs[1][0] == runs[0][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_the_metrics_are_reset_as_each_epoch_starts_and_by_reset_metrics():
    x, y = regression(16)
    model = linear()
    model.compile(optimizer=optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    seen = Recorder()
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[seen])
    assert seen.batches[2] == seen.batches[0]         # lr 0: epoch 2 repeats epoch 1 exactly
    assert model.metrics[0].count == 2                # two batches since the last reset
    model.reset_metrics()
    assert [m.result() for m in model.metrics] == [0.0, 0.0]
    assert model.get_metrics_result() == {"loss": 0.0, "mae": 0.0}


def test_logs_are_what_the_step_returned_and_history_keeps_the_last_batch():
    class Counting(tk.Model):
        def train_step(self, data):
            x, y = data
            loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            self.batches = getattr(self, "batches", 0) + 1
            return {"batch_loss": loss, "count": self.batches, "nested": {"half": 0.5}}

    x, y = regression(12)
    inputs = tk.Input(shape=(3,))
    model = Counting(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    seen = Recorder()
    history = model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0,
                        callbacks=[seen])
    assert list(history.history) == ["batch_loss", "count", "half"]      # nested: flattened
    assert history.history["count"] == [3.0, 6.0]     # not the metrics' names: the last step
    assert history.history["batch_loss"] == [seen.batches[2]["batch_loss"],
                                             seen.batches[5]["batch_loss"]]
    pred = model.predict(x, verbose=0)                  # no update: the step applies none
    assert history.history["batch_loss"] == pytest.approx(   # the last batch: 2 samples
        [float(np.mean((pred[10:] - y[10:]) ** 2))] * 2, rel=1e-5)
    assert seen.batches[0]["batch_loss"] == pytest.approx(
        float(np.mean((pred[:5] - y[:5]) ** 2)), rel=1e-5)
    assert all(type(v) is float for logs in seen.batches for v in logs.values())


def test_progress_bar_shows_the_custom_logs(capsys):
    class GAN_like(tk.Model):
        def train_step(self, data):
            return {"d_loss": 0.25, "g_loss": tk.tensor(1.5)}

    model = GAN_like()
    model.compile()
    model.fit(np.zeros((4, 2), "float32"), epochs=1, batch_size=2, verbose=2)
    assert capsys.readouterr().out == "Epoch 1/1 - 2/2 - d_loss: 0.2500 - g_loss: 1.5000\n"


# ---- validation and evaluate use test_step -------------------------------------------------
class Scored(tk.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.test_grad = y_pred.requires_grad
        self.tested = getattr(self, "tested", 0) + 1
        self.score.update_state(tk.abs(y - y_pred))
        return {"score": self.score.result()}


def test_validation_runs_test_step_and_adds_val_to_its_names():
    x, y = regression(20)
    model = linear(Scored)
    model.score = metrics.Mean(name="score")
    model.compile(optimizer=optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    seen = Recorder()
    history = model.fit(x[:12], y[:12], batch_size=4, epochs=2, verbose=0, callbacks=[seen],
                        validation_data=(x[12:], y[12:]), validation_batch_size=3)
    # score is in self.metrics, so the default train_step logs it too (reset, not updated)
    assert list(history.history) == ["loss", "mae", "score", "val_score"]
    assert history.history["score"] == [0.0, 0.0]
    assert model.tested == 6 and model.test_grad is False      # 3 batches, under no_grad
    assert history.history["val_score"][-1] == pytest.approx(
        float(np.abs(model.predict(x[12:], verbose=0) - y[12:]).mean()), rel=1e-5)
    assert model.evaluate(x[12:], y[12:], verbose=0, return_dict=True) == {
        "score": pytest.approx(history.history["val_score"][-1])}
    assert model.evaluate(x[12:], y[12:], verbose=0) == pytest.approx(
        history.history["val_score"][-1])
    assert model.test_on_batch(x[12:], y[12:], return_dict=True) == {
        "score": pytest.approx(history.history["val_score"][-1])}
    model.evaluate(x[12:], y[12:], batch_size=4, verbose=0, callbacks=[seen])
    errors = np.abs(model.predict(x[12:], verbose=0) - y[12:])
    assert len(seen.tests) == 2 * 3 + 2     # fit's validation reports its batches too, as Keras
    assert [logs["score"] for logs in seen.tests[-2:]] == pytest.approx(
        [errors[:4].mean(), errors.mean()], rel=1e-5)  # the running score, batch by batch


def test_a_custom_train_step_validates_with_the_default_test_step():
    x, y = regression(20)
    model = linear()
    model.compile(optimizer=optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x[:12], y[:12], batch_size=4, epochs=2, verbose=0,
                        validation_data=(x[12:], y[12:]))
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    pred = model.predict(x[12:], verbose=0)
    want = {"loss": float(np.mean((pred - y[12:]) ** 2)),
            "mae": float(np.abs(pred - y[12:]).mean())}
    assert history.history["val_loss"][-1] == pytest.approx(want["loss"], rel=1e-5)
    assert history.history["val_mae"][-1] == pytest.approx(want["mae"], rel=1e-5)
    assert model.evaluate(x[12:], y[12:], verbose=0, return_dict=True) == \
        pytest.approx(want, rel=1e-5)


# ---- the default steps, called through super() or around an overridden compute_loss ---------
class SuperStep(tk.Sequential):
    def train_step(self, data):
        self.steps = getattr(self, "steps", 0) + 1
        return super().train_step(data)

    def test_step(self, data):
        return super().test_step(data)


def _two(cls, seed):
    tk.random.seed(seed)
    return cls([tk.Input(shape=(3,)), layers.Dense(4, activation="tanh"),
                layers.Dense(1, kernel_regularizer="l2")])


@pytest.mark.parametrize("weighted", [False, True])
def test_super_train_step_is_the_default_fit_exactly(weighted):
    x, y = regression(30)
    w = np.linspace(0.5, 2.0, 30).astype("float32") if weighted else None
    histories, weights = [], []
    for cls in (tk.Sequential, SuperStep):
        model = _two(cls, 7)
        model.compile(optimizer="adam", loss="mse", metrics=["mae"], weighted_metrics=["mse"])
        tk.random.seed(3)                                        # the same shuffles
        histories.append(model.fit(x, y, sample_weight=w, batch_size=8, epochs=3,
                                   validation_split=0.2, verbose=0).history)
        weights.append(model.get_weights())
    assert model.steps == 9
    assert list(histories[1]) == list(histories[0]) == [
        "loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]
    for key in histories[0]:
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-6, err_msg=key)
    for a, b in zip(*weights):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_an_overridden_compute_loss_is_what_fit_and_evaluate_minimize():
    class Penalized(tk.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            # the signature before Keras 3.3 (no `training`) still works
            return super().compute_loss(x, y, y_pred, sample_weight) + \
                0.5 * tk.mean(tk.abs(y_pred))

    x, y = regression(16)
    model = Penalized([tk.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    pred = model.predict(x, verbose=0)
    want = np.mean((pred - y) ** 2) + 0.5 * np.mean(np.abs(pred))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(want, rel=1e-5)
    plain = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(1)])
    plain.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    plain.set_weights(model.get_weights())
    assert history.history["loss"][1] > plain.evaluate(x, y, verbose=0)   # the penalty counts


def test_sample_weight_comes_third_as_in_the_guide():
    class Weighted(tk.Model):
        def train_step(self, data):
            x, y, sample_weight = data
            self.shapes = (x.shape, y.shape, sample_weight.shape)
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            grads = tk.gradients(loss, self.trainable_weights)
            self.optimizer.apply(grads, self.trainable_weights)
            return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    x, y = regression(12)
    w = np.arange(12, dtype="float32")
    models = []
    for cls in (tk.Model, Weighted):
        tk.random.seed(5)
        inputs = tk.Input(shape=(3,))
        model = cls(inputs, layers.Dense(1)(inputs))
        model.compile(optimizer=optimizers.SGD(0.05), loss="mse", weighted_metrics=["mae"])
        model.fit(x, y, sample_weight=w, batch_size=6, epochs=2, shuffle=False, verbose=0)
        models.append(model)
    assert models[1].shapes == ((6, 3), (6, 1), (6,))
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6)


# ---- a VAE-like model: fit(x) alone, Mean trackers as attributes ----------------------------
class TinyVAE(tk.Model):
    def __init__(self, latent=2, features=4):
        super().__init__()
        self.encoder = layers.Dense(2 * latent)
        self.decoder = layers.Dense(features)
        self.latent = latent
        self.total_loss_tracker = metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = metrics.Mean(name="kl_loss")
        self.seen = []

    def call(self, x):
        return self.decoder(self.encoder(x)[:, :self.latent])

    def losses_of(self, data):
        stats = self.encoder(data)
        z_mean, z_log_var = stats[:, :self.latent], stats[:, self.latent:]
        z = z_mean + tk.exp(0.5 * z_log_var) * self.noise[:data.shape[0]]
        reconstruction = tk.mean(tk.sum(tk.square(data - self.decoder(z)), axis=1))
        kl = -0.5 * (1 + z_log_var - tk.square(z_mean) - tk.exp(z_log_var))
        kl = tk.mean(tk.sum(kl, axis=1))
        return reconstruction + kl, reconstruction, kl

    def train_step(self, data):
        self.seen.append(type(data))
        if isinstance(data, tuple):                     # a generator's (x,), as in Keras
            data = data[0]
        total, reconstruction, kl = self.losses_of(data)
        grads = tk.gradients(total, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        self.total_loss_tracker.update_state(total)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        self.kl_loss_tracker.update_state(kl)
        return {"loss": self.total_loss_tracker.result(),
                "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                "kl_loss": self.kl_loss_tracker.result()}


def vae_data(n=12):
    rng = np.random.default_rng(1)
    return rng.random((n, 4)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")


def hand_vae(model, x, batch_size, epochs):
    """The same training written out: tensorkit autograd and Adam, batch by batch; each
    tracker averages its batch values (one update each), from zero at each epoch."""
    history = {"loss": [], "reconstruction_loss": [], "kl_loss": []}
    batch_logs = []
    optimizer = optimizers.Adam()
    for _ in range(epochs):
        values = []
        for start in range(0, len(x), batch_size):
            total, reconstruction, kl = model.losses_of(tk.tensor(x[start:start + batch_size]))
            grads = tk.gradients(total, model.trainable_weights)
            optimizer.apply(grads, model.trainable_weights)
            values.append([float(total), float(reconstruction), float(kl)])
            batch_logs.append(dict(zip(history, np.mean(values, axis=0))))
        for key, column in zip(history, np.mean(values, axis=0)):
            history[key].append(column)
    return history, batch_logs


def test_vae_fits_x_alone_with_its_trackers_reset_each_epoch():
    x, noise = vae_data()
    models = []
    for _ in range(2):
        tk.random.seed(11)
        model = TinyVAE()
        model.noise = tk.tensor(noise)
        model(x[:1])                                     # built, so the weights can match
        models.append(model)
    models[0].compile(optimizer=optimizers.Adam())
    seen = Recorder()
    history = models[0].fit(x, epochs=3, batch_size=5, shuffle=False, verbose=0,
                            callbacks=[seen])
    want, want_batches = hand_vae(models[1], x, 5, 3)
    assert models[0].seen == [tk.Tensor] * 9             # x itself, not (x,), as Keras
    assert list(history.history) == ["loss", "reconstruction_loss", "kl_loss"]
    for key in want:
        np.testing.assert_allclose(history.history[key], want[key], rtol=1e-5, err_msg=key)
    assert len(seen.batches) == 9
    for got, expected in zip(seen.batches, want_batches):   # batch 4 (epoch 2's first): alone
        assert got == pytest.approx(expected, rel=1e-5)
    assert seen.batches[2] == {k: v[0] for k, v in history.history.items()}
    tracker = models[0].kl_loss_tracker
    assert tracker.count == 3                            # reset when epoch 3 began
    assert models[0].metrics == [models[0]._loss_tracker, models[0].total_loss_tracker,
                                 models[0].reconstruction_loss_tracker, tracker]
    assert models[0].metrics_names == ["loss", "total_loss", "reconstruction_loss", "kl_loss"]
    assert models[0].predict(x, verbose=0).shape == (12, 4)


def test_vae_takes_x_alone_from_generators_and_pydatasets_and_validation():
    x, noise = vae_data()

    class Batches(tk.data.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[4 * i:4 * i + 4]

    class Validated(TinyVAE):
        def test_step(self, data):
            self.tested = getattr(self, "tested", []) + [type(data)]
            x, _, _ = unpack_x_y_sample_weight(data)
            total, _, kl = self.losses_of(x)
            return {"loss": total, "kl_loss": kl}

    model = Validated()
    model.noise = tk.tensor(noise)
    model.compile(optimizer="adam")
    history = model.fit(((x[i:i + 4],) for i in range(0, 12, 4)), epochs=1, verbose=0,
                        validation_data=(x[:6],))
    assert list(history.history) == ["loss", "reconstruction_loss", "kl_loss", "val_loss",
                                     "val_kl_loss"]
    assert model.seen == [tuple] * 3 and model.tested == [tk.Tensor]   # (x,) as yielded
    history = model.fit(Batches(), epochs=2, verbose=0, validation_data=x[:6])
    assert len(history.history["val_loss"]) == 2 and model.tested == [tk.Tensor] * 3
    assert model.seen == [tuple] * 9         # a PyDataset's x becomes (x,), as in Keras
    logs = model.evaluate(x, batch_size=6, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "kl_loss"]
    model.evaluate(((x,) for _ in range(2)), verbose=0)
    assert model.tested[-2:] == [tuple, tuple]


# ---- a GAN: its own compile, two optimizers, alternating updates ----------------------------
class GAN(tk.Model):
    """The Keras guide's GAN, on 2-number "images"."""

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator, self.generator = discriminator, generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = metrics.Mean(name="d_loss")
        self.g_loss_tracker = metrics.Mean(name="g_loss")
        self.record = []

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

    def snapshot(self):
        return ([w.numpy().copy() for w in self.discriminator.weights],
                [w.numpy().copy() for w in self.generator.weights])

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        before = self.snapshot()
        z = tk.random.normal((batch_size, self.latent_dim))
        generated = self.generator(z)
        combined = tk.concatenate([generated, real_images], axis=0)
        labels = tk.concatenate([tk.ones((batch_size, 1)), tk.zeros((batch_size, 1))], axis=0)
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        grads = tk.gradients(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
        after_d = self.snapshot()

        z = tk.random.normal((batch_size, self.latent_dim))
        misleading_labels = tk.zeros((batch_size, 1))
        g_loss = self.loss_fn(misleading_labels, self.discriminator(self.generator(z)))
        grads = tk.gradients(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply(grads, self.generator.trainable_weights)
        self.record.append((before, after_d, self.snapshot(), float(d_loss), float(g_loss)))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def tiny_gan():
    discriminator = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(4, activation="relu"),
                                   layers.Dense(1, activation="sigmoid")])
    generator = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(2)])
    gan = GAN(discriminator, generator, latent_dim=3)
    gan.compile(d_optimizer=optimizers.Adam(0.01), g_optimizer=optimizers.Adam(0.01),
                loss_fn=tk.losses.BinaryCrossentropy())
    return gan


def _changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


def test_gan_alternates_updates_and_logs_both_losses():
    real = np.random.default_rng(2).normal(1.0, 0.2, size=(12, 2)).astype("float32")
    gan = tiny_gan()
    seen = Recorder()
    history = gan.fit(real, epochs=2, batch_size=4, shuffle=False, verbose=0,
                      callbacks=[seen])
    assert list(history.history) == ["d_loss", "g_loss"]
    assert len(gan.record) == 6
    for before, after_d, after_g, _, _ in gan.record:
        assert all(_changed(before[0], after_d[0])) and not any(_changed(before[1], after_d[1]))
        assert not any(_changed(after_d[0], after_g[0])) and all(_changed(after_d[1],
                                                                          after_g[1]))
    values = np.array([r[3:] for r in gan.record])
    for epoch in range(2):                              # trackers start afresh each epoch
        want = values[3 * epoch:3 * epoch + 3].mean(axis=0)
        np.testing.assert_allclose([history.history["d_loss"][epoch],
                                    history.history["g_loss"][epoch]], want, rtol=1e-6)
    np.testing.assert_allclose(seen.batches[4]["g_loss"], values[3:5, 1].mean(), rtol=1e-6)
    assert gan.metrics_names == ["d_loss", "g_loss"]    # its own metrics property
    assert gan.loss is None and gan.compiled


def test_gan_takes_batches_from_a_generator_with_steps_per_epoch():
    real = np.random.default_rng(2).normal(size=(8, 2)).astype("float32")

    def forever():
        while True:
            yield (real,)

    gan = tiny_gan()
    history = gan.fit(forever(), steps_per_epoch=2, epochs=3, verbose=0)
    assert len(gan.record) == 6 and len(history.history["d_loss"]) == 3


# ---- predict_step ---------------------------------------------------------------------------
def test_predict_step_override_keeps_its_structure_across_batches():
    class Heads(tk.Sequential):
        def predict_step(self, data):
            self.given = getattr(self, "given", []) + [type(data)]
            y = self(data, training=False)
            self.grad = y.requires_grad
            return {"value": y, "probability": tk.sigmoid(y)}

    class Pair(tk.Sequential):
        def predict_step(self, data):
            self.given = type(data)
            x, _, _ = unpack_x_y_sample_weight(data)
            y = self(x, training=False)
            return y, 2 * y

    x, _ = regression(7)
    model = Heads([tk.Input(shape=(3,)), layers.Dense(1)])
    plain = model(tk.tensor(x)).numpy()
    out = model.predict(x, batch_size=3, verbose=0)
    assert list(out) == ["value", "probability"] and model.grad is False
    assert model.given == [tk.Tensor] * 3
    np.testing.assert_allclose(out["value"], plain, rtol=1e-6)
    np.testing.assert_allclose(out["probability"], 1 / (1 + np.exp(-plain)), rtol=1e-5)
    pair = Pair([tk.Input(shape=(3,)), layers.Dense(1)])
    out = pair.predict(((x[i:i + 2],) for i in range(0, 7, 2)), verbose=0)
    assert isinstance(out, tuple) and out[0].shape == (7, 1) and pair.given is tuple
    np.testing.assert_allclose(out[1], 2 * out[0])
    assert pair.predict_on_batch(x)[0].shape == (7, 1)


# ---- several inputs, one batch at a time ----------------------------------------------------
def test_several_inputs_come_as_a_list_and_x_alone_as_a_tuple():
    class Two(tk.Model):
        def train_step(self, data):
            self.got = data
            x, y, _ = unpack_x_y_sample_weight(data)
            return {"n": float(len(x))}

    a, b = tk.Input(shape=(2,)), tk.Input(shape=(3,))
    model = Two([a, b], layers.Dense(1)(tk.concatenate([a, b], axis=-1)))
    model.compile(optimizer="sgd", loss="mse")
    x1, x2, y = np.zeros((4, 2)), np.zeros((4, 3)), np.zeros((4, 1))
    model.fit([x1, x2], y, batch_size=4, verbose=0)
    assert isinstance(model.got, tuple) and len(model.got) == 2
    assert [t.shape for t in model.got[0]] == [(4, 2), (4, 3)]
    model.fit([x1, x2], batch_size=4, verbose=0)
    assert isinstance(model.got, tuple) and len(model.got) == 1 and len(model.got[0]) == 2
    assert model.train_on_batch([x1, x2], y, return_dict=True) == {"n": 2.0}


def test_train_on_batch_runs_the_custom_step_once():
    x, y = regression(8)
    model = linear()
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    kernel, bias = model.get_weights()
    logs = model.train_on_batch(x, y, return_dict=True)
    _, batches, want_kernel, _ = numpy_sgd_fit(kernel, bias, x, y, 0.1, 8, 1)
    assert logs == pytest.approx(batches[0], rel=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], want_kernel, rtol=1e-5)
    assert model.train_on_batch(x, y) == pytest.approx(list(model.get_metrics_result().values()))


def test_unpack_x_y_sample_weight_as_keras():
    assert unpack_x_y_sample_weight("x") == ("x", None, None)
    assert unpack_x_y_sample_weight(("x",)) == ("x", None, None)
    assert unpack_x_y_sample_weight(["x", "y"]) == ("x", "y", None)
    assert unpack_x_y_sample_weight(("x", "y", "w")) == ("x", "y", "w")
    with pytest.raises(ValueError, match=r"Data is expected to be in format `x`, `\(x,\)`, "
                                         r"`\(x, y\)`, or `\(x, y, sample_weight\)`"):
        unpack_x_y_sample_weight((1, 2, 3, 4))


# ---- mistakes ---------------------------------------------------------------------------
def _returning(value, method="train_step"):
    class Odd(tk.Model):
        def call(self, x):
            return self.dense(x)

    def step(self, data):
        return value

    setattr(Odd, method, step)
    model = Odd()
    model.dense = layers.Dense(1)
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("value, shown", [
    (3.0, "float 3.0"),
    (None, r"None \(a train_step without `return` gives None\)"),
    (tk.tensor(2.0), r"a Tensor of shape \(\)"),
    ([("loss", 1.0)], r"a list of 1: \(a tuple of 2"),
])
def test_train_step_must_return_a_dict(value, shown):
    model = _returning(value)
    x, y = regression(4)
    with pytest.raises(TypeError, match=rf"Odd.train_step must return a dict of logs, like "
                                        rf"{{'loss': loss}}.*It returned {shown}.*Fix: "
                                        r"return {'loss': loss}"):
        model.fit(x, y, verbose=0)


def test_test_step_must_return_a_dict_too():
    model = _returning([1.0], "test_step")
    x, y = regression(4)
    with pytest.raises(TypeError, match=r"Odd.test_step must return a dict of logs"):
        model.evaluate(x, y, verbose=0)


def test_compute_loss_without_a_compiled_loss_says_so():
    x, y = regression(4)
    model = linear()
    model.compile(optimizer="sgd")                       # allowed: the step is its own
    with pytest.raises(ValueError, match=r"No loss to compute\. Provide a `loss` argument in "
                                         r"`compile\(\)`\. Fix: model.compile\("):
        model.fit(x, y, verbose=0)
    never = linear()
    y_pred = never(tk.tensor(x))
    with pytest.raises(ValueError, match=r"No loss to compute"):
        never.compute_loss(y=tk.tensor(y), y_pred=y_pred)
    with pytest.raises(RuntimeError, match=r"fit needs a compiled model"):
        never.fit(x, y, verbose=0)
    plain = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"compile needs a loss.*may leave it out"):
        plain.compile(optimizer="sgd")                   # the default step needs one


class Unpacking(tk.Model):
    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        return {"loss": self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)}


def test_compute_loss_needs_the_labels_for_a_compiled_loss():
    x, _ = regression(4)
    model = linear(Unpacking)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"compute_loss got y=None and y_pred=Tensor, but the "
                                         r"compiled loss compares"):
        model.fit(x, verbose=0)
    with pytest.raises(ValueError, match=r"class_weight weighs each sample by its label, but "
                                         r"no labels y were given"):
        model.fit(x, class_weight={0: 1.0}, verbose=0)


def test_a_nan_loss_from_a_custom_step_stops_fit_by_name():
    class Diverging(tk.Model):
        def train_step(self, data):
            self.calls = getattr(self, "calls", 0) + 1
            return {"d_loss": float("nan") if self.calls == 2 else 1.0, "g_loss": 1.0}

    model = Diverging()
    model.compile()
    with pytest.raises(NaNLossError, match=r"d_loss became nan at epoch 1, batch 2 of 3, so "
                                           r"training stopped\. Your train_step ran"):
        model.fit(np.zeros((6, 2)), batch_size=2, epochs=2, verbose=0)

    class Quiet(Diverging):
        def train_step(self, data):
            logs = super().train_step(data)
            return {"loss": logs["d_loss"], "g_loss": logs["g_loss"]}

    model = Quiet()
    model.compile()
    history = model.fit(np.zeros((6, 2)), batch_size=2, epochs=2, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert model.calls == 2 and np.isnan(history.history["loss"][0])


def test_returning_the_metrics_names_takes_the_metrics_values_as_keras_with_a_warning():
    class Untracked(tk.Model):
        def train_step(self, data):
            return {"loss": 5.0}             # the loss tracker "loss" is never updated

    model = Untracked()
    model.compile()
    seen = Recorder()
    with pytest.warns(UserWarning, match=r"train_step returned loss=5 for its last batch, but "
                                         r"the metric 'loss' in self.metrics reads 0, and the "
                                         r"epoch's logs .* come from self.metrics"):
        history = model.fit(np.zeros((4, 2)), batch_size=2, epochs=2, verbose=0,
                            callbacks=[seen])
    assert history.history == {"loss": [0.0, 0.0]}          # what Keras 3.15 records too
    assert seen.batches == [{"loss": 5.0}] * 4              # the batches get the step's logs
