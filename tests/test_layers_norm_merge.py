"""Normalization, merging and TimeDistributed layers: shapes (also symbolic), float64
gradients, Keras weights and order, parity with formulas, configs and error text."""

import numpy as np
import pytest
from test_layers_conv import layer_gradcheck

import tensorkit as tk
from tensorkit import layers
from tensorkit.testing import gradcheck


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def _x(shape, seed=0, loc=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(loc, scale, size=shape)


def _f64(x):
    return tk.tensor(x, dtype="float64")


# ---- BatchNormalization ----------------------------------------------------------------------

def _built_bn(shape, **kwargs):
    bn = layers.BatchNormalization(dtype="float64", **kwargs)
    bn(tk.symbolic((None,) + shape[1:], dtype="float64"))
    gamma, beta = _x(bn.gamma.shape, 1), _x(bn.beta.shape, 2)
    mm, mv = _x(bn.gamma.shape, 3), np.abs(_x(bn.gamma.shape, 4)) + 0.5
    bn.set_weights([gamma, beta, mm, mv])
    return bn, gamma, beta, mm, mv


def test_batchnorm_weights_in_keras_order():
    bn = layers.BatchNormalization()
    bn(tk.ones((2, 4, 4, 3)))
    assert [w.name for w in bn.weights] == [
        "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert [w.shape for w in bn.get_weights()] == [(3,)] * 4
    assert [w.name.split("/")[1] for w in bn.trainable_weights] == ["gamma", "beta"]
    np.testing.assert_array_equal(np.stack(bn.get_weights()), [[1] * 3, [0] * 3, [0] * 3,
                                                               [1] * 3])
    no_center = layers.BatchNormalization(center=False)
    no_center(tk.ones((2, 3)))
    assert [w.name.split("/")[1] for w in no_center.weights] == [
        "gamma", "moving_mean", "moving_variance"]


def test_batchnorm_training_uses_batch_statistics_and_updates_moving_ones():
    x = _x((6, 4, 3), loc=2.0, scale=3.0)
    bn, gamma, beta, mm, mv = _built_bn(x.shape, momentum=0.9)
    mean, var = x.mean(axis=(0, 1)), x.var(axis=(0, 1))            # biased variance
    y = bn(_f64(x), training=True).numpy()
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, atol=1e-12)
    mm1, mv1 = mm * 0.9 + mean * 0.1, mv * 0.9 + var * 0.1
    np.testing.assert_allclose(bn.moving_mean.numpy(), mm1, atol=1e-12)
    np.testing.assert_allclose(bn.moving_variance.numpy(), mv1, atol=1e-12)
    x2 = _x((6, 4, 3), 9)
    bn(_f64(x2), training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mm1 * 0.9 + x2.mean((0, 1)) * 0.1,
                               atol=1e-12)
    np.testing.assert_allclose(bn.moving_variance.numpy(), mv1 * 0.9 + x2.var((0, 1)) * 0.1,
                               atol=1e-12)


def test_batchnorm_inference_uses_moving_statistics_and_changes_nothing():
    x = _x((5, 3))
    bn, gamma, beta, mm, mv = _built_bn(x.shape)
    want = (x - mm) / np.sqrt(mv + 1e-3) * gamma + beta
    np.testing.assert_allclose(bn(_f64(x)).numpy(), want, atol=1e-12)
    np.testing.assert_allclose(bn(_f64(x), training=False).numpy(), want, atol=1e-12)
    bn(tk.symbolic((None, 3), dtype="float64"), training=True)      # shapes only: no update
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), mv)


def test_frozen_batchnorm_runs_in_inference_mode_even_when_training():
    x = _x((5, 3))
    bn, gamma, beta, mm, mv = _built_bn(x.shape)
    bn.trainable = False
    y = bn(_f64(x), training=True).numpy()
    np.testing.assert_allclose(y, (x - mm) / np.sqrt(mv + 1e-3) * gamma + beta, atol=1e-12)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm)
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    model = tk.Sequential([tk.Input(shape=(3,)), bn])
    model(_f64(x), training=True)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), mv)


