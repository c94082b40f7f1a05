"""Recurrent ops and layers: parity with NumPy loops of Keras' formulas, BPTT gradchecks,
masks, go_backwards, shapes before data, Keras weight layout, configs and errors."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers as L
from tensorkit.testing import gradcheck


def sig(x):
    return 1 / (1 + np.exp(-x))


def _steps(T, go_backwards):
    return range(T - 1, -1, -1) if go_backwards else range(T)


def _carry(mask, t, B, new, old, zero):
    """Keras' masked step: state carried; output the carried state (or zero)."""
    m = np.ones((B, 1), bool) if mask is None else mask[:, t][:, None]
    return np.where(m, new, old), np.where(m, new, 0 * old if zero else old)


def ref_lstm(x, k, rk, b, h, c, mask=None, go_backwards=False, zero=False, act=np.tanh,
             ract=sig):
    B, T, _ = x.shape
    u = rk.shape[0]
    outs = []
    for t in _steps(T, go_backwards):
        z = x[:, t] @ k + h @ rk + b
        i, f = ract(z[:, :u]), ract(z[:, u:2 * u])
        g, o = act(z[:, 2 * u:3 * u]), ract(z[:, 3 * u:])
        c_new = f * c + i * g
        c, _ = _carry(mask, t, B, c_new, c, False)
        h, out = _carry(mask, t, B, o * act(c_new), h, zero)
        outs.append(out)
    return np.stack(outs, 1), h, c


def ref_gru(x, k, rk, b, h, reset_after, mask=None, go_backwards=False):
    B, T, _ = x.shape
    u = rk.shape[0]
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros_like(b))
    outs = []
    for t in _steps(T, go_backwards):
        xz = x[:, t] @ k + b_in
        rz = h @ rk + b_rec
        z = sig(xz[:, :u] + rz[:, :u])
        r = sig(xz[:, u:2 * u] + rz[:, u:2 * u])
        if reset_after:
            hh = np.tanh(xz[:, 2 * u:] + r * rz[:, 2 * u:])
        else:
            hh = np.tanh(xz[:, 2 * u:] + (r * h) @ rk[:, 2 * u:])
        h, out = _carry(mask, t, B, z * h + (1 - z) * hh, h, False)
        outs.append(out)
    return np.stack(outs, 1), h


def ref_simple(x, k, rk, b, h, mask=None, go_backwards=False):
    B, T, _ = x.shape
    outs = []
    for t in _steps(T, go_backwards):
        h, out = _carry(mask, t, B, np.tanh(x[:, t] @ k + h @ rk + b), h, False)
        outs.append(out)
    return np.stack(outs, 1), h


B, T, F, U = 3, 5, 4, 2
MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 1, 1, 0, 1]], bool)


@pytest.fixture
def data(rng):
    return dict(x=rng.normal(size=(B, T, F)), h0=rng.normal(size=(B, U)),
                c0=rng.normal(size=(B, U)))


def _w(rng, *shape):
    return rng.normal(size=shape) * 0.7


def t64(a):
    return tk.tensor(a, dtype="float64")


# ---- ops: values ---------------------------------------------------------------------------
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
@pytest.mark.parametrize("zero", [False, True])
def test_lstm_op_matches_keras_formulas(rng, data, go_backwards, mask, zero):
    k, rk, b = _w(rng, F, 4 * U), _w(rng, U, 4 * U), _w(rng, 4 * U)
    out, c = tk.ops.lstm(t64(data["x"]), t64(k), t64(rk), t64(b),
                         [t64(data["h0"]), t64(data["c0"])],
                         mask=None if mask is None else tk.tensor(mask),
                         go_backwards=go_backwards, zero_output_for_mask=zero,
                         return_cell_state=True)
    want, _, want_c = ref_lstm(data["x"], k, rk, b, data["h0"], data["c0"], mask, go_backwards,
                               zero)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)
    np.testing.assert_allclose(c.numpy(), want_c, atol=1e-12)


