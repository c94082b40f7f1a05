"""Weight constraints (tk.constraints, Keras 3's): arguments of the layers whose weights take
a regularizer, applied by the optimizer after every step (fit and custom loops), saved with
the model, refused clearly when unknown or unsavable. Numbers against Keras are in
tests/test_reference_keras_constraints.py."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers as L


def _model(**kwargs):
    return tk.Sequential([tk.Input((4,)), L.Dense(3, **kwargs)])


def test_names_classes_and_objects_all_give_constraints():
    layer = L.Dense(2, kernel_constraint="max_norm", bias_constraint=tk.constraints.NonNeg)
    assert repr(layer.kernel_constraint) == "MaxNorm(max_value=2, axis=0)"
    assert isinstance(layer.bias_constraint, tk.constraints.NonNeg)
    assert tk.constraints.unit_norm is tk.constraints.UnitNorm
    for cls, arg in [(L.Conv2D, dict(filters=2, kernel_size=3)),
                     (L.Embedding, dict(input_dim=5, output_dim=2)),
                     (L.LSTM, dict(units=2)), (L.BatchNormalization, {}),
                     (L.DepthwiseConv2D, dict(kernel_size=3))]:
        names = [k for k in cls(**arg).get_config() if k.endswith("_constraint")]
        assert names, cls.__name__


def test_fit_and_custom_loops_keep_weights_inside_the_constraint():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), 5 * rng.normal(size=(32, 3))
    model = _model(kernel_constraint=tk.constraints.MaxNorm(0.5), bias_constraint="non_neg")
    model.compile(optimizer=tk.optimizers.SGD(1.0), loss="mse")
    model.fit(x, y.astype("float32"), epochs=2, verbose=0)
    kernel, bias = model.get_weights()
    assert np.linalg.norm(kernel, axis=0).max() <= 0.5 + 1e-5
    assert bias.min() >= 0
    free = _model()                                   # without constraints: they do bind
    free.compile(optimizer=tk.optimizers.SGD(1.0), loss="mse")
    free.fit(x, y.astype("float32"), epochs=2, verbose=0)
    assert np.linalg.norm(free.get_weights()[0], axis=0).max() > 0.5

    layer = L.Dense(2, kernel_constraint="unit_norm")
    layer.build((None, 3))
    opt = tk.optimizers.Adam(0.1)
    loss = tk.sum(layer(tk.tensor(rng.normal(size=(5, 3)).astype("float32"))) ** 2)
    loss.backward()
    opt.apply([w.grad for w in layer.trainable_weights], layer.trainable_weights)
    np.testing.assert_allclose(np.linalg.norm(layer.kernel.numpy(), axis=0), 1, rtol=1e-5)


def test_a_function_of_the_weights_works_but_only_built_in_ones_are_saved(tmp_path):
    model = _model(kernel_constraint=lambda w: np.clip(w, -0.1, 0.1))
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(np.ones((2, 4), "float32"), 100 * np.ones((2, 3), "float32"))
    assert np.abs(model.get_weights()[0]).max() <= 0.1
    with pytest.raises(ValueError, match="only tk.constraints.MaxNorm.*save_weights"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_save_and_load_keep_the_constraints(tmp_path):
    model = _model(kernel_constraint=tk.constraints.MinMaxNorm(0.2, 0.9, rate=0.5, axis=1))
    model.save(tmp_path / "m.keras")
    loaded = tk.models.load_model(tmp_path / "m.keras").layers[-1]
    assert loaded.kernel_constraint.get_config() == {"min_value": 0.2, "max_value": 0.9,
                                                     "rate": 0.5, "axis": 1}
    assert loaded.kernel.constraint is loaded.kernel_constraint
    assert loaded.get_config()["bias_constraint"] is None


def test_unknown_constraints_and_misspelt_arguments_say_the_fix():
    with pytest.raises(ValueError, match="identifier: 'maxnorm'. Did you mean 'MaxNorm'"):
        L.Dense(2, kernel_constraint="maxnorm")
    with pytest.raises(TypeError, match="Did you mean kernel_constraint"):
        L.Dense(2, kernel_constrant="max_norm")
    with pytest.raises(TypeError, match="recurrent_constraint"):
        L.Dense(2, recurrent_constraint="max_norm")   # Dense has no recurrent kernel


def test_constraints_work_on_float64_and_leave_zero_vectors_alone():
    w = np.array([[3.0, 0.0], [4.0, 0.0]])
    np.testing.assert_allclose(tk.constraints.MaxNorm(1.0)(w), [[0.6, 0], [0.8, 0]], rtol=1e-6)
    np.testing.assert_array_equal(tk.constraints.UnitNorm()(w)[:, 1], [0, 0])
    assert tk.constraints.NonNeg()(-w).max() == 0
