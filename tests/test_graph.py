"""Graph recording: nodes, ordered edges, symbolic shapes before data, layers, dot output."""

import json

import numpy as np
import pytest

import tensorkit as tk
from tensorkit.graph import layer_scope


def mlp(x, w1, w2):
    h = tk.relu(x @ w1)
    return tk.softmax(h @ w2, axis=-1)


def test_symbolic_call_gives_every_shape_and_the_graph_before_data():
    w1, w2 = tk.random.normal((784, 128)), tk.random.normal((128, 10))
    with tk.trace() as g:
        y = mlp(tk.symbolic((None, 784), dims=("batch", "features"), name="images"), w1, w2)
    assert y.shape == (None, 10) and y.is_symbolic
    ops = [(n["op"], tuple(n["shape"])) for n in g.nodes]
    assert ops == [("input", (None, 784)), ("constant", (784, 128)), ("matmul", (None, 128)),
                   ("relu", (None, 128)), ("constant", (128, 10)), ("matmul", (None, 10)),
                   ("softmax", (None, 10))]
    assert g.nodes[0]["name"] == "images"
    assert g.nodes[6]["attrs"] == {"axis": -1} and g.nodes[6]["dims"] == ["batch", None]


def test_edges_are_ordered_and_carry_shapes():
    x, y = tk.tensor(np.ones((2, 3))), tk.tensor(np.ones((3,)))
    with tk.trace() as g:
        z = tk.sub(y, x)
    assert z.op == "sub"
    edges = g.edges
    assert [(e["src"], e["dst"], e["index"], e["shape"]) for e in edges] == [
        (0, 2, 0, [3]), (1, 2, 1, [2, 3])]
    assert g.nodes[2]["input_shapes"] == [[3], [2, 3]]


def test_concrete_and_symbolic_traces_agree():
    w = tk.random.normal((4, 2))
    with tk.trace() as concrete:
        tk.tanh(tk.tensor(np.ones((5, 4))) @ w).sum(axis=0)
    with tk.trace() as symbolic:
        tk.tanh(tk.symbolic((5, 4)) @ w).sum(axis=0)
    strip = [(n["op"], n["shape"], n["attrs"]) for n in concrete.nodes if n["inputs"]]
    assert strip == [(n["op"], n["shape"], n["attrs"]) for n in symbolic.nodes if n["inputs"]]


def test_to_dict_is_plain_json():
    with tk.trace() as g:
        tk.sum(tk.symbolic((None, 3)), axis=(0, 1))
    data = json.loads(json.dumps(g.to_dict()))
    assert data["nodes"][-1]["attrs"] == {"axis": [0, 1], "keepdims": False}


def test_layer_names_are_recorded():
    with tk.trace() as g:
        with layer_scope("dense_1"):
            h = tk.symbolic((None, 4)) @ tk.ones((4, 2))
        tk.relu(h)
    assert [n["layer"] for n in g.nodes if n["inputs"]] == ["dense_1", None]


def test_a_layers_mask_ops_belong_to_that_layer():
    with tk.trace() as g:
        tk.layers.Embedding(20, 4, mask_zero=True, name="emb")(
            tk.symbolic((None, 6), dtype="int32"))
    ops = {n["op"]: n["layer"] for n in g.nodes if n["inputs"]}
    assert ops["gather"] == ops["not_equal"] == "emb"


def test_shape_error_inside_a_layer_names_it():
    with pytest.raises(tk.ShapeError, match=r"^In layer 'dense_2': matmul got shapes") as e:
        with layer_scope("dense_2"):
            tk.symbolic((None, 5)) @ tk.ones((4, 2))
    assert e.value.layer == "dense_2"


def test_recording_off_records_nothing_but_still_computes():
    with tk.trace() as g, tk.recording(False):
        y = tk.exp(tk.tensor([0.0, 1.0]))
    assert len(g) == 0 and y.node is None
    np.testing.assert_allclose(y.numpy(), np.exp([0, 1]), rtol=1e-6)


def test_nested_traces_both_collect():
    with tk.trace() as outer:
        x = tk.ones((2,)) * 2
        with tk.trace() as inner:
            x + 1
    assert len(outer) == 2 and len(inner) == 1


def test_every_tensor_knows_its_op():
    x = tk.ones((2, 2))
    assert x.op is None and (x @ x).op == "matmul" and (x @ x).node.shape == (2, 2)


def test_to_text_lists_each_op_with_shapes():
    with tk.trace() as g:
        tk.relu(tk.symbolic((None, 784), dims=("batch", None)) @ tk.ones((784, 10)))
    assert g.to_text().splitlines() == [
        "matmul         (batch=None, 784), (784, 10) -> (batch=None, 10)",
        "relu           (batch=None, 10) -> (batch=None, 10)"]


def test_to_dot_labels_edges_with_shapes_and_colours_the_batch():
    pytest.importorskip("graphviz")
    with tk.trace() as g:
        tk.relu(tk.symbolic((None, 784), name="x") @ tk.ones((784, 10)))
    src = g.to_dot().source
    assert '<font color="#d62728">None</font>, 784' in src
    assert "(784, 10)" in src and "matmul" in src and "relu" in src
