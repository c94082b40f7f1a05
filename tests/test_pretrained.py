"""tk.pretrained: the shipped models list, load, score what index.json records, fine-tune."""

import json
import os

import numpy as np
import pytest

import tensorkit as tk
from tensorkit.layers import Dense

HERE = os.path.dirname(os.path.abspath(__file__))
PRETRAINED = os.path.join(HERE, os.pardir, "tensorkit", "pretrained")
NAMES = ["digits_mlp", "digits_cnn", "sentiment_text"]


def held_out(name):
    """The test part of the split a model was trained on, rebuilt from index.json alone."""
    entry = {e["name"]: e for e in tk.pretrained.list()}[name]
    data = {"digits_mlp": lambda: tk.data.load_digits(),
            "digits_cnn": lambda: tk.data.load_digits(as_images=True),
            "sentiment_text": lambda: tk.data.sentiment(n=2000, seed=0)}[name]
    assert entry["data"].startswith("tk.data.")
    x, y = data()
    x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, **entry["split_args"])
    if name == "sentiment_text":
        vectorize = tk.pretrained.vectorizer(name)
        x_train, x_test = vectorize(x_train), vectorize(x_test)
    return entry, (x_train, y_train), (x_test, y_test)


# ---- list and load --------------------------------------------------------------------
def test_list_describes_every_shipped_model():
    entries = tk.pretrained.list()
    assert [e["name"] for e in entries] == NAMES
    for e in entries:
        assert e["description"] and e["classes"] and e["input_shape"][0] is None
        assert e["command"] == ".venv/bin/python scripts/train_pretrained.py"
        assert e["split_args"] == {"test_size": 0.2, "seed": 0}
        assert e["training"]["epochs"] > 0 and 0 < e["test_accuracy"] <= 1
        assert e["layers"][-1] == "head"          # lessons pop it by that name
        path = os.path.join(PRETRAINED, e["file"])
        assert os.path.getsize(path) < 200 * 1024
    by_name = {e["name"]: e for e in entries}
    assert by_name["digits_mlp"]["test_accuracy"] >= 0.95
    assert by_name["digits_cnn"]["test_accuracy"] >= 0.97
    assert len(by_name["digits_cnn"]["classes"]) == 10
    entries[0]["name"] = "changed"                # a copy: the index itself is unchanged
    assert tk.pretrained.list()[0]["name"] == "digits_mlp"


def test_index_json_is_the_file_list_reads():
    with open(os.path.join(PRETRAINED, "index.json")) as f:
        assert json.load(f)["models"] == tk.pretrained.list()


@pytest.mark.parametrize("name", NAMES)
def test_shipped_model_scores_its_recorded_accuracy_on_the_recorded_split(name):
    entry, _, (x_test, y_test) = held_out(name)
    model = tk.pretrained.load(name)
    assert model.name == name and model.layers[-1].name == "head"
    assert list(model.layers[0].input_shape) == entry["input_shape"]
    assert model.layers[-1].output_shape[-1] == (len(entry["classes"]) if
                                                 len(entry["classes"]) > 2 else 1)
    assert len(y_test) == entry["test_samples"]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)   # loaded compiled
    assert accuracy == pytest.approx(entry["test_accuracy"], abs=0.005)


def test_load_gives_a_new_independent_model_each_call():
    a, b = tk.pretrained.load("digits_mlp"), tk.pretrained.load("digits_mlp")
    assert a is not b and a.layers[0] is not b.layers[0]
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    kernel = a.layers[0].weights[0]
    kernel.numpy()[...] = 0                        # in place, as an optimizer step does
    assert not np.any(a.get_weights()[0]) and np.any(b.get_weights()[0])
    a.pop()
    assert len(a) == 2 and len(b) == 3 and len(tk.pretrained.load("digits_mlp")) == 3


def test_text_model_reads_sentences_through_its_vectorizer():
    vectorize = tk.pretrained.vectorizer("sentiment_text")
    ids = vectorize(["the food was not good", "this film was really great"])
    assert ids.shape == (2, 10) and ids.dtype == np.int32
    probs = tk.pretrained.load("sentiment_text").predict(ids, verbose=0)    # (2, 1)
    assert probs[0, 0] < 0.5 < probs[1, 0]


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"no model named 'resnet50'\. Available: "
                                         r"'digits_mlp', 'digits_cnn', 'sentiment_text'"):
        tk.pretrained.load("resnet50")
    with pytest.raises(KeyError):
        tk.pretrained.vectorizer("nope")
    with pytest.raises(ValueError, match="not text: it has no vectorizer"):
        tk.pretrained.vectorizer("digits_cnn")


# ---- transfer learning ------------------------------------------------------------------
def test_pop_the_head_freeze_the_body_add_a_head_and_fine_tune():
    _, (x_train, y_train), (x_test, y_test) = held_out("digits_mlp")
    is_zero_train = (y_train.numpy() == 0).astype("int32")         # a new 2-class task
    is_zero_test = (y_test.numpy() == 0).astype("int32")
    model = tk.pretrained.load("digits_mlp")
    head = model.pop()
    assert head.name == "head" and [l.name for l in model.layers] == ["hidden_1", "hidden_2"]
    for layer in model.layers:
        layer.trainable = False
    body = [w.copy() for w in model.get_weights()]
    body_params = sum(w.size for w in body)
    model.add(Dense(2, activation="softmax", name="new_head"))
    new_head = [w.copy() for w in model.layers[-1].get_weights()]
    model.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, is_zero_train, epochs=4, batch_size=32,
                        validation_data=(x_test, is_zero_test), verbose=0)

    for before, after in zip(body, model.get_weights()[:4]):
        np.testing.assert_array_equal(before, after)              # frozen: bit for bit
    for before, after in zip(new_head, model.layers[-1].get_weights()):
        assert not np.array_equal(before, after)                  # the new head learned
    assert history.history["val_accuracy"][-1] >= 0.97            # "not a 0" alone is 0.90

    summary = model.summary(as_dict=True)
    assert [(r["name"], r["trainable"]) for r in summary["layers"]] == [
        ("hidden_1", False), ("hidden_2", False), ("new_head", True)]
    assert [r["trainable_params"] for r in summary["layers"]] == [0, 0, 32 * 2 + 2]
    assert summary["non_trainable_params"] == body_params == 64 * 64 + 64 + 64 * 32 + 32
    assert summary["trainable_params"] == 66
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0].count("N (frozen)") == 2 and "Non-trainable params: 6,240" in lines[0]


def test_fine_tuned_cnn_body_with_a_new_ten_class_head():
    _, (x_train, y_train), (x_test, y_test) = held_out("digits_cnn")
    model = tk.pretrained.load("digits_cnn")
    model.pop()
    for layer in model.layers:
        layer.trainable = False
    model.add(Dense(10, activation="softmax", name="new_head"))
    model.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=2, validation_data=(x_test, y_test),
                        verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.95     # the frozen features still serve
    assert model.summary(as_dict=True)["trainable_params"] == 512 * 10 + 10
