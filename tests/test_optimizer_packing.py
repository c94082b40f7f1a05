"""Optimizers pack the weights they train into one flat array: the packing must never show."""

import numpy as np

import tensorkit as tk
from tensorkit import layers


def _model():
    tk.random.seed(3)
    return tk.Sequential([tk.Input(shape=(4,)), layers.Dense(5, activation="relu"),
                          layers.Dense(2)])


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 4)).astype(np.float32), rng.integers(0, 2, 64).astype(np.int32)


def _fit(model, steps=3):
    x, y = _data()
    for i in range(steps):
        model.train_on_batch(x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16])


def _compiled(optimizer):
    model = _model()
    model.compile(optimizer=optimizer,
                  loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_packed_updates_equal_one_weight_at_a_time():
    """One Adam over all weights (packed together) == one Adam per weight (packed alone)."""
    x, y = _data()
    together, alone = _model(), _model()
    joint = tk.optimizers.Adam(0.01)
    separate = [tk.optimizers.Adam(0.01) for _ in alone.trainable_weights]
    loss_fn = tk.losses.SparseCategoricalCrossentropy(from_logits=True)
    for i in range(3):
        xb, yb = x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]
        grads = tk.gradients(loss_fn(yb, together(xb)), together.trainable_weights)
        joint.apply(grads, together.trainable_weights)
        grads = tk.gradients(loss_fn(yb, alone(xb)), alone.trainable_weights)
        for opt, g, w in zip(separate, grads, alone.trainable_weights):
            opt.apply([g], [w])
    for a, b in zip(together.get_weights(), alone.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_get_weights_are_copies_and_set_weights_reaches_the_optimizer():
    model = _compiled("adam")
    _fit(model, 1)
    before = model.get_weights()
    before[0][...] = 123.0                                   # a copy: the model is untouched
    assert not (model.get_weights()[0] == 123.0).all()
    zeros = [np.zeros_like(w) for w in model.get_weights()]
    model.set_weights(zeros)
    assert all(not w.any() for w in model.get_weights())
    _fit(model, 1)                                           # trains from the zeros
    assert any(w.any() for w in model.get_weights())


def test_rebinding_data_is_noticed():
    model = _compiled(tk.optimizers.SGD(0.1))
    _fit(model, 1)
    kernel = model.layers[0].kernel
    kernel.data = np.full(kernel.shape, 0.5, dtype=np.float32)
    _fit(model, 1)
    assert not (kernel.numpy() == 0.5).all()                # the new array was trained
    again = model.layers[0].kernel.numpy().copy()
    _fit(model, 1)
    assert not np.array_equal(again, model.layers[0].kernel.numpy())


def test_frozen_weights_stay_put_while_others_are_packed():
    model = _compiled("adam")
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    _fit(model, 3)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
