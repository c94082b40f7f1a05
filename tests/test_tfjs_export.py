"""TensorFlow.js export and import, checked against the real @tensorflow/tfjs in Node.

Every layer type tk.export.TFJS_LAYERS lists (several per model, so Node starts once for
all of them) and the shipped pretrained models are exported, loaded by web/predict_node.js
with tf.loadLayersModel, run on the same seeded inputs, and compared with tensorkit
(max abs diff <= 1e-4). Each also goes back through load_tfjs with identical predictions.
Then: what TF.js cannot run is refused by name, and damaged folders are clear errors.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

import tensorkit as tk
from tensorkit.export import TFJS_LAYERS, ExportError
from tensorkit.saving import ModelFileError

L = tk.layers
ROOT = pathlib.Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
NODE = shutil.which("node")
TFJS = WEB / "node_modules" / "@tensorflow" / "tfjs" / "package.json"
TOLERANCE = 1e-4

needs_node = pytest.mark.skipif(
    NODE is None or not TFJS.exists(),
    reason="Node.js or web/node_modules/@tensorflow/tfjs is missing: `make setup` runs "
           "`npm ci` in web/ (needs node and npm)")


# ---- models: every exportable layer type, a few per model ------------------------------------
def dense():
    return tk.Sequential([
        tk.Input(shape=(12,)), L.Dense(16, activation="relu"), L.Dropout(0.3),
        L.Dense(8, activation="elu", use_bias=False), L.Activation("tanh"),
        L.Dense(8, activation="gelu"), L.Dense(6, activation="softplus"),
        L.Dense(6, activation="silu"), L.Dense(5, activation="sigmoid"), L.Dense(5),
        L.Dense(4, activation="softmax")], name="dense_stack")


def conv2d():
    return tk.Sequential([
        tk.Input(shape=(10, 10, 3)),
        L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),   # -> (5, 5, 4)
        L.BatchNormalization(),
        L.ZeroPadding2D(((1, 0), (0, 1))),                              # -> (6, 6, 4)
        L.Conv2DTranspose(5, 3, strides=2, padding="same"),             # -> (12, 12, 5)
        L.MaxPooling2D(2),                                              # -> (6, 6, 5)
        L.UpSampling2D(2),                                              # -> (12, 12, 5)
        L.AveragePooling2D(3, strides=2, padding="same"),               # -> (6, 6, 5)
        L.Conv2D(6, 2, dilation_rate=2),                                # -> (4, 4, 6)
        L.GlobalMaxPooling2D()], name="conv2d_stack")


def conv2d_more():
    return tk.Sequential([
        tk.Input(shape=(7, 8, 2)),
        L.Conv2DTranspose(3, 2, activation="tanh"),                     # -> (8, 9, 3)
        L.Conv2D(4, 3, strides=(2, 1)),                                 # -> (3, 7, 4)
        L.MaxPooling2D((2, 2), strides=1, padding="same"),
        L.AveragePooling2D(2),                                          # -> (1, 3, 4)
        L.GlobalAveragePooling2D()], name="conv2d_more")


def volumes():
    return tk.Sequential([
        tk.Input(shape=(5, 6, 7, 2)),
        L.Conv3D(3, 2, strides=(1, 2, 1), padding="same", activation="relu"),  # (5, 3, 7, 3)
        L.Conv3DTranspose(2, (2, 1, 2), strides=(1, 1, 2)),                # -> (6, 3, 14, 2)
        L.MaxPooling3D((2, 1, 2), padding="same"),                        # -> (3, 3, 7, 2)
        L.SpatialDropout3D(0.3),
        L.AveragePooling3D((2, 2, 3), strides=1),                        # -> (2, 2, 5, 2)
        L.Conv3D(4, 2, dilation_rate=1, use_bias=False),                 # -> (1, 1, 4, 4)
        L.Flatten(), L.Dense(3)], name="volumes")


def conv_lstm():
    return tk.Sequential([
        tk.Input(shape=(3, 6, 5, 2)),                                  # (time, H, W, C)
        L.ConvLSTM2D(3, 2, padding="same", return_sequences=True),     # -> (3, 6, 5, 3)
        L.ConvLSTM2D(2, (3, 2), strides=(2, 1), go_backwards=True),    # -> (2, 4, 2)
        L.Flatten(), L.Dense(2)], name="conv_lstm")


def separable():
    return tk.Sequential([
        tk.Input(shape=(9, 8, 3)),
        L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu"),  # (9, 8, 6)
        L.SeparableConv2D(5, 3, strides=2, depth_multiplier=2),                # -> (4, 3, 5)
        L.DepthwiseConv2D((2, 3), strides=(1, 2), padding="same", use_bias=False),  # (4, 2, 5)
        L.SeparableConv2D(4, 2, padding="same", dilation_rate=2, activation="tanh"),
        L.SeparableConv2D(3, (1, 2), dilation_rate=(1, 1), use_bias=False),    # -> (4, 1, 3)
        L.GlobalMaxPooling2D()], name="separable")


def conv1d():
    return tk.Sequential([
        tk.Input(shape=(16, 3)),
        L.Conv1D(4, 3, padding="same", dilation_rate=2, activation="relu"),
        L.MaxPooling1D(2),                                              # -> (8, 4)
        L.Conv1D(5, 3, strides=2, padding="same"),                      # -> (4, 5)
        L.AveragePooling1D(2, padding="same"),                          # -> (2, 5)
        L.LayerNormalization(),
        L.GlobalAveragePooling1D()], name="conv1d_stack")


def reshaping():
    return tk.Sequential([
        tk.Input(shape=(4, 6)), L.Permute((2, 1)), L.Flatten(), L.Dense(12),
        L.Reshape((3, -1)), L.LayerNormalization(axis=[1, 2], epsilon=1e-5), L.Flatten(),
        L.RepeatVector(3), L.GlobalMaxPooling1D()], name="reshaping")


def recurrent():
    return tk.Sequential([
        tk.Input(shape=(7, 5)),
        L.SimpleRNN(6, return_sequences=True),
        L.LSTM(5, return_sequences=True),
        L.GRU(4, reset_after=False, return_sequences=True, go_backwards=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.TimeDistributed(L.Dense(4, activation="relu")),
        L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="sum"),
        L.Dense(2)], name="recurrent")


def recurrent_options():
    return tk.Sequential([
        tk.Input(shape=(6, 3)),
        L.SimpleRNN(4, activation="relu", return_sequences=True, go_backwards=True),
        L.LSTM(4, activation="relu", recurrent_activation="tanh", return_sequences=True),
        L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="ave"),
        L.Bidirectional(L.GRU(2, reset_after=False, recurrent_activation="relu",
                              return_sequences=True), merge_mode="mul"),
        L.LSTM(3, recurrent_activation="keras2_hard_sigmoid", return_sequences=True),
        L.GRU(2, reset_after=False, recurrent_activation="keras2_hard_sigmoid"),
        L.Dense(2, activation="keras2_hard_sigmoid")], name="recurrent_options")


def embedding():
    return tk.Sequential([
        tk.Input(shape=(9,), dtype="int32"), L.Embedding(20, 5, mask_zero=True),
        L.LSTM(4, return_sequences=True), L.Dense(4), L.GRU(3, reset_after=False),
        L.Dense(1, activation="sigmoid")], name="embedding_rnn")


def video():
    return tk.Sequential([
        tk.Input(shape=(3, 6, 6, 2)), L.TimeDistributed(L.Conv2D(3, 3, activation="relu")),
        L.TimeDistributed(L.DepthwiseConv2D(2)),               # its weight: depthwise_kernel
        L.TimeDistributed(L.Flatten()), L.LSTM(4)], name="video")


def functional():
    a, b = tk.Input(shape=(6,), name="a"), tk.Input(shape=(6,), name="b")
    shared = L.Dense(4, activation="tanh", name="shared")
    x, y = shared(a), shared(b)                             # one layer, two calls (nodes)
    merged = [L.Add()([x, y]), L.Multiply()([x, y]), L.Average()([x, y]),
              L.Maximum()([x, y]), L.Minimum()([x, y, L.Dense(4)(a)])]
    z = L.Concatenate()(merged)                             # (None, 20)
    seq = L.Reshape((5, 4))(z)
    _, h, c = L.LSTM(3, return_state=True)(seq)             # three outputs of one call
    hc = L.Concatenate(axis=1)([h, c])
    return tk.Model([a, b], [L.Dense(3, activation="softmax", name="probs")(hc),
                             L.Dense(2, name="score")(c)], name="two_towers")


def activations():
    return tk.Sequential([
        tk.Input(shape=(10,)), L.Rescaling(4.0, offset=-0.5),    # wide: relu6 reaches 6
        L.Dense(8, activation="relu6"), L.Dense(8), L.ReLU(max_value=1.0),
        L.Dense(8), L.LeakyReLU(negative_slope=0.1), L.Dense(8, activation="selu"), L.ELU(),
        L.Dense(8, activation="softsign"), L.PReLU(), L.Dense(8, activation="mish"),
        L.GaussianNoise(0.5), L.ReLU(), L.Dense(6, activation="log_softmax"), L.Softmax()],
        name="activations")


def image_extras():
    return tk.Sequential([
        tk.Input(shape=(8, 9, 2)), L.Cropping2D(((1, 2), (0, 1))),        # -> (5, 8, 2)
        L.Conv2D(3, 3, padding="same"), L.PReLU(shared_axes=[1, 2]),     # a slope per channel
        L.Cropping2D(1),                                                  # -> (3, 6, 3)
        L.Activation("relu6"), L.Activation("softsign"),
        L.Softmax(axis=3)], name="image_extras")


def dots():
    a, b, v = tk.Input(shape=(4, 6)), tk.Input(shape=(5, 6)), tk.Input(shape=(6,))
    scores = L.Dot(axes=-1, name="scores")([a, b])                      # (None, 4, 5)
    weights = L.Softmax(name="weights")(scores)
    context = L.Dot(axes=(2, 1), name="context")([weights, b])           # (None, 4, 6)
    along = L.Dot(axes=(1, -2), name="along")([a, scores])               # (None, 6, 5)
    projected = L.Dot(axes=(2, 1), name="projected")([a, v])             # (None, 4)
    back = L.Dot(axes=(1, 2), name="back")([v, b])                       # (None, 5)
    cosine = L.Dot(axes=1, normalize=True, name="cosine")([v, L.Dense(6)(v)])   # (None, 1)
    return tk.Model([a, b, v], [context, along, projected, back, cosine], name="dots")


def masked():
    """Masking's mask into fused RNNs and RNN(cell)s, through the dropouts (_inputs pads)."""
    return tk.Sequential([
        tk.Input(shape=(7, 3)), L.Masking(0.0), L.LSTM(4, return_sequences=True),
        L.SpatialDropout1D(0.3), L.GaussianDropout(0.2), L.AlphaDropout(0.1),
        L.RNN(L.LSTMCell(3), return_sequences=True),
        L.RNN([L.LSTMCell(3), L.GRUCell(2, reset_after=False)], return_sequences=True),
        L.Identity(), L.ActivityRegularization(l1=0.01),
        L.RNN([L.GRUCell(3, reset_after=False), L.SimpleRNNCell(2)]),    # units differ
        L.Dense(2)], name="masked")


