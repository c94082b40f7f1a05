"""Keras conveniences learners call from tutorials: plot_model / model_to_dot (the
layer graph with shapes, as Keras 3 draws it), normalize, pad_sequences; and Keras'
functional merge forms (layers.add, layers.concatenate...); crossentropies as metrics."""

import os
import re
import shutil

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers as L

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (make setup installs it)")


def _cnn():
    return tk.Sequential([tk.Input((28, 28, 1)), L.Conv2D(4, 3, activation="relu"),
                          L.Flatten(), L.Dense(10)], name="cnn")


def _two_inputs():
    a, b = tk.Input((4,), name="a"), tk.Input((3,), name="b")
    dense = L.Dense(2, name="d")
    out = L.concatenate([dense(a), b], name="cat")
    return tk.Model([a, b], out, name="two")


def _labels(dot):
    return re.findall(r"<b>([^<]*)</b> \((\w+)\)", dot.source)


def _edges(dot):
    return re.findall(r"(\S+) -> (\S+)", dot.source)


def test_sequential_draws_its_layers_in_a_chain_without_the_input_layer():
    dot = tk.utils.model_to_dot(_cnn(), show_shapes=True)
    names = _labels(dot)
    assert [kind for _, kind in names] == ["Conv2D", "Flatten", "Dense"]
    assert len(_edges(dot)) == 2
    assert "Input shape: <b>(None, 28, 28, 1)</b>" in dot.source
    assert "Output shape: <b>(None, 26, 26, 4)</b>" in dot.source
    assert "Output shape: <b>(None, 2704)</b>" in dot.source


def test_functional_model_shows_its_inputs_and_every_edge():
    dot = tk.utils.model_to_dot(_two_inputs(), show_shapes=True, show_trainable=True)
    assert sorted(_labels(dot)) == [("a", "InputLayer"), ("b", "InputLayer"),
                                    ("cat", "Concatenate"), ("d", "Dense")]
    assert len(_edges(dot)) == 3                      # a -> d, d -> cat, b -> cat
    assert "Input shape: <b>[(None, 2), (None, 3)]</b>" in dot.source
    assert dot.source.count("<b>Trainable</b>") == 1     # only d has weights


def test_shared_layer_is_one_box_with_an_edge_per_use():
    a, b = tk.Input((4,)), tk.Input((4,))
    shared = L.Dense(3, name="shared")
    m = tk.Model([a, b], L.add([shared(a), shared(b)]))
    dot = tk.utils.model_to_dot(m)
    assert [n for n, _ in _labels(dot)].count("shared") == 1
    assert len(_edges(dot)) == 3          # a -> shared, b -> shared, shared -> add drawn once


def test_options_names_activations_frozen_and_nested_models():
    body = tk.Sequential([tk.Input((8,)), L.Dense(4, activation="relu", name="hidden")],
                         name="body")
    body.trainable = False
    model = tk.Sequential([tk.Input((8,)), body, L.Dense(2, name="head")])
    plain = tk.utils.model_to_dot(model, show_layer_names=False)
    assert "<b>Sequential</b>" in plain.source and "body" not in plain.source
    nested = tk.utils.model_to_dot(model, expand_nested=True, show_layer_activations=True,
                                   show_trainable=True)
    assert "cluster_" in nested.source and ("hidden", "Dense") in _labels(nested)
    assert "Activation: <b>relu</b>" in nested.source
    assert "<b>Non-trainable</b>" in nested.source and "<b>Trainable</b>" in nested.source
    assert len(_edges(nested)) == 1                   # hidden -> head, across the cluster
    assert "rankdir=LR" in tk.utils.model_to_dot(model, rankdir="LR").source