def test_batchnorm_on_a_channel_axis_that_is_not_last():
    x = _x((4, 3, 5), loc=1.0)                                       # (N, C, L), axis=1
    bn, gamma, beta, _, _ = _built_bn(x.shape, axis=1)
    assert bn.gamma.shape == (3,)
    mean, var = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma[:, None] + beta[:, None]
    np.testing.assert_allclose(bn(_f64(x), training=True).numpy(), want, atol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape, axis", [((5, 3), -1), ((3, 2, 2, 3), -1), ((4, 3, 2), 1)])
def test_batchnorm_gradients_in_float64(training, shape, axis):
    bn, *_ = _built_bn(shape, axis=axis)
    names = ["gamma", "beta"]

    def f(x, gamma, beta):
        saved = bn.gamma, bn.beta
        bn.gamma, bn.beta = gamma, beta
        try:
            return bn(x, training=training)
        finally:
            bn.gamma, bn.beta = saved

    assert gradcheck(f, _x(shape, 5), *[getattr(bn, n).numpy() for n in names], atol=1e-5)


def test_batchnorm_without_scale_and_center_and_its_config():
    x = _x((6, 2))
    bn = layers.BatchNormalization(center=False, scale=False, epsilon=1e-5, dtype="float64")
    y = bn(_f64(x), training=True).numpy()
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), atol=1e-12)
    assert gradcheck(lambda t: bn(t, training=True), x)
    config = bn.get_config()
    assert {k: config[k] for k in ("axis", "momentum", "epsilon", "center", "scale",
                                   "gamma_initializer", "moving_variance_initializer")} == {
        "axis": -1, "momentum": 0.99, "epsilon": 1e-5, "center": False, "scale": False,
        "gamma_initializer": "ones", "moving_variance_initializer": "ones"}
    assert layers.BatchNormalization.from_config(config).get_config() == config


# ---- LayerNormalization ----------------------------------------------------------------------

def test_layernorm_normalizes_each_example_over_the_features():
    x = _x((2, 3, 4), loc=5.0, scale=2.0)
    ln = layers.LayerNormalization(dtype="float64")
    ln(_f64(x))
    gamma, beta = _x((4,), 1), _x((4,), 2)
    ln.set_weights([gamma, beta])
    assert [w.name for w in ln.weights] == ["layer_normalization/gamma",
                                            "layer_normalization/beta"]
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(ln(_f64(x)).numpy(), want, atol=1e-12)
    np.testing.assert_allclose(ln(_f64(x), training=True).numpy(), want, atol=1e-12)
    layer_gradcheck(ln, _x((2, 3, 4), 3))


def test_layernorm_over_several_axes():
    x = _x((2, 3, 4))
    ln = layers.LayerNormalization(axis=[1, 2], center=False, dtype="float64")
    y = ln(_f64(x)).numpy()
    assert [w.shape for w in ln.get_weights()] == [(3, 4)]
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), atol=1e-12)
    layer_gradcheck(ln, _x((2, 3, 4), 3))
    config = ln.get_config()
    assert config["axis"] == [1, 2]
    assert layers.LayerNormalization.from_config(config).get_config() == config


@pytest.mark.parametrize("make", [layers.BatchNormalization, layers.LayerNormalization])
def test_normalization_shapes_symbolic_and_errors(make):
    layer = make()
    assert layer(tk.ones((2, 5, 3))).shape == (2, 5, 3)
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 3)
    assert make()(tk.symbolic((None, 5, 3))).shape == (None, 5, 3)
    with pytest.raises(tk.ShapeError, match=r"axis 4 is out of range for a tensor of rank 3"):
        make(axis=4)(tk.ones((2, 5, 3)))
    with pytest.raises(tk.ShapeError, match=r"In layer .*axis 0 is the batch axis"):
        make(axis=0)(tk.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"Received: epsilon=0"):
        make(epsilon=0)


# ---- GroupNormalization, UnitNormalization, rms_scaling ---------------------------------------

