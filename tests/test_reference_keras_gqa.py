"""GroupQueryAttention against cases recorded from real Keras 3 (JAX):
scripts/reference/keras_gqa.py writes them.

Each layer case builds the layer from Keras' config, checks the weight names, shapes and
order, copies Keras' weights with set_weights, calls it as Keras did (masks given as
arguments, or carried by the inputs as an Embedding(mask_zero=True) output carries them)
and compares the output, the attention scores, the output's mask, the regularization
penalty and the gradients of sum(outputs * fixed cotangents) for the inputs and every
weight; compute_output_shape too. Config cases compare get_config, error cases the message.
"""

import numpy as np
import pytest
from reference import load_cases, params

import tensorkit as tk
from tensorkit.layers.base import snake_case

CASES = load_cases("keras_gqa")
TOL = dict(rtol=1e-4, atol=1e-5)      # float32 summed in another order


def cotangent(shape, i):
    """The cotangent of output i, the recorder's formula."""
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


def split(vector, shapes):
    sizes = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    return [a.reshape(s) for a, s in zip(np.split(vector, sizes), shapes)]


def call(layer, spec, arrays, values):
    """The case's call; its masks as arguments, or (propagated) on the input tensors."""
    kwargs = dict(spec["call"])
    q, v, k = values["q"], values["v"], values.get("k")
    if spec["propagated"]:
        q.mask, v.mask = tk.tensor(arrays["query_mask"]), tk.tensor(arrays["value_mask"])
    else:
        kwargs.update({m: tk.tensor(arrays[m]) for m in spec["masks"]})
    out = layer(q, v, key=k, **kwargs)
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    tk.clear_session()
    layer = tk.layers.GroupQueryAttention(**spec["config"])
    names = [n for n in ("q", "v", "k") if n in spec["inputs"]]        # call order
    shapes = [(None,) + arrays[n].shape[1:] for n in names]
    # Keras' own compute_output_shape refuses a value whose features differ from the
    # query's (its call takes them): the output has the query's shape either way
    assert tuple(layer.compute_output_shape(*shapes)) == shapes[0]
    if isinstance(spec["output_shape"], list):
        assert list(layer.compute_output_shape(*shapes)) == spec["output_shape"]
    else:
        assert "last dimension of `query_shape` and `value_shape`" in spec["output_shape"]
    assert [w.name[len(layer.name) + 1:] for w in layer.weights] == spec["weight_names"]
    assert [list(w.shape) for w in layer.weights] == spec["weight_shapes"]
    layer.set_weights(split(arrays["w"], spec["weight_shapes"]))

    values = {n: tk.tensor(arrays[n], requires_grad=True) for n in spec["inputs"]}
    outs = call(layer, spec, arrays, values)
    assert len(outs) == spec["n_out"]
    loss = None
    for i, y in enumerate(outs):
        np.testing.assert_allclose(y.numpy(), arrays[f"y{i}"], **TOL,
                                   err_msg="scores" if i else "output")
        term = (y * tk.tensor(cotangent(y.shape, i))).sum()
        loss = term if loss is None else loss + term
    if "out_mask" in arrays:
        np.testing.assert_array_equal(outs[0].mask.numpy(), arrays["out_mask"])
    else:
        assert outs[0].mask is None
    if "penalty" in arrays:
        assert len(layer.losses) == arrays["n_losses"]
        np.testing.assert_allclose(sum(float(p.item()) for p in layer.losses),
                                   arrays["penalty"], rtol=1e-5)
    else:
        assert layer.losses == []
    loss.backward()
    for n in spec["inputs"]:
        np.testing.assert_allclose(values[n].grad.numpy(), arrays[f"g_{n}"], **TOL,
                                   err_msg=f"gradient of input {n}")
    grads = split(arrays["gw"], spec["weight_shapes"])
    for w, g in zip(layer.trainable_weights, grads):
        np.testing.assert_allclose(w.grad.numpy(), g, **TOL, err_msg=f"gradient of {w.name}")


@pytest.mark.parametrize("spec,arrays", [p for p in params(CASES, "layer")
                                         if p.values[0]["propagated"]])
def test_masks_from_an_embedding_match_keras(spec, arrays):
    """The propagated cases again, the masks made by a real Embedding(mask_zero=True): id 0
    at the padded steps, and a table whose other rows are the recorded vectors. Padded
    steps then hold other vectors than Keras' did, which only a padded query's own output
    sees (a query that sees no key): the other rows must match."""
    tk.clear_session()
    d = arrays["q"].shape[-1]
    self_attention = np.array_equal(arrays["q"], arrays["v"])
    names = ["q"] if self_attention else ["q", "v"]
    table = np.concatenate([np.zeros((1, d), np.float32)] +
                           [arrays[n].reshape(-1, d) for n in names])
    emb = tk.layers.Embedding(len(table), d, mask_zero=True)
    emb.build((None, None))
    emb.set_weights([table])
    ids, start = {}, 1
    for n, m in zip(names, ("query_mask", "value_mask")):
        shape = arrays[n].shape[:2]
        ids[n] = np.where(arrays[m], np.arange(start, start + np.prod(shape)).reshape(shape), 0)
        start += np.prod(shape)
    xq = emb(ids["q"])
    xv = xq if self_attention else emb(ids["v"])
    layer = tk.layers.GroupQueryAttention(**spec["config"])
    layer(xq, xv, **spec["call"])
    layer.set_weights(split(arrays["w"], spec["weight_shapes"]))
    outs = layer(xq, xv, **spec["call"])
    outs = list(outs) if isinstance(outs, tuple) else [outs]
    np.testing.assert_array_equal(outs[0].mask.numpy(), arrays["out_mask"])
    seen = arrays["query_mask"]
    np.testing.assert_allclose(outs[0].numpy()[seen], arrays["y0"][seen], **TOL)
    if len(outs) > 1:
        np.testing.assert_allclose(outs[1].numpy(), arrays["y1"], **TOL)


@pytest.mark.parametrize("spec,arrays", params(CASES, "config"))
def test_config_matches_keras(spec, arrays):
    ours = tk.layers.GroupQueryAttention(**spec["kwargs"]).get_config()
    assert set(spec["config"]) <= set(ours)
    for key, want in spec["config"].items():
        got = ours[key]
        if isinstance(want, dict):                 # Keras' serialized objects
            name = got if isinstance(got, str) else got["class_name"]
            assert snake_case(name) == snake_case(want["class_name"]), key
            if isinstance(got, dict):
                for arg, value in want["config"].items():
                    assert got["config"][arg] == pytest.approx(value), (key, arg)
        else:
            assert got == want, key
    again = tk.layers.GroupQueryAttention.from_config(ours)
    assert again.get_config() == ours


@pytest.mark.parametrize("spec,arrays", params(CASES, "error"))
def test_errors_match_keras(spec, arrays):
    with pytest.raises(ValueError) as info:
        tk.layers.GroupQueryAttention(**spec["kwargs"])
    assert str(info.value).startswith(spec["message"].rstrip(".")), str(info.value)
    assert "Fix:" in str(info.value)
