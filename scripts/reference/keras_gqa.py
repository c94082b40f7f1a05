"""Record Keras 3's GroupQueryAttention (GroupedQueryAttention) for
tests/test_reference_keras_gqa.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    KERAS_BACKEND=jax /work/kvenv/bin/python scripts/reference/keras_gqa.py

(`make references` runs it). It writes tests/data/reference/keras_gqa.npz:
  "layer"  a layer from `config` with random weights w (get_weights order, flattened into
           one vector: spec weight_shapes splits it) called as
           layer(q, v, key=k, query_mask=..., value_mask=..., key_mask=...,
           attention_mask=..., **call); arrays: the inputs and masks by name, y0 (output),
           y1 (scores, with return_attention_scores), g_q/g_v/g_k and gw (gradients of
           sum(y_i * cotangent(shape, i)) for the inputs and the weights, as w: jax.grad through
           stateless_call), out_mask (the output's mask), penalty and n_losses (the sum and
           count of layer.losses: weight and activity regularizers).
           spec: weight_names (each weight's path below the layer), output_shape
           (compute_output_shape of None batches, or the error it raises), n_out.
           "propagated": the masks come from the inputs (Keras' mask propagation, as an
           Embedding(mask_zero=True) output carries one), not from call arguments; the
           script checks that Embedding -> GroupQueryAttention gives the same output.
  "config" get_config (less name, dtype, trainable) of a layer built from `kwargs`.
  "error"  the message Keras raises for `kwargs`.
"""

import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.backend.common.masking import get_keras_mask, set_keras_mask  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_gqa.npz")
rng = np.random.default_rng(7)
# Keras warns that its inner EinsumDense layers drop the masks the inputs carry (the
# attention layer has used them already)
warnings.filterwarnings("ignore", message=r"Layer '\w+' \(of type EinsumDense\)")
B = 2


def normal(shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def cotangent(shape, i):
    """The fixed cotangent of output i (a formula, so the case file need not hold it)."""
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


def pad_mask(t, pad="right"):
    """(B, t) booleans: example b has b + 1 padded steps (at the end, or the start)."""
    m = np.ones((B, t), bool)
    for b in range(B):
        n = min(b + 1, t - 1)
        if pad == "right":
            m[b, t - n:] = False
        else:
            m[b, :n] = False
    return m


def heads(d, u, kv, **more):
    return {"head_dim": d, "num_query_heads": u, "num_key_value_heads": kv, **more}


x6 = normal((B, 5, 6))
_am = rng.random((B, 4, 6)) < 0.6
_am[:, :, 0] = True                                     # every query sees some key
_padq = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)    # padded queries see no key at all