def cells():
    return tk.Sequential([
        tk.Input(shape=(6, 3)),
        L.RNN(L.SimpleRNNCell(4, activation="relu"), return_sequences=True, go_backwards=True),
        L.RNN(L.GRUCell(3, reset_after=False, recurrent_activation="keras2_hard_sigmoid"),
              return_sequences=True),
        L.RNN(L.LSTMCell(2, recurrent_activation="tanh"), return_sequences=True),
        L.RNN([L.GRUCell(3, reset_after=False), L.SimpleRNNCell(3), L.LSTMCell(2)]),
        L.Dense(2)], name="cells")


def image_mapped():
    """Layers TF.js has no class for, written as one that computes the same."""
    return tk.Sequential([
        tk.Input(shape=(7, 6, 2)), L.CenterCrop(4, 5),                   # Cropping2D
        L.SpatialDropout2D(0.2),                                          # Dropout, noise_shape
        L.Conv2D(3, 2), L.Dropout(0.5, noise_shape=(None, 1, 1, 3)),
        L.Identity(), L.Flatten(), L.ActivityRegularization(l2=0.1),      # Activation linear
        L.Dense(2)], name="image_mapped")


CASES = {f.__name__: f for f in (dense, conv2d, conv2d_more, volumes, conv_lstm, separable,
                                 conv1d,
                                 reshaping,
                                 recurrent,
                                 recurrent_options, embedding, video, functional, activations,
                                 image_extras, dots, masked, cells, image_mapped)}
