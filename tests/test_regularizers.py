"""Regularizers and add_loss: penalties in layer.losses, added to what fit minimises and
reports, as Keras 3; saved with the model; bad arguments named."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers, regularizers


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def test_penalties_follow_keras_formulas_and_defaults():
    w = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=np.float32)
    x = tk.tensor(w)
    assert regularizers.L1(0.1)(x).item() == pytest.approx(0.1 * 3.5)
    assert regularizers.L2(0.1)(x).item() == pytest.approx(0.1 * 5.25)
    assert regularizers.L1L2(l1=0.1, l2=0.2)(x).item() == pytest.approx(0.35 + 0.2 * 5.25)
    assert regularizers.get("l2").l2 == 0.01 and regularizers.get("l1").l1 == 0.01
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.0, "l2": 0.0}    # Keras 3
    assert regularizers.l2 is regularizers.L2 and regularizers.get(None) is None
    again = regularizers.get(regularizers.serialize(regularizers.L1L2(0.3, 0.4)))
    assert isinstance(again, regularizers.L1L2) and again.get_config() == {"l1": 0.3, "l2": 0.4}


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "much"])
def test_bad_factors_and_names_are_named(bad):
    with pytest.raises(ValueError, match=r"Invalid value for argument l2: expected a "
                                         r"non-negative float"):
        regularizers.L2(bad)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l3'"):
        layers.Dense(2, kernel_regularizer="l3")
    with pytest.raises(TypeError, match="unexpected argument.*recurrent_regularizer"):
        layers.Dense(2, recurrent_regularizer="l2")


@pytest.mark.parametrize("make,shape,weights", [
    (lambda r: layers.Dense(3, kernel_regularizer=r, bias_regularizer=r), (2, 4), 2),
    (lambda r: layers.Conv2D(2, 3, kernel_regularizer=r), (2, 5, 5, 1), 1),
    (lambda r: layers.Embedding(10, 3, embeddings_regularizer=r), (2, 4), 1),
    (lambda r: layers.LSTM(3, kernel_regularizer=r, recurrent_regularizer=r,
                           bias_regularizer=r), (2, 4, 2), 3),
    (lambda r: layers.BatchNormalization(gamma_regularizer=r, beta_regularizer=r),
     (4, 3), 2),
])
def test_each_regularized_weight_adds_its_penalty(make, shape, weights):
    layer = make(regularizers.L2(0.5))
    x = np.random.default_rng(0).integers(0, 10, shape) if isinstance(
        layer, layers.Embedding) else np.random.default_rng(0).normal(size=shape)
    layer(tk.tensor(x.astype(np.float32) if x.dtype.kind == "f" else x))
    penalties = sorted(p.item() for p in layer.losses)
    regularized = {name for arg, name in layer.regularized.items()
                   if getattr(layer, arg) is not None}
    want = sorted(0.5 * float(np.sum(w.numpy().astype(np.float64) ** 2))
                  for w in layer.trainable_weights if w.name.split("/")[-1] in regularized)
    assert len(penalties) == len(want) == weights
    np.testing.assert_allclose(penalties, want, rtol=1e-5)
    config = layer.get_config()
    assert all(config[arg] in (None, regularizers.serialize(regularizers.L2(0.5)))
               for arg in layer.regularized)


def test_fit_minimises_the_penalty_and_reports_it():
    dense = layers.Dense(2, use_bias=False, kernel_regularizer=regularizers.L2(0.5))
    model = tk.Sequential([tk.Input(shape=(3,)), dense])
    model.compile(optimizer=tk.optimizers.SGD(0.1), loss="mse")
    x, y = np.zeros((4, 3), np.float32), np.zeros((4, 2), np.float32)
    before = dense.kernel.numpy().copy()
    penalty = 0.5 * float(np.sum(before ** 2))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(penalty, rel=1e-6)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(penalty, rel=1e-6)
    # the data loss is 0, so the only gradient is d(0.5 * sum w^2)/dw = w: w -= 0.1 w
    np.testing.assert_allclose(dense.kernel.numpy(), 0.9 * before, rtol=1e-6)
    dense.trainable = False
    assert model.losses == []                             # frozen weights pay nothing


def test_activity_regularizer_and_add_loss_count_once_per_call():
    class KL(layers.Layer):
        def call(self, x):
            self.add_loss(tk.mean(x * x))
            return x

    kl = KL()
    act = layers.Dense(2, activity_regularizer=regularizers.L1(0.1), kernel_initializer="ones")
    model = tk.Sequential([tk.Input(shape=(2,)), act, kl])
    x = np.array([[1.0, 2.0]], np.float32)
    for _ in range(2):                                     # losses don't pile up over calls
        model(x)
        values = sorted(v.item() for v in model.losses)
        assert values == pytest.approx(sorted([0.1 * 6.0, 9.0]))
    other = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(1)])
    other(x)                                               # another model's call (a GAN's
    assert len(model.losses) == 2                          # other half) leaves them alone
    model.compile(optimizer="sgd", loss="mse")
    logs = model.evaluate(x, np.zeros((1, 2), np.float32), verbose=0, return_dict=True)
    out = model.predict(x, verbose=0)
    assert logs["loss"] == pytest.approx(float(np.mean(out ** 2)) + 0.1 * 6.0 + 9.0,
                                         rel=1e-5)


def test_regularizers_survive_save_and_load_and_custom_ones_refuse(tmp_path):
    model = tk.Sequential([tk.Input(shape=(4,)),
                           layers.Dense(3, kernel_regularizer=regularizers.L1L2(0.01, 0.02)),
                           layers.Dense(1, activity_regularizer="l2")])
    model.save(tmp_path / "reg.tkmodel")
    loaded = tk.models.load_model(tmp_path / "reg.tkmodel")
    reg = loaded.layers[0].kernel_regularizer
    assert isinstance(reg, regularizers.L1L2) and reg.get_config() == {"l1": 0.01, "l2": 0.02}
    assert loaded.layers[1].activity_regularizer.get_config() == {"l2": 0.01}
    assert [p.item() for p in loaded.losses] == pytest.approx([p.item() for p in model.losses])
    tk.export.to_tfjs(model, tmp_path / "web")            # training-only: not exported

    def square_sum(w):
        return tk.sum(w * w)

    custom = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(1, kernel_regularizer=square_sum)])
    assert len(custom.losses) == 1
    with pytest.raises(ValueError, match="only tk.regularizers.L1, L2 and L1L2 can be saved"):
        custom.save(tmp_path / "custom.tkmodel")
    assert not (tmp_path / "custom.tkmodel").exists()
