"""ConvLSTM1D, ConvLSTM2D and ConvLSTM3D: parity with a NumPy loop of Keras's formulas (a
naive convolution), float64 gradients through time, masks, go_backwards, initial and
carried (stateful) states, dropout masks, shapes before data, Keras's weights, configs,
saving, the summary and error text. Keras's own values:
tests/test_reference_keras_conv_recurrent.py."""

import itertools

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.errors import ShapeError
from tensorkit.layers import convolutional_recurrent
from tensorkit.testing import gradcheck

# tk.layers gets them from tensorkit/layers/__init__.py; until then, from their module
ConvLSTM1D, ConvLSTM2D, ConvLSTM3D = (getattr(layers, n, None) or
                                      getattr(convolutional_recurrent, n)
                                      for n in ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"))
CLASSES = {1: ConvLSTM1D, 2: ConvLSTM2D, 3: ConvLSTM3D}


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


@pytest.fixture
def registered(monkeypatch):
    """tk.layers with the ConvLSTM classes (tk.models.load_model finds classes there)."""
    for name in convolutional_recurrent.__all__:
        if not hasattr(layers, name):
            monkeypatch.setattr(layers, name, getattr(convolutional_recurrent, name),
                                raising=False)


def sig(x):
    return 1 / (1 + np.exp(-x))


def np_conv(x, k, strides, padding, dilation):
    """Channels-last N-D convolution, TensorFlow's padding, one kernel position at a time."""
    sizes, window = x.shape[1:-1], k.shape[:-2]
    outs, pads = [], []
    for n, kk, s, d in zip(sizes, window, strides, dilation):
        span = (kk - 1) * d + 1
        o = (n - span) // s + 1 if padding == "valid" else -(-n // s)
        total = 0 if padding == "valid" else max((o - 1) * s + span - n, 0)
        outs.append(o)
        pads.append((total // 2, total - total // 2))
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = np.zeros((x.shape[0],) + tuple(outs) + k.shape[-1:])
    for pos in itertools.product(*map(range, window)):
        where = tuple(slice(p * d, p * d + (o - 1) * s + 1, s)
                      for p, o, s, d in zip(pos, outs, strides, dilation))
        out += xp[(slice(None),) + where] @ k[pos]
    return out


def ref_conv_lstm(x, k, rk, b, cfg, h=None, c=None, mask=None, act=np.tanh, ract=sig):
    """Keras's ConvLSTM (its JAX scan: masked steps keep the states and output h, or 0)."""
    B, T = x.shape[:2]
    rank = x.ndim - 3
    f = rk.shape[-2]
    ones = (1,) * rank
    strides, dilation = (np.broadcast_to(cfg.get(key, 1), (rank,))
                         for key in ("strides", "dilation_rate"))
    outs = []
    for t in (range(T - 1, -1, -1) if cfg.get("go_backwards") else range(T)):
        z = np_conv(x[:, t], k, strides, cfg.get("padding", "valid"), dilation)
        if h is None:
            h = c = np.zeros(z.shape[:-1] + (f,))
        z = z + np_conv(h, rk, ones, "same", ones) + b
        c_new = ract(z[..., f:2 * f]) * c + ract(z[..., :f]) * act(z[..., 2 * f:3 * f])
        h_new = ract(z[..., 3 * f:]) * act(c_new)
        keep = np.ones(B, bool) if mask is None else mask[:, t]
        keep = keep.reshape((B,) + (1,) * (rank + 1))
        out = np.where(keep, h_new, 0.0 if cfg.get("zero_output_for_mask") else h)
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        outs.append(out)
    return np.stack(outs, 1), h, c


def _random_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=w.shape) * 0.4 for w in layer.weights]
    layer.set_weights(values)
    return [v.astype(np.float32) for v in values]


MASK = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 1, 0, 1]], bool)