PRETRAINED = ("digits_mlp", "digits_cnn")


def _inputs(model, seed):
    rng = np.random.default_rng(seed)
    shapes = [t.shape for t in model.inputs] if getattr(model, "_functional", False) else \
        [model._build_shapes]
    xs = []
    for shape in shapes:
        shape = (3,) + tuple(shape[1:])
        if model.layers and isinstance(model.layers[0], L.Embedding):
            ids = rng.integers(1, 20, size=shape).astype("int32")
            ids[0, 6:] = ids[1, 3:] = 0                     # padding, masked
            xs.append(ids)
        else:
            xs.append(rng.standard_normal(shape).astype("float32"))
            if model.layers and isinstance(model.layers[0], L.Masking):
                xs[-1][0, 5:] = xs[-1][1, 2:4] = xs[-1][2, 0] = 0     # padded steps
    return xs


def _randomize(model, seed):
    """Random weights everywhere (biases, BN statistics), so each one is checked."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        values = rng.standard_normal(w.shape) * 0.5
        if w.name.endswith("moving_variance"):
            values = np.abs(values) + 0.5
        w.assign(values.astype("float32"))


def _predict(model, xs):
    out = model(xs[0] if len(xs) == 1 else xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o.numpy()) for o in outs]


def run_tfjs(specs, work):
    """Predict with TF.js in Node: specs [(folder, [inputs])] -> [result dicts]."""
    request = {"models": [{"dir": str(folder), "inputs": [
        {"shape": list(x.shape), "dtype": "int32" if x.dtype.kind == "i" else "float32",
         "data": x.ravel().tolist()} for x in xs]} for folder, xs in specs]}
    (work / "request.json").write_text(json.dumps(request))
    proc = subprocess.run([NODE, str(WEB / "predict_node.js"), str(work / "request.json"),
                           str(work / "result.json")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((work / "result.json").read_text())["results"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every case and pretrained model exported, predicted by tensorkit and by TF.js."""
    work = tmp_path_factory.mktemp("tfjs")
    tk.random.seed(0)
    models = {name: build() for name, build in CASES.items()}
    for i, model in enumerate(models.values()):
        _randomize(model, i)
    for name in PRETRAINED:
        models[name] = tk.pretrained.load(name)
    found = {}
    for i, (name, model) in enumerate(models.items()):
        xs = _inputs(model, 100 + i)
        tk.export.to_tfjs(model, work / name)
        found[name] = {"model": model, "dir": work / name, "inputs": xs,
                       "expected": _predict(model, xs)}
    if NODE is not None and TFJS.exists():
        results = run_tfjs([(v["dir"], v["inputs"]) for v in found.values()], work)
        for v, result in zip(found.values(), results):
            v["tfjs"] = result
    return found


def test_cases_cover_every_exportable_layer():
    tk.random.seed(0)
    seen = set()
    for build in CASES.values():
        for layer in build().layers:
            seen.add(type(layer).__name__)
            inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
            if inner is not None:
                seen.add(type(inner).__name__)
            cell = getattr(layer, "cell", None)
            for c in [cell] + getattr(cell, "cells", []) if cell is not None else []:
                seen.add(type(c).__name__)
    assert set(TFJS_LAYERS) - seen == set()
    assert set(tk.export._TFJS_AS) - seen == set()


@needs_node
@pytest.mark.parametrize("name", list(CASES) + list(PRETRAINED))
def test_tfjs_predicts_what_tensorkit_does(exported, name):
    case = exported[name]
    result = case["tfjs"]
    assert "error" not in result, result.get("error")
    assert len(result["outputs"]) == len(case["expected"])
    for got, want in zip(result["outputs"], case["expected"]):
        assert tuple(got["shape"]) == want.shape
        diff = np.abs(np.asarray(got["data"]).reshape(want.shape) - want).max()
        assert diff <= TOLERANCE, f"{name}: max abs diff {diff:.2e}"
    layer_names = [r["name"] for r in result["layers"] if r["class_name"] != "InputLayer"]
    assert sorted(layer_names) == sorted(l.name for l in case["model"].layers    # TF.js's
                                         if not isinstance(l, L.InputLayer))      # own order


@pytest.mark.parametrize("name", list(CASES) + list(PRETRAINED))
def test_round_trip_gives_identical_predictions(exported, name):
    case = exported[name]
    back = tk.models.load_tfjs(case["dir"])
    for got, want in zip(_predict(back, case["inputs"]), case["expected"]):
        np.testing.assert_array_equal(got, want)
    assert [l.name for l in back.layers] == [l.name for l in case["model"].layers]


def test_model_json_layout(exported):
    doc = json.loads((exported["digits_cnn"]["dir"] / "model.json").read_text())
    assert doc["format"] == "layers-model"
    topology = doc["modelTopology"]
    assert topology["class_name"] == "Sequential"
    first = topology["config"]["layers"][0]["config"]
    assert first["batch_input_shape"] == [None, 8, 8, 1]
    assert first["kernel_initializer"]["class_name"] == "VarianceScaling"
    manifest = doc["weightsManifest"]
    assert manifest[0]["paths"] == ["group1-shard1of1.bin"]
    assert manifest[0]["weights"][0] == {"name": "conv_1/kernel", "shape": [3, 3, 1, 16],
                                         "dtype": "float32"}
    lstm = json.loads((exported["recurrent"]["dir"] / "model.json").read_text())
    configs = [e["config"] for e in lstm["modelTopology"]["config"]["layers"]]
    assert configs[1]["recurrent_activation"] == "sigmoid"         # written out: TF.js's
    assert configs[2]["reset_after"] is False                       # default differs
    names = [w["name"] for w in lstm["weightsManifest"][0]["weights"]]
    bidi = exported["recurrent"]["model"].layers[3]
    inner = bidi.forward_layer.name
    assert f"{bidi.name}/{inner}/kernel" in names                   # TF.js's scoping
    assert configs[3]["layer"]["config"]["name"] == inner.removeprefix("forward_")
    td = exported["recurrent"]["model"].layers[4]
    assert f"{td.name}/kernel" in names
    separable = json.loads((exported["separable"]["dir"] / "model.json").read_text())
    first, second = (e["config"] for e in separable["modelTopology"]["config"]["layers"][:2])
    assert first["depth_multiplier"] == 2 and "filters" not in first
    assert first["depthwise_initializer"]["class_name"] == "VarianceScaling"
    assert "kernel_initializer" not in second             # TF.js's SeparableConv2D refuses it
    names = [w["name"] for w in separable["weightsManifest"][0]["weights"]]
    dw, sep = (l.name for l in exported["separable"]["model"].layers[:2])
    assert names[:5] == [f"{dw}/depthwise_kernel", f"{dw}/bias", f"{sep}/depthwise_kernel",
                         f"{sep}/pointwise_kernel", f"{sep}/bias"]