def test_lstm_op_other_activations(rng, data):
    k, rk, b = _w(rng, F, 4 * U), _w(rng, U, 4 * U), _w(rng, 4 * U)
    out = tk.ops.lstm(t64(data["x"]), t64(k), t64(rk), t64(b), activation="relu",
                      recurrent_activation="hard_sigmoid")
    want = ref_lstm(data["x"], k, rk, b, np.zeros((B, U)), np.zeros((B, U)),
                    act=lambda a: np.maximum(a, 0),
                    ract=lambda a: np.clip(a / 6 + 0.5, 0, 1))[0]
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)
    gradcheck(lambda x, k, rk: tk.ops.lstm(x, k, rk, activation="linear"), data["x"], k, rk)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_gru_op_matches_keras_formulas(rng, data, reset_after, go_backwards, mask):
    k, rk = _w(rng, F, 3 * U), _w(rng, U, 3 * U)
    b = _w(rng, 2, 3 * U) if reset_after else _w(rng, 3 * U)
    out = tk.ops.gru(t64(data["x"]), t64(k), t64(rk), t64(b), [t64(data["h0"])],
                     mask=None if mask is None else tk.tensor(mask), go_backwards=go_backwards,
                     reset_after=reset_after)
    want, _ = ref_gru(data["x"], k, rk, b, data["h0"], reset_after, mask, go_backwards)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_simple_rnn_op_matches_formula(rng, data, go_backwards, mask):
    k, rk, b = _w(rng, F, U), _w(rng, U, U), _w(rng, U)
    out = tk.ops.simple_rnn(t64(data["x"]), t64(k), t64(rk), t64(b), [t64(data["h0"])],
                            mask=None if mask is None else tk.tensor(mask),
                            go_backwards=go_backwards)
    want, _ = ref_simple(data["x"], k, rk, b, data["h0"], mask, go_backwards)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)


# ---- ops: gradients (backprop through time) ----------------------------------------------------
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_lstm_gradcheck(rng, data, go_backwards, mask):
    M = None if mask is None else tk.tensor(mask)
    args = (data["x"], _w(rng, F, 4 * U), _w(rng, U, 4 * U), _w(rng, 4 * U), data["h0"],
            data["c0"])

    def seq(x, k, rk, b, h0, c0):
        return tk.ops.lstm(x, k, rk, b, [h0, c0], mask=M, go_backwards=go_backwards,
                           zero_output_for_mask=mask is not None)

    def both(x, k, rk, b, h0, c0):                 # the sequence and the last cell state
        out, c = tk.ops.lstm(x, k, rk, b, [h0, c0], mask=M, go_backwards=go_backwards,
                             return_cell_state=True)
        return out[:, -1] * 2.0 + c

    gradcheck(seq, *args)
    gradcheck(both, *args)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("mask", [None, MASK])
def test_gru_gradcheck(rng, data, reset_after, mask):
    M = None if mask is None else tk.tensor(mask)
    b = _w(rng, 2, 3 * U) if reset_after else _w(rng, 3 * U)
    gradcheck(lambda x, k, rk, b, h0: tk.ops.gru(x, k, rk, b, [h0], mask=M,
                                                 reset_after=reset_after, go_backwards=True),
              data["x"], _w(rng, F, 3 * U), _w(rng, U, 3 * U), b, data["h0"])


@pytest.mark.parametrize("mask", [None, MASK])
def test_simple_rnn_gradcheck(rng, data, mask):
    M = None if mask is None else tk.tensor(mask)
    gradcheck(lambda x, k, rk, b, h0: tk.ops.simple_rnn(x, k, rk, b, [h0], mask=M),
              data["x"], _w(rng, F, U), _w(rng, U, U), _w(rng, U), data["h0"])


def test_ops_without_bias_or_states_gradcheck(rng, data):
    gradcheck(lambda x, k, rk: tk.ops.lstm(x, k, rk), data["x"], _w(rng, F, 4 * U),
              _w(rng, U, 4 * U))
    gradcheck(lambda x, k, rk: tk.ops.gru(x, k, rk, reset_after=False), data["x"],
              _w(rng, F, 3 * U), _w(rng, U, 3 * U))


def test_fused_op_is_one_node_with_symbolic_batch_and_time():
    with tk.trace() as g:
        out = tk.ops.lstm(tk.symbolic((None, None, 8)), tk.symbolic((8, 12)),
                          tk.symbolic((3, 12)), tk.symbolic((12,)))
    assert out.shape == (None, None, 3)
    assert [n["op"] for n in g.nodes].count("lstm") == 1


def test_op_shape_errors():
    with pytest.raises(tk.ShapeError, match="kernel has shape"):
        tk.ops.lstm(tk.symbolic((None, 5, 8)), tk.symbolic((7, 12)), tk.symbolic((3, 12)))
    with pytest.raises(tk.ShapeError, match="add an Embedding for token ids"):
        tk.ops.gru(tk.symbolic((None, 5)), tk.symbolic((5, 9)), tk.symbolic((3, 9)))