def _group_norm_ref(x, groups, axis, eps=1e-3):
    xc = np.moveaxis(x, axis, -1)                       # (B, ..., C)
    g = xc.reshape(xc.shape[:-1] + (groups, -1))        # (B, ..., G, C/G)
    stats = tuple(range(1, g.ndim - 2)) + (g.ndim - 1,)
    mean, var = g.mean(stats, keepdims=True), g.var(stats, keepdims=True)
    return np.moveaxis(((g - mean) / np.sqrt(var + eps)).reshape(xc.shape), -1, axis)


@pytest.mark.parametrize("shape,groups,axis", [((2, 5, 6), 3, -1), ((2, 4, 3, 3), 2, 1),
                                               ((3, 6), 1, -1), ((2, 3, 4), -1, -1)])
def test_group_normalization_matches_numpy_gradients_and_config(shape, groups, axis, tmp_path):
    x = _x(shape, loc=2.0, scale=3.0)
    gn = layers.GroupNormalization(groups=groups, axis=axis, dtype="float64")
    assert gn.compute_output_shape((None,) + shape[1:]) == (None,) + shape[1:]
    channels = shape[axis]
    assert [(w.name, w.shape) for w in gn.weights] == [
        ("group_normalization/gamma", (channels,)), ("group_normalization/beta", (channels,))]
    gamma, beta = _x((channels,), 1), _x((channels,), 2)
    gn.set_weights([gamma, beta])
    along = [1] * len(shape)
    along[axis] = channels
    want = _group_norm_ref(x, channels if groups == -1 else groups, axis) * \
        gamma.reshape(along) + beta.reshape(along)
    np.testing.assert_allclose(gn(_f64(x)).numpy(), want, atol=1e-10)
    layer_gradcheck(gn, _x(shape, 3))
    config = gn.get_config()
    assert config["groups"] == (channels if groups == -1 else groups)   # Keras fills -1 in
    assert layers.GroupNormalization.from_config(config).get_config() == config
    model = tk.Sequential([tk.Input(shape[1:]), layers.GroupNormalization(groups, axis=axis)])
    model.save(tmp_path / "gn.tkmodel")
    again = tk.models.load_model(tmp_path / "gn.tkmodel")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_group_normalization_errors():
    with pytest.raises(ValueError, match=r"positive integer .*Received: groups=0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"one integer .*Received: axis=\[1, 2\]"):
        layers.GroupNormalization(axis=[1, 2])
    with pytest.raises(tk.ShapeError, match=r"(?s)6 channels .* into 4 groups.*groups=3"):
        layers.GroupNormalization(groups=4)(tk.ones((2, 6)))
    with pytest.raises(tk.ShapeError, match=r"axis 0 is the batch axis"):
        layers.GroupNormalization(2, axis=0)(tk.ones((2, 6)))
    with pytest.raises(tk.ShapeError, match=r"Fix: give the Input its full shape"):
        layers.GroupNormalization(2)(tk.symbolic((None, None, 6)))


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization_scales_to_length_one(axis):
    x = _x((2, 3, 4))
    un = layers.UnitNormalization(axis=axis, dtype="float64")
    axes = tuple(axis) if isinstance(axis, list) else axis
    want = x / np.sqrt((x ** 2).sum(axes, keepdims=True))
    np.testing.assert_allclose(un(_f64(x)).numpy(), want, atol=1e-12)
    assert un.weights == [] and un.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    assert gradcheck(un, x)
    config = un.get_config()
    assert config["axis"] == axis
    assert layers.UnitNormalization.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"Received: axis='x'"):
        layers.UnitNormalization(axis="x")


def test_layernorm_rms_scaling_keeps_only_gamma():
    x = _x((2, 3, 4), loc=1.0)
    with pytest.warns(UserWarning, match="deprecated"):
        ln = layers.LayerNormalization(rms_scaling=True, dtype="float64")
    ln(_f64(x))
    assert [w.name for w in ln.weights] == ["layer_normalization/gamma"]
    gamma = _x((4,), 1)
    ln.set_weights([gamma])
    want = x / np.sqrt(x.var(-1, keepdims=True) + 1e-3) * gamma
    np.testing.assert_allclose(ln(_f64(x)).numpy(), want, atol=1e-12)
    layer_gradcheck(ln, _x((2, 3, 4), 3))
    assert ln.get_config()["rms_scaling"] is True


