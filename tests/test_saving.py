"""Save and load: identical predictions after a round trip; atomic saves; bad files refused."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.saving import ModelFileError, SaveError, load_model


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def _x(*shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def _round_trip(model, tmp_path, inputs, name="m.tkmodel"):
    path = tmp_path / name
    model.save(path)
    again = load_model(path)
    assert type(again) is type(model) and again.name == model.name
    assert [w.name for w in again.weights] == [w.name for w in model.weights]
    before, after = model(inputs), again(inputs)
    for a, b in zip(before if isinstance(before, list) else [before],
                    after if isinstance(after, list) else [after]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    return again, path


def _skip_unless(*names):
    missing = [n for n in names if not hasattr(layers, n)]
    if missing:
        pytest.skip(f"layers not written yet: {missing}")


# ---- round trips ---------------------------------------------------------------------------
def test_sequential_round_trip(tmp_path):
    model = tk.Sequential([tk.Input(shape=(6,)), layers.Dense(5, activation="relu"),
                           layers.Dropout(0.3), layers.Dense(3, activation="softmax")])
    again, path = _round_trip(model, tmp_path, _x(4, 6))
    assert [type(l).__name__ for l in again.layers] == ["Dense", "Dropout", "Dense"]
    assert again.layers[0].get_config() == model.layers[0].get_config()
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "weights.npz"]
        doc = json.loads(zf.read("config.json"))
        keys = list(np.load(io.BytesIO(zf.read("weights.npz")), allow_pickle=False))
    assert doc["format"] == "tensorkit-model" and doc["format_version"] == 1
    assert doc["class_name"] == "Sequential"
    assert [l["class_name"] for l in doc["config"]["layers"]] == [
        "InputLayer", "Dense", "Dropout", "Dense"]
    assert keys == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def test_sequential_without_input_built_by_a_call(tmp_path):
    model = tk.Sequential([layers.Dense(4), layers.Dense(2)])
    model(_x(3, 5))
    _round_trip(model, tmp_path, _x(2, 5))


def test_functional_two_inputs_shared_layer_and_raw_ops(tmp_path):
    a, b = tk.Input(shape=(4,), name="a"), tk.Input(shape=(4,), name="b")
    shared = layers.Dense(3, name="shared")
    ya, yb = shared(a), shared(b)
    z = ya + yb * 2.0 - tk.tensor(np.arange(3, dtype=np.float32))    # an array constant
    out = layers.Dense(1, name="head")(tk.relu(z))
    model = tk.Model([a, b], [out, ya])
    again, _ = _round_trip(model, tmp_path, [_x(5, 4), _x(5, 4, seed=1)])
    assert len(again.weights) == 4                                  # shared once, head once
    single = tk.Model(a, layers.Dense(2)(a) * 3)
    again, _ = _round_trip(single, tmp_path, _x(2, 4), "single.tkmodel")
    assert isinstance(again(_x(2, 4)), tk.Tensor)                   # not a list of one


def test_nested_models(tmp_path):
    inner = tk.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(4)], name="block")
    model = tk.Sequential([tk.Input(shape=(3,)), inner, layers.Dense(2)])
    again, _ = _round_trip(model, tmp_path, _x(2, 3))
    assert type(again.layers[0]) is tk.Sequential and again.layers[0].name == "block"
    x = tk.Input(shape=(2,))
    sub = tk.Model(x, layers.Dense(3)(x), name="sub")
    inp = tk.Input(shape=(2,))
    outer = tk.Model(inp, layers.Dense(1)(sub(inp) + sub(inp)))
    _round_trip(outer, tmp_path, _x(3, 2), "outer.tkmodel")


def test_frozen_layers_stay_frozen(tmp_path):
    model = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(2, name="base"), layers.Dense(1)])
    model.layers[0].trainable = False
    again, _ = _round_trip(model, tmp_path, _x(2, 3))
    assert again.layers[0].trainable is False
    assert [w.name for w in again.trainable_weights] == ["dense/kernel", "dense/bias"]


def test_conv_batchnorm_model(tmp_path):
    _skip_unless("Conv2D", "BatchNormalization", "MaxPooling2D", "Flatten")
    model = tk.Sequential([tk.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, padding="same"),
                           layers.BatchNormalization(), layers.MaxPooling2D(),
                           layers.Flatten(), layers.Dense(10)])
    bn = model.layers[1]
    bn.set_weights([w + 0.5 for w in bn.get_weights()])        # moving stats are weights too
    images = tk.data.load_digits(as_images=True)[0].numpy()[:4]
    _round_trip(model, tmp_path, images)


def test_embedding_lstm_model(tmp_path):
    _skip_unless("Embedding", "LSTM")
    model = tk.Sequential([tk.Input(shape=(6,), dtype="int32"),
                           layers.Embedding(12, 4, mask_zero=True), layers.LSTM(5),
                           layers.Dense(1)])
    tokens = tk.data.pad_sequences([[3, 4, 5], [1, 2, 3, 4, 5, 6]], maxlen=6)
    _round_trip(model, tmp_path, tokens)


def test_time_distributed_nests_its_layer(tmp_path):
    _skip_unless("TimeDistributed")
    model = tk.Sequential([tk.Input(shape=(3, 4)), layers.TimeDistributed(layers.Dense(2))])
    _round_trip(model, tmp_path, _x(2, 3, 4))


def test_save_and_load_weights(tmp_path):
    def make():
        return tk.Sequential([tk.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])
    model, other = make(), make()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    assert list(np.load(path, allow_pickle=False)) == [w.name for w in model.weights]
    other.load_weights(path)
    np.testing.assert_array_equal(model(_x(2, 3)).numpy(), other(_x(2, 3)).numpy())
    wrong = tk.Sequential([tk.Input(shape=(5,)), layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ModelFileError, match=r"weight 'dense_4/kernel' has shape \(5, 4\) in "
                                             r"the model but \(3, 4\) in the file"):
        wrong.load_weights(path)
    with pytest.raises(ModelFileError, match=r"holds weights only.*load_weights"):
        load_model(path)


def test_optimizer_state_resumes_training(tmp_path):
    optimizers = pytest.importorskip("tensorkit.optimizers")
    model = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(2)])
    model.optimizer = optimizers.Adam(learning_rate=0.01)
    x = tk.tensor(_x(8, 3))

    def step(m):
        weights = m.trainable_weights
        m.optimizer.apply(tk.gradients((m(x) ** 2).sum(), weights), weights)

    for _ in range(3):
        step(model)
    path = tmp_path / "opt.tkmodel"
    model.save(path)
    again = load_model(path)
    assert again.optimizer.get_config() == model.optimizer.get_config()
    assert again.optimizer.iterations == 3
    step(model)
    step(again)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- saves are atomic; what cannot be saved is refused ------------------------------------
def test_lambda_refused_and_old_file_kept(tmp_path):
    path = tmp_path / "m.tkmodel"
    good = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(1)])
    good.save(path)
    before = path.read_bytes()
    bad = tk.Sequential([tk.Input(shape=(2,)), layers.Lambda(lambda t: t * 2, name="double")])
    with pytest.raises(SaveError, match=r"Layer 'double' is a Lambda.*Layer subclass"):
        bad.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.tkmodel"]


def test_failure_mid_write_keeps_old_file(tmp_path, monkeypatch):
    from tensorkit import saving
    path = tmp_path / "m.tkmodel"
    model = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(1)])
    model.save(path)
    before = path.read_bytes()

    def broken(arrays):
        raise OSError("disk full")
    monkeypatch.setattr(saving, "_npz_bytes", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.tkmodel"]
    monkeypatch.undo()
    assert load_model(path).layers[0].units == 1


def test_custom_activation_refused_at_save(tmp_path):
    model = tk.Sequential([tk.Input(shape=(2,)), layers.Dense(1, activation=lambda t: t)])
    with pytest.raises(SaveError, match=r"Layer 'dense' \(Dense\) cannot be saved.*activation"):
        model.save(tmp_path / "m.tkmodel")
    assert os.listdir(tmp_path) == []


# ---- damaged and hostile files --------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = tk.Sequential([tk.Input(shape=(3,)), layers.Dense(2, name="dense")])
    path = tmp_path / "good.tkmodel"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return path, members


def _zip(tmp_path, members, name="bad.tkmodel", compression=zipfile.ZIP_DEFLATED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return path


def _config(members, edit):
    doc = json.loads(members["config.json"])
    edit(doc)
    return {**members, "config.json": json.dumps(doc).encode()}


def _npy(header, body=b""):
    header = header.encode() + b" " * (63 - len(header)) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + body


def test_truncated_and_garbage_files(saved, tmp_path):
    path, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.tkmodel"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"damaged.*save the model again"):
        load_model(cut)
    junk = tmp_path / "junk.tkmodel"
    junk.write_bytes(b"not a zip at all" * 10)
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(junk)
    flipped = bytearray(data)
    i = data.index(b"NUMPY") + 200                   # inside the stored weights
    flipped[i] ^= 0xFF
    bad = tmp_path / "flipped.tkmodel"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(bad)
    with pytest.raises(FileNotFoundError, match="no file at"):
        load_model(tmp_path / "missing.tkmodel")


def test_structurally_wrong_files(saved, tmp_path):
    _, members = saved
    no_weights = {"config.json": members["config.json"]}
    with pytest.raises(ModelFileError, match="weights.npz is missing"):
        load_model(_zip(tmp_path, no_weights))
    with pytest.raises(ModelFileError, match="config.json is not valid JSON"):
        load_model(_zip(tmp_path, {**members, "config.json": b"{'class_name': print}"}))
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(_zip(tmp_path, {**members, "config.json": deep}))
    with pytest.raises(ModelFileError, match="does not describe a tensorkit model"):
        load_model(_zip(tmp_path, {**members, "config.json": b'{"class_name": "Dense"}'}))
    newer = _config(members, lambda d: d.update(format_version=99))
    with pytest.raises(ModelFileError, match="newer tensorkit"):
        load_model(_zip(tmp_path, newer))
    odd = _config(members, lambda d: d.update(config=5))
    with pytest.raises(ModelFileError, match=r"\['config'\] is int"):
        load_model(_zip(tmp_path, odd))


def test_weights_that_do_not_fit(saved, tmp_path):
    _, members = saved

    def resize(d):
        d["config"]["layers"][1]["config"]["units"] = 5
    with pytest.raises(ModelFileError, match=r"weight 'dense/kernel' has shape \(3, 5\) in the "
                                             r"model but \(3, 2\) in weights.npz"):
        load_model(_zip(tmp_path, _config(members, resize)))


def test_class_names_outside_tensorkit_are_refused(saved, tmp_path):
    _, members = saved
    for name in ("os.system", "Layer", "Variable", "eval", "Trainer"):
        hostile = _config(members,
                          lambda d, n=name: d["config"]["layers"][1].update(class_name=n))
        with pytest.raises(ModelFileError, match=rf"class_name '{name}'.*not a tensorkit layer"):
            load_model(_zip(tmp_path, hostile))
    lam = _config(members, lambda d: d["config"]["layers"][1].update(class_name="Lambda"))
    with pytest.raises(ModelFileError, match="Lambda.*never loads code"):
        load_model(_zip(tmp_path, lam))
    bad_op = _config(members, lambda d: d["config"]["layers"][1].update(
        class_name="OpLayer", config={"name": "x", "op": "__import__", "args": [None],
                                      "attrs": {}}))
    with pytest.raises(ModelFileError, match="unknown op '__import__'"):
        load_model(_zip(tmp_path, bad_op))
    bad_arg = _config(members, lambda d: d["config"]["layers"][1]["config"].update(
        activation="os.system"))
    with pytest.raises(ModelFileError, match="could not rebuild layer 'dense'.*Unknown activ"):
        load_model(_zip(tmp_path, bad_arg))


def test_huge_sizes_are_refused_before_allocating(saved, tmp_path):
    _, members = saved
    huge = _config(members, lambda d: d["config"]["layers"][1]["config"].update(units=10**12))
    with pytest.raises(ModelFileError, match="refusing.*asks for the size 1,000,000,000,000"):
        load_model(_zip(tmp_path, huge))
    claims = _npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }",
                  b"\0" * 16)
    with pytest.raises(ModelFileError, match=r"shape \(1000000000000,\).*needs"):
        load_model(_zip(tmp_path, {**members, "weights.npz": _npz({"dense/kernel": claims})}))


def _npz(arrays):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key, data in arrays.items():
            zf.writestr(key + ".npy", data)
    return buf.getvalue()


def test_object_arrays_zip_bombs_and_path_traversal(saved, tmp_path):
    _, members = saved
    obj = _npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\x80\x04N.")
    with pytest.raises(ModelFileError, match=r"refusing.*dtype object.*pickle"):
        load_model(_zip(tmp_path, {**members, "weights.npz": _npz({"dense/kernel": obj})}))
    bomb = {**members, "config.json": b" " * (64 * 2**20)}
    with pytest.raises(ModelFileError, match="zip bomb"):
        load_model(_zip(tmp_path, bomb))
    for evil in ("../../evil.py", "/etc/passwd", "C:/x"):
        with pytest.raises(ModelFileError, match="path traversal"):
            load_model(_zip(tmp_path, {**members, evil: b"x"}))
    with pytest.raises(ModelFileError, match=r"unexpected member 'run\.py'"):
        load_model(_zip(tmp_path, {**members, "run.py": b"import os"}))
    nested = {**members, "weights.npz": _npz({"../dense/kernel": b""})}
    with pytest.raises(ModelFileError, match="path traversal"):
        load_model(_zip(tmp_path, nested))


def test_compiled_model_resumes_fit(tmp_path):
    model = tk.Sequential([tk.Input(shape=(4,)), layers.Dense(3, activation="relu"),
                           layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = _x(16, 4), _x(16, 1, seed=2)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = tmp_path / "trained.tkmodel"
    model.save(path)
    again = load_model(path)
    assert again.compiled and again.optimizer.iterations == model.optimizer.iterations == 4
    for m in (model, again):
        m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    bare = load_model(path, compile=False)
    assert not getattr(bare, "compiled", False)


class Scale(layers.Layer):
    """A learner's own layer: saved by class name, loaded only when named in custom_objects."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1],), "ones")

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_need_custom_objects(tmp_path):
    model = tk.Sequential([tk.Input(shape=(3,)), Scale(3.0), layers.Dense(2)])
    path = tmp_path / "custom.tkmodel"
    model.save(path)
    with pytest.raises(ModelFileError, match=r"'Scale'.*custom_objects=\{'Scale': Scale\}"):
        load_model(path)
    again = load_model(path, custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(model(_x(2, 3)).numpy(), again(_x(2, 3)).numpy())


def test_initializers_with_arguments_and_classes_save_load_and_export(tmp_path):
    model = tk.Sequential([tk.Input(shape=(3,)), tk.layers.Dense(
        2, kernel_initializer=tk.initializers.Constant(0.5),
        bias_initializer=tk.initializers.HeNormal)])               # an instance, and a class
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), np.full((3, 2), 0.5))
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    assert again.layers[0].get_config()["kernel_initializer"]["config"] == {"value": 0.5}
    tk.export.to_tfjs(model, tmp_path / "web")                    # Keras' serialized form
    back = tk.models.load_tfjs(tmp_path / "web")
    x = np.ones((1, 3), "float32")
    np.testing.assert_array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))


