"""Attention, MultiHeadAttention and GroupQueryAttention: NumPy references, masks, scores,
shapes, weights, configs."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers as L
from tensorkit.testing import gradcheck


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def ref_mha(q, v, k, w, mask=None):
    wq, bq, wk, bk, wv, bv, wo, bo = w
    Q = np.einsum("btd,dhk->bhtk", q, wq) + bq[:, None]
    K = np.einsum("btd,dhk->bhtk", k, wk) + bk[:, None]
    V = np.einsum("btd,dhk->bhtk", v, wv) + bv[:, None]
    s = np.einsum("bhqk,bhsk->bhqs", Q / np.sqrt(wq.shape[-1]), K)
    if mask is not None:
        s = np.where(mask[:, None], s, -1e9)
    p = softmax(s)
    return np.einsum("bhqs,bhsv,hvo->bqo", p, V, wo) + bo, p


@pytest.fixture
def qv(rng):
    return (rng.normal(size=(2, 3, 4)).astype("float32"),
            rng.normal(size=(2, 5, 4)).astype("float32"))


def test_attention_matches_numpy(qv):
    q, v = qv
    out, scores = L.Attention()([q, v], return_attention_scores=True)
    p = softmax(q @ v.transpose(0, 2, 1))
    np.testing.assert_allclose(scores.numpy(), p, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), p @ v, atol=1e-5)
    assert scores.shape == (2, 3, 5)


def test_attention_key_scale_concat(qv, rng):
    q, v = qv
    k = rng.normal(size=(2, 5, 4)).astype("float32")
    att = L.Attention(use_scale=True)
    out = att([q, v, k])
    assert [w.name.split("/")[-1] for w in att.weights] == ["scale"]
    np.testing.assert_allclose(out.numpy(), softmax(q @ k.transpose(0, 2, 1)) @ v, atol=1e-5)
    concat = L.Attention(score_mode="concat")
    _, s = concat([q, v], return_attention_scores=True)
    want = softmax(np.tanh(q[:, :, None] + v[:, None]).sum(-1))
    np.testing.assert_allclose(s.numpy(), want, atol=1e-5)


def test_attention_masks_and_causal(qv):
    q, v = qv
    vmask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], bool)
    qmask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    out, s = L.Attention()([q, v], mask=[tk.tensor(qmask), tk.tensor(vmask)],
                           return_attention_scores=True)
    assert np.allclose(s.numpy()[~np.broadcast_to(vmask[:, None], s.shape)], 0)
    np.testing.assert_allclose(out.numpy()[0, 2], 0)
    _, s = L.Attention()([q, q], use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(s.numpy()[0], 1), 0)


def test_attention_uses_embedding_mask(rng):
    emb = L.Embedding(10, 4, mask_zero=True)
    x = emb(np.array([[3, 5, 0, 0]]))
    _, s = L.Attention()([x, x], return_attention_scores=True)
    np.testing.assert_allclose(s.numpy()[0, :, 2:], 0)


def test_attention_gradcheck(rng):
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    gradcheck(lambda q, v: L.Attention(dtype="float64")([q, v]), q, v)


def test_additive_attention_matches_numpy(qv, rng):
    q, v = qv
    att = L.AdditiveAttention()
    out, s = att([q, v], return_attention_scores=True)
    assert [(w.name.split("/")[-1], w.shape) for w in att.weights] == [("scale", (4,))]
    scale = rng.normal(size=4).astype("float32")
    att.set_weights([scale])
    vmask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    out, s = att([q, v], mask=[None, vmask], return_attention_scores=True)
    scores = (scale * np.tanh(q[:, :, None] + v[:, None])).sum(-1)
    want = softmax(np.where(vmask[:, None], scores, scores - 1e9))
    np.testing.assert_allclose(s.numpy(), want, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), want @ v, atol=1e-5)
    plain = L.AdditiveAttention(use_scale=False)
    assert plain([q, v]).shape == (2, 3, 4) and plain.weights == []
    assert plain.compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 3, 4)


def test_additive_attention_gradcheck_config_and_saving(rng, tmp_path):
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    att = L.AdditiveAttention(dtype="float64")
    gradcheck(lambda q, v: att([q, v], use_causal_mask=False), q, v)
    config = L.AdditiveAttention(use_scale=False, dropout=0.1).get_config()
    assert "score_mode" not in config and config["use_scale"] is False
    assert L.AdditiveAttention.from_config(config).get_config() == config
    a, b = tk.Input((3, 4)), tk.Input((5, 4))
    model = tk.Model([a, b], L.AdditiveAttention()([a, b]))
    model.save(tmp_path / "add.tkmodel")
    again = tk.models.load_model(tmp_path / "add.tkmodel")
    x = [rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 4))
         .astype("float32")]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(tk.ShapeError, match=r"AdditiveAttention takes \[query, value\]"):
        L.AdditiveAttention()(np.zeros((2, 3, 4), "float32"))


def test_mha_matches_einsum_reference(rng):
    tk.clear_session()
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=6)
    q = rng.normal(size=(2, 4, 7)).astype("float32")
    v = rng.normal(size=(2, 6, 8)).astype("float32")
    out, scores = mha(q, v, return_attention_scores=True)
    assert [w.shape for w in mha.weights] == [(7, 2, 3), (2, 3), (8, 2, 3), (2, 3),
                                              (8, 2, 5), (2, 5), (2, 5, 6), (6,)]
    assert [w.name for w in mha.weights][::2] == [
        f"multi_head_attention/{n}/kernel" for n in ("query", "key", "value",
                                                     "attention_output")]
    w = [a + 0.1 * rng.normal(size=a.shape) for a in mha.get_weights()]  # non-zero biases
    mha.set_weights(w)
    out, scores = mha(q, v, return_attention_scores=True)
    want, p = ref_mha(q, v, v, w)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-4)
    np.testing.assert_allclose(scores.numpy(), p, atol=1e-5)
    assert scores.shape == (2, 2, 4, 6)


def test_mha_masks(rng):
    mha = L.MultiHeadAttention(2, 4)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    am = rng.random((2, 5, 5)) > 0.3
    am[:, :, 0] = True
    out, s = mha(x, x, attention_mask=am, use_causal_mask=True, return_attention_scores=True)
    keep = am & np.tril(np.ones((5, 5), bool))
    want, p = ref_mha(x, x, x, mha.get_weights(), keep)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-4)
    assert np.allclose(s.numpy()[~np.broadcast_to(keep[:, None], s.shape)], 0)


def test_mha_symbolic_and_functional(rng):
    mha = L.MultiHeadAttention(num_heads=4, key_dim=8)
    x = tk.Input(shape=(None, 16))
    y = mha(x, x)
    assert y.shape == (None, None, 16)
    assert mha.compute_output_shape([(None, 10, 16), (None, 12, 16)]) == (None, 10, 16)
    model = tk.Model(x, y)
    data = rng.normal(size=(3, 7, 16)).astype("float32")
    np.testing.assert_allclose(model(data).numpy(), mha(data, data).numpy(), atol=1e-6)


def test_mha_gradcheck(rng):
    mha = L.MultiHeadAttention(2, 2, dtype="float64")
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 2, 4))
    gradcheck(lambda q, v: mha(q, v), q, v)


def test_configs_round_trip():
    for layer in [L.Attention(use_scale=True, score_mode="concat", dropout=0.1),
                  L.MultiHeadAttention(3, 4, value_dim=2, dropout=0.2, use_bias=False,
                                       output_shape=5)]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def test_errors():
    with pytest.raises(tk.ShapeError, match=r"takes \[query, value\]"):
        L.Attention()(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(tk.ShapeError, match="query features 4 != key features 3"):
        L.Attention()([np.zeros((2, 3, 4), "float32"), np.zeros((2, 3, 3), "float32")])
    with pytest.raises(ValueError, match="Received: num_heads=0"):
        L.MultiHeadAttention(0, 4)
    with pytest.raises(tk.ShapeError, match="add an Embedding first"):
        L.MultiHeadAttention(2, 4)(np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32"))


# ---- GroupQueryAttention ----------------------------------------------------------------
def gqa_weights_as_mha(w, repeats):
    """GroupQueryAttention's weights as MultiHeadAttention's: each key/value head's kernel
    and bias once per query head of its group (the kernels share one layout)."""
    wq, bq, wk, bk, wv, bv, wo, bo = w
    rep = [np.repeat(a, repeats, axis=-2) for a in (wk, bk, wv, bv)]
    return [wq, bq, rep[0], rep[1], rep[2], rep[3], wo, bo]


def random_weights(layer, rng):
    layer.set_weights([rng.normal(size=w.shape).astype(w.dtype) * 0.5
                       for w in layer.get_weights()])
    return layer.get_weights()


@pytest.mark.parametrize("u,kv", [(4, 2), (4, 1), (3, 3), (6, 3)])
def test_gqa_is_multi_head_attention_with_shared_key_value_heads(rng, u, kv):
    """kv heads each serving u // kv query heads is MHA whose key/value heads repeat."""
    tk.clear_session()
    gqa = L.GroupQueryAttention(head_dim=3, num_query_heads=u, num_key_value_heads=kv)
    mha = L.MultiHeadAttention(num_heads=u, key_dim=3)
    q = rng.normal(size=(2, 4, 5)).astype("float32")
    v = rng.normal(size=(2, 6, 7)).astype("float32")
    k = rng.normal(size=(2, 6, 3)).astype("float32")
    am = rng.random((2, 4, 6)) > 0.4
    gqa(q, v, key=k)
    mha(q, v, key=k)
    w = random_weights(gqa, rng)
    mha.set_weights(gqa_weights_as_mha(w, u // kv))
    for kwargs in ({}, {"attention_mask": am}, {"use_causal_mask": True}):
        y, s = gqa(q, v, key=k, return_attention_scores=True, **kwargs)
        want, p = mha(q, v, key=k, return_attention_scores=True, **kwargs)
        assert y.shape == (2, 4, 5) and s.shape == (2, u, 4, 6)
        np.testing.assert_allclose(y.numpy(), want.numpy(), atol=1e-5)
        np.testing.assert_allclose(s.numpy(), p.numpy(), atol=1e-6)


def test_gqa_matches_numpy_with_gate_and_sliding_window(rng):
    gqa = L.GroupQueryAttention(2, 4, 2, use_gate=True, sliding_window=2)
    x = rng.normal(size=(2, 5, 6)).astype("float32")
    gqa(x, x)
    wq, bq, wk, bk, wg, bg, wv, bv, wo, bo = random_weights(gqa, rng)
    y, s = gqa(x, x, use_causal_mask=True, return_attention_scores=True)
    Q = np.einsum("bqm,muh->bquh", x, wq) + bq
    K = np.repeat(np.einsum("bkm,mvh->bkvh", x, wk) + bk, 2, axis=2)
    V = np.repeat(np.einsum("bkm,mvh->bkvh", x, wv) + bv, 2, axis=2)
    i, j = np.ogrid[:5, :5]
    keep = (j <= i) & (i - j < 2)                       # causal, and at most 1 step back
    scores = np.where(keep, np.einsum("bquh,bkuh->buqk", Q / np.sqrt(2), K), -1e9)
    p = softmax(scores)
    gate = 1 / (1 + np.exp(-(np.einsum("bqm,muh->bquh", x, wg) + bg)))
    want = np.einsum("bquh,uhm->bqm", np.einsum("buqk,bkuh->bquh", p, V) * gate, wo) + bo
    np.testing.assert_allclose(s.numpy(), p, atol=1e-6)
    np.testing.assert_allclose(y.numpy(), want, atol=1e-5)


def test_gqa_masks_from_an_embedding_and_as_arguments(rng):
    emb = L.Embedding(10, 4, mask_zero=True)
    ids = np.array([[3, 5, 2, 0], [4, 0, 0, 0]])
    x = emb(ids)
    gqa = L.GroupQueryAttention(2, 2, 1)
    y, s = gqa(x, x, return_attention_scores=True)
    keep = ids != 0
    np.testing.assert_array_equal(y.mask.numpy(), keep)             # the query's mask
    assert s.mask is None
    np.testing.assert_allclose(s.numpy()[~np.broadcast_to(keep[:, None, None], s.shape)], 0)
    np.testing.assert_allclose(s.numpy()[1, :, 1:], 0)              # padded queries: no key
    plain = tk.tensor(x.numpy())
    y2, s2 = gqa(plain, plain, query_mask=keep, value_mask=keep, return_attention_scores=True)
    np.testing.assert_array_equal(s2.numpy(), s.numpy())
    np.testing.assert_array_equal(y2.numpy(), y.numpy())
    assert y2.mask is None                                  # only a carried mask carries on
    # a mask given as an argument wins over the carried one, as in Keras
    _, s3 = gqa(x, x, value_mask=np.ones((2, 4), bool), return_attention_scores=True)
    assert np.all(s3.numpy()[0, :, :3, 3] > 0)
    # without scores, a query that sees no key weighs every value alike (Keras' fused path)
    y4 = gqa(x, x)
    np.testing.assert_allclose(y4.numpy()[0, :3], y.numpy()[0, :3], atol=1e-6)
    assert not np.allclose(y4.numpy()[1, 1:], y.numpy()[1, 1:])


def test_gqa_gradcheck(rng):
    gqa = L.GroupQueryAttention(2, 4, 2, use_gate=True, dtype="float64")
    q, v, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 5))
    vmask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    gradcheck(lambda q, v, k: gqa(q, v, key=k, value_mask=vmask, use_causal_mask=True),
              q, v, k)
    mqa = L.GroupQueryAttention(3, 2, 1, sliding_window=2, dtype="float64")
    gradcheck(lambda q, v: mqa(q, v, return_attention_scores=True)[1], q, v)