# (name, config, inputs {q, v, k?: array}, masks {query_mask..: array}, call kwargs)
LAYERS = [
    ("self_4q_2kv", heads(3, 4, 2), {"q": x6, "v": x6.copy()}, {}, {}),
    ("self_4q_2kv_scores", heads(3, 4, 2), {"q": x6, "v": x6.copy()}, {},
     {"return_attention_scores": True}),
    ("cross_multi_query_1kv", heads(2, 4, 1), {"q": normal((B, 3, 6)), "v": normal((B, 5, 4))},
     {}, {"return_attention_scores": True}),
    ("key_differs_3q_3kv", heads(2, 3, 3),
     {"q": normal((B, 3, 5)), "v": normal((B, 4, 6)), "k": normal((B, 4, 3))}, {},
     {"return_attention_scores": True}),
    ("one_head", heads(4, 1, 1), {"q": normal((B, 3, 4)), "v": normal((B, 4, 4))}, {}, {}),
    ("six_q_two_kv_nobias", heads(2, 6, 2, use_bias=False),
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4))}, {}, {"return_attention_scores": True}),
    ("causal_only", heads(3, 4, 2), {"q": x6, "v": x6.copy()}, {}, {"use_causal_mask": True}),
    ("causal_scores", heads(3, 4, 2), {"q": x6, "v": x6.copy()}, {},
     {"use_causal_mask": True, "return_attention_scores": True}),
    ("causal_cross_longer_keys", heads(2, 2, 1),
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4))}, {},
     {"use_causal_mask": True, "return_attention_scores": True}),
    ("value_mask", heads(2, 4, 2), {"q": normal((B, 3, 4)), "v": normal((B, 5, 4))},
     {"value_mask": pad_mask(5)}, {}),
    ("value_mask_scores", heads(2, 4, 2), {"q": normal((B, 3, 4)), "v": normal((B, 5, 4))},
     {"value_mask": pad_mask(5)}, {"return_attention_scores": True}),
    ("query_value_masks", heads(2, 4, 2), {"q": normal((B, 4, 4)), "v": normal((B, 5, 4))},
     {"query_mask": _padq, "value_mask": pad_mask(5)}, {}),
    ("query_value_masks_scores", heads(2, 4, 2),
     {"q": normal((B, 4, 4)), "v": normal((B, 5, 4))},
     {"query_mask": _padq, "value_mask": pad_mask(5)}, {"return_attention_scores": True}),
    ("query_mask_dropout_inference", heads(2, 4, 2, dropout=0.3),
     {"q": normal((B, 4, 4)), "v": normal((B, 5, 4))}, {"query_mask": _padq}, {}),
    ("key_and_value_masks", heads(2, 2, 1),
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "k": normal((B, 5, 3))},
     {"value_mask": pad_mask(5), "key_mask": pad_mask(5, "left")},
     {"return_attention_scores": True}),
    ("attention_mask_causal", heads(2, 4, 2),
     {"q": normal((B, 4, 4)), "v": normal((B, 6, 4)), "attention_mask": _am}, {},
     {"use_causal_mask": True, "return_attention_scores": True}),
    ("attention_mask_ints", heads(2, 4, 4),
     {"q": normal((B, 4, 4)), "v": normal((B, 6, 4)), "attention_mask": _am.astype(np.int32)},
     {}, {}),
    ("causal_padded_left", heads(3, 4, 2), {"q": x6, "v": x6.copy()},
     {"value_mask": pad_mask(5, "left")}, {"use_causal_mask": True}),
    ("sliding_window", heads(2, 4, 2, sliding_window=2), {"q": x6, "v": x6.copy()}, {},
     {"return_attention_scores": True}),
    ("sliding_window_causal", heads(2, 4, 2, sliding_window=3), {"q": x6, "v": x6.copy()},
     {}, {"use_causal_mask": True}),
    ("gate", heads(3, 4, 2, use_gate=True), {"q": normal((B, 3, 6)), "v": normal((B, 4, 5))},
     {}, {"return_attention_scores": True}),
    ("gate_nobias_masks", heads(2, 2, 1, use_gate=True, use_bias=False),
     {"q": normal((B, 4, 4)), "v": normal((B, 5, 4))},
     {"query_mask": _padq, "value_mask": pad_mask(5)}, {}),
    ("regularized", heads(2, 4, 2, kernel_regularizer="l2", bias_regularizer="l1"),
     {"q": normal((B, 3, 4)), "v": normal((B, 4, 4))}, {}, {}),
    # Keras hands activity_regularizer to each projection too: a penalty for q, k, v, the
    # gate and the output (twice: the projection's and the layer's), and for the scores
    ("activity_regularized", heads(2, 4, 2, activity_regularizer="l2", use_gate=True),
     {"q": normal((B, 3, 4)), "v": normal((B, 4, 4))}, {}, {"return_attention_scores": True}),
]