# name -> (rank, kwargs, input shape (B, T, *spatial, C), mask)
CASES = {
    "1d_valid": (1, {"filters": 2, "kernel_size": 3}, (3, 4, 7, 2), None),
    "1d_same_s2_dilated_seq": (1, {"filters": 3, "kernel_size": 3, "padding": "same",
                                   "dilation_rate": 2, "return_sequences": True},
                               (2, 3, 6, 1), None),
    "2d_valid": (2, {"filters": 2, "kernel_size": 3}, (2, 3, 5, 6, 2), None),
    "2d_same_strided": (2, {"filters": 2, "kernel_size": (3, 2), "strides": 2,
                            "padding": "same", "return_sequences": True}, (2, 3, 5, 6, 1),
                        None),
    "2d_backwards": (2, {"filters": 2, "kernel_size": 2, "go_backwards": True,
                         "return_sequences": True}, (2, 4, 4, 4, 1), None),
    "2d_mask": (2, {"filters": 2, "kernel_size": 3, "padding": "same",
                    "return_sequences": True}, (3, 4, 4, 3, 1), MASK),
    "2d_mask_backwards_zero": (2, {"filters": 2, "kernel_size": 3, "padding": "same",
                                   "go_backwards": True, "zero_output_for_mask": True,
                                   "return_sequences": True}, (3, 4, 4, 3, 1), MASK),
    "2d_mask_last": (2, {"filters": 2, "kernel_size": 2}, (3, 4, 3, 3, 2), MASK),
    "3d_same": (3, {"filters": 2, "kernel_size": 2, "padding": "same",
                    "return_sequences": True}, (1, 2, 3, 3, 2, 1), None),
    "3d_valid_strided": (3, {"filters": 2, "kernel_size": (2, 2, 1), "strides": (1, 2, 1)},
                         (2, 2, 3, 5, 2, 1), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_and_states_equal_numpy_loop(name):
    rank, kwargs, shape, mask = CASES[name]
    layer = CLASSES[rank](return_state=True, **kwargs)
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    layer(x)
    k, rk, b = _random_weights(layer)
    y, h, c = layer(x, mask=mask)
    want, want_h, want_c = ref_conv_lstm(x, k, rk, b, kwargs, mask=mask)
    if not kwargs.get("return_sequences"):
        want = want[:, -1]
    assert y.dtype == h.dtype == c.dtype == np.float32
    for got, ref, what in ((y, want, "output"), (h, want_h, "h"), (c, want_c, "c")):
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-4, atol=1e-5, err_msg=what)
    assert layer.compute_output_shape((None,) + shape[1:]) == \
        [(None,) + y.shape[1:], (None,) + h.shape[1:], (None,) + c.shape[1:]]


def test_initial_state_and_other_activations():
    layer = ConvLSTM2D(2, 2, padding="same", activation="relu",
                       recurrent_activation="hard_sigmoid", use_bias=False,
                       return_sequences=True)
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 4, 1)).astype(np.float32)
    h0, c0 = np.random.default_rng(3).normal(size=(2, 2, 4, 4, 2)).astype(np.float32)
    layer(x)
    k, rk = _random_weights(layer)
    y = layer(x, initial_state=[h0, c0])
    want, _, _ = ref_conv_lstm(x, k, rk, 0.0, {"padding": "same"}, h0, c0,
                               act=lambda v: np.maximum(v, 0),
                               ract=lambda v: np.clip(v / 6 + 0.5, 0, 1))
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank,kwargs,shape", [
    (1, {"filters": 2, "kernel_size": 2, "return_sequences": True}, (2, 3, 4, 1)),
    (2, {"filters": 1, "kernel_size": 2, "strides": 2, "padding": "same"}, (1, 3, 3, 3, 2)),
    (2, {"filters": 2, "kernel_size": 2, "go_backwards": True, "padding": "same"},
     (2, 2, 3, 2, 1)),
    (3, {"filters": 1, "kernel_size": 2}, (1, 2, 2, 3, 2, 1)),
])
def test_gradients_through_time_match_finite_differences(rank, kwargs, shape):
    layer = CLASSES[rank](dtype="float64", **kwargs)
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    layer(x)
    w = [rng.normal(size=v.shape) * 0.5 for v in layer.weights]

    def run(x, k, rk, b):
        layer.kernel, layer.recurrent_kernel, layer.bias = k, rk, b
        return layer(x)

    gradcheck(run, x, *w, atol=1e-5)


