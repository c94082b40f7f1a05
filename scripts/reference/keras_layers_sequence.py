"""Record Keras 3's sequence and normalization layers (Embedding, SimpleRNN, LSTM, GRU,
Bidirectional, TimeDistributed, BatchNormalization, LayerNormalization, Attention,
MultiHeadAttention), for tests/test_reference_keras_layers_sequence.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

(which runs KERAS_BACKEND=jax .venv-reference/bin/python
scripts/reference/keras_layers_sequence.py).

It writes tests/data/reference/keras_layers_sequence.npz. Each case builds the Keras layer
from its spec, gives it random weights with set_weights, and stores:
  spec   layer, config, inner (the wrapped layer of Bidirectional / TimeDistributed),
         embed (an Embedding config run first: ids -> vectors and their mask), call
         (plain call arguments), form ("single", "list" for Attention, "mha"), inputs
         (array names, in call order), states (initial_state array names), masks (one
         mask array name or null per input), attention_mask, training, trainable (one
         flag per weight), n_out (how many outputs)
  arrays inputs by name, w0.. (weights, get_weights order, the Embedding's first), y0..
         (outputs, flattened), g_<input> and gw<i> (gradients of sum(y_i * ct_i), ct_i =
         cotangent(shape, i) a fixed formula, for the float inputs and the trainable
         weights: jax.grad through stateless_call), after<i> (BatchNormalization's moving
         statistics after a training call), out_mask (the Embedding's mask).
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.backend.common.masking import set_keras_mask  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_layers_sequence.npz")
rng = np.random.default_rng(0)


def normal(shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def cotangent(shape, i):
    """The fixed cotangent of output i (a formula, so the case file need not hold it)."""
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


def ids(shape, pad=None):
    """Token ids in 1..9; pad="right"/"left" zeroes the end/start of each sequence by a
    different length (one sequence unpadded)."""
    a = rng.integers(1, 10, size=shape).astype(np.int32)
    if pad:
        for b in range(1, shape[0]):
            n = min(b + 1, shape[1] - 1)
            if pad == "right":
                a[b, shape[1] - n:] = 0
            else:
                a[b, :n] = 0
    return a


def pad_mask(shape, pad):
    return ids(shape, pad) != 0


# ---- the cases -----------------------------------------------------------------------------
B, T, F, U = 2, 5, 3, 4
CASES = {}


def case(name, layer, config=None, inputs=None, **spec):
    """inputs: {name: array} in call order."""
    CASES[name] = dict(layer=layer, config=config or {}, inputs=inputs, **spec)


def seq(t=T, f=F):
    return {"x": normal((B, t, f))}


# Embedding
case("embedding_2d", "Embedding", {"input_dim": 10, "output_dim": 4},
     {"ids": ids((3, 6))})
case("embedding_3d", "Embedding", {"input_dim": 10, "output_dim": 3},
     {"ids": ids((2, 3, 4))})
case("embedding_mask_zero", "Embedding", {"input_dim": 10, "output_dim": 4,
                                          "mask_zero": True}, {"ids": ids((3, 6), "right")})

# SimpleRNN / LSTM / GRU
for cls in ("SimpleRNN", "LSTM", "GRU"):
    low = cls.lower()
    case(f"{low}_last", cls, {"units": U}, seq())
    case(f"{low}_seq_state", cls, {"units": U, "return_sequences": True,
                                   "return_state": True}, seq())
    case(f"{low}_backwards_seq", cls, {"units": U, "return_sequences": True,
                                       "go_backwards": True}, seq())
    n_states = 2 if cls == "LSTM" else 1
    states = {f"s{i}": normal((B, U), 0.5) for i in range(n_states)}
    case(f"{low}_initial_state", cls, {"units": U, "return_sequences": True,
                                       "return_state": True}, {**seq(), **states},
         states=list(states))
    for pad in ("right", "left"):
        case(f"{low}_mask_{pad}_seq", cls, {"units": U, "return_sequences": True,
                                            "return_state": True},
             {"ids": ids((3, 6), pad)}, embed={"input_dim": 10, "output_dim": F,
                                               "mask_zero": True})
    case(f"{low}_mask_left_last", cls, {"units": U}, {"ids": ids((3, 6), "left")},
         embed={"input_dim": 10, "output_dim": F, "mask_zero": True})
    case(f"{low}_mask_backwards", cls, {"units": U, "return_sequences": True,
                                        "go_backwards": True, "return_state": True},
         {"ids": ids((3, 6), "right")}, embed={"input_dim": 10, "output_dim": F,
                                               "mask_zero": True})
case("simplernn_relu_nobias", "SimpleRNN", {"units": U, "activation": "relu",
                                            "use_bias": False, "return_sequences": True},
     seq())
case("simplernn_linear", "SimpleRNN", {"units": U, "activation": "linear"}, seq())
case("lstm_relu_hard_sigmoid_nobias", "LSTM",
     {"units": U, "activation": "relu", "recurrent_activation": "hard_sigmoid",
      "use_bias": False, "return_sequences": True, "return_state": True}, seq())
case("lstm_tanh_tanh", "LSTM", {"units": U, "recurrent_activation": "tanh",
                                "return_sequences": True}, seq())
_pad_all = ids((3, 6), "right")
_pad_all[2] = 0                                          # a sequence of padding only
case("lstm_mask_all_padding", "LSTM", {"units": U, "return_sequences": True,
                                       "return_state": True},
     {"ids": _pad_all}, embed={"input_dim": 10, "output_dim": F, "mask_zero": True})
case("gru_reset_before", "GRU", {"units": U, "reset_after": False,
                                 "return_sequences": True, "return_state": True}, seq())
case("gru_reset_before_backwards", "GRU", {"units": U, "reset_after": False,
                                           "go_backwards": True}, seq())
case("gru_nobias_hard_sigmoid", "GRU", {"units": U, "use_bias": False,
                                        "recurrent_activation": "hard_sigmoid",
                                        "activation": "relu", "return_sequences": True},
     seq())
case("gru_reset_before_mask_left", "GRU", {"units": U, "reset_after": False,
                                           "return_sequences": True},
     {"ids": ids((3, 6), "left")}, embed={"input_dim": 10, "output_dim": F,
                                          "mask_zero": True})

# Bidirectional
for mode in ("concat", "sum", "mul", "ave", None):
    case(f"bidirectional_lstm_{mode}_seq", "Bidirectional", {"merge_mode": mode},
         seq(), inner=("LSTM", {"units": U, "return_sequences": True}))
case("bidirectional_gru_sum_last", "Bidirectional", {"merge_mode": "sum"}, seq(),
     inner=("GRU", {"units": U}))
case("bidirectional_simplernn_concat_last", "Bidirectional", {}, seq(),
     inner=("SimpleRNN", {"units": U}))
case("bidirectional_lstm_state", "Bidirectional", {"merge_mode": "concat"}, seq(),
     inner=("LSTM", {"units": U, "return_state": True}))
case("bidirectional_gru_none_state_seq", "Bidirectional", {"merge_mode": None}, seq(),
     inner=("GRU", {"units": U, "return_state": True, "return_sequences": True}))
for pad in ("right", "left"):
    case(f"bidirectional_lstm_mask_{pad}_seq", "Bidirectional", {"merge_mode": "concat"},
         {"ids": ids((3, 6), pad)}, inner=("LSTM", {"units": U, "return_sequences": True}),
         embed={"input_dim": 10, "output_dim": F, "mask_zero": True})
case("bidirectional_gru_mask_last", "Bidirectional", {"merge_mode": "sum"},
     {"ids": ids((3, 6), "right")}, inner=("GRU", {"units": U}),
     embed={"input_dim": 10, "output_dim": F, "mask_zero": True})
case("bidirectional_simplernn_mask_state_seq", "Bidirectional", {"merge_mode": "ave"},
     {"ids": ids((3, 6), "right")},
     inner=("SimpleRNN", {"units": U, "return_sequences": True, "return_state": True}),
     embed={"input_dim": 10, "output_dim": F, "mask_zero": True})
_bst = {f"s{i}": normal((B, U), 0.5) for i in range(4)}
case("bidirectional_lstm_initial_state", "Bidirectional", {}, {**seq(), **_bst},
     inner=("LSTM", {"units": U, "return_sequences": True}), states=list(_bst))

# TimeDistributed
case("timedistributed_dense", "TimeDistributed", {}, {"x": normal((2, 4, 5))},
     inner=("Dense", {"units": 3}))
case("timedistributed_dense_relu_4d", "TimeDistributed", {}, {"x": normal((2, 3, 2, 5))},
     inner=("Dense", {"units": 3, "activation": "relu"}))
case("timedistributed_conv2d", "TimeDistributed", {}, {"x": normal((2, 3, 5, 5, 2))},
     inner=("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "same"}))
case("timedistributed_conv2d_valid_s2", "TimeDistributed", {},
     {"x": normal((2, 2, 7, 6, 2))},
     inner=("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "activation": "tanh"}))

# BatchNormalization (training=True also records the moving statistics after the call)
for training in (False, True):
    t = "train" if training else "infer"
    case(f"batchnorm_{t}", "BatchNormalization", {}, {"x": normal((6, 3), 2.0) + 1.0},
         training=training)
    case(f"batchnorm_{t}_3d", "BatchNormalization", {}, {"x": normal((2, 5, 3)) - 0.5},
         training=training)
    case(f"batchnorm_{t}_axis1", "BatchNormalization",
         {"axis": 1, "momentum": 0.9, "epsilon": 1e-5}, {"x": normal((4, 3, 2, 2))},
         training=training)
    case(f"batchnorm_{t}_nocenter_noscale", "BatchNormalization",
         {"center": False, "scale": False}, {"x": normal((5, 4))}, training=training)
    case(f"batchnorm_{t}_noscale_eps", "BatchNormalization",
         {"scale": False, "epsilon": 0.1, "momentum": 0.5}, {"x": normal((3, 2, 2, 3))},
         training=training)

# LayerNormalization
case("layernorm", "LayerNormalization", {}, {"x": normal((2, 5, 4), 2.0)})
case("layernorm_2d", "LayerNormalization", {"epsilon": 1e-5}, {"x": normal((3, 6))})
case("layernorm_axis_list", "LayerNormalization", {"axis": [1, 2]}, {"x": normal((2, 3, 4))})
case("layernorm_axis_neg_list", "LayerNormalization", {"axis": [-2, -1]},
     {"x": normal((2, 2, 3, 4))})
case("layernorm_axis1", "LayerNormalization", {"axis": 1}, {"x": normal((2, 3, 4))})
case("layernorm_nocenter_noscale", "LayerNormalization",
     {"center": False, "scale": False}, {"x": normal((2, 3, 4))})
case("layernorm_noscale", "LayerNormalization", {"scale": False}, {"x": normal((2, 3, 4))})

# Attention (Luong dot / Bahdanau concat scores)
qv = {"q": normal((B, 3, 4)), "v": normal((B, 5, 4))}
case("attention_dot", "Attention", {}, dict(qv), form="list")
case("attention_scale_key_scores", "Attention", {"use_scale": True},
     {**qv, "k": normal((B, 5, 4))}, form="list", call={"return_attention_scores": True})
case("attention_concat", "Attention", {"score_mode": "concat"}, dict(qv), form="list",
     call={"return_attention_scores": True})
case("attention_concat_scale", "Attention", {"score_mode": "concat", "use_scale": True},
     {**qv, "k": normal((B, 5, 4))}, form="list")
case("attention_masks", "Attention", {}, {**qv, "qm": pad_mask((B, 3), "right"),
                                          "vm": pad_mask((B, 5), "right")},
     form="list", masks=["qm", "vm"], call={"return_attention_scores": True})
case("attention_causal", "Attention", {"use_scale": True},
     {"q": normal((B, 4, 3)), "v": normal((B, 4, 3))}, form="list",
     call={"use_causal_mask": True, "return_attention_scores": True})
case("attention_causal_vmask_left", "Attention", {},        # query 0 sees no key
     {"q": normal((B, 5, 3)), "v": normal((B, 5, 3)), "vm": pad_mask((B, 5), "left")},
     form="list", masks=[None, "vm"], call={"use_causal_mask": True,
                                            "return_attention_scores": True})
case("attention_causal_vmask", "Attention", {},
     {"q": normal((B, 5, 3)), "v": normal((B, 5, 3)), "vm": pad_mask((B, 5), "right")},
     form="list", masks=[None, "vm"], call={"use_causal_mask": True})

# MultiHeadAttention
x6 = normal((B, 4, 6))
case("mha_self", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": x6, "v": x6.copy()}, form="mha")
case("mha_cross_scores", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": normal((B, 3, 6)), "v": normal((B, 5, 4))}, form="mha",
     call={"return_attention_scores": True})
case("mha_value_dim_output_shape_key", "MultiHeadAttention",
     {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": 7},
     {"q": normal((B, 3, 6)), "v": normal((B, 5, 4)), "k": normal((B, 5, 5))}, form="mha",
     call={"return_attention_scores": True})
case("mha_nobias_one_head", "MultiHeadAttention",
     {"num_heads": 1, "key_dim": 4, "use_bias": False},
     {"q": normal((B, 3, 5)), "v": normal((B, 4, 5))}, form="mha")
_am = rng.random((B, 3, 5)) < 0.6
_am[:, :, 0] = True                                      # every query sees a key
case("mha_attention_mask", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "am": _am}, form="mha",
     attention_mask="am", call={"return_attention_scores": True})
case("mha_attention_mask_no_scores", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "am": _am}, form="mha",
     attention_mask="am")
case("mha_causal", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": x6, "v": x6.copy()}, form="mha", call={"use_causal_mask": True})
case("mha_causal_scores", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": x6, "v": x6.copy()}, form="mha",
     call={"use_causal_mask": True, "return_attention_scores": True})
case("mha_causal_attention_mask", "MultiHeadAttention", {"num_heads": 2, "key_dim": 2},
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "am": _am}, form="mha",
     attention_mask="am", call={"use_causal_mask": True})
case("mha_value_mask", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "vm": pad_mask((B, 5), "right")},
     form="mha", masks=[None, "vm"], call={"return_attention_scores": True})
_pm = pad_mask((B, 4), "right")
for scores in (False, True):
    case(f"mha_padding_self{'_scores' if scores else ''}", "MultiHeadAttention",
         {"num_heads": 2, "key_dim": 3}, {"q": x6, "v": x6.copy(), "qm": _pm,
                                           "vm": _pm.copy()},
         form="mha", masks=["qm", "vm"], call={"return_attention_scores": scores})
for scores in (False, True):
    case(f"mha_causal_padding_left{'_scores' if scores else ''}", "MultiHeadAttention",
         {"num_heads": 2, "key_dim": 3}, {"q": x6, "v": x6.copy(), "vm": _pm[:, ::-1].copy()},
         form="mha", masks=[None, "vm"],
         call={"use_causal_mask": True, "return_attention_scores": scores})
case("mha_key_mask", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     {"q": normal((B, 3, 4)), "v": normal((B, 5, 4)), "k": normal((B, 5, 4)),
      "vm": pad_mask((B, 5), "right"), "km": pad_mask((B, 5), "left")},
     form="mha", masks=[None, "vm", "km"], call={"return_attention_scores": True})


# ---- running a case in Keras ---------------------------------------------------------------
def make(name, config, inner=None):
    cls = getattr(keras.layers, name)
    if inner is not None:
        return cls(make(*inner), **config)
    return cls(**config)


def random_weights(layer):
    out = []
    for w in layer.weights:
        last = w.path.rsplit("/", 1)[-1]
        if last == "moving_variance":
            out.append(rng.uniform(0.5, 1.5, w.shape).astype(np.float32))
        elif last in ("gamma", "scale", "concat_score_weight"):
            out.append(1.0 + normal(w.shape, 0.3))
        else:
            out.append(normal(w.shape, 0.5))
    return out


def record(name, spec):
    keras.utils.clear_session()
    arrays = dict(spec.pop("inputs"))
    form = spec.setdefault("form", "single")
    names = [n for n in arrays if n in ("x", "q", "v", "k", "ids")]
    spec["inputs"] = names
    spec.setdefault("states", [])
    spec.setdefault("masks", [])
    spec.setdefault("attention_mask", None)
    spec.setdefault("call", {})
    if "inner" in spec:
        spec["inner"] = list(spec["inner"])
    layer = make(spec["layer"], spec["config"], spec.get("inner"))
    emb = keras.layers.Embedding(**spec["embed"]) if "embed" in spec else None

    def run(tv, ntv, values, emb_tv=(), emb_ntv=()):
        """Outputs (a list) and the non-trainable variables after the call."""
        kwargs = dict(spec["call"])
        if "training" in spec:
            kwargs["training"] = spec["training"]
        ins = [values[n] for n in names]
        if emb is not None:
            mask = emb.compute_mask(ins[0])
            ins[0], _ = emb.stateless_call(list(emb_tv), list(emb_ntv), ins[0])
            kwargs["mask"] = mask
        if spec["states"]:
            kwargs["initial_state"] = [values[n] for n in spec["states"]]
        if spec["attention_mask"]:
            kwargs["attention_mask"] = jnp.asarray(arrays[spec["attention_mask"]])
        masks = [None if m is None else jnp.asarray(arrays[m]) for m in spec["masks"]]
        if form == "list":
            if masks:
                kwargs["mask"] = masks
            out, ntv = layer.stateless_call(tv, ntv, ins, **kwargs)
        elif form == "mha":
            masks += [None] * (3 - len(masks))
            if masks[0] is not None:
                set_keras_mask(ins[0], masks[0])         # MHA reads the query's own mask
            if masks[1] is not None:
                kwargs["value_mask"] = masks[1]
            if masks[2] is not None:
                kwargs["key_mask"] = masks[2]
            out, ntv = layer.stateless_call(tv, ntv, ins[0], ins[1],
                                            *(ins[2:3]), **kwargs)
        else:
            out, ntv = layer.stateless_call(tv, ntv, ins[0], **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return outs, ntv

    # build with one eager call, then random weights
    values = {n: jnp.asarray(arrays[n]) for n in names + spec["states"]}
    if emb is not None:
        emb.build(arrays[names[0]].shape)
        x0 = emb(values[names[0]])
    else:
        x0 = values[names[0]]
    if form == "list":
        layer([values[n] for n in names])
    elif form == "mha":
        # the scores path: Keras 3.15's fused one fails on value_dim != key_dim (JAX)
        layer(*[values[n] for n in names], return_attention_scores=True)
    else:
        layer(x0)
    weights = (random_weights(emb) if emb else []) + random_weights(layer)
    n_emb = len(emb.weights) if emb else 0
    if emb:
        emb.set_weights(weights[:n_emb])
    layer.set_weights(weights[n_emb:])
    all_w = (list(emb.weights) if emb else []) + list(layer.weights)
    spec["trainable"] = [bool(w.trainable) for w in all_w]

    ntv = [v.value for v in layer.non_trainable_variables]
    emb_ntv = [v.value for v in emb.non_trainable_variables] if emb else []
    outs, new_ntv = run([v.value for v in layer.trainable_variables], ntv, values,
                        [v.value for v in emb.trainable_variables] if emb else [], emb_ntv)
    outs = [np.asarray(o) for o in outs]
    cts = [cotangent(o.shape, i) for i, o in enumerate(outs)]
    floats = [n for n in names + spec["states"] if arrays[n].dtype == np.float32]

    def loss(tv, emb_tv, xs):
        vals = dict(values, **xs)
        o, _ = run(tv, ntv, vals, emb_tv, emb_ntv)
        return sum(jnp.sum(a * c) for a, c in zip(o, cts))

    g_tv, g_emb, g_x = jax.grad(loss, argnums=(0, 1, 2))(
        [v.value for v in layer.trainable_variables],
        [v.value for v in emb.trainable_variables] if emb else [],
        {n: values[n] for n in floats})
    # gradients by variable, then in get_weights order
    by_var = {}
    for var, g in zip(layer.trainable_variables, g_tv):
        by_var[id(var)] = g
    if emb:
        for var, g in zip(emb.trainable_variables, g_emb):
            by_var[id(var)] = g
    out_arrays = dict(arrays)
    for i, w in enumerate(weights):
        out_arrays[f"w{i}"] = w
    for i, var in enumerate(all_w):
        if var.trainable:
            out_arrays[f"gw{i}"] = np.asarray(by_var[id(var)])
    for i, o in enumerate(outs):
        out_arrays[f"y{i}"] = o
    for n in floats:
        out_arrays[f"g_{n}"] = np.asarray(g_x[n])
    if spec.get("training"):                              # weights after the call
        after = dict(zip([id(v) for v in layer.non_trainable_variables], new_ntv))
        for i, var in enumerate(all_w):
            if id(var) in after:
                out_arrays[f"after{i}"] = np.asarray(after[id(var)])
    if spec["layer"] == "Embedding" and spec["config"].get("mask_zero"):
        out_arrays["out_mask"] = np.asarray(layer.compute_mask(values[names[0]]))
    spec["n_out"] = len(outs)
    return spec, out_arrays


def main():
    cases = {name: record(name, dict(spec)) for name, spec in CASES.items()}
    save_cases(OUT, cases)
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} "
          f"({os.path.getsize(OUT) // 1024} KB)")


if __name__ == "__main__":
    main()
