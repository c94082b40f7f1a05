"""Attention and MultiHeadAttention: NumPy references, masks, scores, shapes, weights, configs."""

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
