"""Layer lifecycle and models: names, weights, freezing, Sequential, functional, subclassed."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def test_layers_get_keras_names_and_build_lazily():
    a, b, c = layers.Dense(3), layers.Dense(3), layers.Conv2DTranspose(2, 3) \
        if hasattr(layers, "Conv2DTranspose") else layers.Dense(1, name="conv2d_transpose")
    assert (a.name, b.name, c.name) == ("dense", "dense_1", "conv2d_transpose")
    assert not a.built and a.weights == []
    a(tk.ones((2, 5)))
    assert a.built and [w.name for w in a.weights] == ["dense/kernel", "dense/bias"]
    assert a.kernel.shape == (5, 3) and a.count_params() == 18


def test_bad_arguments_name_the_argument_and_value():
    with pytest.raises(ValueError, match=r"Received: units=0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match=r"Received: rate=1\.2"):
        layers.Dropout(1.2)
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) unitz"):
        layers.Dense(3, unitz=4)
    with pytest.raises(ValueError, match="Unknown activation 'relux'"):
        layers.Dense(3, activation="relux")
    with pytest.raises(ValueError, match="has no weights yet"):
        layers.Dense(3).count_params()


def test_set_weights_checks_count_and_shapes():
    d = layers.Dense(2)
    d(tk.ones((1, 3)))
    with pytest.raises(ValueError, match=r"has 2 weights \(dense/kernel, dense/bias\) but "
                                         r"set_weights received 1"):
        d.set_weights([np.ones((3, 2))])
    with pytest.raises(tk.ShapeError, match=r"weight 'dense/kernel' has shape \(3, 2\) but "
                                            r"set_weights received shape \(2, 3\)"):
        d.set_weights([np.ones((2, 3)), np.ones(2)])
    d.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_allclose(d(tk.ones((1, 3))).numpy(), [[3.5, 3.5]])
    assert [w.shape for w in d.get_weights()] == [(3, 2), (2,)]


def test_dense_on_any_rank_and_symbolic():
    d = layers.Dense(4, activation="relu")
    assert d(tk.ones((2, 7, 3))).shape == (2, 7, 4)
    assert d.compute_output_shape((None, 7, 3)) == (None, 7, 4)
    assert d(tk.symbolic((None, 7, 3))).shape == (None, 7, 4)


def test_ops_inside_a_layer_are_recorded_with_its_name():
    d = layers.Dense(2, activation="relu", name="hidden")
    with tk.trace() as g:
        d(tk.symbolic((None, 3)))
    assert [(n["op"], n["layer"]) for n in g.nodes if n["inputs"]] == [
        ("matmul", "hidden"), ("add", "hidden"), ("relu", "hidden")]


def test_sequential_add_pop_index_and_summary(capsys):
    model = tk.Sequential([tk.Input(shape=(64,)), layers.Dense(32, activation="relu")])
    model.add(layers.Dense(10, activation="softmax"))
    assert len(model) == 2 and model[1].units == 10 and model.layers[0].name == "dense"
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "sequential"' in text
    assert "dense (Dense)" in text and "(None, 64)" in text and "(None, 32)" in text
    assert "2,080" in text and "Total params: 2,410" in text
    assert model.output_shape == (None, 10)
    head = model.pop()
    assert head.units == 10 and len(model) == 1
    assert model.output_shape == (None, 32)             # the new top's, not the popped head's
    assert model(tk.ones((3, 64))).shape == (3, 32)


def test_input_shape_argument_on_the_first_layer():
    model = tk.Sequential([layers.Dense(4, input_shape=(8,)), layers.Dense(1)])
    assert model.built and model.count_params() == 8 * 4 + 4 + 5


def test_wrong_input_shapes_get_a_fix():
    model = tk.Sequential([tk.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    with pytest.raises(tk.ShapeError, match=r"pass x\[None\]"):
        model(tk.ones((28, 28, 1)))
    with pytest.raises(tk.ShapeError, match=r"channel axis is missing: pass x\[\.\.\., None\]"):
        model(tk.ones((5, 28, 28)))
    dense = tk.Sequential([tk.Input(shape=(784,)), layers.Dense(10)])
    with pytest.raises(tk.ShapeError, match=r"add layers.Flatten\(\) before"):
        dense(tk.ones((5, 28, 28)))
    channels_first = (r"channels-first images; tensorkit, like Keras, puts channels last\): "
                      r"pass x.transpose\(0, 2, 3, 1\), which makes \(5, 1, 28, 28\) into "
                      r"\(5, 28, 28, 1\)")
    with pytest.raises(tk.ShapeError, match=channels_first):
        model.predict(np.zeros((5, 1, 28, 28), "float32"))
    sequences = tk.Sequential([tk.Input(shape=(10, 3)), layers.LSTM(4)])
    with pytest.raises(tk.ShapeError, match=r"pass x.transpose\(0, 2, 1\)"):
        sequences.predict(np.zeros((2, 3, 10), "float32"))
    batch_in_shape = tk.Sequential([tk.Input(shape=(None, 784)), layers.Dense(10)])
    with pytest.raises(tk.ShapeError, match=r"leaves the batch axis out\. If you meant the batch "
                                            r"axis, build it with tk.Input\(shape=\(784,\)\)"):
        batch_in_shape.predict(np.zeros((5, 784), "float32"))


def test_functional_model_with_two_inputs_two_outputs_and_a_shared_layer():
    a, b = tk.Input(shape=(4,), name="a"), tk.Input(shape=(4,), name="b")
    shared = layers.Dense(3, name="shared")
    ha, hb = shared(a), shared(b)
    out1 = layers.Dense(1, name="out1")(ha + hb)
    out2 = layers.Dense(2, name="out2")(hb)
    model = tk.Model([a, b], [out1, out2])
    assert model.name == "functional"
    assert [l.name for l in model.layers] == ["a", "b", "shared", "add", "out1", "out2"]
    y1, y2 = model([tk.ones((5, 4)), tk.zeros((5, 4))])
    assert y1.shape == (5, 1) and y2.shape == (5, 2)
    assert len(model.weights) == 6
    data = model.summary(as_dict=True)
    assert [r["name"] for r in data["layers"]] == ["shared", "add", "out1", "out2"]
    assert data["layers"][2]["output_shape"] == [None, 1]
    np.testing.assert_allclose(y1.numpy(), model([tk.ones((5, 4)), tk.zeros((5, 4))])[0].numpy())


def test_functional_model_refuses_disconnected_outputs():
    a, b = tk.Input(shape=(2,)), tk.Input(shape=(2,))
    out = layers.Dense(1)(b)
    with pytest.raises(ValueError, match="not computed from the model's inputs"):
        tk.Model(a, out)


def test_model_inside_a_model_and_freezing():
    body = tk.Sequential([tk.Input(shape=(8,)), layers.Dense(6), layers.Dense(4)], name="body")
    model = tk.Sequential([tk.Input(shape=(8,)), body, layers.Dense(2, name="head")])
    assert model(tk.ones((3, 8))).shape == (3, 2)
    body.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    assert not body.layers[0].kernel.requires_grad
    data = model.summary(as_dict=True, expand_nested=True)
    assert [(r["name"], r["depth"], r["trainable"]) for r in data["layers"]] == [
        ("body", 0, False), ("dense", 1, False), ("dense_1", 1, False), ("head", 0, True)]
    assert data["non_trainable_params"] == 8 * 6 + 6 + 6 * 4 + 4
    body.trainable = True
    assert len(model.trainable_weights) == 6


def test_subclassed_model_gets_shapes_too():
    class TwoLayer(tk.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(5, activation="relu")
            self.out = layers.Dense(2)

        def call(self, x):
            return self.out(self.hidden(x))

    model = TwoLayer()
    assert model.name == "two_layer"
    assert model(tk.ones((4, 3))).shape == (4, 2)
    data = model.summary(as_dict=True)
    assert [(r["input_shape"], r["output_shape"]) for r in data["layers"]] == [
        ([None, 3], [None, 5]), ([None, 5], [None, 2])]
    assert len(model.weights) == 4
    assert model.graph().to_dict()["nodes"][-1]["layer"] == "dense_1"


def test_get_config_round_trips():
    d = layers.Dense(7, activation="tanh", use_bias=False, name="d")
    again = layers.Dense.from_config(d.get_config())
    assert again.get_config() == d.get_config()
    assert d.get_config()["activation"] == "tanh"


def test_a_layer_built_by_hand_keeps_the_weights_set_before_its_first_call():
    # Keras' build wrapper: build(shape) marks the layer built, so the call doesn't rebuild
    x = tk.tensor(np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32"))
    rnn = tk.layers.SimpleRNN(4)
    last = rnn(x)
    seq = tk.layers.SimpleRNN(4, return_sequences=True)
    seq.build(x.shape)
    assert seq.built
    seq.set_weights(rnn.get_weights())
    np.testing.assert_allclose(seq(x).numpy()[:, -1], last.numpy(), atol=1e-6)
    assert len(seq.weights) == 3


def test_layers_that_return_their_input_in_a_functional_model():
    # Dropout at inference and Identity hand back their input: the call's output must still
    # be a tensor of its own (its history pointed back at itself: RecursionError)
    i = tk.Input(shape=(4,))
    model = tk.Model(i, layers.Dense(2)(layers.Identity()(layers.Dropout(0.5)(
        layers.Dense(3)(i)))))
    assert model.predict(np.ones((2, 4), "float32")).shape == (2, 2)
    assert [type(layer).__name__ for layer in model.layers][2:4] == ["Dropout", "Identity"]
    w = tk.tensor(np.ones(3, "float32"), requires_grad=True)
    tk.sum(layers.Identity()(w) * 2).backward()                 # a leaf keeps its gradient
    np.testing.assert_array_equal(w.grad.numpy(), [2, 2, 2])


def test_model_call_without_training_uses_each_layers_default_as_keras():
    # model(x): Dropout infers, an augmentation layer augments (Keras' own defaults)
    x = np.random.default_rng(0).random((16, 4, 4, 1)).astype("float32")
    model = tk.Sequential([tk.Input(shape=(4, 4, 1)), layers.RandomFlip("horizontal", seed=1),
                           layers.Dropout(0.5)])
    flipped = model(x).numpy()
    assert not np.array_equal(flipped, x)
    assert all(np.array_equal(f, a) or np.array_equal(f, a[:, ::-1]) for f, a in zip(flipped, x))
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)


# ---- layer.input / layer.output / model.input / model.output, as Keras ---------------------
def test_a_sequential_model_can_be_cut_open_at_any_layer():
    model = tk.Sequential([tk.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                           layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3)])
    assert model.input.shape == (None, 8, 8, 1) and model.output.shape == (None, 3)
    assert model.layers[1].input is model.layers[0].output
    features = tk.Model(model.input, [layer.output for layer in model.layers])
    x = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    outs = features.predict(x, verbose=0)
    assert [o.shape for o in outs] == [(2, 6, 6, 4), (2, 3, 3, 4), (2, 36), (2, 3)]
    step = x
    for layer, out in zip(model.layers, outs):
        step = layer(step).numpy()
        np.testing.assert_allclose(out, step, rtol=1e-6)


def test_sequential_without_input_gets_its_graph_from_the_first_data():
    model = tk.Sequential([layers.Dense(4), layers.Dense(2)])
    with pytest.raises(AttributeError, match=r"no input tensor yet: its input shape is not "
                                             r"known. Fix: start it with tk.Input"):
        _ = model.input
    model.predict(np.zeros((3, 5), "float32"), verbose=0)
    assert model.input.shape == (None, 5) and model.layers[1].output.shape == (None, 2)
    declared = tk.Sequential([layers.Dense(4, input_shape=(7,)), layers.Dense(1)])
    assert declared.layers[0].input.shape == (None, 7)


def test_transfer_learning_takes_a_new_head_on_an_inner_layer():
    base = tk.pretrained.load("digits_cnn")
    body = base.layers[-2].output                          # what the old head read
    head = layers.Dense(5, activation="softmax", name="new_head")(body)
    model = tk.Model(base.input, head)
    assert model.output.shape == (None, 5)
    assert [l.name for l in model.layers][-1] == "new_head"
    x = tk.data.load_digits()[0].numpy()[:3].reshape(3, 8, 8, 1)
    assert model.predict(x, verbose=0).shape == (3, 5)
    base.pop()
    assert base.output is base.layers[-1].output


def test_functional_models_give_lists_for_several_inputs_and_outputs():
    a, b = tk.Input((3,), name="a"), tk.Input((2,), name="b")
    dense = layers.Dense(4, name="d")
    left, right = dense(a), layers.Dense(1)(b)
    model = tk.Model([a, b], [left, right])
    assert model.input == [a, b] and model.output == [left, right]
    assert dense.input is a and dense.output is left
    assert dense(tk.Input((3,))) is not left and dense.output is left   # the first call stays


def test_no_graph_no_tensors_with_a_fix():
    with pytest.raises(AttributeError, match=r"The layer 'lonely' has never been called on "
                                             r"tensors of a model.*Fix: build the model"):
        _ = layers.Dense(2, name="lonely").output

    class Net(tk.Model):
        def call(self, x):
            return x

    with pytest.raises(AttributeError, match=r"no input tensor: it is a subclassed model"):
        _ = Net().input


def test_functional_model_knows_its_shapes_before_any_call():
    a, b = tk.Input((4,)), tk.Input((3,))
    one = tk.Model(a, layers.Dense(2)(a))
    assert (one.input_shape, one.output_shape) == ((None, 4), (None, 2))
    two = tk.Model([a, b], [layers.Dense(2)(a), b])
    assert two.input_shape == [(None, 4), (None, 3)]
    assert two.output_shape == [(None, 2), (None, 3)]


def test_keras_3_variable_names_list_the_same_weights():
    model = tk.Sequential([tk.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    assert model.variables == model.weights and len(model.variables) == 6
    assert model.trainable_variables == model.trainable_weights
    assert [w.name for w in model.non_trainable_variables] == \
        [w.name for w in model.non_trainable_weights]          # the moving statistics


def test_clone_model_rebuilds_the_wiring_with_fresh_weights(tmp_path):
    tk.random.seed(0)
    model = tk.Sequential([tk.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    copy = tk.models.clone_model(model)
    assert [type(l) for l in copy.layers] == [type(l) for l in model.layers]
    assert [w.shape for w in copy.get_weights()] == [w.shape for w in model.get_weights()]
    assert not np.allclose(copy.get_weights()[0], model.get_weights()[0])     # fresh
    a = tk.Input((4,))
    shared = layers.Dense(3)
    functional = tk.Model(a, layers.add([shared(a), shared(a * 2.0)]))
    twin = tk.models.clone_model(functional)
    assert len(twin.weights) == 2                              # the shared layer, once
    twin.set_weights(functional.get_weights())
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(twin.predict(x, verbose=0), functional.predict(x, verbose=0))
    kept = tk.models.clone_model(model, clone_function=lambda l: l if l.name == model.layers[
        0].name else layers.Dense(5))
    assert kept.layers[0] is model.layers[0] and kept.output_shape == (None, 5)
    body = tk.Sequential([tk.Input((4,)), layers.Dense(3)])
    outer = tk.Sequential([tk.Input((4,)), body, layers.Dense(1)])
    deep = tk.models.clone_model(outer, recursive=True)
    assert deep.layers[0] is not body and isinstance(deep.layers[0], tk.Sequential)
    tk.models.save_model(deep, tmp_path / "deep.tkmodel")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        tk.models.save_model(deep, tmp_path / "deep.tkmodel", overwrite=False)

    class Net(tk.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="subclassed model.*Fix: create a new instance"):
        tk.models.clone_model(Net())