def test_gqa_symbolic_shapes_graph_and_summary(rng, capsys):
    tk.clear_session()
    gqa = L.GroupQueryAttention(head_dim=4, num_query_heads=6, num_key_value_heads=2)
    x = tk.Input(shape=(None, 16))
    with tk.trace() as g:
        y, s = gqa(x, x, return_attention_scores=True)
    assert y.shape == (None, None, 16) and s.shape == (None, 6, None, None)
    steps = [(n["op"], tuple(n["shape"])) for n in g.nodes if n["op"] in ("einsum", "repeat")]
    assert steps == [("einsum", (None, None, 6, 4)), ("einsum", (None, None, 2, 4)),
                     ("einsum", (None, None, 2, 4)), ("repeat", (None, None, 6, 4)),
                     ("repeat", (None, None, 6, 4)), ("einsum", (None, 6, None, None)),
                     ("einsum", (None, None, 6, 4)), ("einsum", (None, None, 16))]
    assert all(n["layer"] == gqa.name for n in g.nodes if n["op"] in ("einsum", "repeat"))
    assert gqa.compute_output_shape((None, 7, 16), (None, 9, 16)) == (None, 7, 16)
    assert gqa.compute_output_shape([(None, 7, 16), (None, 9, 16)]) == (None, 7, 16)
    model = tk.Model(x, y)
    data = rng.normal(size=(3, 5, 16)).astype("float32")
    np.testing.assert_allclose(model(data).numpy(), gqa(data, data).numpy(), atol=1e-6)
    model.summary()
    out = capsys.readouterr().out
    params = 16 * 6 * 4 + 6 * 4 + 2 * (16 * 2 * 4 + 2 * 4) + 6 * 4 * 16 + 16
    row = next(line for line in out.splitlines() if "(GroupQueryAttention)" in line)
    assert row.split()[:2] == [gqa.name, "(GroupQueryAttention)"]
    assert "(None, None, 16)" in row and f"{params:,}" in row.split()
    assert model.count_params() == params


