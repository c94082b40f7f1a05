"""Sequence and normalization layers against recorded Keras 3 (JAX) cases: Embedding,
SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, BatchNormalization,
LayerNormalization, Attention and MultiHeadAttention.

Each case (scripts/reference/keras_layers_sequence.py writes them) builds the layer from
Keras' config, copies Keras' weights with set_weights (so the get_weights order and shapes
must be Keras'), runs the call and compares every output, the gradients of
sum(outputs * fixed cotangents) for the float inputs and the trainable weights, the trainable
flags, BatchNormalization's moving statistics after a training call and Embedding's mask.
"""

import numpy as np
import pytest
from reference import load_cases

import tensorkit as tk
from tensorkit import layers as L

CASES = load_cases("keras_layers_sequence")
# float32 in a different summation order (and through up to 6 recurrent steps): a few ulps
TOL = dict(rtol=1e-4, atol=1e-5)


def cotangent(shape, i):
    """The cotangent of output i, the generator's formula."""
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


def make(name, config, inner=None):
    cls = getattr(L, name)
    return cls(make(*inner), **config) if inner else cls(**config)


def run(spec, arrays, layer, emb):
    """The call the case describes: {input name: tensor} -> list of outputs."""
    def call(values):
        ins = [values[n] for n in spec["inputs"]]
        kwargs = dict(spec["call"])
        if "training" in spec:
            kwargs["training"] = spec["training"]
        if emb is not None:
            ins[0] = emb(ins[0])                       # carries its mask to the next layer
        if spec["states"]:
            kwargs["initial_state"] = [values[n] for n in spec["states"]]
        if spec["attention_mask"]:
            kwargs["attention_mask"] = tk.tensor(arrays[spec["attention_mask"]])
        masks = [None if m is None else tk.tensor(arrays[m]) for m in spec["masks"]]
        if masks:
            kwargs["mask"] = masks
        if spec["form"] == "list":
            out = layer(ins, **kwargs)
        elif spec["form"] == "mha":
            out = layer(ins[0], ins[1], key=ins[2] if len(ins) > 2 else None, **kwargs)
        else:
            out = layer(ins[0], **kwargs)
        return list(out) if isinstance(out, (list, tuple)) else [out]
    return call


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_matches_keras(name):
    spec, arrays = CASES[name]
    tk.clear_session()
    layer = make(spec["layer"], spec["config"], spec.get("inner"))
    emb = L.Embedding(**spec["embed"]) if spec.get("embed") else None
    floats = [n for n in spec["inputs"] + spec["states"] if arrays[n].dtype == np.float32]
    values = {n: tk.tensor(arrays[n], requires_grad=n in floats)
              for n in spec["inputs"] + spec["states"]}
    call = run(spec, arrays, layer, emb)
    with tk.no_grad():
        spec_b = dict(spec, training=False) if "training" in spec else spec
        run(spec_b, arrays, layer, emb)(values)        # builds the weights
    weights = (emb.weights if emb else []) + layer.weights
    n_w = len([k for k in arrays if k[0] == "w" and k[1:].isdigit()])
    assert [w.shape for w in weights] == [arrays[f"w{i}"].shape for i in range(n_w)]
    assert [w.trainable for w in weights] == spec["trainable"]
    if emb:
        emb.set_weights([arrays["w0"]])
    layer.set_weights([arrays[f"w{i}"] for i in range(len(emb.weights) if emb else 0, n_w)])

    outs = call(values)
    assert len(outs) == spec["n_out"]
    loss = None
    for i, y in enumerate(outs):
        np.testing.assert_allclose(y.numpy(), arrays[f"y{i}"], **TOL, err_msg=f"output {i}")
        term = (y * tk.tensor(cotangent(y.shape, i))).sum()
        loss = term if loss is None else loss + term
    if spec["layer"] == "Embedding" and "out_mask" in arrays:
        np.testing.assert_array_equal(outs[0].mask.numpy(), arrays["out_mask"])
    for i, w in enumerate(weights):
        if f"after{i}" in arrays:
            np.testing.assert_allclose(w.numpy(), arrays[f"after{i}"], **TOL,
                                       err_msg=f"{w.name} after the call")
    loss.backward()
    for n in floats:
        np.testing.assert_allclose(values[n].grad.numpy(), arrays[f"g_{n}"], **TOL,
                                   err_msg=f"gradient of input {n}")
    for i, w in enumerate(weights):
        if f"gw{i}" in arrays:
            assert w.grad is not None, f"no gradient for {w.name}"
            np.testing.assert_allclose(w.grad.numpy(), arrays[f"gw{i}"], **TOL,
                                       err_msg=f"gradient of {w.name}")