def test_masked_gradients_and_initial_state_gradients():
    layer = ConvLSTM1D(2, 2, padding="same", return_sequences=True, return_state=True,
                       dtype="float64")
    rng = np.random.default_rng(4)
    x, h0, c0 = rng.normal(size=(3, 4, 3, 1)), rng.normal(size=(3, 3, 2)), \
        rng.normal(size=(3, 3, 2))
    layer(x)
    gradcheck(lambda x, h, c: sum(o.sum() * (i + 1) for i, o in enumerate(
        layer(x, mask=MASK, initial_state=[h, c]))), x, h0, c0, atol=1e-5)


def test_go_backwards_reads_the_reversed_sequence():
    x = np.random.default_rng(5).normal(size=(2, 4, 5, 2)).astype(np.float32)
    back = ConvLSTM1D(2, 3, return_sequences=True, go_backwards=True)
    ahead = ConvLSTM1D(2, 3, return_sequences=True)
    back(x), ahead(x)
    ahead.set_weights(back.get_weights())
    np.testing.assert_allclose(back(x).numpy(), ahead(x[:, ::-1]).numpy(), rtol=1e-6)


def test_zero_output_for_mask_zeros_masked_outputs_only():
    x = np.random.default_rng(6).normal(size=(3, 4, 4, 3, 1)).astype(np.float32)
    kept = ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True)
    zero = ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True,
                      zero_output_for_mask=True)
    kept(x), zero(x)
    zero.set_weights(kept.get_weights())
    (y1, h1, c1), (y0, h0, c0) = kept(x, mask=MASK), zero(x, mask=MASK)
    off = ~MASK
    assert not np.any(y0.numpy()[off])
    for b, t in zip(*np.nonzero(off)):          # without it: the last output (0 at step 0)
        np.testing.assert_array_equal(y1.numpy()[b, t], y1.numpy()[b, t - 1] if t else 0.0)
    np.testing.assert_array_equal(y0.numpy()[MASK], y1.numpy()[MASK])
    np.testing.assert_array_equal(h0.numpy(), h1.numpy())
    np.testing.assert_array_equal(c0.numpy(), c1.numpy())
    np.testing.assert_array_equal(np.asarray(y0.mask), MASK)      # passed on with sequences
    assert h0.mask is None and kept(x, mask=MASK)[0].mask is not None


def test_stateful_calls_continue_and_reset():
    x = np.random.default_rng(7).normal(size=(2, 6, 4, 4, 1)).astype(np.float32)
    whole = ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    parts = ConvLSTM2D(2, 3, padding="same", return_sequences=True, stateful=True)
    whole(x), parts(x[:, :3])
    parts.set_weights(whole.get_weights())
    parts.reset_states()
    halves = [parts(x[:, :3]).numpy(), parts(x[:, 3:]).numpy()]
    np.testing.assert_allclose(np.concatenate(halves, 1), whole(x).numpy(), rtol=1e-5,
                               atol=1e-6)
    parts.reset_states()
    np.testing.assert_array_equal(parts(x[:, :3]).numpy(), halves[0])
    with pytest.raises(ShapeError, match=r"(?s)ConvLSTM2D: this stateful layer keeps states "
                                         r"for batches of 2 sequences but received a batch of "
                                         r"1.*reset_states"):
        parts(x[:1, :3])
    _, h, c = ConvLSTM2D(2, 3, padding="same", return_state=True)(x)
    parts.reset_states([h, c])
    with pytest.raises(ShapeError, match=r"keeps 2 states \[h, c\] of shape \(batch, "
                                         r"\*spatial, 2\); received shapes"):
        parts.reset_states([h])


def test_dropout_four_masks_per_call_same_for_every_step(monkeypatch):
    x = np.random.default_rng(8).normal(size=(2, 5, 4, 4, 1)).astype(np.float32)
    layer = ConvLSTM2D(2, 3, padding="same", dropout=0.3, recurrent_dropout=0.2, seed=3)
    plain = layer(x).numpy()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), plain)   # inference
    calls = []
    real = tk.ops.dropout

    def counting(t, rate, **kw):
        calls.append((t.shape, rate))
        return real(t, rate, **kw)

    monkeypatch.setattr(tk.ops, "dropout", counting)
    trained = layer(x, training=True).numpy()
    assert calls == [((2, 4, 4, 1), 0.3)] * 4 + [((2, 4, 4, 2), 0.2)] * 4   # not one a step
    assert not np.allclose(trained, plain)
    again = ConvLSTM2D(2, 3, padding="same", dropout=0.3, recurrent_dropout=0.2, seed=3)
    again(x)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(again(x, training=True).numpy(), trained)   # seeded