def test_rnn_cells_and_mapped_layers_layout(exported):
    """RNN(cell) as TF.js's RNN reads it (cell: {class_name, config}); a stack's weights
    scoped RNNCell_<i>; layers TF.js lacks written as the TF.js layer computing the same."""
    doc = json.loads((exported["cells"]["dir"] / "model.json").read_text())
    entries = doc["modelTopology"]["config"]["layers"]
    gru, stack = entries[1], entries[3]
    assert gru["class_name"] == "RNN" and gru["config"]["return_sequences"] is True
    assert gru["config"]["cell"]["class_name"] == "GRUCell"
    cell = gru["config"]["cell"]["config"]
    assert cell["reset_after"] is False and cell["recurrent_activation"] == "hard_sigmoid"
    assert [c["class_name"] for c in stack["config"]["cell"]["config"]["cells"]] == \
        ["GRUCell", "SimpleRNNCell", "LSTMCell"]
    names = [w["name"] for w in doc["weightsManifest"][0]["weights"]]
    first, last = (exported["cells"]["model"].layers[i].name for i in (0, 3))
    assert names[:3] == [f"{first}/kernel", f"{first}/recurrent_kernel", f"{first}/bias"]
    assert f"{last}/RNNCell_0/kernel" in names and f"{last}/RNNCell_2/bias" in names
    doc = json.loads((exported["image_mapped"]["dir"] / "model.json").read_text())
    entries = [(e["class_name"], e["config"]) for e in doc["modelTopology"]["config"]["layers"]]
    assert entries[0][0] == "Cropping2D" and entries[0][1]["cropping"] == [[1, 2], [0, 1]]
    assert entries[0][1]["batch_input_shape"] == [None, 7, 6, 2]
    assert entries[1][0] == "Dropout" and entries[1][1]["noise_shape"] == [None, 1, 1, None]
    assert entries[3][1]["noise_shape"] == [None, 1, 1, 3]
    assert [(k, c.get("activation")) for k, c in entries[4:7:2]] == [("Activation", "linear")] * 2


def test_save_format_tfjs_and_metadata(tmp_path):
    model = tk.pretrained.load("digits_mlp")
    model.save(tmp_path / "m", format="tfjs")
    assert (tmp_path / "m" / "model.json").exists()
    tk.export.to_tfjs(model, tmp_path / "m", metadata={"labels": list("0123456789")})
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert doc["userDefinedMetadata"] == {"labels": list("0123456789")}
    with pytest.raises(ValueError, match="format=None.*or 'tfjs'"):
        model.save(tmp_path / "x", format="onnx")


def test_big_weights_are_cut_into_4mib_shards(tmp_path):
    model = tk.Sequential([tk.Input(shape=(1100,)), L.Dense(1000)])      # 4.2 MiB
    tk.export.to_tfjs(model, tmp_path / "big")
    doc = json.loads((tmp_path / "big" / "model.json").read_text())
    assert doc["weightsManifest"][0]["paths"] == ["group1-shard1of2.bin",
                                                  "group1-shard2of2.bin"]
    x = np.random.default_rng(0).standard_normal((2, 1100)).astype("float32")
    np.testing.assert_array_equal(tk.models.load_tfjs(tmp_path / "big")(x).numpy(),
                                  model(x).numpy())


# ---- what TF.js cannot run is refused, by name, before anything is written -------------------
class Doubler(tk.layers.Layer):
    def call(self, inputs):
        return inputs * 2


