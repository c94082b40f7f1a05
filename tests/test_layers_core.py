"""Core layers: shapes three ways, gradients, Keras weight layout and configs."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.testing import gradcheck

CASES = [  # layer, input shape (batch first)
    (lambda: layers.Dense(5, activation="tanh"), (2, 3)),
    (lambda: layers.Dense(4), (2, 6, 3)),
    (lambda: layers.Activation("gelu"), (2, 3)),
    (lambda: layers.Dropout(0.3), (2, 3)),
    (lambda: layers.Flatten(), (2, 4, 3, 2)),
    (lambda: layers.Reshape((3, -1)), (2, 12)),
    (lambda: layers.Reshape((2, 2, 3)), (2, 12)),
    (lambda: layers.Permute((2, 1)), (2, 4, 3)),
    (lambda: layers.RepeatVector(3), (2, 5)),
    (lambda: layers.Lambda(lambda x: x[:, ::2] * 2.0), (2, 6)),
    (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), (2, 5)),
    (lambda: layers.LeakyReLU(), (2, 5)),
    (lambda: layers.ELU(alpha=0.5), (2, 5)),
    (lambda: layers.Softmax(axis=1), (2, 3, 4)),
    (lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1]), (2, 3, 4)),
    (lambda: layers.GaussianNoise(0.1), (2, 3)),
    (lambda: layers.Rescaling(1 / 255, offset=-0.5), (2, 3)),
    (lambda: layers.Identity(), (2, 3, 4)),
    (lambda: layers.Masking(mask_value=-1.0), (2, 4, 3)),
    (lambda: layers.SpatialDropout1D(0.5), (2, 4, 3)),
    (lambda: layers.SpatialDropout2D(0.5, seed=1), (2, 3, 3, 2)),
    (lambda: layers.SpatialDropout3D(0.5, seed=1), (2, 2, 3, 3, 2)),
    (lambda: layers.GaussianDropout(0.3), (2, 3)),
    (lambda: layers.AlphaDropout(0.2, noise_shape=(None, 1)), (2, 3)),
    (lambda: layers.ActivityRegularization(l1=0.1, l2=0.01), (2, 3)),
    (lambda: layers.Dropout(0.5, noise_shape=(None, 1, 3)), (2, 4, 3)),
    (lambda: layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d", activation="tanh"),
     (2, 5, 3)),
    (lambda: layers.EinsumDense("abc,cde->abde", (4, 2, 3), bias_axes="be"), (2, 4, 3)),
    (lambda: layers.EinsumDense("...b,bc->...c", 3, bias_axes="c"), (2, 4, 5, 2)),
    (lambda: layers.EinsumDense("ab...,bc->ac...", (3,), bias_axes="c"), (2, 4, 5)),
    (lambda: layers.EinsumDense("abcd,cde->abe", (None, 3)), (2, 2, 3, 4)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_output_shape_three_ways(make, shape):
    layer = make()
    concrete = layer(tk.random.normal(shape)).shape
    symbolic = layer(tk.symbolic((None,) + shape[1:])).shape
    assert layer.compute_output_shape((None,) + shape[1:]) == symbolic
    assert symbolic == (None,) + concrete[1:]


@pytest.mark.parametrize("make,shape", CASES)
def test_gradients_match_finite_differences(make, shape):
    layer = make()
    layer(tk.symbolic((None,) + shape[1:]))
    x = np.random.default_rng(1).normal(size=shape)
    weights = [w.astype(np.float64) for w in layer.get_weights()]
    n = len(weights)

    slots = {id(w): name for name, w in vars(layer).items() if isinstance(w, tk.Tensor)}

    def f(x, *ws):
        for var, w in zip(list(layer.weights), ws):
            object.__setattr__(layer, slots[id(var)], w)   # the layer computes with ws
        try:
            return layer(x)
        finally:
            for var in originals:
                object.__setattr__(layer, slots[id(var)], var)

    originals = list(layer.weights)

    assert gradcheck(f, x, *weights, wrt=range(n + 1))


def test_dense_matches_keras_layout_and_formula():
    d = layers.Dense(3, activation="relu")
    x = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)
    y = d(tk.tensor(x)).numpy()
    kernel, bias = d.get_weights()
    assert kernel.shape == (5, 3) and bias.shape == (3,)
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-5)


def test_dense_glorot_uniform_limits_and_zero_bias():
    d = layers.Dense(100)
    d(tk.symbolic((None, 50)))
    kernel, bias = d.get_weights()
    limit = np.sqrt(6 / (50 + 100))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert not bias.any()


def test_flatten_is_channels_last_order():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(layers.Flatten()(tk.tensor(x)).numpy(), x.reshape(2, -1))


def test_dropout_only_while_training():
    d = layers.Dropout(0.5)
    x = tk.ones((4, 100))
    np.testing.assert_array_equal(d(x).numpy(), x.numpy())
    dropped = d(x, training=True).numpy()
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}


def test_reshape_permute_repeat_values():
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    np.testing.assert_array_equal(layers.Reshape((3, 4))(tk.tensor(x)).numpy(),
                                  x.reshape(2, 3, 4))
    y = x.reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(tk.tensor(y)).numpy(),
                                  y.transpose(0, 2, 1))
    np.testing.assert_array_equal(layers.RepeatVector(2)(tk.tensor(x[:, :3])).numpy(),
                                  np.repeat(x[:, None, :3], 2, axis=1))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "gelu",
                                  "leaky_relu", "softplus", "swish", "silu", "hard_sigmoid",
                                  "relu6", "selu", "softsign", "hard_silu", "hard_swish",
                                  "exponential", "mish", "log_softmax"])
def test_activations_by_name(name):
    out = layers.Activation(name)(tk.tensor([[-2.0, 0.5, 3.0]])).numpy()
    assert out.shape == (1, 3) and np.isfinite(out).all()
    aliases = {"swish": "silu", "hard_swish": "hard_silu"}
    assert layers.Activation(name).get_config()["activation"] == aliases.get(name, name)


@pytest.mark.parametrize("make", [c[0] for c in CASES if "Lambda" not in repr(c[0]())])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"at most one -1. Received: target_shape=\(-1, -1\)"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"permutation of 1..n.*Received: dims=\(0, 1\)"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="Received: n=0"):
        layers.RepeatVector(0)
    with pytest.raises(TypeError, match="Lambda expects a function"):
        layers.Lambda(3)
    with pytest.raises(tk.ShapeError, match="RepeatVector expects \\(batch, features\\)"):
        layers.RepeatVector(2)(tk.ones((2, 3, 4)))


def test_dense_gives_the_same_numbers_with_recording_off():
    """Unrecorded (as in fit) Dense runs matmul and bias as one fused op: same bits."""
    d = layers.Dense(7, activation="relu")
    x = tk.tensor(np.random.default_rng(3).normal(size=(5, 4)).astype(np.float32))
    results = []
    for recording in (True, False):
        with tk.recording(recording):
            y = d(x)
            loss = (y * y).sum()
            grads = tk.gradients(loss, d.trainable_weights)
        results.append([y.numpy()] + [g.numpy() for g in grads])
    for a, b in zip(*results):
        assert np.array_equal(a, b)
    with tk.recording(True), tk.trace() as tr:
        d(x)
    ops = [n["op"] for n in tr.nodes if n["op"] not in ("constant", "input")]
    assert ops == ["matmul", "add", "relu"]                  # learners see both ops


# ---- Masking, Identity, ActivityRegularization and the random regularization layers ---------

def _seq(shape=(3, 5, 4), value=0.0):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    x[0, 1:3] = value                                  # example 0: steps 1, 2 are padding
    x[1, 4] = value
    return x


def test_masking_zeroes_masked_steps_and_hands_the_mask_on():
    x = _seq(value=-1.0)
    x[2, 0, 0] = -1.0                                  # one feature equal is not a masked step
    y = layers.Masking(mask_value=-1.0)(x)
    want = np.ones((3, 5), bool)
    want[0, 1:3] = want[1, 4] = False
    np.testing.assert_array_equal(y.mask.numpy(), want)
    np.testing.assert_array_equal(y.numpy(), np.where(want[..., None], x, 0.0))
    assert layers.Identity()(y).mask is y.mask         # Identity keeps it
    assert layers.Masking()(tk.symbolic((None, 5, 4))).mask.shape == (None, 5)


def test_masked_steps_are_skipped_by_an_lstm_and_left_out_of_the_mean():
    tk.random.seed(0)
    x = _seq()
    lstm = layers.LSTM(3)
    short = lstm(x[:1, :1]).numpy()                    # example 0 holds only step 0 before...
    masked = layers.Masking()(x)
    out = lstm(masked).numpy()
    keep = x[0, [0, 3, 4]][None]                       # ...and steps 3, 4 after the padding
    np.testing.assert_allclose(out[0], lstm(keep).numpy()[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(out[0], short[0])
    mean = layers.GlobalAveragePooling1D()(masked).numpy()
    np.testing.assert_allclose(mean[0], x[0, [0, 3, 4]].mean(0), rtol=1e-5)
    np.testing.assert_allclose(mean[2], x[2].mean(0), rtol=1e-5)


def test_random_layers_are_identities_at_inference():
    x = np.random.default_rng(1).normal(size=(4, 3, 5)).astype(np.float32)
    for layer in (layers.SpatialDropout1D(0.5), layers.GaussianDropout(0.5),
                  layers.AlphaDropout(0.5), layers.Dropout(0.5, noise_shape=(None, 1, 5))):
        np.testing.assert_array_equal(layer(x).numpy(), x)
        np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


@pytest.mark.parametrize("make, shape, axes", [
    (lambda: layers.SpatialDropout1D(0.4), (40, 6, 50), (1,)),
    (lambda: layers.SpatialDropout2D(0.4), (40, 3, 4, 50), (1, 2)),
    (lambda: layers.SpatialDropout3D(0.4), (40, 2, 3, 4, 50), (1, 2, 3)),
    (lambda: layers.Dropout(0.4, noise_shape=(None, 1, None)), (40, 6, 50), (1,)),
])
def test_spatial_dropout_drops_whole_channels(make, shape, axes):
    tk.random.seed(0)
    x = np.abs(np.random.default_rng(2).normal(size=shape)).astype(np.float32) + 0.1
    y = make()(x, training=True).numpy()
    kept = y != 0
    assert (kept.all(axis=axes) | ~kept.any(axis=axes)).all()     # all of a channel or none
    np.testing.assert_allclose(y[kept], x[kept] / 0.6, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.4) < 0.05


def test_gaussian_dropout_multiplies_by_noise_of_mean_one():
    tk.random.seed(0)
    x = np.full((200, 500), 2.0, np.float32)
    y = layers.GaussianDropout(0.2)(x, training=True).numpy() / 2.0
    assert abs(y.mean() - 1) < 0.01 and abs(y.var() - 0.2 / 0.8) < 0.01


def test_alpha_dropout_keeps_mean_and_variance_of_standard_inputs():
    tk.random.seed(0)
    x = np.random.default_rng(3).normal(size=(400, 500)).astype(np.float32)
    layer = layers.AlphaDropout(0.3)
    y = layer(x, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = (0.7 * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p * 0.7)         # a * alpha_p + b, b = -a * alpha_p * 0.3
    assert abs(dropped.mean() - 0.3) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] - a * alpha_p * 0.3, rtol=1e-5)
    shared = layers.AlphaDropout(0.5, noise_shape=(None, 1))(x[:50], training=True).numpy()
    assert (np.isclose(shared, shared[:, :1]).all(axis=1) ==
            np.isclose(shared[:, :2], shared[:, :1]).all(axis=1)).all()


def test_a_seeded_dropout_repeats_its_draws_yet_changes_each_step():
    x = np.ones((8, 50), np.float32)
    for make in (lambda: layers.Dropout(0.5, seed=3), lambda: layers.GaussianDropout(0.5, seed=3),
                 lambda: layers.AlphaDropout(0.5, seed=3)):
        a, b = make(), make()
        first = a(x, training=True).numpy()
        np.testing.assert_array_equal(first, b(x, training=True).numpy())
        assert not np.array_equal(first, a(x, training=True).numpy())


def test_activity_regularization_adds_its_penalty_to_the_losses_and_trains():
    x = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    model = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(2, kernel_initializer="ones"),
                           layers.ActivityRegularization(l1=0.1, l2=0.01)])
    h = x @ np.ones((2, 2))
    np.testing.assert_array_equal(model(x).numpy(), h)
    (penalty,) = model.losses                   # per sample: / batch size, as Keras 3
    assert penalty.item() == pytest.approx((0.1 * np.abs(h).sum() + 0.01 * (h ** 2).sum())
                                           / len(x), rel=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((2, 2), np.float32), epochs=2, verbose=0)


def test_new_core_layers_save_load_summary_and_graph(tmp_path, capsys):
    tk.clear_session()
    model = tk.Sequential([tk.Input(shape=(6, 3)), layers.Masking(mask_value=-1.0),
                           layers.SpatialDropout1D(0.2, seed=1), layers.GaussianDropout(0.1),
                           layers.LSTM(4, return_sequences=True), layers.AlphaDropout(0.1),
                           layers.ActivityRegularization(l2=0.01), layers.Identity(),
                           layers.GlobalAveragePooling1D(),
                           layers.Dropout(0.3, noise_shape=(None, 1)), layers.Dense(1)])
    x = _seq((2, 6, 3), value=-1.0)
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
    model.summary()
    out = capsys.readouterr().out
    for name in ("Masking", "SpatialDropout1D", "AlphaDropout", "ActivityRegularization",
                 "Identity"):
        assert name in out
    import widgets
    view = widgets.GraphView(model)
    names = [l["name"] for l in view.layers]          # layers that run no op at inference
    assert names[:2] == ["masking", "lstm"] and "dense" in names      # draw no node
    view.expand("masking")
    rows = repr(view).splitlines()
    assert [r.split()[0] for r in rows if r.endswith("masking")] == [
        "not_equal", "any", "where", "not_equal", "any"]           # the output, then the mask
    assert "(), (None, 6)" in next(r for r in rows if r.startswith("lstm "))   # mask goes in


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.SpatialDropout1D(1.0), ValueError, r"rate in \[0, 1\).*Received: rate=1.0"),
    (lambda: layers.GaussianDropout(-0.1), ValueError, r"GaussianDropout.*Received: rate=-0.1"),
    (lambda: layers.AlphaDropout("0.2"), ValueError, r"AlphaDropout.*Received: rate='0.2'"),
    (lambda: layers.Dropout(True), ValueError, r"Received: rate=True"),
    (lambda: layers.SpatialDropout2D(0.1, data_format="channels_first"), ValueError,
     r"channels_last"),
    (lambda: layers.SpatialDropout3D(0.1, data_format="channels_first"), ValueError,
     r"SpatialDropout3D supports only.*tk.transpose\(x, \(0, 2, 3, 4, 1\)\)"),
    (lambda: layers.SpatialDropout3D(0.1)(tk.ones((2, 3, 4, 5))), tk.ShapeError,
     r"rank 4 but SpatialDropout3D needs rank 5"),
    (lambda: layers.SpatialDropout2D(0.1)(tk.ones((2, 3, 4))), tk.ShapeError,
     r"rank 3 but SpatialDropout2D needs rank 4"),
    (lambda: layers.SpatialDropout1D(0.1)(tk.ones((2, 3))), tk.ShapeError,
     r"rank 2 but SpatialDropout1D needs rank 3"),
    (lambda: layers.Dropout(0.5, noise_shape=(None, 2))(tk.ones((2, 3)), training=True),
     ValueError, r"noise_shape=\(None, 2\) for an input of shape \(2, 3\)"),
    (lambda: layers.Masking(mask_value="pad"), ValueError, r"Received: mask_value='pad'"),
    (lambda: layers.ActivityRegularization(l1=-0.1), ValueError, r"Received: l1=-0.1"),
    (lambda: layers.Identity(units=3), TypeError, r"unexpected argument\(s\) units"),
])
def test_new_core_layers_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


# ---- EinsumDense -----------------------------------------------------------------------------

def test_einsum_dense_is_a_dense_drawn_as_an_einsum():
    x = tk.tensor(np.random.default_rng(4).normal(size=(3, 5)).astype(np.float32))
    dense, einsum = layers.Dense(4, activation="relu"), layers.EinsumDense(
        "ab,bc->ac", 4, bias_axes="c", activation="relu")
    dense(x), einsum(x)
    weights = [np.random.default_rng(5).normal(size=w.shape) for w in dense.get_weights()]
    dense.set_weights(weights)
    einsum.set_weights(weights)
    np.testing.assert_allclose(einsum(x).numpy(), dense(x).numpy(), rtol=1e-6, atol=1e-6)
    with tk.recording(True), tk.trace() as tr:
        einsum(x)
    assert [n["op"] for n in tr.nodes if n["op"] not in ("constant", "input")] == [
        "einsum", "add", "relu"]
    assert [w.name.split("/")[-1] for w in einsum.weights] == ["kernel", "bias"]


def test_einsum_dense_fills_in_sizes_the_input_gives():
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 8, 16), bias_axes="de")
    assert layer(tk.symbolic((None, 5, 32))).shape == (None, 5, 8, 16)    # Keras: (None,
    assert [w.shape for w in layer.weights] == [(32, 8, 16), (8, 16)]      # None, 8, 16)
    assert layer(tk.ones((2, 7, 32))).shape == (2, 7, 8, 16)              # any length


def test_einsum_dense_glorot_fans_are_the_equations_input_and_output_letters():
    tk.random.seed(0)
    layer = layers.EinsumDense("abc,cde->abde", (None, 8, 16))
    layer(tk.symbolic((None, 5, 32)))
    kernel = layer.get_weights()[0]
    limit = np.sqrt(6 / (32 + 8 * 16))        # fan_in c = 32, fan_out d * e = 128
    assert limit * 0.98 < np.abs(kernel).max() <= limit
    assert layer.get_config()["kernel_initializer"] == "glorot_uniform"     # as given


def test_einsum_dense_regularizers_constraints_save_load_summary(tmp_path, capsys):
    tk.clear_session()
    model = tk.Sequential([tk.Input(shape=(5, 3)), layers.EinsumDense(
        "abc,cd->abd", (None, 4), bias_axes="d", kernel_regularizer="l2",
        bias_constraint="non_neg", activity_regularizer="l1"), layers.Flatten(),
        layers.Dense(1)])
    x = np.random.default_rng(6).normal(size=(2, 5, 3)).astype(np.float32)
    model(x)
    assert len(model.losses) == 2                  # the kernel's penalty, the activity's
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert again.layers[0].get_config() == model.layers[0].get_config()
    model.summary()
    assert "EinsumDense" in capsys.readouterr().out
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((2, 1), np.float32), epochs=1, verbose=0)
    assert (model.layers[0].bias.numpy() >= 0).all()
    with pytest.raises(tk.export.ExportError, match=r"'einsum_dense' \(EinsumDense\)"):
        tk.export.to_tfjs(model, tmp_path / "web")


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.EinsumDense("ab,bc", 3), ValueError,
     r"Invalid einsum equation 'ab,bc'.*\[X\],\[Y\]->\[Z\]"),
    (lambda: layers.EinsumDense("ab,bc,cd->ad", 3), ValueError, "Invalid einsum equation"),
    (lambda: layers.EinsumDense(3, 3), TypeError, r"string such as 'ab,bc->ac'.*equation=3"),
    (lambda: layers.EinsumDense("ab,bc->ac", "3"), ValueError, r"Received: output_shape='3'"),
    (lambda: layers.EinsumDense("ab,bc->ac", 0), ValueError, r"Received: output_shape=0"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3, bias_axes="x"), ValueError,
     r"Bias dimension 'x' was requested, but is not part of the output spec 'ac'"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3, bias_axes=""), ValueError,
     r"bias_axes to be None.*Received: bias_axes=''"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3, lora_rank=4), ValueError,
     r"lora_rank must be None. Received: lora_rank=4"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3, activation="Relu"), ValueError,
     r"Unknown activation 'Relu'"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3, kernel_initialiser="ones"), TypeError,
     r"unexpected argument\(s\) kernel_initialiser.*Did you mean kernel_initializer"),
    (lambda: layers.EinsumDense("ab,bc->ad", 3)(tk.ones((2, 4))), ValueError,
     r"Dimension 'd' was specified in the output 'ad' but has no corresponding dim"),
    (lambda: layers.EinsumDense("ab,bcd->ac", 3)(tk.ones((2, 4))), ValueError,
     r"Weight dimension 'd' did not have a match"),
    (lambda: layers.EinsumDense("abc,cd->abd", (5, 3))(tk.ones((2, 4, 2))), ValueError,
     r"do not match at shared dimension 'b'. Input shape is 4, and output shape is 5"),
    (lambda: layers.EinsumDense("abc,cd->abd", 3)(tk.ones((2, 4, 2))), ValueError,
     r"output_shape to give the sizes of 'bd' \(2 sizes"),
    (lambda: layers.EinsumDense("ab,bc->ac", 3)(tk.ones((2, 3, 4))), tk.ShapeError,
     r"takes inputs of rank 2 \(the letters 'ab'\), but the input \(2, 3, 4\) has rank 3"),
    (lambda: layers.EinsumDense("...b,bc->...c", 3)(tk.ones((4,))), tk.ShapeError,
     r"rank more than 1"),
    (lambda: layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="b")(
        tk.symbolic((None, None, 3))), tk.ShapeError, r"needs the size of 'b' to make its bias"),
    (lambda: layers.EinsumDense("abc,cd->abd", (None, 4))(tk.symbolic((None, 5, None))),
     tk.ShapeError, r"needs the size of 'c' to make its kernel"),
])
def test_einsum_dense_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()