def test_batchnorm_argument_errors():
    with pytest.raises(ValueError, match=r"Received: momentum=1\.5"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match=r"one integer .*Received: axis=\[1, 2\]"):
        layers.BatchNormalization(axis=[1, 2])


# ---- merging ---------------------------------------------------------------------------------

MERGES = {
    "add": (layers.Add, lambda xs: sum(xs)),
    "subtract": (layers.Subtract, lambda xs: xs[0] - xs[1]),
    "multiply": (layers.Multiply, lambda xs: np.prod(xs, axis=0)),
    "average": (layers.Average, lambda xs: np.mean(xs, axis=0)),
    "maximum": (layers.Maximum, lambda xs: np.max(xs, axis=0)),
    "minimum": (layers.Minimum, lambda xs: np.min(xs, axis=0)),
    "concatenate": (layers.Concatenate, lambda xs: np.concatenate(xs, axis=-1)),
}


@pytest.mark.parametrize("name", MERGES)
def test_merge_layers_match_numpy_shapes_gradients_and_config(name):
    cls, ref = MERGES[name]
    n = 2 if name == "subtract" else 3
    xs = [_x((2, 3, 4), seed) for seed in range(n)]
    layer = cls()
    y = layer([_f64(x) for x in xs])
    np.testing.assert_allclose(y.numpy(), ref(xs), atol=1e-12)
    shapes = [(None, 3, 4)] * n
    assert layer.compute_output_shape(shapes) == (None,) + y.shape[1:]
    assert cls()([tk.symbolic(s) for s in shapes]).shape == (None,) + y.shape[1:]
    assert gradcheck(lambda *ts: layer(list(ts)), *xs)
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()


def test_merge_broadcasts_sizes_of_one_as_keras():
    y = layers.Add()([tk.ones((2, 3, 4)), tk.ones((2, 1, 4))])
    assert y.shape == (2, 3, 4)


def test_merge_shape_mismatch_names_layer_every_shape_and_a_fix():
    a, b = tk.Input(shape=(32,)), tk.Input(shape=(64,))
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'add': Add got shapes \(None, 32\), "
                                            r"\(None, 64\): .*32 vs 64 on axis -1.*Fix: .*"
                                            r"Concatenate"):
        layers.Add()([a, b])
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'multiply'.*different batch sizes "
                                            r"\(2, 3\)"):
        layers.Multiply()([tk.ones((2, 4)), tk.ones((3, 4))])
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'concatenate': Concatenate got "
                                            r"shapes \(2, 4, 4, 8\), \(2, 8, 8, 8\).*axis 1.*"
                                            r"Fix: .*UpSampling2D"):
        layers.Concatenate()([tk.ones((2, 4, 4, 8)), tk.ones((2, 8, 8, 8))])
    with pytest.raises(ValueError, match=r"exactly 2 inputs.*Received: 3 inputs"):
        layers.Subtract()([tk.ones((1, 2))] * 3)
    with pytest.raises(ValueError, match=r"Add merges a list of tensors"):
        layers.Add()(tk.ones((1, 2)))
    with pytest.raises(ValueError, match=r"Received: axis='last'"):
        layers.Concatenate(axis="last")