def _refused():
    a = tk.Input(shape=(4,))
    twice = L.Lambda(lambda x: x * 2, name="twice")
    yield "Lambda", tk.Sequential([tk.Input(shape=(4,)), twice]), r"'twice' \(Lambda\).*Python code"
    yield "custom", tk.Sequential([tk.Input(shape=(4,)), Doubler(name="doubler")]), \
        r"'doubler' \(Doubler\).*not one of the tensorkit layers TF.js runs"
    yield "gru", tk.Sequential([tk.Input(shape=(5, 3)), L.GRU(2, name="gru")]), \
        r"'gru' \(GRU\).*reset_after=False only.*GRU\(units, reset_after=False\)"
    yield "hard_sigmoid", tk.Sequential([tk.Input(shape=(4,)),
                                         L.Dense(2, activation="hard_sigmoid", name="d")]), \
        r"'d' \(Dense\).*hard_sigmoid.*Keras 2"
    yield "lstm_hard_sigmoid", tk.Sequential([tk.Input(shape=(5, 3)), L.LSTM(
        2, recurrent_activation="hard_sigmoid", name="lstm")]), r"'lstm'.*recurrent_activation"
    yield "bilinear", tk.Sequential([tk.Input(shape=(4, 4, 1)), L.UpSampling2D(
        interpolation="bilinear", name="up")]), r"'up' \(UpSampling2D\).*nearest"
    yield "subtract", tk.Model(a, L.Subtract(name="minus")([L.Dense(4)(a), a])), \
        r"'minus' \(Subtract\).*no Subtract"
    yield "raw_op", tk.Model(a, L.Dense(4)(a) + a), r"raw tensorkit op.*layers.Add"
    yield "attention", tk.Model(a, L.Attention(name="att")([L.Reshape((2, 2))(a)] * 2)), \
        r"'att' \(Attention\)"
    yield "causal", tk.Sequential([tk.Input(shape=(6, 2)), L.Conv1D(
        2, 3, padding="causal", name="wavenet")]), r"'wavenet' \(Conv1D\).*causal"
    out, h, _ = L.LSTM(2, return_state=True, name="lstm")(L.Reshape((2, 2))(a))
    yield "out_and_h", tk.Model(a, [out, h]), r"'lstm'.*state h only"
    x = L.Dense(4)(a)
    yield "twice", tk.Model(a, L.Add(name="double")([x, x])), r"'double'.*one tensor twice"
    yield "masked_pooling", tk.pretrained.load("sentiment_text"), \
        r"'average' \(GlobalAveragePooling1D\).*mask"
    for kind, layer in (("UpSampling1D", L.UpSampling1D(name="up")),
                        ("ZeroPadding1D", L.ZeroPadding1D(name="pad")),
                        ("Cropping1D", L.Cropping1D(name="crop"))):
        yield kind, tk.Sequential([tk.Input(shape=(6, 2)), layer]), \
            rf"'{layer.name}' \({kind}\).*no {kind} layer.*Reshape"
    yield "relu_threshold", tk.Sequential([tk.Input(shape=(4,)), L.ReLU(
        threshold=0.5, name="relu")]), r"'relu' \(ReLU\).*max_value only.*threshold=0.5"
    yield "relu_slope", tk.Sequential([tk.Input(shape=(4,)), L.ReLU(
        negative_slope=0.1, name="relu")]), r"'relu' \(ReLU\).*negative_slope=0.1.*LeakyReLU"
    yield "elu_alpha", tk.Sequential([tk.Input(shape=(4,)), L.ELU(0.5, name="elu")]), \
        r"'elu' \(ELU\).*alpha=1.0 only.*alpha=0.5"
    yield "softmax_axis", tk.Sequential([tk.Input(shape=(3, 4)), L.Softmax(
        axis=1, name="sm")]), r"'sm' \(Softmax\).*last axis only.*axis=1.*Permute"
    x4 = tk.Input(shape=(2, 3, 4))
    yield "dot_rank4", tk.Model(x4, L.Dot(axes=-1, name="dot")([x4, L.Dense(4)(x4)])), \
        r"'dot' \(Dot\).*rank 3 at most"
    for name in ("hard_silu", "hard_swish", "exponential"):
        yield name, tk.Sequential([tk.Input(shape=(4,)), L.Dense(2, activation=name,
                                                                  name="d")]), \
            rf"'d' \(Dense\).*activation='{name.replace('swish', 'silu')}'.*TF.js has no"
    image = tk.Input(shape=(6, 6, 4))
    yield "depthwise_dilation", tk.Model(image, L.DepthwiseConv2D(
        3, dilation_rate=2, name="dw")(image)), \
        r"'dw' \(DepthwiseConv2D\).*ignores dilation_rate.*dilation_rate=\(2, 2\).*Fix"
    yield "separable_strides_and_dilation", tk.Model(image, L.SeparableConv2D(
        2, 2, strides=(1, 2), dilation_rate=(2, 1), name="sep")(image)), \
        r"'sep' \(SeparableConv2D\).*strides > 1 with dilation_rate > 1.*Fix"
    for kind, layer in (("GroupNormalization", L.GroupNormalization(2, name="gn")),
                        ("UnitNormalization", L.UnitNormalization(name="unit")),
                        ("Normalization", L.Normalization(mean=0.0, variance=1.0, name="norm"))):
        yield kind, tk.Model(image, layer(image)), rf"'{layer.name}' \({kind}\)"
    yield "groups", tk.Model(image, L.Conv2D(4, 3, groups=2, name="grouped")(image)), \
        r"'grouped' \(Conv2D\).*no groups.*groups=2"
    yield "rms_scaling", tk.Sequential([tk.Input(shape=(4,)), L.LayerNormalization(
        rms_scaling=True, name="ln")]), r"'ln' \(LayerNormalization\).*rms_scaling"
    seq = tk.Input(shape=(3, 4))
    yield "AdditiveAttention", tk.Model(seq, L.AdditiveAttention(name="add_att")([seq, seq])), \
        r"'add_att' \(AdditiveAttention\)"
    yield "Conv1DTranspose", tk.Model(seq, L.Conv1DTranspose(2, 3, name="up")(seq)), \
        r"'up' \(Conv1DTranspose\).*no Conv1DTranspose.*Conv2DTranspose"
    yield "RMSNormalization", tk.Model(seq, L.RMSNormalization(name="rms")(seq)), \
        r"'rms' \(RMSNormalization\).*subtracts the mean.*LayerNormalization\(center=False\)"
    yield "gru_cell", tk.Model(seq, L.RNN(L.GRUCell(2, name="gru_cell"))(seq)), \
        r"'gru_cell' \(GRUCell\).*reset_after=False only.*GRUCell\(units, reset_after=False\)"
    yield "own_cell", tk.Model(seq, L.RNN(MinimalCell(), name="rnn")(seq)), \
        r"'rnn' \(RNN\).*cell is a MinimalCell.*LSTMCell"
    yield "stacked_states", tk.Model(seq, L.RNN([L.LSTMCell(2), L.LSTMCell(2)], return_state=True,
                                                name="rnn")(seq)), \
        r"'rnn' \(RNN\).*last cell first.*one RNN per cell"
    yield "bidirectional_rnn", tk.Model(seq, L.Bidirectional(L.RNN(L.LSTMCell(2)),
                                                             name="bi")(seq)), \
        r"'bi' \(Bidirectional\).*RNN\(cell\).*Bidirectional\(LSTM\(units\)\)"
    masked = tk.Sequential([tk.Input(shape=(3, 4)), L.Masking()])
    yield "masked_stack", tk.Sequential([masked, L.RNN([L.GRUCell(2, reset_after=False),
                                                        L.SimpleRNNCell(2)], name="rnn")]), \
        r"'rnn' \(RNN\).*mask.*last cell's state.*first cell's \(GRUCell\).*one RNN per cell"
    yield "masked_zero_output", tk.Sequential([masked, L.RNN(L.LSTMCell(2), name="rnn",
                                                             zero_output_for_mask=True)]), \
        r"'rnn' \(RNN\).*zero_output_for_mask=True.*Fix: zero_output_for_mask=False"
    yield "masked_average", tk.Sequential([masked, L.GlobalAveragePooling1D(name="avg")]), \
        r"'avg'.*mask \(from Embedding\(mask_zero=True\) or Masking\).*put an RNN before"
    yield "Resizing", tk.Sequential([image, L.Resizing(3, 3, name="resize"), L.Flatten()]), \
        r"'resize' \(Resizing\).*batch axis.*tf.image.resizeBilinear\(images, \[height, " \
        r"width\], false, true\).*tk.Sequential\(\[tk.Input\(shape=\(3, 3, 4\)\), " \
        r"\*model.layers\[1:\]\]\)"
    yield "RandomCrop", tk.Model(image, L.RandomCrop(3, 3, name="crop")(image)), \
        r"'crop' \(RandomCrop\).*centred window.*cropAndResize.*built without it"
    yield "small_center_crop", tk.Sequential([image, L.CenterCrop(8, 3, name="cc")]), \
        r"'cc' \(CenterCrop\).*Cropping2D.*at least \(8, 3\).*\(None, 6, 6, 4\)"
    yield "flip_in_functional", tk.Model(image, L.Conv2D(2, 3)(L.RandomFlip(name="flip")(image))), \
        r"'flip' \(RandomFlip\).*only while training.*built without it from the same layer"


