"""Text and category preprocessing layers against cases recorded from real Keras 3.15
(scripts/reference/keras_text_preprocessing.py, TensorFlow ops under the JAX backend):
TextVectorization, StringLookup, IntegerLookup, CategoryEncoding and Discretization learn
Keras's vocabulary (order and ties) or bin boundaries, give its outputs and dtypes, and have
its config keys and values.
"""

import numpy as np
import pytest
from reference import close, load_cases, params

import tensorkit as tk

CASES = load_cases("keras_text_preprocessing")
NUMERIC = ("IntegerLookup", "CategoryEncoding", "Discretization")


def _adapt_data(spec):
    data = spec["adapt"]
    if spec["batches"]:
        return iter([np.array(b) for b in data])
    return np.array(data) if spec["layer"] in NUMERIC else data


def _build(spec):
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    if spec["adapt"] is not None:
        layer.adapt(_adapt_data(spec))
    return layer


def _call(layer, spec, arrays):
    x = arrays["x_array"] if spec["layer"] in NUMERIC else spec["x"]
    kwargs = {k: np.array(v) for k, v in (spec["call_kwargs"] or {}).items()}
    return layer(x, **kwargs)


@pytest.mark.parametrize("spec, arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    layer = _build(spec)
    if "vocabulary" in spec:
        assert layer.get_vocabulary() == spec["vocabulary"]
        assert layer.vocabulary_size() == spec["vocabulary_size"]
    if "bin_boundaries" in spec:
        close(layer.bin_boundaries, spec["bin_boundaries"], "bin boundaries")
    y = _call(layer, spec, arrays)
    assert str(y.dtype) == spec["dtype"]
    assert y.shape == arrays["y"].shape
    if y.dtype.kind == "f":
        close(y.numpy(), arrays["y"], "output")
    else:
        np.testing.assert_array_equal(y.numpy(), arrays["y"])


@pytest.mark.parametrize("spec, arrays", params(CASES, "layer"))
def test_config_matches_keras(spec, arrays):
    config = _build(spec).get_config()
    for key, want in spec["config"].items():
        assert key in config, key
        if key in ("vocabulary", "idf_weights") and want is None:
            continue                          # Keras keeps an adapted one outside the config
        if key == "vocabulary_size" and spec["layer"] != "TextVectorization":
            continue                          # Keras' lookups record it on their first call
        got = config[key]
        if key in ("idf_weights", "bin_boundaries") and want is not None:
            close(got, want, key)
        else:
            assert (list(got) if isinstance(got, tuple) else got) == want, key


@pytest.mark.parametrize("spec, arrays", params(CASES, "layer"))
def test_config_round_trip_gives_same_output(spec, arrays):
    layer = _build(spec)
    again = type(layer).from_config(layer.get_config())
    # a reloaded tf_idf layer averages the OOV weight in float64, as Keras' set_vocabulary
    close(_call(again, spec, arrays).numpy(), _call(layer, spec, arrays).numpy(), "reloaded",
          rtol=1e-6, atol=0)