def test_concatenate_axis_and_masks():
    a, b = tk.ones((2, 3, 4)), tk.zeros((2, 5, 4))
    assert layers.Concatenate(axis=1)([a, b]).shape == (2, 8, 4)
    a.mask = tk.tensor(np.array([[1, 1, 0], [1, 0, 0]], dtype=bool))
    mask = layers.Concatenate(axis=1)([a, b]).mask.numpy()
    np.testing.assert_array_equal(mask, [[1, 1, 0, 1, 1, 1, 1, 1], [1, 0, 0, 1, 1, 1, 1, 1]])
    c = tk.ones((2, 3, 4))
    c.mask = tk.tensor(np.array([[1, 0, 1], [1, 1, 1]], dtype=bool))
    np.testing.assert_array_equal(layers.Add()([a, c]).mask.numpy(), [[1, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(layers.Concatenate()([a, c]).mask.numpy(),
                                  [[1, 0, 0], [1, 0, 0]])


def test_residual_block_in_a_functional_model():
    inputs = tk.Input(shape=(8, 8, 4))
    x = layers.Conv2D(4, 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    out = layers.Add()([inputs, x])
    model = tk.Model(inputs, out)
    assert model(tk.ones((2, 8, 8, 4))).shape == (2, 8, 8, 4)
    assert model.summary(as_dict=True)["layers"][-1]["output_shape"] == [None, 8, 8, 4]


# ---- TimeDistributed -------------------------------------------------------------------------

def test_time_distributed_applies_one_layer_to_every_step():
    x = _x((2, 4, 5, 5, 1))
    td = layers.TimeDistributed(layers.Conv2D(3, 3), dtype="float64")
    y = td(_f64(x))
    assert y.shape == (2, 4, 3, 3, 3)
    assert [w.shape for w in td.get_weights()] == [(3, 3, 1, 3), (3,)]   # one shared kernel
    want = np.stack([td.layer(_f64(x[:, t])).numpy() for t in range(4)], axis=1)
    np.testing.assert_allclose(y.numpy(), want, atol=1e-12)
    assert td.compute_output_shape((None, 4, 5, 5, 1)) == (None, 4, 3, 3, 3)
    assert layers.TimeDistributed(layers.Dense(2))(tk.symbolic((None, 6, 3))).shape == \
        (None, 6, 2)


def test_time_distributed_takes_sequences_of_any_length(tmp_path):
    """As Keras: Input(shape=(None, F)) works, and one model serves every length."""
    inp = tk.Input(shape=(None, 4))
    td = layers.TimeDistributed(layers.Dense(3))
    out = td(inp)
    assert out.shape == (None, None, 3)
    model = tk.Model(inp, out)
    assert model.summary(as_dict=True)["layers"][-1]["output_shape"] == [None, None, 3]
    for steps in (2, 7):
        x = _x((5, steps, 4)).astype(np.float32)
        y = model.predict(x, verbose=0)
        np.testing.assert_allclose(y, x @ td.layer.kernel.numpy() + td.layer.bias.numpy(),
                                   rtol=1e-5, atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(_x((8, 6, 4)).astype(np.float32), np.zeros((8, 6, 3), np.float32), verbose=0)
    model.save(tmp_path / "td.tkmodel")
    again = tk.models.load_model(tmp_path / "td.tkmodel")
    x = _x((2, 9, 4)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    video = layers.TimeDistributed(layers.Conv2D(2, 3))(tk.symbolic((None, None, 6, 6, 1)))
    assert video.shape == (None, None, 4, 4, 2)


def test_unflatten_splits_the_merged_axis_back():
    like = tk.symbolic((None, None, 5), dims=("batch", "time", None))
    y = tk.unflatten(tk.symbolic((None, 7)), like)
    assert y.shape == (None, None, 7) and y.dims == ("batch", "time", None)
    x = _x((6, 2))
    out = tk.unflatten(_f64(x), tk.zeros((2, 3, 1)))
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 3, 2))
    assert gradcheck(lambda t: tk.unflatten(t, tk.zeros((2, 3, 1))), x)
    with pytest.raises(tk.ShapeError, match=r"cannot split the first axis of \(5, 2\) into "
                                             r"the first 2 axes of \(2, 3, 1\)"):
        tk.unflatten(tk.zeros((5, 2)), tk.zeros((2, 3, 1)))


def test_time_distributed_gradient_sums_over_steps():
    inner = layers.Dense(2, dtype="float64")
    td = layers.TimeDistributed(inner)
    x = _x((2, 3, 4))
    td(_f64(x))

    def f(x, kernel, bias):
        saved = inner.kernel, inner.bias
        inner.kernel, inner.bias = kernel, bias
        try:
            return td(x)
        finally:
            inner.kernel, inner.bias = saved

    assert gradcheck(f, x, inner.kernel.numpy(), inner.bias.numpy())


def test_time_distributed_config_nests_the_inner_layer_and_summary_shows_steps():
    td = layers.TimeDistributed(layers.Dense(3, activation="relu"))
    config = td.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["units"] == 3
    clone = layers.TimeDistributed.from_config(config)
    assert isinstance(clone.layer, layers.Dense) and clone.get_config() == config
    model = tk.Sequential([tk.Input(shape=(5, 4)), td])
    row = model.summary(as_dict=True)["layers"][0]
    assert (row["input_shape"], row["output_shape"], row["params"]) == (
        [None, 5, 4], [None, 5, 3], 15)
    assert td.layer.input_shape == (None, 4)                  # the inner layer sees one step
    with pytest.raises(tk.ShapeError, match=r"In layer 'time_distributed_1'.*rank 3 or more"):
        layers.TimeDistributed(layers.Dense(3))(tk.ones((2, 4)))
    with pytest.raises(ValueError, match=r"expects a layer"):
        layers.TimeDistributed("dense")


# ---- RMSNormalization ------------------------------------------------------------------------

@pytest.mark.parametrize("shape, axis", [((3, 6), -1), ((2, 4, 5), -1), ((2, 3, 4), [1, 2]),
                                         ((2, 3, 4), [-1, 1]), ((2, 4, 3, 2), 1)])
def test_rms_normalization_matches_numpy_gradients_and_config(shape, axis, tmp_path):
    layer = layers.RMSNormalization(axis=axis, epsilon=1e-3, dtype="float64")
    x = _x(shape, loc=1.0)
    y = layer(_f64(x)).numpy()
    axes = tuple(sorted(a % len(shape) for a in (axis if isinstance(axis, list) else [axis])))
    scale_shape = tuple(shape[a] for a in axes)
    assert layer.scale.shape == scale_shape and [w.name for w in layer.weights] == \
        ["rms_normalization/scale"]
    np.testing.assert_allclose(y, x / np.sqrt((x ** 2).mean(axes, keepdims=True) + 1e-3))
    scale = _x(scale_shape, seed=5)
    layer.set_weights([scale])
    along = [1] * len(shape)
    for a in axes:
        along[a] = shape[a]
    np.testing.assert_allclose(layer(_f64(x)).numpy(), y * scale.reshape(along))
    layer_gradcheck(layer, x)
    assert layer.get_config()["axis"] == sorted(axis if isinstance(axis, list) else [axis],
                                                key=lambda a: a % len(shape))
    model = tk.Sequential([tk.Input(shape=shape[1:], dtype="float64"), layer])
    model.save(tmp_path / "rms.tkmodel")
    again = tk.models.load_model(tmp_path / "rms.tkmodel")
    np.testing.assert_array_equal(again(_f64(x)).numpy(), model(_f64(x)).numpy())


def test_rms_normalization_defaults_shapes_and_errors():
    layer = layers.RMSNormalization()
    assert layer.get_config()["axis"] == -1 and layer.get_config()["epsilon"] == 1e-6
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 3)
    assert layers.RMSNormalization()(tk.symbolic((None, 5, 3))).shape == (None, 5, 3)
    np.testing.assert_array_equal(layers.RMSNormalization()(tk.zeros((2, 3))).numpy(), 0)
    with pytest.raises(ValueError, match=r"RMSNormalization expects epsilon.*Received: "
                                         r"epsilon=0"):
        layers.RMSNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r"Received: axis='last'"):
        layers.RMSNormalization(axis="last")
    with pytest.raises(ValueError, match=r"Received: axis=None"):
        layers.RMSNormalization(axis=[])
    with pytest.raises(tk.ShapeError, match=r"In layer .*axis 0 is the batch axis"):
        layers.RMSNormalization(axis=0)(tk.ones((2, 3)))
    with pytest.raises(tk.ShapeError, match=r"axis 3 is out of range for a tensor of rank 2"):
        layers.RMSNormalization(axis=3)(tk.ones((2, 3)))