def test_gqa_save_load_and_config(rng, tmp_path):
    tk.clear_session()
    q, v = tk.Input((4, 6)), tk.Input((5, 3))
    y = L.GroupQueryAttention(3, 4, 2, use_gate=True, sliding_window=3, dropout=0.1, seed=2,
                              kernel_regularizer="l2", bias_constraint="non_neg")(
        q, v, use_causal_mask=True)
    model = tk.Model([q, v], y)
    model.save(tmp_path / "gqa.tkmodel")
    again = tk.models.load_model(tmp_path / "gqa.tkmodel")
    x = [rng.normal(size=(2, 4, 6)).astype("float32"),
         rng.normal(size=(2, 5, 3)).astype("float32")]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    layer = again.layers[-1]
    assert isinstance(layer, L.GroupQueryAttention) and layer.sliding_window == 3
    config = layer.get_config()
    assert L.GroupQueryAttention.from_config(config).get_config() == config
    assert len(layer.losses) == 5                     # the 5 kernels' L2 penalties
    assert [w.constraint is not None for w in layer.weights] == [False, True] * 5


def test_gqa_kernels_start_as_keras_einsum_dense(rng):
    """glorot_uniform's fans are the kernel's input and output letters, as Keras'
    EinsumDense: query (m, u, h) has fan_in m, fan_out u * h."""
    gqa = L.GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)
    gqa(np.zeros((1, 2, 64), "float32"), np.zeros((1, 2, 64), "float32"))
    kernel = gqa.weights[0].numpy()
    limit = np.sqrt(6 / (64 + 8 * 16))
    assert limit * 0.95 < np.abs(kernel).max() <= limit
    assert np.abs(gqa.weights[6].numpy()).max() <= np.sqrt(6 / (8 * 16 + 64))