def test_keras_weights_and_unit_forget_bias():
    layer = ConvLSTM3D(4, (3, 2, 1))
    layer(np.zeros((1, 2, 4, 4, 4, 3), np.float32))
    assert [w.name for w in layer.weights] == ["conv_lstm3d/kernel", "conv_lstm3d/recurrent_kernel",
                                               "conv_lstm3d/bias"]
    assert [w.shape for w in layer.weights] == [(3, 2, 1, 3, 16), (3, 2, 1, 4, 16), (16,)]
    np.testing.assert_array_equal(layer.bias.numpy(), [0] * 4 + [1] * 4 + [0] * 8)
    assert layer.count_params() == 3 * 2 * 3 * 16 + 3 * 2 * 4 * 16 + 16
    nb = ConvLSTM1D(2, 3, use_bias=False, unit_forget_bias=False)
    nb(np.zeros((1, 2, 5, 1), np.float32))
    assert [w.name for w in nb.weights] == ["conv_lstm1d/kernel", "conv_lstm1d/recurrent_kernel"]
    reg = ConvLSTM1D(2, 3, kernel_regularizer="l2", recurrent_constraint="non_neg")
    reg(np.ones((1, 2, 5, 1), np.float32))
    assert len(reg.losses) == 1 and reg.recurrent_kernel.constraint is not None


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_shapes_before_data_unknown_batch_time_and_size(rank):
    layer = CLASSES[rank](3, 3, padding="same", return_sequences=True, return_state=True)
    free = layer.compute_output_shape((None, None) + (None,) * rank + (2,))
    assert free == [(None, None) + (None,) * rank + (3,), (None,) + (None,) * rank + (3,)] + \
        [(None,) + (None,) * rank + (3,)]
    sym = layer.compute_output_shape((None, None) + (5,) * rank + (2,))
    y, h, _ = layer(np.zeros((2, 4) + (5,) * rank + (2,), np.float32))
    assert sym[0] == (None, None) + y.shape[2:] and sym[1] == (None,) + h.shape[1:]


def test_config_save_load_summary(tmp_path, capsys, registered):
    layer = ConvLSTM2D(3, (3, 2), strides=(2, 1), padding="same", activation="relu",
                       recurrent_activation="hard_sigmoid", use_bias=False,
                       kernel_initializer="he_normal", unit_forget_bias=False,
                       dropout=0.1, recurrent_dropout=0.2, seed=4, return_sequences=True,
                       go_backwards=True, kernel_regularizer="l2")
    config = layer.get_config()
    assert ConvLSTM2D.from_config(config).get_config() == config
    assert config["kernel_size"] == (3, 2) and config["strides"] == (2, 1)
    assert config["recurrent_initializer"] == "orthogonal" and config["unroll"] is False
    model = tk.Sequential([tk.Input(shape=(4, 6, 6, 1)),
                           ConvLSTM2D(4, 3, padding="same", return_sequences=True),
                           ConvLSTM2D(2, 3), layers.Flatten(), layers.Dense(1)])
    x = np.random.default_rng(9).normal(size=(2, 4, 6, 6, 1)).astype(np.float32)
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
    model.summary()
    out = capsys.readouterr().out
    assert "(ConvLSTM2D)" in out and "(None, 4, 6, 6, 4)" in out and "(None, 4, 4, 2)" in out
    assert f"{9 * 1 * 16 + 9 * 4 * 16 + 16:,}" in out                  # 736 parameters