# ---- layers ----------------------------------------------------------------------------------
LAYERS = [(L.SimpleRNN, 1, (U,)), (L.LSTM, 4, (4 * U,)), (L.GRU, 3, (2, 3 * U))]


@pytest.mark.parametrize("cls, gates, bias_shape", LAYERS)
def test_weights_as_keras(cls, gates, bias_shape):
    layer = cls(U)
    layer(tk.symbolic((None, T, F)))
    assert [w.name.split("/")[-1] for w in layer.weights] == \
        ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in layer.weights] == [(F, gates * U), (U, gates * U), bias_shape]
    rk = layer.get_weights()[1]                     # orthogonal columns per default
    if gates == 1:
        np.testing.assert_allclose(rk.T @ rk, np.eye(U), atol=1e-5)


def test_lstm_unit_forget_bias_and_gru_reset_before():
    b = L.LSTM(3)
    b(tk.symbolic((None, 2, 4)))
    np.testing.assert_array_equal(b.get_weights()[2], [0, 0, 0, 1, 1, 1] + [0] * 6)
    g = L.GRU(3, reset_after=False)
    g(tk.symbolic((None, 2, 4)))
    assert g.weights[2].shape == (9,)


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
@pytest.mark.parametrize("seq, state", [(False, False), (True, False), (False, True),
                                        (True, True)])
def test_output_shapes_agree(rng, cls, seq, state):
    layer = cls(U, return_sequences=seq, return_state=state)
    x = rng.normal(size=(B, T, F)).astype("float32")
    out = layer(x)
    sym = layer(tk.symbolic((None, T, F)))
    declared = layer.compute_output_shape((B, T, F))
    outs, syms = (list(out), list(sym)) if state else ([out], [sym])
    declared = declared if state else [declared]
    n_states = 2 if cls is L.LSTM else 1
    assert len(outs) == 1 + (n_states if state else 0)
    assert outs[0].shape == ((B, T, U) if seq else (B, U))
    assert [o.shape for o in outs] == [tuple(d) for d in declared]
    assert [s.shape[1:] for s in syms] == [o.shape[1:] for o in outs]
    if state:
        np.testing.assert_allclose(outs[1].numpy(), (outs[0][:, -1] if seq else outs[0]).numpy())


def test_lstm_layer_matches_reference(rng):
    layer = L.LSTM(U, return_sequences=True, return_state=True, go_backwards=True)
    x = rng.normal(size=(B, T, F)).astype("float32")
    out, h, c = layer(x)
    k, rk, b = layer.get_weights()
    want, want_h, want_c = ref_lstm(x, k, rk, b, np.zeros((B, U)), np.zeros((B, U)),
                                    go_backwards=True)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-5)
    np.testing.assert_allclose(h.numpy(), want_h, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), want_c, atol=1e-5)


def test_initial_state(rng, data):
    layer = L.GRU(U, reset_after=False)
    x = data["x"].astype("float32")
    out = layer(x, initial_state=[data["h0"].astype("float32")])
    k, rk, b = layer.get_weights()
    np.testing.assert_allclose(out.numpy(), ref_gru(x, k, rk, b, data["h0"], False)[1],
                               atol=1e-5)


def test_embedding_mask_zero_into_lstm_equals_unpadded(rng):
    emb = L.Embedding(20, 6, mask_zero=True)
    lstm = L.LSTM(U)
    ids = rng.integers(1, 20, size=(2, 7))
    padded = ids.copy()
    padded[0, 4:] = 0                               # the first sequence has 4 tokens
    out = lstm(emb(padded)).numpy()
    alone = lstm(emb(ids[:1, :4])).numpy()
    full = lstm(emb(ids[1:])).numpy()
    np.testing.assert_allclose(out[0], alone[0], atol=1e-6)
    np.testing.assert_allclose(out[1], full[0], atol=1e-6)


def test_masked_steps_repeat_the_previous_output(rng):
    emb, rnn = L.Embedding(9, 3, mask_zero=True), L.SimpleRNN(U, return_sequences=True)
    out = rnn(emb(np.array([[3, 4, 0, 0]]))).numpy()
    np.testing.assert_allclose(out[0, 2], out[0, 1])
    np.testing.assert_allclose(out[0, 3], out[0, 1])