def test_subclassed_model_is_one_box_and_an_unbuilt_model_is_refused():
    class Net(tk.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    net = Net()
    with pytest.raises(ValueError, match="not yet been built.*calling the model"):
        tk.utils.model_to_dot(net)
    net(np.zeros((1, 3), np.float32))
    assert len(_labels(tk.utils.model_to_dot(net))) == 1
    with pytest.raises(TypeError, match="draws a model.*tk.Sequential"):
        tk.utils.model_to_dot(L.Dense(2))
    with pytest.raises(ValueError, match="Unrecognized keyword arguments: \\['layer_range'\\]"):
        tk.utils.model_to_dot(_cnn(), layer_range=["a", "b"])


@needs_dot
@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                        ("pdf", b"%PDF")])
def test_plot_model_writes_the_picture_and_returns_it_for_the_notebook(tmp_path, ext, magic):
    path = tmp_path / f"model.{ext}"
    shown = tk.utils.plot_model(_two_inputs(), to_file=path, show_shapes=True)
    assert path.read_bytes().startswith(magic)
    if ext == "pdf":
        assert shown is None                          # as Keras: nothing to show inline
    else:
        assert type(shown).__name__ == ("SVG" if ext == "svg" else "Image")
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".plot_model")]


def test_plot_model_refuses_an_unknown_format_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.docx"
    path.write_bytes(b"mine")
    with pytest.raises(ValueError, match="can't write a 'docx' file.*to_file='model.png'"):
        tk.utils.plot_model(_cnn(), to_file=path)
    assert path.read_bytes() == b"mine"


def test_plot_model_without_graphviz_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="needs Graphviz's `dot`.*apt-get install graphviz"):
        tk.utils.plot_model(_cnn(), to_file=tmp_path / "m.png")
    assert not os.listdir(tmp_path)
    tk.utils.plot_model(_cnn(), to_file=tmp_path / "m.dot")       # dot source needs no dot
    assert (tmp_path / "m.dot").read_text().startswith("digraph")


def test_normalize_and_pad_sequences_as_keras_utils():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]], np.float32)
    np.testing.assert_allclose(tk.utils.normalize(x), [[0.6, 0.8], [0, 0], [1, 0]])
    np.testing.assert_allclose(tk.utils.normalize(x, axis=0, order=1)[:, 0], [0.75, 0, 0.25])
    assert tk.utils.normalize([[1, 1]]).dtype == np.float32
    assert tk.utils.pad_sequences is tk.data.pad_sequences


@pytest.mark.parametrize("fn, cls, args", [
    ("add", "Add", {}), ("subtract", "Subtract", {}), ("multiply", "Multiply", {}),
    ("average", "Average", {}), ("maximum", "Maximum", {}), ("minimum", "Minimum", {}),
    ("concatenate", "Concatenate", {"axis": 1}), ("dot", "Dot", {"axes": 1})])
def test_functional_merge_forms_make_the_layer(fn, cls, args):
    a, b = tk.Input((4,)), tk.Input((4,))
    out = getattr(L, fn)([a, b], name=f"my_{fn}", **args)
    layer = out.history.layer
    assert type(layer).__name__ == cls and layer.name == f"my_{fn}"
    x, y = np.arange(8.0).reshape(2, 4), np.ones((2, 4))
    want = getattr(L, cls)(**args)([tk.tensor(x), tk.tensor(y)]).numpy()
    np.testing.assert_allclose(tk.Model([a, b], out).predict([x, y], verbose=0), want)


def test_crossentropy_metrics_by_name_log_the_loss_value():
    tk.random.seed(0)
    x = np.random.default_rng(0).random((32, 4), dtype=np.float32)
    y = (x.sum(1, keepdims=True) > 2).astype(np.float32)
    model = tk.Sequential([tk.Input((4,)), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=["binary_crossentropy",
                           tk.metrics.BinaryCrossentropy(name="bce_smooth",
                                                         label_smoothing=0.1)])
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert logs["binary_crossentropy"] == pytest.approx(logs["loss"], rel=1e-5)
    assert logs["bce_smooth"] != pytest.approx(logs["loss"], rel=1e-3)