def test_to_json_and_model_from_json_rebuild_the_architecture():
    i = tk.Input(shape=(6,))
    x = tk.layers.Dense(4, activation="relu", name="hidden")(i)
    model = tk.Model(i, tk.layers.Dense(2, name="out")(tk.layers.Dropout(0.1)(x)))
    text = model.to_json()
    again = tk.models.model_from_json(text)
    assert [type(layer).__name__ for layer in again.layers] == \
        [type(layer).__name__ for layer in model.layers]
    assert again.layers[1].get_config() == model.layers[1].get_config()
    assert [w.shape for w in again.get_weights()] == [w.shape for w in model.get_weights()]
    seq = tk.Sequential([tk.Input(shape=(3,)), tk.layers.Dense(2)])
    assert tk.models.model_from_json(seq.to_json(indent=1)).output_shape == (None, 2)
    with pytest.raises(tk.saving.ModelFileError, match="does not describe a tensorkit model"):
        tk.models.model_from_json('{"class_name": "Sequential", "config": {}}')
    with pytest.raises(tk.saving.ModelFileError, match="not valid JSON"):
        tk.models.model_from_json("{oops")
    lam = tk.Sequential([tk.Input(shape=(3,)), tk.layers.Lambda(lambda t: t * 2)])
    with pytest.raises(tk.saving.SaveError):
        lam.to_json()                                    # code is never written, as save


def test_weighted_metrics_are_saved_with_the_compile_config(tmp_path):
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"])
    x, y = np.ones((4, 3), "float32"), np.arange(4, dtype="float32")[:, None]
    w = np.array([1.0, 0.0, 0.0, 3.0], "float32")
    model.save(tmp_path / "m.keras")
    again = tk.models.load_model(tmp_path / "m.keras")
    logs = model.evaluate(x, y, sample_weight=w, return_dict=True, verbose=0)
    assert again.evaluate(x, y, sample_weight=w, return_dict=True, verbose=0) == logs
    assert logs["weighted_mae"] != logs["mae"]