def test_bidirectional(rng):
    tk.clear_session()
    bi = L.Bidirectional(L.LSTM(U, return_sequences=True))
    x = rng.normal(size=(B, T, F)).astype("float32")
    out = bi(x)
    assert out.shape == (B, T, 2 * U)
    assert [w.name for w in bi.weights] == [f"{d}_lstm/{n}" for d in ("forward", "backward")
                                            for n in ("kernel", "recurrent_kernel", "bias")]
    fk, frk, fb, bk, brk, bb = bi.get_weights()
    fwd = ref_lstm(x, fk, frk, fb, np.zeros((B, U)), np.zeros((B, U)))[0]
    bwd = ref_lstm(x, bk, brk, bb, np.zeros((B, U)), np.zeros((B, U)), go_backwards=True)[0]
    np.testing.assert_allclose(out.numpy(), np.concatenate([fwd, bwd[:, ::-1]], -1), atol=1e-5)
    assert bi.compute_output_shape((None, T, F)) == (None, T, 2 * U)
    last = L.Bidirectional(L.GRU(U), merge_mode="sum")
    assert last(x).shape == (B, U)


def test_configs_round_trip():
    for layer in [L.SimpleRNN(3, activation="relu", return_sequences=True),
                  L.LSTM(4, activation="relu", unit_forget_bias=False,
                         go_backwards=True, dropout=0.1),
                  L.GRU(5, reset_after=False, use_bias=False, return_state=True),
                  L.Embedding(10, 3, mask_zero=True),
                  L.Bidirectional(L.LSTM(2, return_sequences=True), merge_mode="ave")]:
        config = layer.get_config()
        again = type(layer).from_config(config)
        assert again.get_config() == config


def test_training_through_embedding_and_lstm(rng):
    emb, lstm, dense = L.Embedding(30, 4), L.LSTM(3), L.Dense(1)
    ids = rng.integers(0, 30, size=(5, 6))
    loss = dense(lstm(emb(ids))).sum()
    loss.backward()
    for w in emb.weights + lstm.weights + dense.weights:
        assert w.grad is not None and w.grad.shape == w.shape


# ---- errors ----------------------------------------------------------------------------------
def test_rnn_rank_errors():
    with pytest.raises(tk.ShapeError, match=r"add an Embedding for token ids, or x\[\.\.\., "):
        L.LSTM(3)(np.zeros((2, 5), "float32"))
    with pytest.raises(tk.ShapeError, match="rank 4"):
        L.GRU(3)(tk.symbolic((None, 2, 5, 1)))
    # the classic: stacking RNNs without return_sequences on the first
    with pytest.raises(tk.ShapeError, match=r"In layer 'second'.*\(None, 16\).*(?s:.*)"
                                            r"give that one return_sequences=True"):
        tk.Sequential([tk.Input(shape=(10, 8)), L.LSTM(16), L.LSTM(8, name="second")])


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: units=0"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="recurrent_dropout is not supported"):
        L.GRU(3, recurrent_dropout=0.2)
    with pytest.raises(ValueError, match="merge_mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")


def test_embedding(rng):
    emb = L.Embedding(10, 3)
    ids = rng.integers(0, 10, size=(2, 4))
    out = emb(ids)
    assert out.shape == (2, 4, 3) and emb.weights[0].shape == (10, 3)
    np.testing.assert_allclose(out.numpy(), emb.get_weights()[0][ids])
    assert emb.compute_output_shape((None, 4)) == (None, 4, 3)
    assert emb(tk.Input(shape=(4,))).shape == (None, 4, 3)
    with pytest.raises(tk.ShapeError, match="input_dim must be larger than the largest id: "
                                            "use input_dim=13"):
        emb(np.array([[1, 12]]))
    with pytest.raises(tk.DTypeError, match="integer token ids"):
        emb(np.array([[1.0, 2.0]]))
    masked = L.Embedding(10, 3, mask_zero=True)(np.array([[4, 2, 0]]))
    np.testing.assert_array_equal(masked.mask.numpy(), [[True, True, False]])