def test_gqa_dropout_trains_only_and_scores_are_before_it(rng):
    gqa = L.GroupQueryAttention(2, 2, 1, dropout=0.5, seed=1)
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    y, s = gqa(x, x, return_attention_scores=True)
    yt, st = gqa(x, x, return_attention_scores=True, training=True)
    np.testing.assert_array_equal(st.numpy(), s.numpy())
    assert not np.allclose(yt.numpy(), y.numpy())
    np.testing.assert_array_equal(gqa(x, x, training=False).numpy(), y.numpy())


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(head_dim=2, num_query_heads=3, num_key_value_heads=2), ValueError,
     r"`num_query_heads` must be divisible by `num_key_value_heads`.*Received: "
     r"num_query_heads=3, num_key_value_heads=2. Fix: num_key_value_heads one of \[1, 3\]"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=4), ValueError,
     r"divisible.*one of \[1, 2\]"),
    (dict(head_dim=0, num_query_heads=2, num_key_value_heads=1), ValueError,
     r"GroupQueryAttention expects head_dim to be a positive integer. Received: head_dim=0"),
    (dict(head_dim=2, num_query_heads=2.0, num_key_value_heads=1), ValueError,
     r"num_query_heads=2.0"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=0), ValueError,
     r"Received: num_key_value_heads=0"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, dropout=1), ValueError,
     r"dropout in \[0, 1\).*Received: dropout=1"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, sliding_window=0), ValueError,
     r"`sliding_window` must be `None` or a positive integer. Received: sliding_window=0"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, flash_attention=True),
     ValueError, r"computes attention plainly.*Received: flash_attention=True. Fix: leave it "
                 r"out \(None\) or False"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, kernel_initializer="glorot"),
     ValueError, r"unknown initializer 'glorot'"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, seed=1.5), ValueError,
     r"seed to be an integer"),
    (dict(head_dim=2, num_query_heads=2, num_key_value_heads=1, num_heads=2), TypeError,
     r"GroupQueryAttention got unexpected argument\(s\) num_heads"),
])
def test_gqa_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        L.GroupQueryAttention(**kwargs)