class MinimalCell(tk.layers.Layer):
    state_size = 2

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], 2))

    def call(self, inputs, states):
        h = tk.ops.tanh(tk.ops.matmul(inputs, self.kernel) + states[0])
        return h, [h]


@pytest.mark.parametrize("augmentation", [
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
    "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation",
    "RandomColorDegeneration", "RandomColorJitter", "RandomSharpness", "RandomInvert",
    "RandomPosterization", "Solarization", "RandomErasing", "RandomGaussianBlur", "MixUp",
    "CutMix"])
def test_augmentation_is_refused_with_a_fix_that_works(tmp_path, augmentation):
    """Keras' tutorial model: a data_augmentation Sequential first. TF.js has none of its
    layers; the refusal says how to export the rest, and that export predicts the same."""
    args = {"RandomFlip": (), "RandomContrast": (0.2,), "RandomBrightness": (0.2,),
            "RandomTranslation": (0.1, 0.1), "RandomPosterization": (4,),
            "RandomColorJitter": ((0, 255), 0.2)}.get(augmentation, (0.1,))
    if augmentation in ("RandomGrayscale", "RandomInvert", "Solarization", "RandomErasing",
                        "RandomGaussianBlur", "MixUp", "CutMix"):
        args = ()
    data_augmentation = tk.Sequential([getattr(L, augmentation)(*args, name="augment"),
                                       L.RandomFlip("horizontal")], name="data_augmentation")
    model = tk.Sequential([tk.Input(shape=(8, 8, 3)), data_augmentation, L.Rescaling(1 / 255),
                           L.Conv2D(2, 3, activation="relu"), L.Flatten(), L.Dense(3)])
    fix = r"tk.Sequential([tk.Input(shape=(8, 8, 3)), *model.layers[1:]])"
    with pytest.raises(ExportError, match=rf"'augment' \({augmentation}\).*only while training"
                                          rf".*{re.escape(fix)}"):
        tk.export.to_tfjs(model, tmp_path / "no")
    assert not (tmp_path / "no").exists()
    copy = tk.Sequential([tk.Input(shape=(8, 8, 3)), *model.layers[1:]])      # the fix
    tk.export.to_tfjs(copy, tmp_path / "yes")
    x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(tk.models.load_tfjs(tmp_path / "yes").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_auto_contrast_is_refused_since_it_also_works_when_predicting(tmp_path):
    model = tk.Sequential([tk.Input(shape=(8, 8, 3)), L.AutoContrast(name="stretch"),
                           L.Flatten(), L.Dense(2)])
    with pytest.raises(ExportError, match=r"'stretch' \(AutoContrast\).*when predicting too"
                                          r".*scale by 255"):
        tk.export.to_tfjs(model, tmp_path / "no")
    assert not (tmp_path / "no").exists()


@pytest.mark.filterwarnings("ignore:rms_scaling=True is deprecated")
@pytest.mark.parametrize("case", range(45))
def test_export_refuses_what_tfjs_cannot_run(tmp_path, case):
    what, model, message = list(_refused())[case]
    with pytest.raises(ExportError, match=message):
        tk.export.to_tfjs(model, tmp_path / what)
    assert not (tmp_path / what).exists()                  # nothing written
    assert [p.name for p in tmp_path.iterdir()] == []


def test_failed_export_leaves_an_older_export_as_it_was(tmp_path):
    tk.export.to_tfjs(tk.pretrained.load("digits_mlp"), tmp_path / "m")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    with pytest.raises(ExportError):
        tk.export.to_tfjs(tk.Sequential([tk.Input(shape=(5, 3)), L.GRU(2)]), tmp_path / "m")
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before


def test_export_needs_a_model_with_an_input(tmp_path):
    with pytest.raises(ExportError, match="no input shape yet.*tk.Input"):
        tk.export.to_tfjs(tk.Sequential([L.Dense(2)]), tmp_path / "m")
    with pytest.raises(TypeError, match="exports models"):
        tk.export.to_tfjs(L.Dense(2), tmp_path / "m")


# ---- damaged or hostile folders: clear errors, nothing run -----------------------------------
@pytest.fixture
def folder(tmp_path):
    tk.export.to_tfjs(tk.pretrained.load("digits_mlp"), tmp_path / "m")
    return tmp_path / "m"


def _edit(folder, change):
    doc = json.loads((folder / "model.json").read_text())
    change(doc)
    (folder / "model.json").write_text(json.dumps(doc))


def test_truncated_manifest(folder):
    text = (folder / "model.json").read_text()
    (folder / "model.json").write_text(text[:len(text) // 2])
    with pytest.raises(ModelFileError, match="damaged.*not valid JSON"):
        tk.models.load_tfjs(folder)


def test_manifest_without_weights(folder):
    _edit(folder, lambda doc: doc.pop("weightsManifest"))
    with pytest.raises(ModelFileError, match="weightsManifest is missing"):
        tk.models.load_tfjs(folder)


def test_missing_shard(folder):
    (folder / "group1-shard1of1.bin").unlink()
    with pytest.raises(ModelFileError, match="shard 'group1-shard1of1.bin' is missing"):
        tk.models.load_tfjs(folder)


@pytest.mark.parametrize("change", [-4, +4])
def test_wrong_shard_size(folder, change):
    shard = folder / "group1-shard1of1.bin"
    data = shard.read_bytes()
    shard.write_bytes(data[:change] if change < 0 else data + b"\0" * change)
    with pytest.raises(ModelFileError, match="damaged.*shards.*bytes"):
        tk.models.load_tfjs(folder)


def test_unknown_layer_class(folder):
    def rename(doc):
        doc["modelTopology"]["config"]["layers"][1]["class_name"] = "FancyDense"
    _edit(folder, rename)
    with pytest.raises(ModelFileError, match="'hidden_2' is a FancyDense, which tensorkit "
                                             "cannot load.*nothing was run"):
        tk.models.load_tfjs(folder)


def test_shard_path_outside_the_folder(folder):
    def escape(doc):
        doc["weightsManifest"][0]["paths"] = ["../../etc/passwd"]
    _edit(folder, escape)
    with pytest.raises(ModelFileError, match="refusing.*not a file name in the model's folder"):
        tk.models.load_tfjs(folder)


def test_weight_that_fits_no_layer(folder):
    def rename(doc):
        doc["weightsManifest"][0]["weights"][0]["name"] = "nobody/kernel"
    _edit(folder, rename)
    with pytest.raises(ModelFileError, match="'nobody/kernel' belongs to no layer"):
        tk.models.load_tfjs(folder)


def test_tfjs_hard_sigmoid_comes_in_as_keras2_hard_sigmoid(tmp_path):
    """TF.js's LSTM defaults to its (Keras 2's) hard_sigmoid: it loads as that formula."""
    model = tk.Sequential([tk.Input(shape=(5, 3)), L.LSTM(2, name="lstm")])
    tk.export.to_tfjs(model, tmp_path / "m")

    def keras2_default(doc):
        doc["modelTopology"]["config"]["layers"][0]["config"]["recurrent_activation"] = \
            "hard_sigmoid"
    _edit(tmp_path / "m", keras2_default)
    loaded = tk.models.load_tfjs(tmp_path / "m")
    assert loaded.layers[0].get_config()["recurrent_activation"] == "keras2_hard_sigmoid"
    same = tk.Sequential([tk.Input(shape=(5, 3)),
                          L.LSTM(2, recurrent_activation="keras2_hard_sigmoid")])
    same.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), same.predict(x, verbose=0))


def test_a_dilated_depthwise_conv_in_a_tfjs_file_is_refused(tmp_path):
    """TF.js ignores a DepthwiseConv2D's dilation_rate, Keras does not: no guessing."""
    tk.export.to_tfjs(tk.Sequential([tk.Input(shape=(6, 6, 2)), L.DepthwiseConv2D(
        2, name="dw")]), tmp_path / "m")

    def dilate(doc):
        doc["modelTopology"]["config"]["layers"][0]["config"]["dilation_rate"] = [2, 2]
    _edit(tmp_path / "m", dilate)
    with pytest.raises(ModelFileError, match=r"'dw' is a DepthwiseConv2D with dilation_rate="
                                             r"\[2, 2\], which TF.js ignores.*nothing was run"):
        tk.models.load_tfjs(tmp_path / "m")


def test_graph_model_and_missing_folder(tmp_path, folder):
    _edit(folder, lambda doc: doc.update(format="graph-model"))
    with pytest.raises(ModelFileError, match="graph-model.*layers-model"):
        tk.models.load_tfjs(folder)
    with pytest.raises(FileNotFoundError, match="no TF.js model"):
        tk.models.load_tfjs(tmp_path / "nowhere")


# ---- a model TensorFlow.js wrote itself ------------------------------------------------------
@needs_node
def test_load_a_model_that_tfjs_saved(tmp_path):
    """web/tfjs_fixture.js builds and saves models with TF.js's own save (its downloads
    layout: ./model.weights.bin) and records its predictions; tensorkit must agree."""
    proc = subprocess.run([NODE, str(WEB / "tfjs_fixture.js"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = json.loads((tmp_path / "expected.json").read_text())
    assert expected, "the fixture saved no models"
    for name, case in expected.items():
        model = tk.models.load_tfjs(tmp_path / name)
        xs = [np.asarray(x, dtype="float32").reshape(shape)
              for x, shape in zip(case["inputs"], case["input_shapes"])]
        got = model(xs[0] if len(xs) == 1 else xs).numpy()
        want = np.asarray(case["output"]).reshape(case["output_shape"])
        assert got.shape == want.shape
        assert np.abs(got - want).max() <= TOLERANCE, name


def test_export_module_is_registered():
    assert tk.export.to_tfjs is not None and tk.models.load_tfjs is not None
    assert os.path.basename(tk.export.__file__) == "export.py"


def test_load_the_keras_converter_layout(tmp_path):
    """tensorflowjs_converter wraps the topology in model_config and names RNN weights
    'layer/cell/weight' (TF 2.2+): both load, by TF.js's own rule."""
    model = tk.Sequential([tk.Input(shape=(4, 3)), L.LSTM(2, name="lstm"),
                           L.Dense(1, name="dense")])
    tk.export.to_tfjs(model, tmp_path / "m")

    def keras_converter(doc):
        doc["modelTopology"] = {"keras_version": "2.15.0", "backend": "tensorflow",
                                "model_config": {k: doc["modelTopology"][k]
                                                 for k in ("class_name", "config")}}
        for spec in doc["weightsManifest"][0]["weights"]:
            if spec["name"].startswith("lstm/"):
                spec["name"] = spec["name"].replace("lstm/", "lstm/lstm_cell/")
        doc["convertedBy"] = "TensorFlow.js Converter v4.22.0"
    _edit(tmp_path / "m", keras_converter)
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
    np.testing.assert_array_equal(tk.models.load_tfjs(tmp_path / "m" / "model.json")(x).numpy(),
                                  model(x).numpy())


@needs_node
def test_a_pretrained_body_under_a_new_head_exports_as_one_flat_model(tmp_path):
    body = tk.pretrained.load("digits_cnn")
    body.pop()                                            # its 10-way head
    body.trainable = False
    model = tk.Sequential([body, L.Dense(3, name="new_head")])
    _randomize(model, 7)
    xs = _inputs(model, 7)
    tk.export.to_tfjs(model, tmp_path / "nested")
    flat = [l.name for l in body.layers if not isinstance(l, L.InputLayer)] + ["new_head"]
    (result,) = run_tfjs([(tmp_path / "nested", xs)], tmp_path)
    assert "error" not in result, result.get("error")
    got, want = result["outputs"][0], _predict(model, xs)[0]
    assert np.abs(np.asarray(got["data"]).reshape(want.shape) - want).max() <= TOLERANCE
    back = tk.models.load_tfjs(tmp_path / "nested")
    assert [l.name for l in back.layers] == flat
    assert [l.trainable for l in back.layers] == [False] * (len(flat) - 1) + [True]
    np.testing.assert_array_equal(_predict(back, xs)[0], want)


def test_a_model_nested_in_a_functional_model_is_refused_by_name(tmp_path):
    inner = tk.Sequential([tk.Input(shape=(4,)), L.Dense(2)], name="inner")
    x = tk.Input(shape=(4,))
    outer = tk.Model(x, L.Dense(1)(inner(x)))
    with pytest.raises(tk.export.ExportError, match="'inner'.*Sequential models inside a "
                                                    "Sequential are"):
        tk.export.to_tfjs(outer, tmp_path / "no")
    assert not (tmp_path / "no").exists()


def test_a_mask_inside_a_nested_body_is_still_seen(tmp_path):
    body = tk.Sequential([tk.Input(shape=(5,), dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                          L.GlobalAveragePooling1D()])
    with pytest.raises(tk.export.ExportError, match="GlobalAveragePooling1D.*carries a mask"):
        tk.export.to_tfjs(tk.Sequential([body, L.Dense(1)]), tmp_path / "no")


@needs_node
def test_regularizers_travel_to_tfjs_and_back(tmp_path):
    model = tk.Sequential([tk.Input(shape=(4,)),
                           L.Dense(3, kernel_regularizer=tk.regularizers.L2(0.01),
                                   activity_regularizer="l1", name="penalised"),
                           L.Dense(2, name="plain")])
    _randomize(model, 11)
    xs = _inputs(model, 11)
    tk.export.to_tfjs(model, tmp_path / "reg")
    config = json.loads((tmp_path / "reg" / "model.json").read_text())
    first = config["modelTopology"]["config"]["layers"][0]["config"]
    assert first["kernel_regularizer"] == {"class_name": "L1L2",        # TF.js's one class
                                           "config": {"l1": 0.0, "l2": 0.01}}
    (result,) = run_tfjs([(tmp_path / "reg", xs)], tmp_path)
    assert "error" not in result, result.get("error")
    want = _predict(model, xs)[0]
    assert np.abs(np.asarray(result["outputs"][0]["data"]).reshape(want.shape) - want).max() \
        <= TOLERANCE
    back = tk.models.load_tfjs(tmp_path / "reg")             # the weight penalty comes back;
    dense = model.layers[0]                                   # the activity one, which TF.js
    assert [p.item() for p in back.losses] == pytest.approx(  # cannot run, stays behind
        [dense.kernel_regularizer(dense.kernel).item()])
    assert "activity_regularizer" not in first
    first["kernel_constraint"] = {"class_name": "RadialConstraint", "config": {}}
    first["bias_regularizer"] = {"class_name": "Orthogonal", "config": {}}
    (tmp_path / "reg" / "model.json").write_text(json.dumps(config))
    with pytest.warns(UserWarning) as record:
        tk.models.load_tfjs(tmp_path / "reg")
    said = " ".join(str(w.message) for w in record)
    assert "kernel_constraint is left out" in said and "bias_regularizer is left out" in said


@needs_node
def test_constraints_travel_to_tfjs_and_back(tmp_path):
    model = tk.Sequential([tk.Input(shape=(6, 6, 2)),
                           L.Conv2D(3, 3, kernel_constraint=tk.constraints.MaxNorm(
                               1.5, axis=[0, 1, 2]), bias_constraint="non_neg"),
                           L.Flatten(),
                           L.Dense(2, kernel_constraint=tk.constraints.MinMaxNorm(0.1, 0.9),
                                   bias_constraint=tk.constraints.UnitNorm(axis=0))])
    _randomize(model, 12)
    xs = _inputs(model, 12)
    tk.export.to_tfjs(model, tmp_path / "con")
    layers = json.loads((tmp_path / "con" / "model.json").read_text())[
        "modelTopology"]["config"]["layers"]
    assert layers[0]["config"]["kernel_constraint"] == {
        "class_name": "MaxNorm", "config": {"max_value": 1.5, "axis": [0, 1, 2]}}
    (result,) = run_tfjs([(tmp_path / "con", xs)], tmp_path)   # TF.js reads them
    assert "error" not in result, result.get("error")
    back = tk.models.load_tfjs(tmp_path / "con")
    for ours, theirs in zip(model.layers, back.layers):
        for key in ("kernel_constraint", "bias_constraint"):
            assert ours.get_config().get(key) == theirs.get_config().get(key)


@pytest.mark.parametrize("layer, why", [
    (lambda: L.EinsumDense("ab,bc->ac", 3, name="x"), r"no EinsumDense layer. Fix: .*use Dense"),
    (lambda: L.Hashing(8, name="x"), r"no Hashing layer. Fix: hash the values in the page")])
def test_einsum_dense_and_hashing_are_refused_by_name(tmp_path, layer, why):
    model = tk.Sequential([tk.Input((4,), dtype="int32"), layer(), L.Dense(1)])
    with pytest.raises(ExportError, match=rf"'x' \((EinsumDense|Hashing)\).*{why}.*[^.]\. "
                                          r"Nothing was written\.$"):
        tk.export.to_tfjs(model, tmp_path / "no")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("kind, shape, make", [
    ("GlobalAveragePooling3D", (2, 3, 4, 2), lambda: L.GlobalAveragePooling3D(name="x")),
    ("UpSampling3D", (2, 3, 4, 2), lambda: L.UpSampling3D(name="x")),
    ("SeparableConv1D", (6, 2), lambda: L.SeparableConv1D(3, 2, name="x")),
    ("DepthwiseConv1D", (6, 2), lambda: L.DepthwiseConv1D(2, name="x"))])
def test_layers_tfjs_lacks_are_refused_by_name(tmp_path, kind, shape, make):
    model = tk.Sequential([tk.Input(shape), make(), L.Flatten(), L.Dense(1)])
    with pytest.raises(ExportError, match=rf"'x' \({kind}\).*TF.js has no {kind} layer\. "
                                          r"Nothing was written"):
        tk.export.to_tfjs(model, tmp_path / "no")