def test_vjp_recomputes_without_saved_forward(rng, data):
    """An op called without a `Saved` (or replayed with a stale one) recomputes the forward."""
    from tensorkit.tensor import OPS
    attrs = dict(go_backwards=False, activation="tanh", recurrent_activation="sigmoid",
                 zero_output_for_mask=False, saved=None)
    gradcheck(lambda x, k, rk: OPS["lstm"](x, k, rk, 0.0, 0.0, 0.0, True, **attrs),
              data["x"], _w(rng, F, 4 * U), _w(rng, U, 4 * U))
    saved = tk.ops.recurrent.Saved()
    attrs["saved"] = saved
    x1, x2 = (t64(data["x"]).requires_grad_() for _ in range(2))
    x2.data = x2.data * 2.0
    k, rk = t64(_w(rng, F, 4 * U)), t64(_w(rng, U, 4 * U))
    y1 = OPS["lstm"](x1, k, rk, 0.0, 0.0, 0.0, True, **attrs)
    y2 = OPS["lstm"](x2, k, rk, 0.0, 0.0, 0.0, True, **attrs)   # overwrites `saved`
    y1.sum().backward()
    want = tk.grad(lambda x: tk.ops.lstm(x, k, rk).sum())(t64(data["x"]))
    np.testing.assert_allclose(x1.grad.numpy(), want.numpy(), atol=1e-12)
    assert y2.shape == y1.shape


# ---- stateful: each call continues the last one ---------------------------------------------
@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_stateful_halves_equal_the_whole_sequence(cls):
    x = np.random.default_rng(5).normal(size=(3, 10, 4)).astype(np.float32)
    whole = cls(5, return_sequences=True)
    want = whole(tk.tensor(x)).numpy()
    stateful = cls(5, return_sequences=True, stateful=True, unroll=True)
    stateful(tk.tensor(x[:, :2]))
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()                                # start over from zeros
    halves = [stateful(tk.tensor(x[:, :6])).numpy(), stateful(tk.tensor(x[:, 6:])).numpy()]
    np.testing.assert_allclose(np.concatenate(halves, axis=1), want, rtol=1e-6, atol=1e-6)
    stateful.reset_state()                                 # Keras 3's name: zeros again
    np.testing.assert_allclose(stateful(tk.tensor(x[:, :6])).numpy(), want[:, :6], atol=1e-6)
    assert stateful.get_config()["stateful"] and stateful.get_config()["unroll"]


def test_stateful_states_can_be_set_and_batch_sizes_must_match():
    x = np.random.default_rng(6).normal(size=(2, 8, 3)).astype(np.float32)
    lstm = L.LSTM(4, return_state=True)
    _, h, c = lstm(tk.tensor(x[:, :5]))
    stateful = L.LSTM(4, stateful=True)
    stateful(tk.tensor(x[:, :1]))
    stateful.set_weights(lstm.get_weights())
    stateful.reset_states([h, c])                          # continue from step 5
    want = lstm(tk.tensor(x[:, 5:]), initial_state=[h, c])[0].numpy()
    np.testing.assert_allclose(stateful(tk.tensor(x[:, 5:])).numpy(), want, atol=1e-6)
    with pytest.raises(tk.ShapeError, match=r"keeps states for batches of 2 sequences but "
                                            r"received a batch of 3(.|\n)*reset_states\(\)"):
        stateful(tk.tensor(np.zeros((3, 4, 3), np.float32)))
    with pytest.raises(tk.ShapeError, match=r"keeps 2 state\(s\) of shape \(batch, 4\)"):
        stateful.reset_states([h])