# (name, config, query ids, value ids or None (self-attention), call kwargs): the masks
# travel with the tensors (Embedding(mask_zero=True) outputs)
_ids_q = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]], np.int32)
_ids_v = np.array([[7, 2, 2, 9, 0, 0], [1, 0, 0, 0, 0, 0]], np.int32)
PROPAGATED = [
    ("embed_self", heads(2, 4, 2), _ids_q, None, {}),
    ("embed_self_scores", heads(2, 4, 2), _ids_q, None, {"return_attention_scores": True}),
    ("embed_self_causal", heads(2, 4, 1), _ids_q, None, {"use_causal_mask": True}),
    ("embed_cross_scores", heads(2, 2, 2), _ids_q, _ids_v, {"return_attention_scores": True}),
]

CONFIGS = [
    ("cfg_default", heads(8, 4, 2)),
    ("cfg_mqa", heads(16, 8, 1, dropout=0.1, seed=3)),
    ("cfg_no_bias_gate", heads(4, 2, 2, use_bias=False, use_gate=True)),
    ("cfg_window_initializers", heads(4, 6, 3, sliding_window=4,
                                      kernel_initializer="he_normal",
                                      bias_initializer="ones")),
    ("cfg_regularized", heads(4, 4, 2, kernel_regularizer="l2", bias_regularizer="l1",
                              activity_regularizer="l2", kernel_constraint="max_norm",
                              bias_constraint="non_neg")),
    ("cfg_flash_false", heads(4, 4, 2, flash_attention=False)),
]

ERRORS = [
    ("err_not_divisible", heads(2, 3, 2)),
    ("err_more_kv_heads", heads(2, 2, 4)),
    ("err_sliding_window", heads(2, 2, 1, sliding_window=0)),
]


def random_weights(layer):
    return [normal(w.shape, 0.5) for w in layer.weights]


def flat(arrays):
    """Weights (or their gradients) as one vector, to keep the file small: a case file
    spends ~250 bytes on each array it holds."""
    return np.concatenate([np.asarray(a, np.float32).ravel() for a in arrays])


def split(vector, shapes):
    sizes = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    return [a.reshape(s) for a, s in zip(np.split(vector, sizes), shapes)]


def output_shape(layer, shapes):
    try:
        return list(layer.compute_output_shape(*[(None,) + s[1:] for s in shapes]))
    except ValueError as e:
        return str(e)


def run(layer, q, v, k, masks, call, tw=None):
    kwargs = dict(call, **masks)
    if tw is None:
        out = layer(q, v, key=k, **kwargs)
    else:
        state = [x.value for x in layer.non_trainable_variables]
        out = layer.stateless_call(tw, state, q, v, key=k, **kwargs)[0]
    return list(out) if isinstance(out, (list, tuple)) else [out]


def layer_case(config, inputs, masks, call, propagated=False):
    inputs = dict(inputs)
    am = inputs.pop("attention_mask", None)
    q, v, k = inputs["q"], inputs["v"], inputs.get("k")
    given = dict(masks, **({} if am is None else {"attention_mask": am}))
    layer = keras.layers.GroupQueryAttention(**config)
    run(layer, q, v, k, given, call)
    weights = random_weights(layer)
    layer.set_weights(weights)
    outs = run(layer, q, v, k, given, call)
    arrays = {**inputs, "w": flat(weights), **{f"y{i}": np.asarray(y) for i, y in
                                                enumerate(outs)}}
    for name, m in given.items():
        arrays[name] = m
    if propagated:                       # the same masks, carried by the input tensors
        qt, vt = jnp.asarray(q), jnp.asarray(v)
        set_keras_mask(qt, jnp.asarray(masks["query_mask"]))
        set_keras_mask(vt, jnp.asarray(masks["value_mask"]))
        again = run(layer, qt, vt, None, {}, call)
        for a, b in zip(again, outs):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        mask = get_keras_mask(again[0])
        if mask is not None:
            arrays["out_mask"] = np.asarray(mask)
    if layer.losses:
        arrays["penalty"] = np.float32(sum(float(x) for x in layer.losses))
        arrays["n_losses"] = np.int32(len(layer.losses))
    cts = [cotangent(y.shape, i) for i, y in enumerate(arrays[f"y{i}"] for i in
                                                       range(len(outs)))]

    def loss(tw, q, v, k):
        return sum(jnp.sum(y * ct) for y, ct in zip(run(layer, q, v, k, given, call, tw), cts))

    tw = [w.value for w in layer.trainable_weights]
    gw, gq, gv, gk = jax.grad(loss, argnums=(0, 1, 2, 3))(tw, q, v, k)
    arrays.update(g_q=np.asarray(gq), g_v=np.asarray(gv))
    if k is not None:
        arrays["g_k"] = np.asarray(gk)
    arrays["gw"] = flat(gw)
    prefix = layer.name + "/"
    spec = {"kind": "layer", "config": config, "call": call, "inputs": sorted(inputs),
            "masks": sorted(given), "propagated": propagated, "n_out": len(outs),
            "weight_names": [w.path[len(prefix):] for w in layer.weights],
            "weight_shapes": [list(w.shape) for w in layer.weights],
            "output_shape": output_shape(layer, [x.shape for x in (q, v, k) if x is not None])}
    return spec, arrays