def test_fit_learns_and_float32_stays_float32():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(16, 3, 4, 4, 1)).astype(np.float32)
    y = x.mean(axis=(1, 2, 3))
    model = tk.Sequential([tk.Input(shape=(3, 4, 4, 1)), ConvLSTM2D(2, 2, padding="same"),
                           layers.GlobalAveragePooling2D(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(w.dtype == np.float32 for w in model.weights)


@pytest.mark.parametrize("make, error, match", [
    (lambda: ConvLSTM2D(0, 3), ValueError,
     r"ConvLSTM2D expects filters to be a positive integer. Received: filters=0"),
    (lambda: ConvLSTM2D(2, (3, 3, 3)), ValueError,
     r"ConvLSTM2D expects kernel_size .*tuple of 2.*Received: kernel_size=\(3, 3, 3\)"),
    (lambda: ConvLSTM1D(2, 3, padding="causal"), ValueError,
     r"ConvLSTM1D expects padding to be one of 'valid', 'same'. Received: padding='causal'"),
    (lambda: ConvLSTM2D(2, 3, data_format="channels_first"), ValueError,
     r"ConvLSTM2D supports only data_format='channels_last' \(batch, time, ..., channels\).*"
     r"Fix: .*tk.transpose\(x, \(0, 1, 3, 4, 2\)\)"),
    (lambda: ConvLSTM2D(2, 3, strides=2, dilation_rate=2), ValueError,
     r"ConvLSTM2D cannot combine strides > 1 with dilation_rate > 1.*Received: strides=\(2, "
     r"2\) and dilation_rate=\(2, 2\). Fix: strides=1 or dilation_rate=1"),
    (lambda: ConvLSTM2D(2, 3, dropout=1.5), ValueError,
     r"ConvLSTM2D expects dropout in \[0, 1\). Received: dropout=1.5. Fix: dropout=0.2"),
    (lambda: ConvLSTM3D(2, 3, recurrent_dropout="0.1"), ValueError,
     r"recurrent_dropout='0.1'"),
    (lambda: ConvLSTM2D(2, 3, recurrent_activation="sigmod"), ValueError,
     r"ConvLSTM2D: Unknown activation 'sigmod'.*Fix: recurrent_activation='sigmoid'"),
    (lambda: ConvLSTM2D(2, 3, kernel_initializer="glorot"), ValueError,
     r"ConvLSTM2D: unknown initializer 'glorot'"),
    (lambda: ConvLSTM2D(2, 3, seed="1"), ValueError, r"ConvLSTM2D expects seed"),
    (lambda: ConvLSTM2D(filter=2, kernel_size=3), TypeError,
     r"ConvLSTM2D got unexpected argument\(s\) filter.*Did you mean filters\?"),
    (lambda: ConvLSTM2D(2, 3, units=4), TypeError, r"ConvLSTM2D got unexpected argument"),
    (lambda: ConvLSTM2D(2, 3)(np.zeros((2, 5, 5, 1))), ShapeError,
     r"(?s)ConvLSTM2D received an input of rank 4, shape \(2, 5, 5, 1\).*"
     r"\(batch, time, height, width, channels\).*use Conv2D, or make each a sequence of one "
     r"step: x\[:, None\]"),
    (lambda: ConvLSTM1D(2, 3)(np.zeros((2, 3, 4, 5, 1))), ShapeError,
     r"(?s)rank 5.*Fix: reshape the data to \(batch, time, steps, channels\)"),
    (lambda: ConvLSTM2D(2, 5)(np.zeros((1, 2, 3, 3, 1))), ShapeError,
     r"(?s)the kernel spans 5 along the height, but the input height is only 3.*"
     r"padding='same'"),
    (lambda: ConvLSTM2D(2, 3)(tk.symbolic((None, 4, 5, 5, None))), ShapeError,
     r"channel axis \(the last\) of the input .* is unknown"),
])
def test_errors_name_the_argument_and_the_fix(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_call_errors_after_build():
    layer = ConvLSTM2D(2, 3, padding="same", return_state=True)
    x = np.zeros((2, 3, 4, 4, 1), np.float32)
    layer(x)
    assert layer(np.zeros((1, 5, 6, 7, 1), np.float32))[0].shape == (1, 6, 7, 2)  # any size
    with pytest.raises(ShapeError, match=r"built for 1 channels per step but received 3"):
        layer(np.zeros((2, 3, 4, 4, 3), np.float32))
    with pytest.raises(ShapeError, match=r"ConvLSTM2D: received initial states of shapes "
                                         r"\(2, 4, 4, 3\), \(2, 4, 4, 3\), but its states h "
                                         r"and c are \(2, 4, 4, 2\) each"):
        layer(x, initial_state=[np.zeros((2, 4, 4, 3))] * 2)
    with pytest.raises(ShapeError, match=r"Fix: pass initial_state=\[h, c\]"):
        layer(x, initial_state=np.zeros((2, 4, 4, 2)))