def test_gqa_flash_attention_off_is_accepted():
    for flash in (None, False):
        assert "flash_attention" not in L.GroupQueryAttention(
            2, 2, 1, flash_attention=flash).get_config()           # as Keras' config


def test_gqa_input_errors():
    gqa = L.GroupQueryAttention(2, 2, 1)
    x = np.zeros((2, 3, 4), "float32")
    with pytest.raises(TypeError, match=r"GroupQueryAttention needs a value: gqa\(query, "
                                        r"value\)"):
        gqa(x)
    with pytest.raises(tk.ShapeError, match="rank 2, but GroupQueryAttention needs rank 3"):
        gqa(np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32"))
    with pytest.raises(tk.ShapeError, match="the key has 5 steps but the value 3"):
        gqa(x, x, key=np.zeros((2, 5, 4), "float32"))
    with pytest.raises(tk.ShapeError, match="use_causal_mask needs the sequence lengths"):
        gqa(tk.Input((None, 4)), tk.Input((None, 4)), use_causal_mask=True)
    with pytest.raises(tk.ShapeError, match="sliding_window needs the sequence lengths"):
        L.GroupQueryAttention(2, 2, 1, sliding_window=2)(tk.Input((None, 4)),
                                                         tk.Input((None, 4)))


def test_gqa_export_is_refused_by_name(tmp_path):
    x = tk.Input((5, 4))
    model = tk.Model(x, L.GroupQueryAttention(2, 2, 1, name="gqa")(x, x))
    with pytest.raises(tk.export.ExportError,
                       match=r"cannot export layer 'gqa' \(GroupQueryAttention\)"):
        tk.export.to_tfjs(model, tmp_path / "web")
    assert not (tmp_path / "web").exists()


def test_multi_head_attention_kernels_start_in_keras_range():
    """Keras' EinsumDense fans: glorot over (dim) in and (heads, head_dim) out, so the limit is
    sqrt(6 / (64 + 8 * 16)) = 0.177, not the 0.0625 of plain glorot on a 3-D kernel."""
    tk.random.seed(0)
    mha = L.MultiHeadAttention(num_heads=8, key_dim=16)
    q = tk.tensor(np.zeros((1, 5, 64), "float32"))
    mha(q, q)
    limit = np.sqrt(6 / (64 + 8 * 16))
    for kernel in (mha.query_kernel, mha.key_kernel, mha.value_kernel, mha.output_kernel):
        top = np.abs(kernel.numpy()).max()
        assert 0.95 * limit < top <= limit, kernel.name


def test_multi_head_attention_takes_keras_regularizers_and_constraints(tmp_path):
    mha = L.MultiHeadAttention(2, 4, kernel_regularizer=tk.regularizers.L2(0.1),
                               bias_constraint="non_neg", name="mha")
    q = tk.tensor(np.ones((1, 3, 5), "float32"))
    mha(q, q)
    assert len(mha.losses) == 4                        # one penalty per kernel
    assert all(b.constraint is mha.bias_constraint for b in
               (mha.query_bias, mha.key_bias, mha.value_bias, mha.output_bias))
    inp = tk.Input((3, 5))
    model = tk.Model(inp, L.MultiHeadAttention.from_config(mha.get_config())(inp, inp))
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel").layers[-1]
    assert again.kernel_regularizer.get_config() == {"l2": 0.1}