def embed_check(config, ids_q, ids_v, call, weights, d):
    """Embedding(mask_zero=True) -> GroupQueryAttention in a functional model: the masks
    Keras propagates give the output the case recorded with the masks passed by hand."""
    emb = keras.layers.Embedding(10, d, mask_zero=True)
    iq = keras.Input(ids_q.shape[1:], dtype="int32")
    iv = iq if ids_v is None else keras.Input(ids_v.shape[1:], dtype="int32")
    xq = emb(iq)
    xv = xq if ids_v is None else emb(iv)
    layer = keras.layers.GroupQueryAttention(**config)
    outs = layer(xq, xv, **call)
    model = keras.Model([iq] if ids_v is None else [iq, iv], outs)
    table = normal((10, d))
    emb.set_weights([table])
    layer.set_weights(weights)
    got = model([ids_q] if ids_v is None else [ids_q, ids_v])
    got = list(got) if isinstance(got, (list, tuple)) else [got]
    vids = ids_q if ids_v is None else ids_v
    plain = keras.layers.GroupQueryAttention(**config)
    masks = {"query_mask": ids_q != 0, "value_mask": vids != 0}
    run(plain, table[ids_q], table[vids], None, masks, call)
    plain.set_weights(layer.get_weights())
    want = run(plain, table[ids_q], table[vids], None, masks, call)
    for y, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(y), np.asarray(w), rtol=1e-6, atol=1e-6)


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, config, inputs, masks, call in LAYERS:
        cases[name] = layer_case(config, inputs, masks, call)
    for name, config, ids_q, ids_v, call in PROPAGATED:
        d = config["head_dim"] * 2
        q = normal((B,) + ids_q.shape[1:] + (d,))
        v = q.copy() if ids_v is None else normal((B,) + ids_v.shape[1:] + (d,))
        masks = {"query_mask": ids_q != 0, "value_mask": (ids_q if ids_v is None else ids_v)
                 != 0}
        spec, arrays = layer_case(config, {"q": q, "v": v}, masks, call, propagated=True)
        embed_check(config, ids_q, ids_v, call, split(arrays["w"], spec["weight_shapes"]), d)
        cases[name] = spec, arrays
    for name, kwargs in CONFIGS:
        config = keras.layers.GroupQueryAttention(**kwargs).get_config()
        for key in ("name", "dtype", "trainable"):
            config.pop(key)
        cases[name] = {"kind": "config", "kwargs": kwargs, "config": config}, {}
    for name, kwargs in ERRORS:
        try:
            keras.layers.GroupQueryAttention(**kwargs)
            raise AssertionError(f"{name}: Keras took {kwargs}")
        except ValueError as e:
            cases[name] = {"kind": "error", "kwargs": kwargs, "message": str(e)}, {}
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