def test_stateful_training_carries_states_and_does_not_export(tmp_path):
    model = tk.Sequential([tk.Input(shape=(6, 2), batch_size=4),
                           L.LSTM(3, stateful=True), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((8, 6, 2), np.float32), np.zeros((8, 1), np.float32)
    model.fit(x, y, batch_size=4, shuffle=False, epochs=2, verbose=0)
    assert model.layers[0]._states[0].shape == (4, 3)
    model.save(tmp_path / "s.tkmodel")
    again = tk.models.load_model(tmp_path / "s.tkmodel")
    assert again.layers[0].stateful
    with pytest.raises(tk.export.ExportError, match="it is stateful"):
        tk.export.to_tfjs(model, tmp_path / "web")


def test_bidirectional_takes_a_backward_layer_of_your_own(tmp_path):
    x = np.random.default_rng(7).normal(size=(2, 5, 3)).astype(np.float32)
    forward = L.LSTM(4, return_sequences=True)
    backward = L.GRU(2, return_sequences=True, go_backwards=True, name="my_backward")
    bi = L.Bidirectional(forward, backward_layer=backward)
    y = bi(tk.tensor(x))
    assert y.shape == (2, 5, 6) and bi.backward_layer is backward
    np.testing.assert_allclose(y.numpy()[..., 4:], backward(tk.tensor(x)).numpy()[:, ::-1],
                               atol=1e-6)
    clone = L.Bidirectional.from_config(bi.get_config())
    assert type(clone.backward_layer) is L.GRU and clone.backward_layer.name == "my_backward"
    model = tk.Sequential([tk.Input(shape=(5, 3)), bi])
    model.save(tmp_path / "bi.tkmodel")
    np.testing.assert_allclose(tk.models.load_model(tmp_path / "bi.tkmodel").predict(
        x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(tk.export.ExportError, match="backward_layer of your own"):
        tk.export.to_tfjs(model, tmp_path / "web")
    with pytest.raises(ValueError, match="must read the other way"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    with pytest.raises(ValueError, match="must agree on return_sequences"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2, go_backwards=True,
                                                         return_sequences=True))
    preset = L.Bidirectional(L.SimpleRNN(2), weights=bi_weights(3, 2))
    preset(tk.tensor(x))
    np.testing.assert_array_equal(preset.get_weights()[0], bi_weights(3, 2)[0])


def bi_weights(features, units):
    """Weights for Bidirectional(SimpleRNN(units)): kernel, recurrent, bias, twice."""
    one = [np.full((features, units), 0.1, np.float32), np.eye(units, dtype=np.float32),
           np.zeros(units, np.float32)]
    return one + one


# ---- RNN(cell): Keras' generic recurrent layer ----------------------------------------------
class MinimalCell(L.Layer):
    """A learner's cell, written the Keras way."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        output = tk.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel)
        return output, [output]


CELL_AND_LAYER = [(L.SimpleRNNCell, L.SimpleRNN, {}), (L.LSTMCell, L.LSTM, {}),
                  (L.GRUCell, L.GRU, {}), (L.GRUCell, L.GRU, {"reset_after": False})]


@pytest.mark.parametrize("cell_cls,layer_cls,kw", CELL_AND_LAYER)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_rnn_of_cell_is_the_fused_layer(rng, cell_cls, layer_cls, kw, go_backwards, masked):
    x = rng.normal(size=(B, T, F)).astype("float32")
    opts = dict(return_sequences=True, return_state=True, go_backwards=go_backwards)
    rnn, fused = L.RNN(cell_cls(U, **kw), **opts), layer_cls(U, **kw, **opts)
    mask = tk.tensor(MASK) if masked else None
    xs = [tk.tensor(x, requires_grad=True) for _ in range(2)]
    a = rnn(xs[0], mask=mask)
    fused(xs[1], mask=mask)
    assert [w.shape for w in rnn.weights] == [w.shape for w in fused.weights]
    fused.set_weights(rnn.get_weights())
    b = fused(xs[1], mask=mask)
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_allclose(u.numpy(), v.numpy(), atol=1e-6)
    for outs in (a, b):
        sum((o * (i + 1.0)).sum() for i, o in enumerate(outs)).backward()
    np.testing.assert_allclose(xs[0].grad.numpy(), xs[1].grad.numpy(), atol=1e-5)
    for w, v in zip(rnn.weights, fused.weights):
        np.testing.assert_allclose(w.grad.numpy(), v.grad.numpy(), atol=1e-5)


def test_custom_cell_trains_with_gradients(rng):
    x = rng.normal(size=(2, 4, 3))
    rnn = L.RNN(MinimalCell(3, dtype="float64"), return_sequences=True, dtype="float64")
    rnn(tk.tensor(x, dtype="float64"))
    k, rk = rnn.get_weights()

    def f(x, k, rk):
        rnn.set_weights([k.numpy(), rk.numpy()])
        rnn.cell.kernel, rnn.cell.recurrent_kernel = k, rk      # differentiate wrt them
        return rnn(x)
    gradcheck(f, x, k, rk)
    model = tk.Sequential([tk.Input(shape=(4, 3)), L.RNN(MinimalCell(5)), L.Dense(1)])
    model.compile("adam", "mse")
    y = rng.normal(size=(2, 1)).astype("float32")
    history = model.fit(x.astype("float32"), y, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_rnn_shapes_before_data():
    out = L.RNN(L.LSTMCell(4))(tk.symbolic((None, 5, 3)))
    assert out.shape == (None, 4)
    seq, h, c = L.RNN(L.LSTMCell(4), return_sequences=True, return_state=True)(
        tk.symbolic((None, 5, 3)))
    assert (seq.shape, h.shape, c.shape) == ((None, 5, 4), (None, 4), (None, 4))
    assert L.RNN(MinimalCell(2), return_sequences=True)(
        tk.symbolic((None, None, 3))).shape == (None, None, 2)
    stacked = L.RNN([L.LSTMCell(4), L.GRUCell(2)], return_state=True)
    assert [t.shape for t in stacked(tk.symbolic((None, 5, 3)))] == [(None, 2)] + \
        [(None, 4)] * 2 + [(None, 2)]
    model = tk.Sequential([tk.Input(shape=(None, 3)), L.RNN(L.SimpleRNNCell(6)),
                           L.Dense(1)])
    assert model.output_shape == (None, 1)
    assert model.predict(np.zeros((2, 7, 3), "float32"), verbose=0).shape == (2, 1)
    with tk.trace() as g:                                 # every step shows in the graph
        L.RNN(L.SimpleRNNCell(2))(tk.symbolic((None, 3, 3)))
    assert sum(n["op"] == "matmul" for n in g.nodes) == 6


def test_cells_follow_keras_call_conventions(rng):
    x = tk.tensor(rng.normal(size=(B, F)).astype("float32"))
    h = tk.zeros((B, U))
    for cell in (L.SimpleRNNCell(U), L.GRUCell(U)):
        cell.build(x.shape)
        out, new = cell.call(x, [h])
        assert isinstance(new, list) and new[0] is out
        out2, new2 = cell.call(x, h)                    # a bare state gives a bare state
        assert new2 is out2
    lstm = L.LSTMCell(U)
    assert (lstm.state_size, lstm.output_size) == ([U, U], U)
    lstm.build(x.shape)
    out, (h2, c2) = lstm.call(x, [h, h])
    assert h2 is out and c2.shape == (B, U)
    np.testing.assert_array_equal(lstm.bias.numpy()[U:2 * U], 1.0)   # unit_forget_bias
    gru = L.GRUCell(U)
    gru.build(x.shape)
    assert [w.shape for w in gru.weights] == [(F, 3 * U), (U, 3 * U), (2, 3 * U)]
    assert L.StackedRNNCells([L.LSTMCell(3), L.SimpleRNNCell(2)]).state_size == [[3, 3], 2]


def test_cell_dropout_keeps_its_mask_over_time(rng):
    x = np.ones((2, 6, 50), "float32")
    rnn = L.RNN(L.SimpleRNNCell(3, dropout=0.5, activation="linear",
                                recurrent_initializer="zeros"), return_sequences=True)
    inference = rnn(x).numpy()
    np.testing.assert_array_equal(inference, rnn(x).numpy())
    trained = rnn(x, training=True).numpy()
    assert not np.allclose(trained, inference)
    np.testing.assert_allclose(trained, trained[:, :1].repeat(6, axis=1), atol=1e-6)
    assert rnn.cell._masks == {}                       # made afresh for the next call


def test_rnn_initial_state_mask_and_stateful(rng):
    x = rng.normal(size=(B, T, F)).astype("float32")
    h0 = rng.normal(size=(B, U)).astype("float32")
    rnn = L.RNN(L.GRUCell(U), return_state=True)
    fused = L.GRU(U, return_state=True)
    out, h = rnn(x, initial_state=[h0], mask=MASK)
    fused(x)
    fused.set_weights(rnn.get_weights())
    want, want_h = fused(x, initial_state=[h0], mask=MASK)
    np.testing.assert_allclose(out.numpy(), want.numpy(), atol=1e-6)
    np.testing.assert_allclose(h.numpy(), want_h.numpy(), atol=1e-6)
    emb = tk.Sequential([tk.Input(shape=(4,), dtype="int32"),
                         L.Embedding(10, 3, mask_zero=True),
                         L.RNN(L.LSTMCell(2), return_sequences=True)])
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    y = emb(ids)
    np.testing.assert_array_equal(y.numpy()[:, 2], y.numpy()[:, 1])     # held when masked
    stateful = L.RNN(L.SimpleRNNCell(U), stateful=True)
    whole = L.RNN(L.SimpleRNNCell(U))
    whole(x)
    stateful(x[:, :2])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    stateful(x[:, :2])
    np.testing.assert_allclose(stateful(x[:, 2:]).numpy(), whole(x).numpy(), atol=1e-6)
    with pytest.raises(tk.ShapeError, match="batches of 3"):
        stateful(x[:2])
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x).numpy(), whole(x).numpy(), atol=1e-6)


def test_bidirectional_wraps_rnn_of_cell(rng):
    x = rng.normal(size=(B, T, F)).astype("float32")
    bi = L.Bidirectional(L.RNN(L.LSTMCell(U), return_sequences=True))
    fused = L.Bidirectional(L.LSTM(U, return_sequences=True))
    a = bi(x, mask=MASK)
    fused(x)
    fused.set_weights(bi.get_weights())
    np.testing.assert_allclose(a.numpy(), fused(x, mask=MASK).numpy(), atol=1e-6)
    again = L.Bidirectional.from_config(bi.get_config())
    assert type(again.forward_layer.cell) is L.LSTMCell


class NoStateSize(L.Layer):
    def call(self, inputs, states):
        return inputs, states


class WrongReturn(MinimalCell):
    def call(self, inputs, states):
        return inputs @ self.kernel


class WrongStates(MinimalCell):
    def call(self, inputs, states):
        out = inputs @ self.kernel
        return out, [out, out]


class WrongStateSize(MinimalCell):
    def call(self, inputs, states):
        out = tk.concatenate([inputs @ self.kernel] * 2, axis=-1)
        return out, [out]


def test_rnn_errors_teach():
    x = np.zeros((2, 5, 3), "float32")
    with pytest.raises(ValueError, match="no state_size.*self.state_size"):
        L.RNN(NoStateSize())
    with pytest.raises(ValueError, match="call\\(inputs, states\\) method"):
        L.RNN(object())
    with pytest.raises(ValueError, match="state_size=0"):
        L.RNN(type("Cell", (), {"call": lambda self: 0, "state_size": 0})())
    with pytest.raises(ValueError, match="must return \\(output, new_states\\)"):
        L.RNN(WrongReturn(2))(x)
    with pytest.raises(ValueError, match="returned 2 new state.*asks for 1"):
        L.RNN(WrongStates(2))(x)
    with pytest.raises(tk.ShapeError, match="new state 0 of shape \\(2, 4\\).*\\(2, 2\\)"):
        L.RNN(WrongStateSize(2))(x)
    with pytest.raises(tk.ShapeError, match="(?s)rank 2.*x\\[..., None\\]"):
        L.RNN(L.LSTMCell(2))(np.zeros((2, 5), "float32"))
    with pytest.raises(tk.ShapeError, match="(?s)initial states.*\\[h, c\\]"):
        L.RNN(L.LSTMCell(2))(x, initial_state=[np.zeros((2, 2), "float32")])
    rnn = L.RNN(L.LSTMCell(2))
    rnn(x)
    with pytest.raises(tk.ShapeError, match="built for 3 features"):
        rnn(np.zeros((2, 5, 4), "float32"))
    with pytest.raises(ValueError, match="units to be a positive integer"):
        L.LSTMCell(0)
    with pytest.raises(ValueError, match="dropout in \\[0, 1\\)"):
        L.GRUCell(2, dropout=1.5)
    with pytest.raises(ValueError, match="unroll"):
        L.RNN(L.LSTMCell(2), unroll=True)(tk.symbolic((None, None, 3)))


def test_rnn_config_and_save(tmp_path, rng):
    for layer in [L.RNN(L.LSTMCell(3, unit_forget_bias=False), return_sequences=True,
                        go_backwards=True, zero_output_for_mask=True),
                  L.RNN([L.GRUCell(2, reset_after=False), L.SimpleRNNCell(3)],
                        return_state=True)]:
        config = layer.get_config()
        again = L.RNN.from_config(config)
        assert again.get_config() == config
    model = tk.Sequential([tk.Input(shape=(5,), dtype="int32"),
                           L.Embedding(10, 3, mask_zero=True),
                           L.RNN([L.LSTMCell(4), L.GRUCell(2)], return_sequences=True),
                           L.RNN(L.SimpleRNNCell(2))])
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    model.save(tmp_path / "rnn.tkmodel")
    again = tk.saving.load_model(tmp_path / "rnn.tkmodel")
    np.testing.assert_array_equal(again(ids).numpy(), model(ids).numpy())
    custom = tk.Sequential([tk.Input(shape=(5, 3)), L.RNN(MinimalCell(2))])
    with pytest.raises(tk.saving.SaveError, match="(?s)MinimalCell.*save_weights"):
        custom.save(tmp_path / "custom.tkmodel")
    assert not (tmp_path / "custom.tkmodel").exists()


def test_cell_called_like_a_layer():
    cell = L.LSTMCell(4)
    out, (h, c) = cell(np.ones((2, 3), "float32"), [tk.zeros((2, 4)), tk.zeros((2, 4))])
    assert out.shape == h.shape == c.shape == (2, 4)
